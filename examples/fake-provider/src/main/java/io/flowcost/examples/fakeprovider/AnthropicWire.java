package io.flowcost.examples.fakeprovider;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Builds Anthropic Messages response bodies and stream events. */
final class AnthropicWire {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** One server-sent event: its {@code event:} name and {@code data:} payload. */
  record Event(String name, ObjectNode data) {}

  private AnthropicWire() {}

  /** The full (final) usage object of a reply. */
  static ObjectNode usage(ChatRequestView view, Markers markers, Reply reply) {
    long prompt = UsageRules.promptTokens(view.messages(), view.tools(), view.textChars());
    long cacheable = 0;
    if (view.systemChars() > 0
        && (view.systemCached() || markers.cacheWrite5m() || markers.cacheWrite1h()
            || markers.cacheHit())) {
      cacheable = UsageRules.tokens(view.systemChars());
    }
    long read = 0;
    long write5m = 0;
    long write1h = 0;
    if (cacheable > 0) {
      if (view.firstTurn() && !markers.cacheHit()) {
        if (markers.cacheWrite1h() || view.systemCache1h()) {
          write1h = cacheable;
        } else {
          write5m = cacheable;
        }
      } else {
        read = cacheable;
      }
    }
    ObjectNode usage = F.objectNode();
    usage.put("input_tokens", prompt - read - write5m - write1h);
    usage.put("cache_creation_input_tokens", write5m + write1h);
    usage.put("cache_read_input_tokens", read);
    usage.putObject("cache_creation")
        .put("ephemeral_5m_input_tokens", write5m)
        .put("ephemeral_1h_input_tokens", write1h);
    usage.put("output_tokens", UsageRules.outputTokens(view.model(), reply.toolCall()));
    usage.put("service_tier", "standard");
    return usage;
  }

  static ObjectNode message(String id, ChatRequestView view, Reply reply, ObjectNode usage) {
    ObjectNode root = messageHeader(id, view.model());
    if (reply.toolCall()) {
      root.putArray("content").addObject()
          .put("type", "tool_use")
          .put("id", reply.toolCallId())
          .put("name", reply.tool().name())
          .set("input", reply.tool().arguments());
      root.put("stop_reason", "tool_use");
    } else {
      root.putArray("content").addObject().put("type", "text").put("text", reply.text());
      root.put("stop_reason", "end_turn");
    }
    root.putNull("stop_sequence");
    root.set("usage", usage);
    return root;
  }

  static List<Event> events(String id, ChatRequestView view, Reply reply, ObjectNode usage) {
    List<Event> out = new ArrayList<>();
    ObjectNode start = F.objectNode().put("type", "message_start");
    ObjectNode message = messageHeader(id, view.model());
    message.putArray("content");
    message.putNull("stop_reason").putNull("stop_sequence");
    ObjectNode startUsage = usage.deepCopy();
    startUsage.put("output_tokens", 1);
    message.set("usage", startUsage);
    start.set("message", message);
    out.add(new Event("message_start", start));

    ObjectNode blockStart = F.objectNode().put("type", "content_block_start").put("index", 0);
    if (reply.toolCall()) {
      blockStart.putObject("content_block")
          .put("type", "tool_use")
          .put("id", reply.toolCallId())
          .put("name", reply.tool().name())
          .putObject("input");
    } else {
      blockStart.putObject("content_block").put("type", "text").put("text", "");
    }
    out.add(new Event("content_block_start", blockStart));
    out.add(new Event("ping", F.objectNode().put("type", "ping")));
    List<String> parts =
        reply.toolCall()
            ? OpenAiWire.split(reply.tool().arguments().toString(), 8)
            : OpenAiWire.words(reply.text());
    for (String part : parts) {
      ObjectNode delta = F.objectNode().put("type", "content_block_delta").put("index", 0);
      if (reply.toolCall()) {
        delta.putObject("delta").put("type", "input_json_delta").put("partial_json", part);
      } else {
        delta.putObject("delta").put("type", "text_delta").put("text", part);
      }
      out.add(new Event("content_block_delta", delta));
    }
    out.add(new Event("content_block_stop",
        F.objectNode().put("type", "content_block_stop").put("index", 0)));

    ObjectNode messageDelta = F.objectNode().put("type", "message_delta");
    messageDelta.putObject("delta")
        .put("stop_reason", reply.toolCall() ? "tool_use" : "end_turn")
        .putNull("stop_sequence");
    // message_delta usage fields are cumulative totals; it carries no cache_creation/service_tier.
    messageDelta.putObject("usage")
        .put("input_tokens", usage.get("input_tokens").asLong())
        .put("cache_creation_input_tokens", usage.get("cache_creation_input_tokens").asLong())
        .put("cache_read_input_tokens", usage.get("cache_read_input_tokens").asLong())
        .put("output_tokens", usage.get("output_tokens").asLong());
    out.add(new Event("message_delta", messageDelta));
    out.add(new Event("message_stop", F.objectNode().put("type", "message_stop")));
    return out;
  }

  static ObjectNode error(int status, String requestId) {
    String type;
    String message;
    switch (status) {
      case 400 -> { type = "invalid_request_error"; message = "Invalid request (fake provider)."; }
      case 404 -> { type = "not_found_error"; message = "Not found (fake provider)."; }
      case 429 -> { type = "rate_limit_error"; message = "Rate limited (fake provider)."; }
      case 529 -> { type = "overloaded_error"; message = "Overloaded"; }
      default -> { type = "api_error"; message = "Internal server error (fake provider)."; }
    }
    ObjectNode root = F.objectNode().put("type", "error");
    root.putObject("error").put("type", type).put("message", message);
    root.put("request_id", requestId);
    return root;
  }

  private static ObjectNode messageHeader(String id, String model) {
    return F.objectNode()
        .put("id", id)
        .put("type", "message")
        .put("role", "assistant")
        .put("model", model);
  }
}
