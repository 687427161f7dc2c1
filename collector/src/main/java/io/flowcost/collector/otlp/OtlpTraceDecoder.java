package io.flowcost.collector.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
 * OTLP/JSON is read span by span, so one malformed span is rejected alone (see {@link Decoded}).
 */
public final class OtlpTraceDecoder {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFormat.Parser JSON = JsonFormat.parser().ignoringUnknownFields();

  private OtlpTraceDecoder() {}

  /**
   * A decoded export request, and the spans the decoder had to reject one by one (OTLP/JSON only:
   * a span whose own fields are malformed is left out of {@link #table()} and named here, so
   * the rest of the request is kept, as protobuf's partial success does).
   *
   * @param table the spans that could be read, resource by resource in the order sent (a
   *     resource whose spans were all rejected is kept, with no spans), read straight from the
   *     protobuf encoding ({@link OtlpSpans})
   * @param rejected the spans left out, each with the index of its resource in {@code table}
   */
  public record Decoded(OtlpSpans table, List<Rejected> rejected) {
    public Decoded {
      rejected = List.copyOf(rejected);
    }

    /** A request with no span rejected by the decoder. */
    public static Decoded of(ExportTraceServiceRequest request) {
      return new Decoded(canonical(request), List.of());
    }

    /**
     * The request as protobuf's generated message (parsed again from {@link #table()}'s bytes:
     * for tests and diagnostics, never on the ingest path).
     */
    public ExportTraceServiceRequest request() {
      try {
        return ExportTraceServiceRequest.parseFrom(table.bytes());
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("bytes that were read once no longer parse", e);
      }
    }

    /** Spans in the request as sent: read plus rejected. */
    public int spans() {
      return rejected.size() + table.spans();
    }
  }

  /**
   * One span the decoder rejected.
   *
   * @param resourceIndex index of its {@code resourceSpans} entry
   * @param reason what was wrong, naming the field (e.g. {@code links[0].spanId must be …});
   *     never a value from the request
   */
  public record Rejected(int resourceIndex, String reason) {}

  /** Decodes {@code body} according to its content type ({@code application/json} or protobuf). */
  public static Decoded decode(byte[] body, String contentType) {
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
    if (type.startsWith("application/json")) {
      return decodeJson(body);
    }
    if (type.isEmpty()
        || type.startsWith("application/x-protobuf")
        || type.startsWith("application/protobuf")
        || type.startsWith("application/octet-stream")) {
      return new Decoded(readProtobuf(body), List.of());
    }
    // the header's value is not quoted back: nothing from a request goes into a reply or a log
    throw new BadInputException("unsupported Content-Type: send application/x-protobuf or"
        + " application/json (OTLP/HTTP)");
  }

  /**
   * Reads a protobuf request straight into {@link OtlpSpans}. An encoding the straight reader
   * leaves to protobuf (malformed bytes, merged fields: {@link OtlpWireReader}) is parsed by
   * protobuf — which refuses it with the same 400 as always, or merges it as it always has — and
   * protobuf's canonical re-encoding is read instead.
   */
  static OtlpSpans readProtobuf(byte[] body) {
    try {
      return OtlpWireReader.read(body, false);
    } catch (OtlpWireReader.Odd odd) {
      return canonical(decodeProtobuf(body));
    }
  }

  /** Reads protobuf's own encoding of a parsed (or built) request. */
  private static OtlpSpans canonical(ExportTraceServiceRequest request) {
    try {
      return OtlpWireReader.read(request.toByteArray(), true);
    } catch (OtlpWireReader.Odd e) {
      throw new IllegalStateException("protobuf's own encoding did not read", e);
    }
  }

  static ExportTraceServiceRequest decodeProtobuf(byte[] body) {
    try {
      return ExportTraceServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new BadInputException("malformed OTLP protobuf: " + e.getClass().getSimpleName()
          + " (" + safe(e.getMessage()) + ")", e);
    }
  }

  /**
   * Reads OTLP/JSON span by span. Structure above the spans (the resource, the scope) that
   * cannot be read refuses the request; a span that cannot be read (an id that is not hex, a
   * link that is not an object, an integer beyond int64, any value of the wrong type) is
   * rejected alone, with the field named. When every span of the request has a malformed id,
   * the client sends the wrong id encoding altogether, and the request gets a 400 saying so.
   */
  static Decoded decodeJson(byte[] body) {
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
    JsonNode resourceSpans = root.get("resourceSpans");
    ExportTraceServiceRequest.Builder out = ExportTraceServiceRequest.newBuilder();
    if (resourceSpans == null || resourceSpans.isNull()) {
      return Decoded.of(out.build());
    }
    if (!resourceSpans.isArray()) {
      throw new BadInputException("malformed OTLP/JSON: 'resourceSpans' must be an array");
    }
    List<Rejected> rejected = new ArrayList<>();
    int spans = 0;
    int badIds = 0;
    String firstIdProblem = null;
    for (int r = 0; r < resourceSpans.size(); r++) {
      String at = "resourceSpans[" + r + "]";
      JsonNode rs = resourceSpans.get(r);
      ResourceSpans.Builder resource = ResourceSpans.newBuilder();
      merge(without(rs, "scopeSpans", at), resource, at);
      JsonNode scopes = array(rs.get("scopeSpans"), at + ".scopeSpans");
      for (int s = 0; s < scopes.size(); s++) {
        String sat = at + ".scopeSpans[" + s + "]";
        JsonNode ss = scopes.get(s);
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        merge(without(ss, "spans", sat), scope, sat);
        JsonNode list = array(ss.get("spans"), sat + ".spans");
        for (int i = 0; i < list.size(); i++) {
          spans++;
          JsonNode span = list.get(i);
          String where = "span #" + (spans - 1) + " (" + sat + ".spans[" + i + "])";
          // a rejected span's reason names the field but not the span, so reasons group
          if (!(span instanceof ObjectNode obj)) {
            rejected.add(new Rejected(r, "span must be an object"));
            continue;
          }
          String problem = rewriteIds(obj);
          if (problem != null) {
            badIds++;
            firstIdProblem = first(firstIdProblem, "malformed OTLP/JSON: " + where + ": " + problem);
            rejected.add(new Rejected(r, problem));
            continue;
          }
          problem = first(links(obj), integers(obj, ""));
          if (problem != null) {
            rejected.add(new Rejected(r, problem));
            continue;
          }
          Span.Builder b = Span.newBuilder();
          try {
            JSON.merge(MAPPER.writeValueAsString(obj), b);
          } catch (IOException | RuntimeException e) {
            rejected.add(new Rejected(r, "malformed span: " + withoutValues(safe(e.getMessage()))));
            continue;
          }
          scope.addSpans(b);
        }
        resource.addScopeSpans(scope);
      }
      out.addResourceSpans(resource);
    }
    if (badIds > 0 && badIds == spans) {
      throw new BadInputException(firstIdProblem);
    }
    return new Decoded(canonical(out.build()), rejected);
  }

  /** A copy of {@code node} without {@code field}; an error naming {@code at} if not an object. */
  private static ObjectNode without(JsonNode node, String field, String at) {
    if (!(node instanceof ObjectNode obj)) {
      throw new BadInputException("malformed OTLP/JSON: " + at + " must be an object");
    }
    ObjectNode copy = obj.deepCopy();
    copy.remove(field);
    return copy;
  }

  private static JsonNode array(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return MAPPER.createArrayNode();
    }
    if (!node.isArray()) {
      throw new BadInputException("malformed OTLP/JSON: " + at + " must be an array");
    }
    return node;
  }

  private static void merge(ObjectNode node, com.google.protobuf.Message.Builder into, String at) {
    try {
      JSON.merge(MAPPER.writeValueAsString(node), into);
    } catch (IOException | RuntimeException e) {
      throw new BadInputException("malformed OTLP/JSON: " + at + ": "
          + withoutValues(safe(e.getMessage())), e);
    }
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }

  /**
   * OTLP/JSON carries ids as hex; protobuf's JSON parser expects base64. Rewrites the span's ids
   * and its links' ids; returns what is wrong with the first bad one (naming it, e.g.
   * {@code links[0].spanId}), or {@code null}.
   */
  private static String rewriteIds(ObjectNode span) {
    String problem = hexToBase64(span, "traceId", 16, "traceId");
    problem = first(problem, hexToBase64(span, "spanId", 8, "spanId"));
    problem = first(problem, hexToBase64(span, "parentSpanId", 8, "parentSpanId"));
    if (span.get("links") instanceof ArrayNode links) {
      for (int i = 0; i < links.size(); i++) {
        if (links.get(i) instanceof ObjectNode l) {
          problem = first(problem, hexToBase64(l, "traceId", 16, "links[" + i + "].traceId"));
          problem = first(problem, hexToBase64(l, "spanId", 8, "links[" + i + "].spanId"));
        }
      }
    }
    return problem;
  }

  /** Rewrites one id; returns what is wrong with it, or {@code null}. */
  private static String hexToBase64(ObjectNode node, String field, int bytes, String name) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    String hex = value.isTextual() ? value.asText() : null;
    if (hex != null && hex.isEmpty()) {
      node.remove(field);
      return null;
    }
    if (hex == null || hex.length() != bytes * 2 || !isHex(hex)) {
      return name + " must be " + (bytes * 2)
          + " hex characters (OTLP/JSON ids are hex, not base64)";
    }
    node.put(field, Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex)));
    return null;
  }

  private static String links(ObjectNode span) {
    JsonNode links = span.get("links");
    if (links == null || links.isNull()) {
      return null;
    }
    if (!links.isArray()) {
      return "links must be an array";
    }
    for (int i = 0; i < links.size(); i++) {
      if (!links.get(i).isObject()) {
        return "links[" + i + "] must be an object";
      }
    }
    return null;
  }

  /** Finds the first {@code intValue} anywhere in {@code node} that is not an int64. */
  private static String integers(JsonNode node, String path) {
    if (node.isObject()) {
      for (var it = node.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!FIELD_NAMES.contains(e.getKey())) {
          continue; // ignored by the parser; its name is never echoed
        }
        String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        if (e.getKey().equals("intValue") || e.getKey().equals("int_value")) {
          if (!isInt64(e.getValue())) {
            return p + " must be an integer within int64";
          }
        } else {
          String problem = integers(e.getValue(), p);
          if (problem != null) {
            return problem;
          }
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String problem = integers(node.get(i), path + "[" + i + "]");
        if (problem != null) {
          return problem;
        }
      }
    }
    return null;
  }

  private static boolean isInt64(JsonNode v) {
    if (v.isIntegralNumber()) {
      return v.canConvertToLong();
    }
    if (v.isTextual()) {
      try {
        Long.parseLong(v.asText());
        return true;
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return v.isNull();
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
