package io.flowcost.collector.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Decodes an OTLP/HTTP trace export request, binary protobuf or OTLP/JSON.
 *
 * <p>OTLP/JSON differs from protobuf's canonical JSON mapping in one way that matters: trace and
 * span ids are hex strings, not base64. They are rewritten before the protobuf JSON parser runs.
 */
public final class OtlpTraceDecoder {

  /** A one-byte id (base64 of 0x00): never a valid trace or span id, so its span is rejected. */
  private static final String INVALID_ID = "AA==";


  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFormat.Parser JSON = JsonFormat.parser().ignoringUnknownFields();

  private OtlpTraceDecoder() {}

  /** Decodes {@code body} according to its content type ({@code application/json} or protobuf). */
  public static ExportTraceServiceRequest decode(byte[] body, String contentType) {
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
    if (type.startsWith("application/json")) {
      return decodeJson(body);
    }
    if (type.isEmpty()
        || type.startsWith("application/x-protobuf")
        || type.startsWith("application/protobuf")
        || type.startsWith("application/octet-stream")) {
      return decodeProtobuf(body);
    }
    // the header's value is not quoted back: nothing from a request goes into a reply or a log
    throw new BadInputException("unsupported Content-Type: send application/x-protobuf or"
        + " application/json (OTLP/HTTP)");
  }

  static ExportTraceServiceRequest decodeProtobuf(byte[] body) {
    try {
      return ExportTraceServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new BadInputException("malformed OTLP protobuf: " + e.getClass().getSimpleName()
          + " (" + safe(e.getMessage()) + ")", e);
    }
  }

  static ExportTraceServiceRequest decodeJson(byte[] body) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException e) {
      throw new BadInputException("malformed OTLP/JSON: not valid JSON at "
          + location(e), e);
    }
    if (root == null || !root.isObject()) {
      throw new BadInputException("malformed OTLP/JSON: the body must be a JSON object with 'resourceSpans'");
    }
    rewriteIds(root);
    ExportTraceServiceRequest.Builder builder = ExportTraceServiceRequest.newBuilder();
    try {
      JSON.merge(MAPPER.writeValueAsString(root), builder);
    } catch (IOException e) {
      throw new BadInputException("malformed OTLP/JSON: " + withoutValues(safe(e.getMessage())), e);
    }
    return builder.build();
  }

  /**
   * OTLP/JSON carries ids as hex; protobuf's JSON parser expects base64. A span with an id that
   * is not hex of the right length keeps a one-byte id, so the interpreter rejects that span alone
   * (counted, and the rest of the request kept). When every span's ids are bad the client sends
   * the wrong encoding altogether, and the request gets a 400 saying so.
   */
  private static void rewriteIds(JsonNode root) {
    JsonNode resourceSpans = root.path("resourceSpans");
    if (!resourceSpans.isArray()) {
      return;
    }
    int spans = 0;
    String firstProblem = null;
    int badSpans = 0;
    for (JsonNode rs : resourceSpans) {
      for (JsonNode ss : rs.path("scopeSpans")) {
        int spanIndex = 0;
        for (JsonNode span : ss.path("spans")) {
          if (span instanceof ObjectNode obj) {
            String problem = hexToBase64(obj, "traceId", 16, spanIndex);
            problem = first(problem, hexToBase64(obj, "spanId", 8, spanIndex));
            problem = first(problem, hexToBase64(obj, "parentSpanId", 8, spanIndex));
            JsonNode links = obj.path("links");
            if (links instanceof ArrayNode arr) {
              for (JsonNode link : arr) {
                if (link instanceof ObjectNode l) {
                  problem = first(problem, hexToBase64(l, "traceId", 16, spanIndex));
                  problem = first(problem, hexToBase64(l, "spanId", 8, spanIndex));
                }
              }
            }
            if (problem != null) {
              badSpans++;
              firstProblem = first(firstProblem, problem);
            }
          }
          spans++;
          spanIndex++;
        }
      }
    }
    if (badSpans > 0 && badSpans == spans) {
      throw new BadInputException(firstProblem);
    }
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }

  /** Rewrites one id; returns what is wrong with it, or {@code null}. */
  private static String hexToBase64(ObjectNode node, String field, int bytes, int spanIndex) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    String hex = value.asText();
    if (hex.isEmpty()) {
      node.remove(field);
      return null;
    }
    if (hex.length() != bytes * 2 || !isHex(hex)) {
      node.put(field, INVALID_ID);
      return "malformed OTLP/JSON: span #" + spanIndex + " field '" + field
          + "' must be " + (bytes * 2) + " hex characters (OTLP/JSON ids are hex, not base64)";
    }
    node.put(field, Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex)));
    return null;
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static String location(IOException e) {
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
        && jpe.getLocation() != null) {
      return "line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr();
    }
    return "unknown position";
  }

  /**
   * Removes quoted payload values from a protobuf JSON parser message ("Not an int64 value:
   * \"…\""), keeping only quoted OTLP field names, so neither the reply nor the log quotes data.
   */
  static String withoutValues(String message) {
    Matcher m = QUOTED.matcher(message);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String inner = m.group(1);
      m.appendReplacement(out, Matcher.quoteReplacement(
          FIELD_NAMES.contains(inner) ? "\"" + inner + "\"" : "<value>"));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Set<String> FIELD_NAMES = fieldNames(ExportTraceServiceRequest.getDescriptor());

  private static Set<String> fieldNames(Descriptors.Descriptor root) {
    Set<String> names = new HashSet<>();
    Deque<Descriptors.Descriptor> todo = new ArrayDeque<>(List.of(root));
    Set<String> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      Descriptors.Descriptor d = todo.pop();
      if (!seen.add(d.getFullName())) {
        continue;
      }
      for (Descriptors.FieldDescriptor f : d.getFields()) {
        names.add(f.getName());
        names.add(f.getJsonName());
        if (f.getJavaType() == Descriptors.FieldDescriptor.JavaType.MESSAGE) {
          todo.push(f.getMessageType());
        }
      }
    }
    return Set.copyOf(names);
  }

  /** Keeps a parser message short; parser messages describe structure, not payload values. */
  private static String safe(String message) {
    if (message == null) {
      return "no detail";
    }
    String oneLine = message.replaceAll("\\s+", " ");
    return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
  }
}
