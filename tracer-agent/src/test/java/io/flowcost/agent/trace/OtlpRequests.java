package io.flowcost.agent.trace;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.util.ArrayList;
import java.util.List;

/** Reading OTLP trace requests back in tests. */
public final class OtlpRequests {

  private OtlpRequests() {}

  /** The request's resource and scope groups in a fixed order, each group's spans as sent. */
  public static List<String> groups(byte[] request) throws Exception {
    List<String> groups = new ArrayList<>();
    for (ResourceSpans rs : ExportTraceServiceRequest.parseFrom(request).getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        groups.add(rs.getResource() + " " + rs.getSchemaUrl() + " " + ss);
      }
    }
    groups.sort(null);
    return groups;
  }
}
