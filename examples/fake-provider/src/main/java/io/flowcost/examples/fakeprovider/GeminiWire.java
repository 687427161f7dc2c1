package io.flowcost.examples.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Gemini Developer API wire format ({@code generativelanguage.googleapis.com}): {@code POST
 * /v1beta/models/{model}:generateContent} and {@code :streamGenerateContent?alt=sse}, as the Google Gen AI SDKs send and read them (field names in camelCase, the
 * {@code GenerateContentResponse} / {@code usageMetadata} of the API reference).
 *
 * <p>Usage ({@link UsageRules} plus Gemini's own rules): {@code promptTokenCount} = all prompt
 * tokens {@code P} (cached content included); {@code cachedContentTokenCount} = {@code
 * tokens(system chars)} when the system instruction has at least {@value
 * UsageRules#OPENAI_CACHE_MIN_CHARS} characters (an implicit-cache hit on a warm prefix) or the
 * last user text says {@code [cache-hit]}, else absent; {@code candidatesTokenCount} = 42 for a
 * text answer, 18 for a function call — without thoughts; {@code thoughtsTokenCount} = {@value
 * UsageRules#REASONING_TOKENS} for a thinking model ({@code gemini-2.5-*} and {@code gemini-3*},
 * except {@code *-lite}, unless {@code generationConfig.thinkingConfig.thinkingBudget} is 0), else
 * absent; {@code totalTokenCount} = prompt + candidates + thoughts. Zero counts are left out, as
 * the API's proto3 JSON does. A stream repeats the prompt-side counts on every chunk with a
 * running {@code candidatesTokenCount}; the last chunk (with {@code finishReason}) carries the
 * final totals — never increments to be added.
 */
final class GeminiWire {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Text chunks of a streamed text answer. */
  static final int STREAM_CHUNKS = 3;

  private GeminiWire() {}

  /** What a {@code /v1beta/models/{model}:{verb}} path asks for. */
  record Call(String model, String verb) {

    boolean streaming() {
      return verb.equals("streamGenerateContent");
    }

    boolean generate() {
      return verb.equals("generateContent") || streaming();
    }
  }

  /**
   * Parses {@code /v1beta/models/{model}:{verb}} (or {@code /v1/…}); {@code null} for any other
   * path.
   */
  static Call call(String path) {
    String rest;
    if (path.startsWith("/v1beta/models/")) {
      rest = path.substring("/v1beta/models/".length());
    } else if (path.startsWith("/v1/models/")) {
      rest = path.substring("/v1/models/".length());
    } else {
      return null;
    }
    int colon = rest.lastIndexOf(':');
    if (colon <= 0 || rest.indexOf('/') >= 0) {
      return null;
    }
    String model = URLDecoder.decode(rest.substring(0, colon), StandardCharsets.UTF_8);
    return new Call(model, rest.substring(colon + 1));
  }

  /** The chat facts of a {@code generateContent} body; the model and stream flag come from the URL. */
  static ChatRequestView view(JsonNode body, String model, boolean stream) {
    long chars = 0;
    long systemChars = 0;
    int systemMessages = 0;
    JsonNode system = body.get("systemInstruction");
    if (system != null && system.isObject()) {
      systemMessages = 1;
      for (JsonNode part : system.path("parts")) {
        systemChars += part.path("text").asText().length();
      }
      chars += systemChars;
    }
    JsonNode contents = body.path("contents");
    int lastUser = -1;
    String lastUserText = "";
    String jsonAnswer = null;
    for (int i = 0; i < contents.size(); i++) {
      JsonNode content = contents.get(i);
      StringBuilder text = new StringBuilder();
      for (JsonNode part : content.path("parts")) {
        if (part.has("text")) {
          text.append(part.path("text").asText());
        } else if (part.has("functionCall")) {
          JsonNode call = part.get("functionCall");
          chars += call.path("name").asText().length() + call.path("args").toString().length();
        } else if (part.has("functionResponse")) {
          JsonNode response = part.get("functionResponse");
          chars += response.path("name").asText().length()
              + response.path("response").toString().length();
        }
      }
      chars += text.length();
      // the SDKs send function responses with role "user" (or "function"): only text makes a turn
      if (!content.path("role").asText("user").equals("model") && text.length() > 0) {
        lastUser = i;
        lastUserText = text.toString();
        String found = Markers.jsonAnswer(lastUserText);
        if (found != null) {
          jsonAnswer = found;
        }
      }
    }
    int models = 0;
    int modelsAfterLastUser = 0;
    for (int i = 0; i < contents.size(); i++) {
      if (contents.get(i).path("role").asText().equals("model")) {
        models++;
        if (i > lastUser) {
          modelsAfterLastUser++;
        }
      }
    }
    int tools = 0;
    for (JsonNode tool : body.path("tools")) {
      tools += tool.path("functionDeclarations").size();
    }
    return new ChatRequestView(model, stream, true, null, contents.size() + systemMessages, tools,
        chars, systemChars, false, false, models == 0, modelsAfterLastUser, lastUserText,
        jsonAnswer);
  }

  /** Whether the model thinks by default (Gemini 2.5 and 3, except the lite models). */
  static boolean thinks(String model, JsonNode body) {
    String m = model.toLowerCase(Locale.ROOT);
    boolean thinking = (m.startsWith("gemini-2.5") || m.startsWith("gemini-3")) && !m.contains("lite");
    JsonNode budget = body.path("generationConfig").path("thinkingConfig").get("thinkingBudget");
    return thinking && !(budget != null && budget.isNumber() && budget.asLong() == 0);
  }

  /** The final {@code usageMetadata} of a reply. */
  static ObjectNode usage(ChatRequestView view, Markers markers, Reply reply, boolean thinks) {
    long prompt = UsageRules.promptTokens(view.messages(), view.tools(), view.textChars());
    long cached = view.systemChars() >= UsageRules.OPENAI_CACHE_MIN_CHARS || markers.cacheHit()
        ? Math.min(prompt, UsageRules.tokens(view.systemChars())) : 0;
    long candidates = reply.toolCall()
        ? UsageRules.TOOL_CALL_OUTPUT_TOKENS : UsageRules.TEXT_OUTPUT_TOKENS;
    long thoughts = thinks ? UsageRules.REASONING_TOKENS : 0;
    return usage(prompt, cached, candidates, thoughts);
  }

  private static ObjectNode usage(long prompt, long cached, long candidates, long thoughts) {
    ObjectNode u = F.objectNode();
    u.put("promptTokenCount", prompt);
    putIfPositive(u, "candidatesTokenCount", candidates);
    putIfPositive(u, "cachedContentTokenCount", cached);
    u.put("totalTokenCount", prompt + candidates + thoughts);
    putIfPositive(u, "thoughtsTokenCount", thoughts);
    u.putArray("promptTokensDetails").addObject().put("modality", "TEXT").put("tokenCount", prompt);
    if (cached > 0) {
      u.putArray("cacheTokensDetails").addObject().put("modality", "TEXT").put("tokenCount", cached);
    }
    return u;
  }

  private static void putIfPositive(ObjectNode o, String field, long value) {
    if (value > 0) {
      o.put(field, value);
    }
  }

  /** A whole (non-streamed) {@code GenerateContentResponse}. */
  static ObjectNode response(String responseId, String model, Reply reply, ObjectNode usage) {
    ObjectNode root = F.objectNode();
    ObjectNode candidate = root.putArray("candidates").addObject();
    ObjectNode content = candidate.putObject("content");
    if (reply.toolCall()) {
      content.putArray("parts").addObject().putObject("functionCall")
          .put("name", reply.tool().name())
          .set("args", reply.tool().arguments());
    } else {
      content.putArray("parts").addObject().put("text", reply.text());
    }
    content.put("role", "model");
    candidate.put("finishReason", "STOP"); // Gemini ends a function-call turn with STOP too
    candidate.put("index", 0);
    root.set("usageMetadata", usage);
    root.put("modelVersion", model);
    root.put("responseId", responseId);
    return root;
  }

  /**
   * The {@code data:} chunks of a streamed reply: a function call in one chunk; a text answer in
   * {@value #STREAM_CHUNKS} chunks whose {@code candidatesTokenCount} runs up to the final count,
   * {@code finishReason} on the last one only.
   */
  static List<ObjectNode> chunks(String responseId, String model, Reply reply, ObjectNode usage) {
    List<ObjectNode> out = new ArrayList<>();
    if (reply.toolCall()) {
      out.add(response(responseId, model, reply, usage));
      return out;
    }
    List<String> words = OpenAiWire.words(reply.text());
    long prompt = usage.path("promptTokenCount").asLong();
    long cached = usage.path("cachedContentTokenCount").asLong();
    long candidates = usage.path("candidatesTokenCount").asLong();
    long thoughts = usage.path("thoughtsTokenCount").asLong();
    int n = Math.min(STREAM_CHUNKS, Math.max(1, words.size()));
    for (int i = 0; i < n; i++) {
      int from = words.size() * i / n;
      int to = words.size() * (i + 1) / n;
      boolean last = i == n - 1;
      ObjectNode chunk = F.objectNode();
      ObjectNode candidate = chunk.putArray("candidates").addObject();
      ObjectNode content = candidate.putObject("content");
      content.putArray("parts").addObject().put("text", String.join("", words.subList(from, to)));
      content.put("role", "model");
      if (last) {
        candidate.put("finishReason", "STOP");
      }
      candidate.put("index", 0);
      long running = last ? candidates : candidates * (i + 1) / n;
      chunk.set("usageMetadata", last ? usage : usage(prompt, cached, running, thoughts));
      chunk.put("modelVersion", model);
      chunk.put("responseId", responseId);
      out.add(chunk);
    }
    return out;
  }

  /** The Google RPC error body: {@code {"error":{"code","message","status"}}}. */
  static ObjectNode error(int status) {
    ObjectNode root = F.objectNode();
    ObjectNode error = root.putObject("error");
    error.put("code", status);
    error.put("message", switch (status) {
      case 400 -> "Request contains an invalid argument.";
      case 403 -> "Method doesn't allow unregistered callers (callers without established"
          + " identity). Please use API Key or other form of API consumer identity to call this"
          + " API.";
      case 404 -> "Requested entity was not found.";
      case 429 -> "You exceeded your current quota, please check your plan and billing details.";
      case 503 -> "The model is overloaded. Please try again later.";
      default -> "An internal error has occurred. Please retry or report in"
          + " https://developers.generativeai.google/guide/troubleshooting";
    });
    error.put("status", switch (status) {
      case 400 -> "INVALID_ARGUMENT";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 503 -> "UNAVAILABLE";
      case 504 -> "DEADLINE_EXCEEDED";
      default -> "INTERNAL";
    });
    return root;
  }
}
