package io.flowcost.examples.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Anthropic's server-side message threads (beta), as the Anthropic Java SDK 3.x's {@code
 * BetaToolRunner} uses them: a request with {@code "thread": {"type": "create"}} starts a thread;
 * a later one with {@code "thread": {"type": "continue", "previous_message_id": "msg_…"}} sends
 * only its new messages, and the provider answers the whole conversation — the earlier requests'
 * messages, each reply, then the new ones. Usage is counted over that whole conversation.
 * Conversations are kept by reply id for the fake's lifetime.
 */
final class AnthropicThreads {

  private final Map<String, ArrayNode> conversations = new ConcurrentHashMap<>();

  /**
   * The request the provider answers: {@code request} itself, or — continuing a known thread — a
   * copy whose {@code messages} are the thread's conversation followed by the request's own.
   */
  ObjectNode expand(ObjectNode request) {
    JsonNode thread = request.path("thread");
    if (!"continue".equals(thread.path("type").asText())) {
      return request;
    }
    ArrayNode earlier = conversations.get(thread.path("previous_message_id").asText());
    if (earlier == null) {
      return request;
    }
    ObjectNode whole = request.deepCopy();
    ArrayNode messages = earlier.deepCopy();
    for (JsonNode message : request.path("messages")) {
      messages.add(message.deepCopy());
    }
    whole.set("messages", messages);
    return whole;
  }

  /**
   * Remembers the conversation a reply ends, when the request was part of a thread: the answered
   * request's messages (as {@link #expand} returned them) and the reply as an assistant message.
   */
  void answered(ObjectNode request, String replyId, ObjectNode reply) {
    if (!request.hasNonNull("thread")) {
      return;
    }
    ArrayNode messages = request.path("messages").isArray()
        ? ((ArrayNode) request.get("messages")).deepCopy()
        : request.arrayNode();
    ObjectNode assistant = messages.addObject();
    assistant.put("role", "assistant");
    assistant.set("content", reply.path("content").deepCopy());
    conversations.put(replyId, messages);
  }
}
