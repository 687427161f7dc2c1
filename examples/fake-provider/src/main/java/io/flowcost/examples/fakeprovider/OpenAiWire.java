package io.flowcost.examples.fakeprovider;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Builds OpenAI Chat Completions and Embeddings response bodies. */
final class OpenAiWire {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Set<String> ECHOED_TIERS = Set.of("default", "flex", "priority", "scale");

  private OpenAiWire() {}

  /** The tier reported as used: the requested one when it is concrete, else {@code default}. */
  static String serviceTier(String requested) {
    return requested != null && ECHOED_TIERS.contains(requested) ? requested : "default";
  }

  static ObjectNode usage(ChatRequestView view, Reply reply) {
    long prompt = UsageRules.promptTokens(view.messages(), view.tools(), view.textChars());
    long cached = UsageRules.openAiCachedTokens(view.systemChars());
    long reasoning = UsageRules.reasoningTokens(view.model());
    long completion = UsageRules.outputTokens(view.model(), reply.toolCall());
    ObjectNode usage = F.objectNode();
    usage.put("prompt_tokens", prompt);
    usage.put("completion_tokens", completion);
    usage.put("total_tokens", prompt + completion);
    usage.putObject("prompt_tokens_details").put("cached_tokens", cached).put("audio_tokens", 0);
    usage
        .putObject("completion_tokens_details")
        .put("reasoning_tokens", reasoning)
        .put("audio_tokens", 0)
        .put("accepted_prediction_tokens", 0)
        .put("rejected_prediction_tokens", 0);
    return usage;
  }

  /** Usage of {@code [exact-usage]}: counted with OpenAI's encoding ({@link ExactTokens}). */
  static ObjectNode exactUsage(long prompt, long completion) {
    ObjectNode usage = F.objectNode();
    usage.put("prompt_tokens", prompt);
    usage.put("completion_tokens", completion);
    usage.put("total_tokens", prompt + completion);
    usage.putObject("prompt_tokens_details").put("cached_tokens", 0).put("audio_tokens", 0);
    usage
        .putObject("completion_tokens_details")
        .put("reasoning_tokens", 0)
        .put("audio_tokens", 0)
        .put("accepted_prediction_tokens", 0)
        .put("rejected_prediction_tokens", 0);
    return usage;
  }

  static ObjectNode completion(
      String id, long created, ChatRequestView view, Reply reply, String tier, ObjectNode usage) {
    ObjectNode root = header(id, "chat.completion", created, view.model());
    root.put("service_tier", tier);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    if (reply.toolCall()) {
      message.putNull("content");
      ObjectNode call = message.putArray("tool_calls").addObject();
      call.put("id", reply.toolCallId()).put("type", "function");
      call.putObject("function")
          .put("name", reply.tool().name())
          .put("arguments", reply.tool().arguments().toString());
    } else {
      message.put("content", reply.text());
    }
    message.put("refusal", (String) null);
    choice.putNull("logprobs");
    choice.put("finish_reason", reply.toolCall() ? "tool_calls" : "stop");
    root.set("usage", usage);
    return root;
  }

  /** The SSE {@code data:} payloads of a streamed completion, without the final {@code [DONE]}. */
  static List<ObjectNode> chunks(
      String id, long created, ChatRequestView view, Reply reply, String tier, ObjectNode usage) {
    List<ObjectNode> out = new ArrayList<>();
    if (reply.toolCall()) {
      ObjectNode first = chunk(id, created, view.model(), tier);
      ObjectNode delta = delta(first);
      delta.put("role", "assistant").putNull("content");
      ObjectNode call = delta.putArray("tool_calls").addObject();
      call.put("index", 0).put("id", reply.toolCallId()).put("type", "function");
      call.putObject("function").put("name", reply.tool().name()).put("arguments", "");
      out.add(first);
      for (String part : split(reply.tool().arguments().toString(), 8)) {
        ObjectNode c = chunk(id, created, view.model(), tier);
        ObjectNode d = delta(c);
        d.putArray("tool_calls").addObject().put("index", 0)
            .putObject("function").put("arguments", part);
        out.add(c);
      }
    } else {
      ObjectNode first = chunk(id, created, view.model(), tier);
      delta(first).put("role", "assistant").put("content", "").put("refusal", (String) null);
      out.add(first);
      for (String word : words(reply.text())) {
        ObjectNode c = chunk(id, created, view.model(), tier);
        delta(c).put("content", word);
        out.add(c);
      }
    }
    ObjectNode finish = chunk(id, created, view.model(), tier);
    delta(finish);
    ((ObjectNode) finish.get("choices").get(0))
        .put("finish_reason", reply.toolCall() ? "tool_calls" : "stop");
    out.add(finish);
    if (usage != null) {
      ObjectNode last = header(id, "chat.completion.chunk", created, view.model());
      last.put("service_tier", tier);
      last.putArray("choices");
      last.set("usage", usage);
      out.add(last);
    }
    return out;
  }

  static ObjectNode embeddings(String model, List<float[]> vectors, long tokens) {
    ObjectNode root = F.objectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    for (int i = 0; i < vectors.size(); i++) {
      ObjectNode item = data.addObject();
      item.put("object", "embedding").put("index", i);
      ArrayNode values = item.putArray("embedding");
      for (float v : vectors.get(i)) {
        values.add(v);
      }
    }
    root.put("model", model);
    root.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    return root;
  }

  static ObjectNode error(int status) {
    ObjectNode root = F.objectNode();
    ObjectNode error = root.putObject("error");
    switch (status) {
      case 429 -> error
          .put("message", "Rate limit reached for requests (fake provider).")
          .put("type", "requests")
          .putNull("param")
          .put("code", "rate_limit_exceeded");
      case 400 -> error
          .put("message", "Invalid request (fake provider).")
          .put("type", "invalid_request_error")
          .putNull("param")
          .putNull("code");
      case 404 -> error
          .put("message", "Unknown endpoint (fake provider).")
          .put("type", "invalid_request_error")
          .putNull("param")
          .put("code", "unknown_url");
      default -> error
          .put("message", "The server had an error while processing your request (fake provider).")
          .put("type", "server_error")
          .putNull("param")
          .putNull("code");
    }
    return root;
  }

  private static ObjectNode header(String id, String object, long created, String model) {
    ObjectNode root = F.objectNode();
    root.put("id", id).put("object", object).put("created", created).put("model", model);
    root.put("system_fingerprint", "fp_fake");
    return root;
  }

  private static ObjectNode chunk(String id, long created, String model, String tier) {
    ObjectNode c = header(id, "chat.completion.chunk", created, model);
    c.put("service_tier", tier);
    ObjectNode choice = c.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta");
    choice.putNull("logprobs");
    choice.putNull("finish_reason");
    c.putNull("usage");
    return c;
  }

  private static ObjectNode delta(ObjectNode chunk) {
    return (ObjectNode) chunk.get("choices").get(0).get("delta");
  }

  /** Splits text into words, each keeping its trailing space, as token-ish stream deltas. */
  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ' ') {
        out.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      out.add(text.substring(start));
    }
    return out;
  }

  static List<String> split(String s, int size) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < s.length(); i += size) {
      out.add(s.substring(i, Math.min(s.length(), i + size)));
    }
    return out;
  }
}
