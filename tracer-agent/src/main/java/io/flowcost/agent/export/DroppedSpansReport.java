package io.flowcost.agent.export;

import io.flowcost.contract.SpanKeys;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An OTLP request with no spans whose resource carries {@code flowcost.agent.dropped_spans}: how
 * many spans the agent dropped to keep its spool bounded. The collector adds it to {@code
 * coverage.agent_dropped_spans}, so the gap is visible instead of silent.
 */
final class DroppedSpansReport {

  /** Resource attribute the collector reads. */
  static final String ATTRIBUTE = SpanKeys.AGENT_DROPPED_SPANS;

  private DroppedSpansReport() {}

  /** {@code ExportTraceServiceRequest{resource_spans{resource{attributes}}}}, hand-encoded. */
  static byte[] encode(String serviceName, long dropped) {
    byte[] resource = concat(
        field(1, keyValue("service.name", string(serviceName))),
        field(1, keyValue(ATTRIBUTE, int64(dropped))));
    byte[] resourceSpans = field(1, resource);
    return field(1, resourceSpans);
  }

  private static byte[] keyValue(String key, byte[] anyValue) {
    return concat(field(1, key.getBytes(StandardCharsets.UTF_8)), field(2, anyValue));
  }

  /** AnyValue.string_value (field 1). */
  private static byte[] string(String value) {
    return field(1, value.getBytes(StandardCharsets.UTF_8));
  }

  /** AnyValue.int_value (field 3, varint). */
  private static byte[] int64(long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    varint(out, (3 << 3));
    varint(out, value);
    return out.toByteArray();
  }

  /** A length-delimited field. */
  private static byte[] field(int number, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 6);
    varint(out, (number << 3) | 2);
    varint(out, payload.length);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static void varint(ByteArrayOutputStream out, long value) {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
