package io.flowcost.outcome.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A finished workflow span, as sent without the agent.
 *
 * <p>Internal to Flowcost; not an API.
 *
 * @param traceId 32-hex trace id (the workflow id)
 * @param spanId 16-hex span id
 * @param name span name (the workflow name)
 * @param startEpochNanos start, nanoseconds since the epoch
 * @param endEpochNanos end, nanoseconds since the epoch
 * @param attributes string, boolean or long attribute values
 * @param errorType the class name of what the workflow threw, or {@code null}
 */
public record WorkflowSpan(
    String traceId,
    String spanId,
    String name,
    long startEpochNanos,
    long endEpochNanos,
    Map<String, Object> attributes,
    String errorType) {

  /** Copies the attributes. */
  public WorkflowSpan {
    attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
  }

  /**
   * Encodes this span as an OTLP/JSON {@code ExportTraceServiceRequest}: hex ids, 64-bit
   * integers as strings, span kind INTERNAL, status ERROR with {@code error.type} when failed.
   *
   * @param serviceName the {@code service.name} resource attribute
   * @param scopeVersion the instrumentation scope version
   */
  public String toOtlpJson(String serviceName, String scopeVersion) {
    Json json = new Json();
    json.beginObject().name("resourceSpans").beginArray().beginObject();
    json.name("resource").beginObject().name("attributes").beginArray();
    attribute(json, "service.name", serviceName);
    attribute(json, "telemetry.sdk.name", "flowcost-outcome-api");
    attribute(json, "telemetry.sdk.language", "java");
    attribute(json, "telemetry.sdk.version", scopeVersion);
    json.endArray().endObject();
    json.name("scopeSpans").beginArray().beginObject();
    json.name("scope").beginObject()
        .name("name").value("io.flowcost.outcome")
        .name("version").value(scopeVersion)
        .endObject();
    json.name("spans").beginArray().beginObject();
    json.name("traceId").value(traceId);
    json.name("spanId").value(spanId);
    json.name("name").value(name);
    json.name("kind").value(1); // SPAN_KIND_INTERNAL
    json.name("startTimeUnixNano").value(Long.toUnsignedString(startEpochNanos));
    json.name("endTimeUnixNano").value(Long.toUnsignedString(endEpochNanos));
    json.name("attributes").beginArray();
    for (Map.Entry<String, Object> e : attributes.entrySet()) {
      attribute(json, e.getKey(), e.getValue());
    }
    if (errorType != null) {
      attribute(json, "error.type", errorType);
    }
    json.endArray();
    if (errorType != null) {
      json.name("status").beginObject().name("code").value(2).endObject(); // STATUS_CODE_ERROR
    }
    json.endObject().endArray(); // span, spans
    json.endObject().endArray(); // scopeSpans
    json.endObject().endArray().endObject(); // resourceSpans
    return json.toString();
  }

  private static void attribute(Json json, String key, Object value) {
    json.beginObject().name("key").value(key).name("value").beginObject();
    if (value instanceof Boolean b) {
      json.name("boolValue").value(b);
    } else if (value instanceof Long || value instanceof Integer) {
      json.name("intValue").value(value.toString());
    } else {
      json.name("stringValue").value(String.valueOf(value));
    }
    json.endObject().endObject();
  }
}
