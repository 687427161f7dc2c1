package io.flowcost.examples.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenAI Responses API ({@code POST /v1/responses}) as the fake speaks it: the request read
 * into a {@link ChatRequestView}, the {@code Response} object, and the SSE events of a stream
 * ({@code response.created}, {@code response.in_progress}, {@code response.output_item.added},
 * text or function-call argument deltas, {@code response.output_item.done}, {@code
 * response.completed} carrying the final {@code usage}).
 *
 * <p>A function call is an {@code output} item of type {@code function_call} with its {@code
 * call_id}; the application answers it with an {@code input} item of type {@code
 * function_call_output} carrying that {@code call_id}. The fake is stateless: it answers over the
 * {@code input} it is sent (the SDK's function-calling example resends the whole conversation), and
 * refuses {@code previous_response_id} with a 400 rather than answering without the history.
 */
final class OpenAiResponsesWire {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private OpenAiResponsesWire() {}

  /**
   * The facts of a Responses request: {@code instructions} is the system prompt (one message), each
   * {@code input} item one message; text is the messages' text, function calls' names and
   * arguments and function call outputs; tool turns done are the {@code function_call} items (and
   * assistant messages) after the last user message with text.
   */
  static ChatRequestView view(JsonNode body) {
    long chars = 0;
    long systemChars = 0;
    int messages = 0;
    String lastUserText = "";
    String jsonAnswer = null;
    JsonNode instructions = body.get("instructions");
    if (instructions != null && instructions.isTextual()) {
      systemChars += instructions.asText().length();
      chars += instructions.asText().length();
      messages++;
    }
    List<JsonNode> items = new ArrayList<>();
    JsonNode input = body.path("input");
    if (input.isTextual()) {
      items.add(F.objectNode().put("role", "user").put("content", input.asText()));
    } else {
      input.forEach(items::add);
    }
    int lastUser = -1;
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      messages++;
      String type = item.path("type").asText("message");
      switch (type) {
        case "function_call" -> chars += item.path("name").asText().length()
            + item.path("arguments").asText().length();
        case "function_call_output" -> chars += item.path("output").asText().length();
        case "message" -> {
          String text = text(item.path("content"));
          chars += text.length();
          String role = item.path("role").asText();
          if (role.equals("system") || role.equals("developer")) {
            systemChars += text.length();
          } else if (role.equals("user") && !text.isEmpty()) {
            lastUser = i;
            lastUserText = text;
            String found = Markers.jsonAnswer(text);
            if (found != null) {
              jsonAnswer = found;
            }
          }
        }
        default -> { }
      }
    }
    int assistantTurns = 0;
    int turnsAfterLastUser = 0;
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      boolean turn = item.path("type").asText().equals("function_call")
          || (item.path("type").asText("message").equals("message")
              && item.path("role").asText().equals("assistant"));
      if (turn) {
        assistantTurns++;
        if (i > lastUser) {
          turnsAfterLastUser++;
        }
      }
    }
    JsonNode tier = body.get("service_tier");
    return new ChatRequestView(
        body.path("model").asText(),
        body.path("stream").asBoolean(false),
        true, // a Responses stream always ends with its usage
        tier == null || tier.isNull() ? null : tier.asText(),
        messages,
        body.path("tools").size(),
        chars,
        systemChars,
        false,
        false,
        assistantTurns == 0,
        turnsAfterLastUser,
        lastUserText,
        jsonAnswer);
  }

  private static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode part : content) {
      sb.append(part.path("text").asText());
    }
    return sb.toString();
  }

  /**
   * The {@code usage} of a Responses answer: the Chat Completions numbers under the Responses
   * names ({@code input_tokens} includes the cached tokens, {@code output_tokens} the reasoning).
   */
  static ObjectNode usage(ChatRequestView view, Reply reply) {
    long input = UsageRules.promptTokens(view.messages(), view.tools(), view.textChars());
    long cached = UsageRules.openAiCachedTokens(view.systemChars());
    long output = UsageRules.outputTokens(view.model(), reply.toolCall());
    ObjectNode usage = F.objectNode();
    usage.put("input_tokens", input);
    usage.putObject("input_tokens_details").put("cached_tokens", cached);
    usage.put("output_tokens", output);
    usage.putObject("output_tokens_details")
        .put("reasoning_tokens", UsageRules.reasoningTokens(view.model()));
    usage.put("total_tokens", input + output);
    return usage;
  }

  /** The output item of the reply, {@code done} (completed) or just added (in progress). */
  static ObjectNode item(long seq, Reply reply, boolean done) {
    ObjectNode item = F.objectNode();
    if (reply.toolCall()) {
      item.put("id", "fc_fake_" + seq).put("type", "function_call")
          .put("status", done ? "completed" : "in_progress")
          .put("arguments", done ? reply.tool().arguments().toString() : "")
          .put("call_id", reply.toolCallId())
          .put("name", reply.tool().name());
    } else {
      item.put("id", "msg_fake_" + seq).put("type", "message")
          .put("status", done ? "completed" : "in_progress").put("role", "assistant");
      ArrayNode content = item.putArray("content");
      if (done) {
        content.add(textPart(reply.text()));
      }
    }
    return item;
  }

  private static ObjectNode textPart(String text) {
    ObjectNode part = F.objectNode();
    part.put("type", "output_text").put("text", text);
    part.putArray("annotations");
    part.putArray("logprobs");
    return part;
  }

  /**
   * The {@code Response} object: {@code completed} with its output and usage, or (a stream's first
   * events) {@code in_progress} with neither.
   */
  static ObjectNode response(String id, long seq, long createdAt, ChatRequestView view,
      JsonNode request, Reply reply, String tier, ObjectNode usage, boolean completed) {
    ObjectNode root = F.objectNode();
    root.put("id", id).put("object", "response").put("created_at", createdAt)
        .put("status", completed ? "completed" : "in_progress");
    root.put("background", false);
    root.putNull("error");
    root.putNull("incomplete_details");
    root.putNull("instructions"); // the fake never echoes request text
    root.putNull("max_output_tokens");
    root.putObject("metadata");
    root.put("model", view.model());
    ArrayNode output = root.putArray("output");
    if (completed) {
      output.add(item(seq, reply, true));
    }
    root.put("parallel_tool_calls", true);
    root.putNull("previous_response_id");
    root.putObject("reasoning").putNull("effort").putNull("summary");
    root.put("service_tier", tier);
    root.put("store", false);
    root.put("temperature", 1.0);
    root.putObject("text").putObject("format").put("type", "text");
    root.put("tool_choice", "auto");
    ArrayNode tools = root.putArray("tools");
    for (JsonNode tool : request.path("tools")) {
      // only the tool's identity: descriptions and schemas are request text
      ObjectNode t = tools.addObject();
      t.put("type", tool.path("type").asText("function")).put("name", tool.path("name").asText());
      t.putObject("parameters").put("type", "object");
      t.put("strict", tool.path("strict").asBoolean(false));
    }
    root.put("top_p", 1.0);
    root.put("truncation", "disabled");
    if (completed) {
      root.set("usage", usage);
    } else {
      root.putNull("usage");
    }
    root.putNull("user");
    return root;
  }

  /** One SSE event: its name and its {@code data} (which repeats the name as {@code type}). */
  record Event(String name, ObjectNode data) {}

  /** The events of a streamed answer, in order, the last one {@code response.completed}. */
  static List<Event> events(String id, long seq, long createdAt, ChatRequestView view,
      JsonNode request, Reply reply, String tier, ObjectNode usage) {
    List<ObjectNode> out = new ArrayList<>();
    int[] sequence = {0};
    ObjectNode inProgress = response(id, seq, createdAt, view, request, reply, tier, usage, false);
    ObjectNode created = event(sequence, "response.created");
    created.set("response", inProgress);
    out.add(created);
    ObjectNode progressing = event(sequence, "response.in_progress");
    progressing.set("response", inProgress.deepCopy());
    out.add(progressing);
    String itemId = item(seq, reply, false).path("id").asText();
    ObjectNode added = event(sequence, "response.output_item.added").put("output_index", 0);
    added.set("item", item(seq, reply, false));
    out.add(added);
    if (reply.toolCall()) {
      String arguments = reply.tool().arguments().toString();
      for (String part : OpenAiWire.split(arguments, 8)) {
        out.add(event(sequence, "response.function_call_arguments.delta")
            .put("item_id", itemId).put("output_index", 0).put("delta", part));
      }
      out.add(event(sequence, "response.function_call_arguments.done")
          .put("item_id", itemId).put("output_index", 0).put("arguments", arguments));
    } else {
      ObjectNode partAdded = event(sequence, "response.content_part.added")
          .put("item_id", itemId).put("output_index", 0).put("content_index", 0);
      partAdded.set("part", textPart(""));
      out.add(partAdded);
      for (String word : OpenAiWire.words(reply.text())) {
        ObjectNode delta = event(sequence, "response.output_text.delta")
            .put("item_id", itemId).put("output_index", 0).put("content_index", 0)
            .put("delta", word);
        delta.putArray("logprobs");
        out.add(delta);
      }
      ObjectNode textDone = event(sequence, "response.output_text.done")
          .put("item_id", itemId).put("output_index", 0).put("content_index", 0)
          .put("text", reply.text());
      textDone.putArray("logprobs");
      out.add(textDone);
      ObjectNode partDone = event(sequence, "response.content_part.done")
          .put("item_id", itemId).put("output_index", 0).put("content_index", 0);
      partDone.set("part", textPart(reply.text()));
      out.add(partDone);
    }
    ObjectNode itemDone = event(sequence, "response.output_item.done").put("output_index", 0);
    itemDone.set("item", item(seq, reply, true));
    out.add(itemDone);
    ObjectNode completed = event(sequence, "response.completed");
    completed.set("response", response(id, seq, createdAt, view, request, reply, tier, usage, true));
    out.add(completed);
    List<Event> events = new ArrayList<>(out.size());
    for (ObjectNode data : out) {
      events.add(new Event(data.path("type").asText(), data));
    }
    return events;
  }

  private static ObjectNode event(int[] sequence, String type) {
    ObjectNode data = F.objectNode();
    data.put("type", type).put("sequence_number", sequence[0]++);
    return data;
  }
}
