package io.flowcost.collector.ingest;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read-only typed access to a list of OTLP attributes. */
final class Attributes {

  private final Map<String, AnyValue> values;

  private Attributes(Map<String, AnyValue> values) {
    this.values = values;
  }

  static Attributes of(List<KeyValue> list) {
    Map<String, AnyValue> map = new HashMap<>(list.size() * 2);
    for (KeyValue kv : list) {
      map.put(kv.getKey(), kv.getValue());
    }
    return new Attributes(map);
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  String string(String key) {
    AnyValue v = values.get(key);
    if (v == null) {
      return null;
    }
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case INT_VALUE:
        return Long.toString(v.getIntValue());
      case BOOL_VALUE:
        return Boolean.toString(v.getBoolValue());
      case DOUBLE_VALUE:
        return Double.toString(v.getDoubleValue());
      case ARRAY_VALUE:
        return v.getArrayValue().getValuesCount() == 0
            ? null
            : new Attributes(Map.of("x", v.getArrayValue().getValues(0))).string("x");
      default:
        return null;
    }
  }

  /**
   * Returns an integer attribute; string-encoded integers are accepted because some SDKs send them.
   *
   * @throws IllegalArgumentException when present but not an integer
   */
  Long integer(String key) {
    AnyValue v = values.get(key);
    if (v == null) {
      return null;
    }
    switch (v.getValueCase()) {
      case INT_VALUE:
        return v.getIntValue();
      case DOUBLE_VALUE:
        double d = v.getDoubleValue();
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
          return (long) d;
        }
        throw new IllegalArgumentException("attribute " + key + " is not an integer");
      case STRING_VALUE:
        try {
          return Long.parseLong(v.getStringValue().trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("attribute " + key + " is not an integer");
        }
      default:
        throw new IllegalArgumentException("attribute " + key + " is not an integer");
    }
  }

  /**
   * Returns a non-negative decimal attribute (double, integer or decimal string; an array's first
   * element), or null when absent or not such a number. A double is read by its shortest decimal
   * form ({@code 0.0021} stays 0.0021).
   */
  java.math.BigDecimal nonNegativeDecimal(String key) {
    String s = string(key);
    if (s == null) {
      return null;
    }
    try {
      java.math.BigDecimal d = new java.math.BigDecimal(s.trim());
      return d.signum() < 0 ? null : d;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  boolean bool(String key) {
    AnyValue v = values.get(key);
    if (v == null) {
      return false;
    }
    if (v.getValueCase() == AnyValue.ValueCase.BOOL_VALUE) {
      return v.getBoolValue();
    }
    return "true".equalsIgnoreCase(string(key));
  }

  /** All string attributes whose key starts with {@code prefix}, keyed by the rest of the key. */
  Map<String, String> withPrefix(String prefix) {
    Map<String, String> out = new LinkedHashMap<>();
    values.keySet().stream().sorted().forEach(k -> {
      if (k.startsWith(prefix) && k.length() > prefix.length()) {
        String s = string(k);
        if (s != null) {
          out.put(k.substring(prefix.length()), s);
        }
      }
    });
    return out;
  }
}
