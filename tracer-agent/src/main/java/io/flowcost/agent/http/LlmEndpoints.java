package io.flowcost.agent.http;

import io.flowcost.contract.GenAiOperation;
import io.flowcost.contract.Provider;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Decides whether an HTTP request is a model call, from its host and path only — never its body —
 * so that a 429 or 500 attempt is recognised as well as a successful one.
 *
 * <p>A request is a model call when its path is a model operation (OpenAI chat completions,
 * responses, embeddings; Azure OpenAI deployments; Anthropic messages; Gemini {@code
 * generateContent}; Bedrock {@code converse}, {@code invoke}; Ollama {@code /api/chat}, {@code /api/generate}) and
 * either its host is the provider's ({@code api.openai.com}, {@code *.openai.azure.com}, …) or it
 * goes under a base URL listed in {@code flowcost.llm-endpoints}.
 */
public final class LlmEndpoints {

  private LlmEndpoints() {}

  /**
   * Matches a request against the provider hosts and the configured endpoints.
   *
   * @return the endpoint, or {@code null} when the request is not a model call
   */
  public static LlmEndpoint match(
      HttpSettings settings, String scheme, String host, int port, String path) {
    if (host == null || path == null) {
      return null;
    }
    String hostProvider = providerOfHost(host, port);
    if (hostProvider != null) {
      LlmEndpoint shape = byPath(path, host);
      return shape == null ? null : withProvider(shape, hostProvider);
    }
    if (settings.isConfiguredLlmEndpoint(scheme, host, port, path)) {
      return byPath(path, host);
    }
    return null;
  }

  /**
   * Recognises a model operation by the path alone (for SDKs, whose every request is a model API
   * request, whatever the host). The provider is guessed from the host, else from the path shape.
   */
  public static LlmEndpoint byPath(String path, String host) {
    String p = path.toLowerCase(Locale.ROOT);
    String hostProvider = host == null ? null : providerOfHost(host, -1);
    boolean azure = p.contains("/openai/deployments/");
    String openAi = azure ? Provider.AZURE_AI_OPENAI.wire()
        : hostProvider != null ? hostProvider : Provider.OPENAI.wire();
    String deployment = azure ? segmentAfter(path, "/deployments/") : null;
    if (p.endsWith("/chat/completions")) {
      return LlmEndpoint.of(GenAiOperation.CHAT, openAi, deployment);
    }
    if (p.endsWith("/responses")) {
      return LlmEndpoint.of(GenAiOperation.CHAT, openAi, deployment);
    }
    if (p.endsWith("/embeddings") && !p.endsWith("/api/embeddings")) {
      return LlmEndpoint.of(GenAiOperation.EMBEDDINGS, openAi, deployment);
    }
    if (p.endsWith("/completions")) {
      return LlmEndpoint.of(GenAiOperation.TEXT_COMPLETION, openAi, deployment);
    }
    if (p.endsWith("/v1/messages") || p.equals("/messages")) {
      return LlmEndpoint.of(GenAiOperation.CHAT, Provider.ANTHROPIC.wire(), null);
    }
    int colon = p.lastIndexOf(':');
    if (colon > 0 && p.contains("/models/")) {
      String verb = p.substring(colon + 1);
      String model = segmentAfter(path.substring(0, colon), "/models/");
      String gemini = host != null && host.toLowerCase(Locale.ROOT).contains("aiplatform")
          ? Provider.GCP_VERTEX_AI.wire() : Provider.GCP_GEMINI.wire();
      if (verb.equals("generatecontent") || verb.equals("streamgeneratecontent")) {
        return LlmEndpoint.of(GenAiOperation.GENERATE_CONTENT, gemini, model);
      }
      if (verb.equals("embedcontent") || verb.equals("batchembedcontents")) {
        return LlmEndpoint.of(GenAiOperation.EMBEDDINGS, gemini, model);
      }
    }
    if (p.contains("/model/")
        && (p.endsWith("/converse") || p.endsWith("/converse-stream")
            || p.endsWith("/invoke") || p.endsWith("/invoke-with-response-stream"))) {
      String model = segmentAfter(path, "/model/");
      return LlmEndpoint.of(GenAiOperation.CHAT, Provider.AWS_BEDROCK.wire(), model);
    }
    if (p.endsWith("/api/chat")) {
      return LlmEndpoint.of(GenAiOperation.CHAT, Provider.OLLAMA.wire(), null);
    }
    if (p.endsWith("/api/generate")) {
      return LlmEndpoint.of(GenAiOperation.TEXT_COMPLETION, Provider.OLLAMA.wire(), null);
    }
    if (p.endsWith("/api/embed") || p.endsWith("/api/embeddings")) {
      return LlmEndpoint.of(GenAiOperation.EMBEDDINGS, Provider.OLLAMA.wire(), null);
    }
    return null;
  }

  /**
   * Whether the path itself asks for a stream — Gemini's {@code :streamGenerateContent} and
   * Bedrock's {@code /converse-stream} — whose request body has no {@code stream} field.
   */
  public static boolean streamsByPath(String path) {
    if (path == null) {
      return false;
    }
    String p = path.toLowerCase(Locale.ROOT);
    return p.endsWith(":streamgeneratecontent") || p.endsWith("/converse-stream");
  }

  /** The provider whose public API lives on this host, or {@code null}. */
  public static String providerOfHost(String host, int port) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("api.openai.com")) {
      return Provider.OPENAI.wire();
    }
    if (h.endsWith(".openai.azure.com")
        || h.endsWith(".cognitiveservices.azure.com")
        || h.endsWith(".services.ai.azure.com")) {
      return Provider.AZURE_AI_OPENAI.wire();
    }
    if (h.equals("api.anthropic.com")) {
      return Provider.ANTHROPIC.wire();
    }
    if (h.equals("generativelanguage.googleapis.com")) {
      return Provider.GCP_GEMINI.wire();
    }
    if (h.endsWith("aiplatform.googleapis.com")) {
      return Provider.GCP_VERTEX_AI.wire();
    }
    if (h.startsWith("bedrock-runtime") && h.endsWith(".amazonaws.com")) {
      return Provider.AWS_BEDROCK.wire();
    }
    if (h.equals("api.mistral.ai")) {
      return Provider.MISTRAL_AI.wire();
    }
    if (port == 11434) {
      return Provider.OLLAMA.wire();
    }
    return null;
  }

  private static LlmEndpoint withProvider(LlmEndpoint shape, String provider) {
    // the host knows better than the path shape (Mistral speaks the OpenAI paths), except that
    // Azure deployments and Anthropic-on-Vertex keep what the path says
    if (provider.equals(Provider.GCP_VERTEX_AI.wire()) || provider.equals(shape.provider())) {
      return shape;
    }
    return new LlmEndpoint(shape.kind(), shape.operation(), provider, shape.model());
  }

  private static String segmentAfter(String path, String marker) {
    int i = path.toLowerCase(Locale.ROOT).indexOf(marker);
    if (i < 0) {
      return null;
    }
    int start = i + marker.length();
    int end = path.indexOf('/', start);
    String segment = end < 0 ? path.substring(start) : path.substring(start, end);
    if (segment.isEmpty()) {
      return null;
    }
    try {
      return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return segment;
    }
  }
}
