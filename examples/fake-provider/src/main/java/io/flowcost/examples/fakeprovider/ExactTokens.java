package io.flowcost.examples.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Iterator;
import java.util.Map;

/**
 * The tokens OpenAI bills for a Chat Completions exchange, counted as its servers do: the
 * conversation is rendered into the model's chat format and encoded with the model's encoding
 * ({@code o200k_base} for GPT-4o and later, {@code cl100k_base} for GPT-4 / GPT-3.5).
 *
 * <p>The rendering: every message is {@code <|im_start|>ROLE<|im_sep|>CONTENT<|im_end|>} (three
 * special tokens, one each); an assistant tool call is rendered {@code <|im_start|>assistant
 * to=functions.NAME<|im_sep|>ARGUMENTS<|im_end|>}, a tool result {@code <|im_start|>tool<|im_sep|>
 * RESULT<|im_end|>}; the answer is primed with {@code <|im_start|>assistant<|im_sep|>}. Tool
 * definitions are rendered into the system message in OpenAI's TypeScript-like namespace form:
 *
 * <pre>
 * # Tools
 *
 * ## functions
 *
 * namespace functions {
 *
 * // DESCRIPTION
 * type NAME = (_: {
 * // PROPERTY DESCRIPTION
 * KEY?: TYPE,
 * }) =&gt; any;
 *
 * } // namespace functions
 * </pre>
 *
 * This is a different computation from the client-side estimate of the agent (OpenAI's cookbook
 * formula), so comparing the two measures the estimate's error.
 */
public final class ExactTokens {

  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  private static final int MESSAGE_FRAMING = 3; // <|im_start|>, <|im_sep|>, <|im_end|>
  private static final int PRIMING = 3; // <|im_start|>assistant<|im_sep|>

  private ExactTokens() {}

  static Encoding encoding(String model) {
    String m = model == null ? "" : model;
    boolean old = (m.startsWith("gpt-4") && !m.startsWith("gpt-4o") && !m.startsWith("gpt-4."))
        || m.startsWith("gpt-3.5");
    return REGISTRY.getEncoding(old ? EncodingType.CL100K_BASE : EncodingType.O200K_BASE);
  }

  /** Prompt tokens of an OpenAI Chat Completions request. */
  public static long prompt(JsonNode request) {
    Encoding enc = encoding(request.path("model").asText());
    String tools = tools(request.path("tools"));
    long n = 0;
    boolean toolsPlaced = tools.isEmpty();
    for (JsonNode message : request.path("messages")) {
      String role = message.path("role").asText();
      StringBuilder header = new StringBuilder(role);
      StringBuilder body = new StringBuilder(text(message.path("content")));
      for (JsonNode call : message.path("tool_calls")) {
        header.append(" to=functions.").append(call.path("function").path("name").asText());
        body.append(call.path("function").path("arguments").asText());
      }
      if (!toolsPlaced && (role.equals("system") || role.equals("developer"))) {
        body.append("\n\n").append(tools);
        toolsPlaced = true;
      }
      n += MESSAGE_FRAMING + count(enc, header.toString()) + count(enc, body.toString());
    }
    if (!toolsPlaced) { // no system message: the tools make one
      n += MESSAGE_FRAMING + count(enc, "system") + count(enc, tools);
    }
    return n + PRIMING;
  }

  /** Completion tokens of the reply as sent: its text, or its tool call's name and arguments. */
  static long completion(ChatRequestView view, Reply reply) {
    Encoding enc = encoding(view.model());
    if (reply.toolCall()) {
      // " to=functions.NAME" header and the arguments, then <|call|>
      return count(enc, " to=functions." + reply.tool().name())
          + count(enc, reply.tool().arguments().toString()) + 1;
    }
    return count(enc, reply.text());
  }

  private static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder b = new StringBuilder();
    for (JsonNode part : content) {
      if (part.path("text").isTextual()) {
        b.append(part.path("text").asText());
      }
    }
    return b.toString();
  }

  private static String tools(JsonNode tools) {
    if (!tools.isArray() || tools.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("# Tools\n\n## functions\n\nnamespace functions {\n\n");
    for (JsonNode tool : tools) {
      JsonNode f = tool.path("function");
      if (f.path("description").isTextual()) {
        b.append("// ").append(f.path("description").asText()).append('\n');
      }
      b.append("type ").append(f.path("name").asText()).append(" = (");
      JsonNode props = f.path("parameters").path("properties");
      if (props.isObject() && !props.isEmpty()) {
        b.append("_: {\n");
        JsonNode required = f.path("parameters").path("required");
        Iterator<Map.Entry<String, JsonNode>> it = props.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> p = it.next();
          if (p.getValue().path("description").isTextual()) {
            b.append("// ").append(p.getValue().path("description").asText()).append('\n');
          }
          b.append(p.getKey()).append(isRequired(required, p.getKey()) ? "" : "?").append(": ")
              .append(type(p.getValue())).append(",\n");
        }
        b.append("}");
      }
      b.append(") => any;\n\n");
    }
    return b.append("} // namespace functions").toString();
  }

  private static boolean isRequired(JsonNode required, String key) {
    for (JsonNode r : required) {
      if (r.asText().equals(key)) {
        return true;
      }
    }
    return false;
  }

  private static String type(JsonNode property) {
    if (property.path("enum").isArray()) {
      StringBuilder b = new StringBuilder();
      for (JsonNode e : property.path("enum")) {
        b.append(b.length() == 0 ? "" : " | ").append('"').append(e.asText()).append('"');
      }
      return b.toString();
    }
    String type = property.path("type").asText("any");
    return switch (type) {
      case "integer" -> "number";
      case "array" -> type(property.path("items")) + "[]";
      default -> type;
    };
  }

  private static long count(Encoding enc, String text) {
    return text == null || text.isEmpty() ? 0 : enc.countTokensOrdinary(text);
  }
}
