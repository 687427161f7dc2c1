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

  // The calls table's column positions, looked up once: the flush builds one row per call, and
  // a lookup by name per column was ~10 % of the flush's samples (Row.Builder#set(int, Object)
  // validates and normalizes exactly as by name).
  private static final int WORKFLOW_ID = LakeTables.CALLS.indexOf("workflow_id");
  private static final int CALL_ID = LakeTables.CALLS.indexOf("call_id");
  private static final int SPAN_ID = LakeTables.CALLS.indexOf("span_id");
  private static final int PARENT_SPAN_ID = LakeTables.CALLS.indexOf("parent_span_id");
  private static final int KIND = LakeTables.CALLS.indexOf("kind");
  private static final int OPERATION = LakeTables.CALLS.indexOf("operation");
  private static final int SERVICE = LakeTables.CALLS.indexOf("service");
  private static final int PROVIDER = LakeTables.CALLS.indexOf("provider");
  private static final int REQUEST_MODEL = LakeTables.CALLS.indexOf("request_model");
  private static final int RESPONSE_MODEL = LakeTables.CALLS.indexOf("response_model");
  private static final int ATTEMPT = LakeTables.CALLS.indexOf("attempt");
  private static final int STATUS = LakeTables.CALLS.indexOf("status");
  private static final int ERROR_TYPE = LakeTables.CALLS.indexOf("error_type");
  private static final int HTTP_STATUS = LakeTables.CALLS.indexOf("http_status");
  private static final int FINISH_REASON = LakeTables.CALLS.indexOf("finish_reason");
  private static final int SERVICE_TIER = LakeTables.CALLS.indexOf("service_tier");
  private static final int STREAMING = LakeTables.CALLS.indexOf("streaming");
  private static final int INPUT_TOKENS = LakeTables.CALLS.indexOf("input_tokens");
  private static final int CACHE_READ_TOKENS = LakeTables.CALLS.indexOf("cache_read_tokens");
  private static final int CACHE_WRITE_TOKENS = LakeTables.CALLS.indexOf("cache_write_tokens");
  private static final int CACHE_WRITE_1H_TOKENS = LakeTables.CALLS.indexOf("cache_write_1h_tokens");
  private static final int OUTPUT_TOKENS = LakeTables.CALLS.indexOf("output_tokens");
  private static final int REASONING_TOKENS = LakeTables.CALLS.indexOf("reasoning_tokens");
  private static final int TOKENS_ESTIMATED = LakeTables.CALLS.indexOf("tokens_estimated");
  private static final int COST_USD = LakeTables.CALLS.indexOf("cost_usd");
  private static final int CACHE_SAVINGS_GROSS_USD = LakeTables.CALLS.indexOf("cache_savings_gross_usd");
  private static final int CACHE_SAVINGS_NET_USD = LakeTables.CALLS.indexOf("cache_savings_net_usd");
  private static final int UNPRICED = LakeTables.CALLS.indexOf("unpriced");
  private static final int WASTED = LakeTables.CALLS.indexOf("wasted");
  private static final int WASTE_CAUSE = LakeTables.CALLS.indexOf("waste_cause");
  private static final int TOOL_NAME = LakeTables.CALLS.indexOf("tool_name");
  private static final int HTTP_HOST = LakeTables.CALLS.indexOf("http_host");
  private static final int HTTP_PATH = LakeTables.CALLS.indexOf("http_path");
  private static final int START_TIME = LakeTables.CALLS.indexOf("start_time");
  private static final int END_TIME = LakeTables.CALLS.indexOf("end_time");
  private static final int DURATION_MS = LakeTables.CALLS.indexOf("duration_ms");
  private static final int CATALOG_VERSION = LakeTables.CALLS.indexOf("catalog_version");
  private static final int PRICE_KEY = LakeTables.CALLS.indexOf("price_key");
  private static final int RECEIVED_AT = LakeTables.CALLS.indexOf("received_at");
  private static final int PROVIDER_COST_USD = LakeTables.CALLS.indexOf("provider_cost_usd");
  private static final int RESPONSE_ID = LakeTables.CALLS.indexOf("response_id");
  private static final int FOREIGN_SPAN = LakeTables.CALLS.indexOf("foreign_span");

  static Row call(CallRecord c) {
    Usage u = c.usage();
    return Row.builder(LakeTables.CALLS)
        .set(WORKFLOW_ID, c.workflowId())
        .set(CALL_ID, c.callId())
        .set(SPAN_ID, c.spanId())
        .set(PARENT_SPAN_ID, c.parentSpanId())
        .set(KIND, c.kind())
        .set(OPERATION, c.operation())
        .set(SERVICE, c.service())
        .set(PROVIDER, c.provider())
        .set(REQUEST_MODEL, c.requestModel())
        .set(RESPONSE_MODEL, c.responseModel())
        .set(ATTEMPT, c.attempt())
        .set(STATUS, c.status())
        .set(ERROR_TYPE, c.errorType())
        .set(HTTP_STATUS, c.httpStatus())
        .set(FINISH_REASON, c.finishReason())
        .set(SERVICE_TIER, u == null ? null : u.serviceTier())
        .set(STREAMING, c.streaming())
        .set(INPUT_TOKENS, u == null ? null : u.input())
        .set(CACHE_READ_TOKENS, u == null ? null : u.cacheRead())
        .set(CACHE_WRITE_TOKENS, u == null ? null : u.cacheWrite())
        .set(CACHE_WRITE_1H_TOKENS, u == null ? null : u.cacheWrite1h())
        .set(OUTPUT_TOKENS, u == null ? null : u.output())
        .set(REASONING_TOKENS, u == null ? null : u.reasoning())
        .set(TOKENS_ESTIMATED, u != null && u.estimated())
        .set(COST_USD, c.costUsd())
        .set(CACHE_SAVINGS_GROSS_USD, c.cacheSavingsGrossUsd())
        .set(CACHE_SAVINGS_NET_USD, c.cacheSavingsNetUsd())
        .set(UNPRICED, c.unpriced())
        .set(WASTED, c.wasted())
        .set(WASTE_CAUSE, c.wasteCause())
        .set(TOOL_NAME, c.toolName())
        .set(HTTP_HOST, c.httpHost())
        .set(HTTP_PATH, c.httpPath())
        .set(START_TIME, c.startTime())
        .set(END_TIME, c.endTime())
        .set(DURATION_MS, c.durationMs())
        .set(CATALOG_VERSION, c.catalogVersion())
        .set(PRICE_KEY, c.priceKey())
        .set(RECEIVED_AT, c.receivedAt())
        .set(PROVIDER_COST_USD, c.providerCostUsd())
        .set(RESPONSE_ID, c.responseId())
        .set(FOREIGN_SPAN, c.foreignSpan())
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
