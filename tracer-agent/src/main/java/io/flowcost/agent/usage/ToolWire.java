package io.flowcost.agent.usage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a model API's wire carries the tool calls an answer asks for and the tool results a later
 * request sends back: the one definition the agent's tool-loop inference ({@code ToolLoop}) reads.
 * Only identifiers are read (call ids, function names, an error status); arguments and results are
 * skipped unread by the streaming parser. A truncated or odd body gives what was read before it.
 */
public enum ToolWire {

  /**
   * OpenAI Chat Completions: an answer's {@code choices[].message.tool_calls[] {id, function.name}}
   * (read by {@link UsageParser} with the usage, whole and streamed); a request's {@code
   * messages[]} of {@code role: "tool"} with their {@code tool_call_id}.
   */
  OPENAI_CHAT,

  /**
   * OpenAI Responses: an answer's {@code output[]} items of {@code type: "function_call"} with
   * their {@code call_id} and {@code name} (whole, in a stream's {@code response.output_item.done}
   * events: read by {@link UsageParser}); a request's {@code input[]} items of {@code type:
   * "function_call_output"} with that {@code call_id}. The wire cannot mark a result an error
   * ({@code function_call_output} is the output text only), so these rows are never failed.
   */
  OPENAI_RESPONSES,

  /**
   * Anthropic Messages, for loops the application runs itself (not the SDK's {@code
   * BetaToolRunner}, whose tools the agent records where they run): an answer's {@code content[]}
   * blocks of {@code type: "tool_use"} with their {@code id} and {@code name} (whole, and in a
   * stream's {@code content_block_start} events: read by {@link UsageParser}); a request's {@code
   * messages[].content[]} blocks of {@code type: "tool_result"} with their {@code tool_use_id} and
   * {@code is_error}.
   */
  ANTHROPIC_MESSAGES,

  /**
   * Gemini {@code generateContent}: an answer's {@code candidates[].content.parts[].functionCall
   * {name, id?}}; the {@code functionResponse {name, id?}} parts of a request's <em>last</em>
   * {@code contents[]} entry (the turn being sent: earlier entries are history, and without ids a
   * history entry could not be told from a new answer).
   */
  GEMINI,

  /**
   * Bedrock Converse: an answer's {@code output.message.content[].toolUse {toolUseId, name}}; a
   * request's {@code messages[].content[].toolResult {toolUseId, status?}}.
   */
  BEDROCK_CONVERSE;

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * The tool calls a whole (non-streamed) answer asks for, in order. {@link #OPENAI_CHAT}'s and
   * {@link #BEDROCK_CONVERSE}'s are read with the usage ({@link ResponseSummary#toolCalls()}, also
   * from a stream: {@link StreamUsageAccumulator}), where the agent's HTTP layer reads them: this
   * reads them again the same way. A Gemini call without an id has a {@code null} id.
   */
  public List<ToolCallRef> asked(byte[] responseJson) {
    if (this == OPENAI_CHAT || this == BEDROCK_CONVERSE) {
      ResponseSummary summary = responseJson == null ? null : UsageParser.parse(responseJson);
      return summary == null ? List.of() : summary.toolCalls();
    }
    if (this == OPENAI_RESPONSES || this == ANTHROPIC_MESSAGES) {
      boolean responses = this == OPENAI_RESPONSES;
      List<ToolCallRef> calls = new ArrayList<>();
      for (String[] f : typedItems(responseJson, null, responses ? "output" : "content",
          responses ? "function_call" : "tool_use", responses ? "call_id" : "id", "name", null)) {
        if (f[0] != null && f[1] != null) {
          calls.add(new ToolCallRef(f[0], f[1]));
        }
      }
      return calls;
    }
    List<ToolCallRef> calls = new ArrayList<>();
    for (String[] fields : objectsUnder(responseJson, "functionCall", "id", "name", null, false)) {
      if (fields[1] != null) {
        calls.add(new ToolCallRef(fields[0], fields[1]));
      }
    }
    return calls;
  }

  /** The tool results a request sends back, in order. */
  public List<ToolAnswer> answered(byte[] requestJson) {
    List<ToolAnswer> answers = new ArrayList<>();
    if (requestJson == null) {
      return answers;
    }
    switch (this) {
      case OPENAI_CHAT -> {
        for (String id : openAiToolMessageIds(requestJson)) {
          answers.add(new ToolAnswer(id, null, false));
        }
      }
      case OPENAI_RESPONSES -> {
        for (String[] f : typedItems(requestJson, null, "input", "function_call_output",
            "call_id", null, null)) {
          if (f[0] != null) {
            answers.add(new ToolAnswer(f[0], null, false));
          }
        }
      }
      case ANTHROPIC_MESSAGES -> {
        for (String[] f : typedItems(requestJson, "messages", "content", "tool_result",
            "tool_use_id", null, "is_error")) {
          if (f[0] != null) {
            answers.add(new ToolAnswer(f[0], null, "true".equals(f[2])));
          }
        }
      }
      case GEMINI -> {
        for (String[] f : objectsUnder(requestJson, "functionResponse", "id", "name", null, true)) {
          if (f[0] != null || f[1] != null) {
            answers.add(new ToolAnswer(f[0], f[1], false));
          }
        }
      }
      case BEDROCK_CONVERSE -> {
        for (String[] f : objectsUnder(requestJson, "toolResult", "toolUseId", null, "status",
            false)) {
          if (f[0] != null) {
            answers.add(new ToolAnswer(f[0], null, "error".equals(f[2])));
          }
        }
      }
    }
    return answers;
  }

  /**
   * The string fields {@code a}, {@code b}, {@code c} (each {@code null} to skip) of every object
   * that is the value of a field named {@code key}, anywhere in the document; nested values of such
   * an object (arguments, results) are skipped unread. With {@code lastContentOnly}, only those
   * inside the last entry of the top-level {@code contents} array count (Gemini).
   */
  private static List<String[]> objectsUnder(
      byte[] json, String key, String a, String b, String c, boolean lastContentOnly) {
    List<String[]> found = new ArrayList<>();
    if (json == null) {
      return found;
    }
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return found;
      }
      if (!lastContentOnly) {
        walkObject(parser, key, a, b, c, found);
        return found;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (!"contents".equals(field) || value != JsonToken.START_ARRAY) {
          parser.skipChildren();
          continue;
        }
        List<String[]> entry = new ArrayList<>();
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY && t != null) {
          entry = new ArrayList<>(); // a later entry replaces what an earlier one gave
          walkValue(parser, t, key, a, b, c, entry);
        }
        found.addAll(entry);
      }
    } catch (IOException | RuntimeException e) {
      // a truncated or odd body: keep what was read
    }
    return found;
  }

  /** Walks the object whose START_OBJECT is the current token. */
  private static void walkObject(JsonParser parser, String key, String a, String b, String c,
      List<String[]> found) throws IOException {
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if (key.equals(field) && value == JsonToken.START_OBJECT) {
        found.add(readFields(parser, a, b, c));
      } else {
        walkValue(parser, value, key, a, b, c, found);
      }
    }
  }

  private static void walkValue(JsonParser parser, JsonToken value, String key, String a,
      String b, String c, List<String[]> found) throws IOException {
    if (value == JsonToken.START_OBJECT) {
      walkObject(parser, key, a, b, c, found);
    } else if (value == JsonToken.START_ARRAY) {
      JsonToken t;
      while ((t = parser.nextToken()) != JsonToken.END_ARRAY && t != null) {
        walkValue(parser, t, key, a, b, c, found);
      }
    }
  }

  /** The string fields a, b, c of the object whose START_OBJECT is current; the rest skipped. */
  private static String[] readFields(JsonParser parser, String a, String b, String c)
      throws IOException {
    String[] values = new String[3];
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if (value == JsonToken.VALUE_STRING) {
        if (field.equals(a)) {
          values[0] = parser.getText();
        } else if (field.equals(b)) {
          values[1] = parser.getText();
        } else if (field.equals(c)) {
          values[2] = parser.getText();
        }
      } else {
        parser.skipChildren();
      }
    }
    return values;
  }

  /**
   * The fields {@code a}, {@code b}, {@code c} (strings; a boolean is read as {@code "true"} /
   * {@code "false"}) of every object of type {@code type} in the array {@code items}: a top-level
   * field, or — with {@code outer} — a field of each object of the top-level array {@code outer}
   * ({@code messages[].content[]}). Other values (arguments, results, text) are skipped unread.
   */
  private static List<String[]> typedItems(byte[] json, String outer, String items, String type,
      String a, String b, String c) {
    List<String[]> found = new ArrayList<>();
    if (json == null) {
      return found;
    }
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return found;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (outer == null && items.equals(field) && value == JsonToken.START_ARRAY) {
          readTypedArray(parser, type, a, b, c, found);
        } else if (outer != null && outer.equals(field) && value == JsonToken.START_ARRAY) {
          JsonToken t;
          while ((t = parser.nextToken()) != JsonToken.END_ARRAY && t != null) {
            if (t != JsonToken.START_OBJECT) {
              parser.skipChildren();
              continue;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
              String inner = parser.currentName();
              JsonToken v = parser.nextToken();
              if (items.equals(inner) && v == JsonToken.START_ARRAY) {
                readTypedArray(parser, type, a, b, c, found);
              } else {
                parser.skipChildren();
              }
            }
          }
        } else {
          parser.skipChildren();
        }
      }
    } catch (IOException | RuntimeException e) {
      // a truncated or odd body: keep what was read
    }
    return found;
  }

  /** The array whose START_ARRAY is current: the fields of its objects of {@code type}. */
  private static void readTypedArray(JsonParser parser, String type, String a, String b,
      String c, List<String[]> found) throws IOException {
    JsonToken t;
    while ((t = parser.nextToken()) != JsonToken.END_ARRAY && t != null) {
      if (t != JsonToken.START_OBJECT) {
        parser.skipChildren();
        continue;
      }
      String[] values = new String[3];
      String itemType = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        String text = value == JsonToken.VALUE_STRING ? parser.getText()
            : value == JsonToken.VALUE_TRUE ? "true"
            : value == JsonToken.VALUE_FALSE ? "false" : null;
        if (text == null) {
          parser.skipChildren();
        } else if (field.equals("type")) {
          itemType = text;
        } else if (field.equals(a)) {
          values[0] = text;
        } else if (field.equals(b)) {
          values[1] = text;
        } else if (field.equals(c)) {
          values[2] = text;
        }
      }
      if (type.equals(itemType)) {
        found.add(values);
      }
    }
  }

  /**
   * The {@code tool_call_id} of every {@code role: "tool"} message of a Chat Completions request,
   * in order; everything else (the message text) is skipped unread.
   */
  private static List<String> openAiToolMessageIds(byte[] json) {
    List<String> ids = new ArrayList<>();
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return ids;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (!"messages".equals(field) || value != JsonToken.START_ARRAY) {
          parser.skipChildren();
          continue;
        }
        while (parser.nextToken() == JsonToken.START_OBJECT) {
          String role = null;
          String id = null;
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken v = parser.nextToken();
            if ("role".equals(name) && v == JsonToken.VALUE_STRING) {
              role = parser.getText();
            } else if ("tool_call_id".equals(name) && v == JsonToken.VALUE_STRING) {
              id = parser.getText();
            } else {
              parser.skipChildren();
            }
          }
          if ("tool".equals(role) && id != null) {
            ids.add(id);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // a truncated or odd body: keep what was read
    }
    return ids;
  }
}
