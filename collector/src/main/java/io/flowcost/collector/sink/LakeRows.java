package io.flowcost.collector.sink;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.CapBreachRecord;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.ingest.Usage;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.schema.Row;
import java.time.Duration;
import java.time.Instant;

/** Maps ingest records to lake rows (column names as in {@code docs/lake.md}). */
final class LakeRows {

  private LakeRows() {}

  static Row call(CallRecord c) {
    Usage u = c.usage();
    return Row.builder(LakeTables.CALLS)
        .set("workflow_id", c.workflowId())
        .set("call_id", c.callId())
        .set("span_id", c.spanId())
        .set("parent_span_id", c.parentSpanId())
        .set("kind", c.kind())
        .set("operation", c.operation())
        .set("service", c.service())
        .set("provider", c.provider())
        .set("request_model", c.requestModel())
        .set("response_model", c.responseModel())
        .set("attempt", c.attempt())
        .set("status", c.status())
        .set("error_type", c.errorType())
        .set("http_status", c.httpStatus())
        .set("finish_reason", c.finishReason())
        .set("service_tier", u == null ? null : u.serviceTier())
        .set("streaming", c.streaming())
        .set("input_tokens", u == null ? null : u.input())
        .set("cache_read_tokens", u == null ? null : u.cacheRead())
        .set("cache_write_tokens", u == null ? null : u.cacheWrite())
        .set("cache_write_1h_tokens", u == null ? null : u.cacheWrite1h())
        .set("output_tokens", u == null ? null : u.output())
        .set("reasoning_tokens", u == null ? null : u.reasoning())
        .set("tokens_estimated", u != null && u.estimated())
        .set("cost_usd", c.costUsd())
        .set("cache_savings_gross_usd", c.cacheSavingsGrossUsd())
        .set("cache_savings_net_usd", c.cacheSavingsNetUsd())
        .set("unpriced", c.unpriced())
        .set("wasted", c.wasted())
        .set("waste_cause", c.wasteCause())
        .set("tool_name", c.toolName())
        .set("http_host", c.httpHost())
        .set("http_path", c.httpPath())
        .set("start_time", c.startTime())
        .set("end_time", c.endTime())
        .set("duration_ms", c.durationMs())
        .set("catalog_version", c.catalogVersion())
        .set("price_key", c.priceKey())
        .set("received_at", c.receivedAt())
        .set("provider_cost_usd", c.providerCostUsd())
        .set("response_id", c.responseId())
        .set("foreign_span", c.foreignSpan())
        .build();
  }

  static Row workflowSpan(WorkflowSpanRecord w) {
    Double duration = w.endTime() == null ? null
        : Duration.between(w.startTime(), w.endTime()).toNanos() / 1_000_000.0;
    return Row.builder(LakeTables.WORKFLOW_SPANS)
        .set("workflow_id", w.workflowId())
        .set("span_id", w.spanId())
        .set("workflow_name", w.workflowName())
        .set("service", w.service())
        .set("source", w.source())
        .set("start_time", w.startTime())
        .set("end_time", w.endTime())
        .set("duration_ms", duration)
        .set("error", w.error())
        .set("error_type", w.errorType())
        .set("tags", w.tags())
        .set("external_key", w.externalKey())
        .set("conversation_id", w.conversationId())
        .set("user_id", w.userId())
        .set("received_at", w.receivedAt())
        .build();
  }

  static Row capBreach(CapBreachRecord b) {
    return Row.builder(LakeTables.CAP_BREACHES)
        .set("workflow_id", b.workflowId())
        .set("span_id", b.spanId())
        .set("workflow_name", b.workflowName())
        .set("service", b.service())
        .set("cap_kind", b.capKind())
        .set("cap_limit", b.capLimit())
        .set("spent", b.spent())
        .set("unit", b.unit())
        .set("mode", b.mode())
        .set("enforced", b.enforced())
        .set("model_calls", b.modelCalls())
        .set("tool_calls", b.toolCalls())
        .set("breached_at", b.breachedAt())
        .set("received_at", b.receivedAt())
        .build();
  }

  static Row outcome(OutcomeRecord o) {
    return Row.builder(LakeTables.OUTCOMES)
        .set("outcome_id", o.outcomeId())
        .set("workflow_id", o.workflowId())
        .set("external_key", o.externalKey())
        .set("status", o.status())
        .set("reason", o.reason())
        .set("value", o.value())
        .set("unit", o.unit())
        .set("reported_at", o.reportedAt())
        .set("received_at", o.receivedAt())
        .build();
  }

  static Row coverage(CoverageCounters.Key key, CoverageCounters.Counts n, String collectorId,
      Instant now) {
    return Row.builder(LakeTables.COVERAGE)
        .set("day", key.day())
        .set("service", key.service())
        .set("collector_id", collectorId)
        .set("spans_received", n.spansReceived())
        .set("spans_rejected", n.spansRejected())
        .set("calls_written", n.callsWritten())
        .set("outcomes_received", n.outcomesReceived())
        .set("outcomes_rejected", n.outcomesRejected())
        .set("agent_dropped_spans", n.agentDroppedSpans())
        .set("rows_quarantined", n.rowsQuarantined())
        .set("recorded_at", now)
        .build();
  }
}
