package io.flowcost.agent.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Decides whether an HTTP request is a model call, from its host and path only — never its body —
 * so that a 429 or 500 attempt is recognised as well as a successful one.
 *
 * <p>A request is a model call when its path is a model operation (OpenAI chat completions,
 * responses, embeddings; Azure OpenAI deployments; Anthropic messages; Gemini {@code
 * generateContent}; Bedrock {@code converse}; Ollama {@code /api/chat}, {@code /api/generate}) and
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
    String openAi = azure ? "azure.ai.openai" : hostProvider != null ? hostProvider : "openai";
    String deployment = azure ? segmentAfter(path, "/deployments/") : null;
    if (p.endsWith("/chat/completions")) {
      return new LlmEndpoint("model", "chat", openAi, deployment);
    }
    if (p.endsWith("/responses")) {
      return new LlmEndpoint("model", "chat", openAi, deployment);
    }
    if (p.endsWith("/embeddings") && !p.endsWith("/api/embeddings")) {
      return new LlmEndpoint("embedding", "embeddings", openAi, deployment);
    }
    if (p.endsWith("/completions")) {
      return new LlmEndpoint("model", "text_completion", openAi, deployment);
    }
    if (p.endsWith("/v1/messages") || p.equals("/messages")) {
      return new LlmEndpoint("model", "chat", "anthropic", null);
    }
    int colon = p.lastIndexOf(':');
    if (colon > 0 && p.contains("/models/")) {
      String verb = p.substring(colon + 1);
      String model = segmentAfter(path.substring(0, colon), "/models/");
      String gemini = host != null && host.toLowerCase(Locale.ROOT).contains("aiplatform")
          ? "gcp.vertex_ai" : "gcp.gemini";
      if (verb.equals("generatecontent") || verb.equals("streamgeneratecontent")) {
        return new LlmEndpoint("model", "generate_content", gemini, model);
      }
      if (verb.equals("embedcontent") || verb.equals("batchembedcontents")) {
        return new LlmEndpoint("embedding", "embeddings", gemini, model);
      }
    }
    if (p.contains("/model/")
        && (p.endsWith("/converse") || p.endsWith("/converse-stream"))) {
      String model = segmentAfter(path, "/model/");
      return new LlmEndpoint("model", "chat", "aws.bedrock", model);
    }
    if (p.endsWith("/api/chat")) {
      return new LlmEndpoint("model", "chat", "ollama", null);
    }
    if (p.endsWith("/api/generate")) {
      return new LlmEndpoint("model", "text_completion", "ollama", null);
    }
    if (p.endsWith("/api/embed") || p.endsWith("/api/embeddings")) {
      return new LlmEndpoint("embedding", "embeddings", "ollama", null);
    }
    return null;
  }

  /** The provider whose public API lives on this host, or {@code null}. */
  public static String providerOfHost(String host, int port) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("api.openai.com")) {
      return "openai";
    }
    if (h.endsWith(".openai.azure.com")
        || h.endsWith(".cognitiveservices.azure.com")
        || h.endsWith(".services.ai.azure.com")) {
      return "azure.ai.openai";
    }
    if (h.equals("api.anthropic.com")) {
      return "anthropic";
    }
    if (h.equals("generativelanguage.googleapis.com")) {
      return "gcp.gemini";
    }
    if (h.endsWith("aiplatform.googleapis.com")) {
      return "gcp.vertex_ai";
    }
    if (h.startsWith("bedrock-runtime") && h.endsWith(".amazonaws.com")) {
      return "aws.bedrock";
    }
    if (h.equals("api.mistral.ai")) {
      return "mistral_ai";
    }
    if (port == 11434) {
      return "ollama";
    }
    return null;
  }

  private static LlmEndpoint withProvider(LlmEndpoint shape, String provider) {
    // the host knows better than the path shape (Mistral speaks the OpenAI paths), except that
    // Azure deployments and Anthropic-on-Vertex keep what the path says
    if (provider.equals("gcp.vertex_ai") || provider.equals(shape.provider())) {
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
