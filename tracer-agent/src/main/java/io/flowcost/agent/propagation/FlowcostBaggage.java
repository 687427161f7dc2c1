package io.flowcost.agent.propagation;

import io.flowcost.contract.SpanKeys;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Flowcost entries of W3C baggage: {@code flowcost.workflow.id=<32 hex>} and {@code
 * flowcost.tag.<key>=<value>}, values percent-encoded. Other members of the header belong to the
 * application and are kept as they are.
 */
public final class FlowcostBaggage {

  /** Baggage key of the workflow id. */
  public static final String WORKFLOW_ID = SpanKeys.WORKFLOW_ID;

  /** Prefix of tag keys in baggage (and of tag attributes on spans). */
  public static final String TAG_PREFIX = SpanKeys.TAG_PREFIX;

  private static final int MAX_HEADER = 8192;

  private FlowcostBaggage() {}

  /**
   * Reads the Flowcost members of one or more {@code baggage} header values; keys keep their
   * {@code flowcost.} prefix. Malformed members are skipped.
   */
  public static Map<String, String> parse(List<String> headers) {
    if (headers == null || headers.isEmpty()) {
      return Collections.emptyMap();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String header : headers) {
      if (header == null) {
        continue;
      }
      for (String member : header.split(",")) {
        int semi = member.indexOf(';'); // properties: ignored
        String kv = semi < 0 ? member : member.substring(0, semi);
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          continue;
        }
        String key = kv.substring(0, eq).trim();
        if (!key.startsWith("flowcost.")) {
          continue;
        }
        String value = decode(kv.substring(eq + 1).trim());
        if (value != null) {
          out.put(key, value);
        }
      }
    }
    String id = out.get(WORKFLOW_ID);
    if (id != null && (id.length() != 32 || !Traceparent.isHex(id.toLowerCase(Locale.ROOT)))) {
      out.remove(WORKFLOW_ID);
    } else if (id != null) {
      out.put(WORKFLOW_ID, id.toLowerCase(Locale.ROOT));
    }
    return out;
  }

  /**
   * Adds the workflow id and tags to an existing {@code baggage} value (may be {@code null}),
   * replacing Flowcost members already there and keeping the application's own.
   */
  public static String merge(String existing, String workflowId, Map<String, String> tags) {
    StringBuilder out = new StringBuilder();
    if (existing != null) {
      for (String member : existing.split(",")) {
        String key = member.contains("=") ? member.substring(0, member.indexOf('=')).trim() : "";
        if (!member.isBlank() && !key.startsWith("flowcost.")) {
          append(out, member.trim());
        }
      }
    }
    append(out, WORKFLOW_ID + '=' + workflowId);
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      String member = TAG_PREFIX + tag.getKey() + '=' + encode(tag.getValue());
      if (isToken(tag.getKey()) && out.length() + member.length() + 1 <= MAX_HEADER) {
        append(out, member);
      }
    }
    return out.toString();
  }

  private static void append(StringBuilder out, String member) {
    if (out.length() > 0) {
      out.append(',');
    }
    out.append(member);
  }

  private static boolean isToken(String key) {
    if (key.isEmpty()) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** Percent-encodes everything but unreserved characters (RFC 3986) of UTF-8 bytes. */
  static String encode(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** Decodes percent-escapes; {@code null} when malformed. */
  static String decode(String value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%') {
        if (i + 2 >= value.length()) {
          return null;
        }
        int hi = Character.digit(value.charAt(i + 1), 16);
        int lo = Character.digit(value.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.write((hi << 4) | lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
