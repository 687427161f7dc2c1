package io.flowcost.agent.calls;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.knuddels.jtokkit.api.Encoding;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Token counts with OpenAI's own encoding {@code o200k_base} (the {@code jtokkit} library, shaded
 * into the agent with its table in a compact form, {@link OpenAiEncodings}): the encoding of the
 * GPT-4o, GPT-4.1, GPT-5 and o-series families. GPT-4 and GPT-3.5, whose encoding is {@code
 * cl100k_base}, are counted with it too — an approximation, a few percent off on English text —
 * because a second table would take the agent jar past 8 MiB.
 *
 * <p>A Chat Completions request is counted as OpenAI's cookbook documents ("How to count tokens
 * with tiktoken"): every message costs 3 tokens of framing plus the tokens of each of its string
 * values (its role included), 1 more for a {@code name}, and the reply is primed with 3; text parts
 * of a multi-part content count as text (images are not counted); tool calls of an assistant
 * message count their function name and arguments; tool definitions follow the cookbook's {@code
 * num_tokens_for_tools}. The encoding loads on first use. Thread-safe.
 */
public final class OpenAiTokens {

  private static final JsonFactory JSON = new JsonFactory();

  private static final int TOKENS_PER_MESSAGE = 3;
  private static final int TOKENS_PER_NAME = 1;
  private static final int REPLY_PRIMING = 3;

  private OpenAiTokens() {}

  /** The encoding the agent counts {@code model}'s tokens with: {@code o200k_base} (see above). */
  public static Encoding encodingFor(String model) {
    return OpenAiEncodings.o200k();
  }

  /**
   * Whether {@code model} is of the GPT-4 / GPT-3.5 generation, whose tool definitions the cookbook
   * counts with other constants.
   */
  static boolean olderModel(String model) {
    String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
    int slash = m.lastIndexOf('/'); // "openai/gpt-4" on routers
    if (slash >= 0) {
      m = m.substring(slash + 1);
    }
    return (m.startsWith("gpt-4") && !m.startsWith("gpt-4o") && !m.startsWith("gpt-4."))
        || m.startsWith("gpt-3.5")
        || m.startsWith("gpt-35");
  }

  /** Tokens of a piece of text ({@code 0} for {@code null}); special tokens count as text. */
  public static long count(Encoding encoding, String text) {
    return text == null || text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
  }

  /**
   * Input tokens of a Chat Completions request body (messages and tool definitions), or {@code
   * null} when the body is not a JSON object with a {@code messages} array.
   */
  public static Long countChatRequest(String json, String model, Encoding encoding) {
    Object root = Tree.read(json);
    if (!(root instanceof Map)) {
      return null;
    }
    Map<?, ?> body = (Map<?, ?>) root;
    if (!(body.get("messages") instanceof List)) {
      return null;
    }
    long n = 0;
    for (Object message : (List<?>) body.get("messages")) {
      if (message instanceof Map) {
        n += message(encoding, (Map<?, ?>) message);
      }
    }
    n += REPLY_PRIMING;
    List<Map<?, ?>> functions = new ArrayList<>();
    if (body.get("tools") instanceof List) {
      for (Object tool : (List<?>) body.get("tools")) {
        if (tool instanceof Map && ((Map<?, ?>) tool).get("function") instanceof Map) {
          functions.add((Map<?, ?>) ((Map<?, ?>) tool).get("function"));
        }
      }
    }
    if (body.get("functions") instanceof List) { // the deprecated form
      for (Object function : (List<?>) body.get("functions")) {
        if (function instanceof Map) {
          functions.add((Map<?, ?>) function);
        }
      }
    }
    if (!functions.isEmpty()) {
      n += tools(encoding, functions, olderModel(model));
    }
    return n;
  }

  private static long message(Encoding encoding, Map<?, ?> message) {
    long n = TOKENS_PER_MESSAGE;
    for (Map.Entry<?, ?> e : message.entrySet()) {
      Object value = e.getValue();
      if (value instanceof String) {
        n += count(encoding, (String) value);
        if ("name".equals(e.getKey())) {
          n += TOKENS_PER_NAME;
        }
      } else if ("content".equals(e.getKey()) && value instanceof List) {
        for (Object part : (List<?>) value) {
          if (part instanceof Map && ((Map<?, ?>) part).get("text") instanceof String) {
            n += count(encoding, (String) ((Map<?, ?>) part).get("text"));
          }
        }
      } else if ("tool_calls".equals(e.getKey()) && value instanceof List) {
        for (Object call : (List<?>) value) {
          Object function = call instanceof Map ? ((Map<?, ?>) call).get("function") : null;
          if (function instanceof Map) {
            n += count(encoding, string(((Map<?, ?>) function).get("name")));
            n += count(encoding, string(((Map<?, ?>) function).get("arguments")));
          }
        }
      }
    }
    return n;
  }

  /** The cookbook's {@code num_tokens_for_tools}. */
  private static long tools(Encoding encoding, List<Map<?, ?>> functions, boolean older) {
    int funcInit = older ? 10 : 7;
    int propInit = 3;
    int propKey = 3;
    int enumInit = -3;
    int enumItem = 3;
    int funcEnd = 12;
    long n = 0;
    for (Map<?, ?> function : functions) {
      n += funcInit;
      String description = string(function.get("description"));
      description = description == null ? "" : description.replaceAll("\\.+$", "");
      n += count(encoding, string(function.get("name")) + ":" + description);
      Object parameters = function.get("parameters");
      Object properties = parameters instanceof Map ? ((Map<?, ?>) parameters).get("properties") : null;
      if (properties instanceof Map && !((Map<?, ?>) properties).isEmpty()) {
        n += propInit;
        for (Map.Entry<?, ?> p : ((Map<?, ?>) properties).entrySet()) {
          n += propKey;
          Map<?, ?> property = p.getValue() instanceof Map ? (Map<?, ?>) p.getValue() : Map.of();
          if (property.get("enum") instanceof List) {
            n += enumInit;
            for (Object item : (List<?>) property.get("enum")) {
              n += enumItem + count(encoding, String.valueOf(item));
            }
          }
          String type = string(property.get("type"));
          String propDescription = string(property.get("description"));
          propDescription = propDescription == null ? "" : propDescription.replaceAll("\\.+$", "");
          n += count(encoding, p.getKey() + ":" + (type == null ? "" : type) + ":" + propDescription);
        }
      }
    }
    return n + funcEnd;
  }

  private static String string(Object value) {
    return value instanceof String ? (String) value : null;
  }

  /** A small JSON tree reader (maps, lists, strings, numbers as text, booleans) on jackson-core. */
  static final class Tree {
    private Tree() {}

    static Object read(String json) {
      if (json == null || json.isEmpty()) {
        return null;
      }
      try (JsonParser p = JSON.createParser(json)) {
        return value(p, p.nextToken(), 0);
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }

    private static Object value(JsonParser p, JsonToken token, int depth) throws IOException {
      if (token == null) {
        return null;
      }
      if (depth > 64) { // a hostile nesting depth: not a chat request
        throw new IOException("too deep");
      }
      switch (token) {
        case START_OBJECT: {
          Map<String, Object> map = new LinkedHashMap<>();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            map.put(name, value(p, p.nextToken(), depth + 1));
          }
          return map;
        }
        case START_ARRAY: {
          List<Object> list = new ArrayList<>();
          JsonToken next;
          while ((next = p.nextToken()) != JsonToken.END_ARRAY && next != null) {
            list.add(value(p, next, depth + 1));
          }
          return list;
        }
        case VALUE_STRING:
          return p.getText();
        case VALUE_NUMBER_INT:
        case VALUE_NUMBER_FLOAT:
          return p.getText();
        case VALUE_TRUE:
          return Boolean.TRUE;
        case VALUE_FALSE:
          return Boolean.FALSE;
        default:
          return null;
      }
    }
  }
}
