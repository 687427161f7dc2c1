package io.flowcost.examples.fakeprovider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * AWS Bedrock Runtime's wire formats: Converse response bodies, ConverseStream events in the
 * binary {@code application/vnd.amazon.eventstream} framing, and the error shape of the REST-JSON
 * protocol ({@code x-amzn-ErrorType} header, {@code {"message": …}} body).
 *
 * <p>Usage follows {@link UsageRules} like Anthropic's: {@code inputTokens} excludes cache reads
 * and writes, {@code totalTokens} is input + cache read + cache write + output (as Bedrock reports
 * it).
 */
final class BedrockWire {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The content type of a ConverseStream response. */
  static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

  /** One event of a ConverseStream response: {@code :event-type} and JSON payload. */
  record Event(String type, ObjectNode payload) {}

  private BedrockWire() {}

  /**
   * Converse {@code usage} from the Anthropic numbers the rules give for the same conversation:
   * {@code inputTokens}, {@code outputTokens}, {@code totalTokens}, {@code cacheReadInputTokens},
   * {@code cacheWriteInputTokens}.
   */
  static ObjectNode usage(ObjectNode anthropicUsage) {
    long input = anthropicUsage.path("input_tokens").asLong();
    long read = anthropicUsage.path("cache_read_input_tokens").asLong();
    long write = anthropicUsage.path("cache_creation_input_tokens").asLong();
    long output = anthropicUsage.path("output_tokens").asLong();
    ObjectNode usage = F.objectNode();
    usage.put("inputTokens", input);
    usage.put("outputTokens", output);
    usage.put("totalTokens", input + read + write + output);
    usage.put("cacheReadInputTokens", read);
    usage.put("cacheWriteInputTokens", write);
    return usage;
  }

  /** A whole Converse response. */
  static ObjectNode converse(Reply reply, ObjectNode usage) {
    ObjectNode root = F.objectNode();
    ObjectNode message = root.putObject("output").putObject("message");
    message.put("role", "assistant");
    ObjectNode block = message.putArray("content").addObject();
    if (reply.toolCall()) {
      block.putObject("toolUse")
          .put("toolUseId", reply.toolCallId())
          .put("name", reply.tool().name())
          .set("input", reply.tool().arguments());
    } else {
      block.put("text", reply.text());
    }
    root.put("stopReason", reply.toolCall() ? "tool_use" : "end_turn");
    root.set("usage", usage);
    root.putObject("metrics").put("latencyMs", 1);
    return root;
  }

  /**
   * The events of a ConverseStream response: {@code messageStart}, {@code contentBlockStart} (tool
   * use only), {@code contentBlockDelta}s, {@code contentBlockStop}, {@code messageStop} and
   * {@code metadata} with the usage.
   */
  static List<Event> events(Reply reply, ObjectNode usage) {
    List<Event> out = new ArrayList<>();
    out.add(new Event("messageStart", F.objectNode().put("role", "assistant")));
    if (reply.toolCall()) {
      ObjectNode start = F.objectNode().put("contentBlockIndex", 0);
      start.putObject("start").putObject("toolUse")
          .put("toolUseId", reply.toolCallId())
          .put("name", reply.tool().name());
      out.add(new Event("contentBlockStart", start));
      for (String part : OpenAiWire.split(reply.tool().arguments().toString(), 8)) {
        ObjectNode delta = F.objectNode().put("contentBlockIndex", 0);
        delta.putObject("delta").putObject("toolUse").put("input", part);
        out.add(new Event("contentBlockDelta", delta));
      }
    } else {
      for (String part : OpenAiWire.words(reply.text())) {
        ObjectNode delta = F.objectNode().put("contentBlockIndex", 0);
        delta.putObject("delta").put("text", part);
        out.add(new Event("contentBlockDelta", delta));
      }
    }
    out.add(new Event("contentBlockStop", F.objectNode().put("contentBlockIndex", 0)));
    out.add(new Event("messageStop",
        F.objectNode().put("stopReason", reply.toolCall() ? "tool_use" : "end_turn")));
    ObjectNode metadata = F.objectNode();
    metadata.set("usage", usage);
    metadata.putObject("metrics").put("latencyMs", 1);
    out.add(new Event("metadata", metadata));
    return out;
  }

  /**
   * The model name an Anthropic body on Bedrock carries: the model id without an ARN, an
   * inference-profile region ({@code us.}, {@code eu.}, …), the {@code anthropic.} vendor prefix
   * and the {@code -v1:0} version suffix ({@code us.anthropic.claude-haiku-4-5-20251001-v1:0} →
   * {@code claude-haiku-4-5-20251001}).
   */
  static String vendorModel(String modelId) {
    String m = modelId.substring(modelId.lastIndexOf('/') + 1);
    int vendor = m.indexOf("anthropic.");
    if (vendor >= 0) {
      m = m.substring(vendor + "anthropic.".length());
    }
    return m.replaceFirst("-v\\d+(:\\d+)?$", "");
  }

  /** The {@code x-amzn-ErrorType} of an HTTP status. */
  static String errorType(int status) {
    return switch (status) {
      case 400 -> "ValidationException";
      case 403 -> "AccessDeniedException";
      case 404 -> "ResourceNotFoundException";
      case 429 -> "ThrottlingException";
      case 503 -> "ServiceUnavailableException";
      default -> "InternalServerException";
    };
  }

  /** An error body: {@code {"message": …}}, never request text. */
  static ObjectNode error(int status) {
    return F.objectNode().put("message", errorType(status) + " (fake provider).");
  }

  /** One event message of the stream, framed. */
  static byte[] eventFrame(Event event) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":event-type", event.type());
    headers.put(":content-type", "application/json");
    headers.put(":message-type", "event");
    return frame(headers, json(event.payload()));
  }

  /**
   * A modeled exception inside the stream ({@code :message-type exception}), e.g. {@code
   * modelStreamErrorException}: what Bedrock sends when a stream breaks off.
   */
  static byte[] exceptionFrame(String exceptionType) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":exception-type", exceptionType);
    headers.put(":content-type", "application/json");
    headers.put(":message-type", "exception");
    return frame(headers,
        json(F.objectNode().put("message", "The stream broke off (fake provider).")));
  }

  /**
   * The {@code application/vnd.amazon.eventstream} framing: a prelude (total length, headers
   * length, both big-endian 32-bit, and the CRC32 of those 8 bytes), the headers (name length as
   * one byte, name, value type 7 = string, value length as 16 bits, value), the payload, and the
   * CRC32 of everything before it.
   */
  static byte[] frame(Map<String, String> headers, byte[] payload) {
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    for (Map.Entry<String, String> header : headers.entrySet()) {
      byte[] name = header.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] value = header.getValue().getBytes(StandardCharsets.UTF_8);
      h.write(name.length);
      h.write(name, 0, name.length);
      h.write(7);
      h.write((value.length >>> 8) & 0xff);
      h.write(value.length & 0xff);
      h.write(value, 0, value.length);
    }
    byte[] headerBytes = h.toByteArray();
    int total = 12 + headerBytes.length + payload.length + 4;
    ByteBuffer buf = ByteBuffer.allocate(total);
    buf.putInt(total);
    buf.putInt(headerBytes.length);
    buf.putInt((int) crc(buf.array(), 0, 8));
    buf.put(headerBytes);
    buf.put(payload);
    buf.putInt((int) crc(buf.array(), 0, total - 4));
    return buf.array();
  }

  private static long crc(byte[] bytes, int offset, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, offset, length);
    return crc.getValue();
  }

  private static byte[] json(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
