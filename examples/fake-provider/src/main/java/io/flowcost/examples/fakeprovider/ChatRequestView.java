package io.flowcost.examples.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The facts the fake needs from a chat request, read the same way for both protocols.
 *
 * @param model the requested model
 * @param stream whether a stream was requested
 * @param includeUsage OpenAI {@code stream_options.include_usage}; always true for Anthropic
 * @param requestedServiceTier the requested service tier, or {@code null}
 * @param messages number of messages, a system prompt counting as one
 * @param tools number of tool definitions
 * @param textChars characters of all text in the conversation (system, messages, tool
 *     arguments and results)
 * @param systemChars characters of the system prompt
 * @param systemCached Anthropic: a {@code cache_control} marks the system prompt
 * @param systemCache1h Anthropic: that {@code cache_control} asks for {@code ttl: "1h"}
 * @param firstTurn no assistant message in the conversation yet
 * @param toolTurnsDone assistant messages after the last user text message
 * @param lastUserText text of the last user message that has text (markers live here)
 * @param jsonAnswer the JSON of the latest {@code [json-answer {…}]} marker in any user message,
 *     or {@code null} (so that an answer asked for again — a reprompt — still finds it)
 */
record ChatRequestView(
    String model,
    boolean stream,
    boolean includeUsage,
    String requestedServiceTier,
    int messages,
    int tools,
    long textChars,
    long systemChars,
    boolean systemCached,
    boolean systemCache1h,
    boolean firstTurn,
    int toolTurnsDone,
    String lastUserText,
    String jsonAnswer) {

  static ChatRequestView openAi(JsonNode body) {
    Acc acc = new Acc();
    JsonNode messages = body.path("messages");
    int lastUser = -1;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode msg = messages.get(i);
      String role = msg.path("role").asText();
      String text = openAiText(msg.path("content"));
      acc.chars += text.length();
      for (JsonNode call : msg.path("tool_calls")) {
        acc.chars += call.path("function").path("name").asText().length();
        acc.chars += call.path("function").path("arguments").asText().length();
      }
      if (role.equals("system") || role.equals("developer")) {
        acc.systemChars += text.length();
      } else if (role.equals("user")) {
        lastUser = i;
        acc.lastUserText = text;
        acc.noteJsonAnswer(text);
      }
    }
    int assistants = 0;
    int assistantsAfterLastUser = 0;
    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i).path("role").asText().equals("assistant")) {
        assistants++;
        if (i > lastUser) {
          assistantsAfterLastUser++;
        }
      }
    }
    JsonNode tier = body.get("service_tier");
    return new ChatRequestView(
        body.path("model").asText(),
        body.path("stream").asBoolean(false),
        body.path("stream_options").path("include_usage").asBoolean(false),
        tier == null || tier.isNull() ? null : tier.asText(),
        messages.size(),
        body.path("tools").size(),
        acc.chars,
        acc.systemChars,
        false,
        false,
        assistants == 0,
        assistantsAfterLastUser,
        acc.lastUserText,
        acc.jsonAnswer);
  }

  static ChatRequestView anthropic(JsonNode body) {
    Acc acc = new Acc();
    boolean cached = false;
    boolean cache1h = false;
    JsonNode system = body.get("system");
    int systemMessages = 0;
    if (system != null && !system.isNull()) {
      systemMessages = 1;
      if (system.isTextual()) {
        acc.systemChars = system.asText().length();
      } else {
        for (JsonNode block : system) {
          acc.systemChars += block.path("text").asText().length();
          JsonNode cc = block.get("cache_control");
          if (cc != null && !cc.isNull()) {
            cached = true;
            cache1h |= "1h".equals(cc.path("ttl").asText());
          }
        }
      }
      acc.chars += acc.systemChars;
    }
    JsonNode messages = body.path("messages");
    int lastUser = -1;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode msg = messages.get(i);
      JsonNode content = msg.path("content");
      StringBuilder text = new StringBuilder();
      if (content.isTextual()) {
        text.append(content.asText());
      } else {
        for (JsonNode block : content) {
          switch (block.path("type").asText()) {
            case "text" -> text.append(block.path("text").asText());
            case "tool_use" -> acc.chars += block.path("input").toString().length()
                + block.path("name").asText().length();
            case "tool_result" -> acc.chars += anthropicResultChars(block.path("content"));
            default -> { }
          }
        }
      }
      acc.chars += text.length();
      if (msg.path("role").asText().equals("user") && text.length() > 0) {
        lastUser = i;
        acc.lastUserText = text.toString();
        acc.noteJsonAnswer(acc.lastUserText);
      }
    }
    int assistants = 0;
    int assistantsAfterLastUser = 0;
    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i).path("role").asText().equals("assistant")) {
        assistants++;
        if (i > lastUser) {
          assistantsAfterLastUser++;
        }
      }
    }
    JsonNode tier = body.get("service_tier");
    return new ChatRequestView(
        body.path("model").asText(),
        body.path("stream").asBoolean(false),
        true,
        tier == null || tier.isNull() ? null : tier.asText(),
        messages.size() + systemMessages,
        body.path("tools").size(),
        acc.chars,
        acc.systemChars,
        cached,
        cache1h,
        assistants == 0,
        assistantsAfterLastUser,
        acc.lastUserText,
        acc.jsonAnswer);
  }

  /**
   * A Bedrock Converse request ({@code POST /model/{modelId}/converse[-stream]}): the model and
   * the stream flag come from the URL; text, tool-use input and tool-result blocks are counted as
   * for Anthropic; a {@code cachePoint} block in {@code system} caches the system prompt (Bedrock
   * has no 1-hour TTL field in Converse; the {@code [cache-write-1h]} marker still asks for it).
   */
  static ChatRequestView bedrockConverse(JsonNode body, String modelId, boolean stream) {
    Acc acc = new Acc();
    boolean cached = false;
    JsonNode system = body.path("system");
    int systemMessages = 0;
    for (JsonNode block : system) {
      if (block.has("text")) {
        systemMessages = 1;
        acc.systemChars += block.path("text").asText().length();
      }
      if (block.has("cachePoint")) {
        cached = true;
      }
    }
    acc.chars += acc.systemChars;
    JsonNode messages = body.path("messages");
    int lastUser = -1;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode msg = messages.get(i);
      StringBuilder text = new StringBuilder();
      for (JsonNode block : msg.path("content")) {
        if (block.has("text")) {
          text.append(block.path("text").asText());
        } else if (block.has("toolUse")) {
          acc.chars += block.path("toolUse").path("input").toString().length()
              + block.path("toolUse").path("name").asText().length();
        } else if (block.has("toolResult")) {
          for (JsonNode part : block.path("toolResult").path("content")) {
            acc.chars += part.has("text") ? part.path("text").asText().length()
                : part.path("json").toString().length();
          }
        }
      }
      acc.chars += text.length();
      if (msg.path("role").asText().equals("user") && text.length() > 0) {
        lastUser = i;
        acc.lastUserText = text.toString();
        acc.noteJsonAnswer(acc.lastUserText);
      }
    }
    int assistants = 0;
    int assistantsAfterLastUser = 0;
    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i).path("role").asText().equals("assistant")) {
        assistants++;
        if (i > lastUser) {
          assistantsAfterLastUser++;
        }
      }
    }
    return new ChatRequestView(
        modelId,
        stream,
        true,
        null,
        messages.size() + systemMessages,
        body.path("toolConfig").path("tools").size(),
        acc.chars,
        acc.systemChars,
        cached,
        false,
        assistants == 0,
        assistantsAfterLastUser,
        acc.lastUserText,
        acc.jsonAnswer);
  }

  /** This view with the model named elsewhere (Bedrock's InvokeModel names it in the URL). */
  ChatRequestView withModel(String newModel) {
    return new ChatRequestView(newModel, stream, includeUsage, requestedServiceTier, messages,
        tools, textChars, systemChars, systemCached, systemCache1h, firstTurn, toolTurnsDone,
        lastUserText, jsonAnswer);
  }

  private static String openAiText(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode part : content) {
      sb.append(part.path("text").asText());
    }
    return sb.toString();
  }

  private static long anthropicResultChars(JsonNode content) {
    if (content.isTextual()) {
      return content.asText().length();
    }
    long n = 0;
    for (JsonNode part : content) {
      n += part.path("text").asText().length();
    }
    return n;
  }

  private static final class Acc {
    long chars;
    long systemChars;
    String lastUserText = "";
    String jsonAnswer;

    void noteJsonAnswer(String userText) {
      String found = Markers.jsonAnswer(userText);
      if (found != null) {
        jsonAnswer = found;
      }
    }
  }
}
