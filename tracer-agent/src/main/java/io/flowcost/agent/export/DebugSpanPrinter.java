package io.flowcost.agent.export;

import io.flowcost.agent.AgentLog;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * In debug mode, prints every finished span to stderr: name, ids, status and attributes. Span
 * attributes hold names, counts and ids only, so nothing sensitive is printed.
 */
final class DebugSpanPrinter implements SpanProcessor {

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    SpanData data = span.toSpanData();
    StringBuilder line = new StringBuilder("span '").append(data.getName()).append("' trace=")
        .append(data.getTraceId()).append(" span=").append(data.getSpanId())
        .append(" parent=").append(data.getParentSpanId())
        .append(" kind=").append(data.getKind())
        .append(" status=").append(data.getStatus().getStatusCode())
        .append(" ms=").append((data.getEndEpochNanos() - data.getStartEpochNanos()) / 1_000_000.0)
        .append(" links=").append(data.getLinks().size())
        .append(' ').append(data.getAttributes().asMap());
    AgentLog.info(line.toString());
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }
}
