package io.flowcost.lake.schema;

import static io.flowcost.lake.schema.ColumnType.BIGINT;
import static io.flowcost.lake.schema.ColumnType.BOOLEAN;
import static io.flowcost.lake.schema.ColumnType.DATE;
import static io.flowcost.lake.schema.ColumnType.DECIMAL_18_9;
import static io.flowcost.lake.schema.ColumnType.DOUBLE;
import static io.flowcost.lake.schema.ColumnType.INT;
import static io.flowcost.lake.schema.ColumnType.MAP_STRING_STRING;
import static io.flowcost.lake.schema.ColumnType.STRING;
import static io.flowcost.lake.schema.ColumnType.TIMESTAMP_MICROS_UTC;

import java.util.List;

/**
 * The schemas of the lake's tables, exactly as {@code docs/lake.md} lists them.
 *
 * <p>To add a column: append one line to the table's builder (append, never reorder, so older
 * files stay readable by position too), bump the table's version, and document it in {@code
 * docs/lake.md}.
 */
public final class LakeTables {

  /** One row per attempt of a logical call; partitioned by the attempt's start date. */
  public static final TableSchema CALLS =
      // version 2 added provider_cost_usd, version 3 response_id and foreign_span; older files
      // read them as NULL (union by name)
      TableSchema.builder("calls", 3)
          .required("workflow_id", STRING)
          .required("call_id", STRING)
          .required("span_id", STRING)
          .optional("parent_span_id", STRING)
          .required("kind", STRING)
          .optional("operation", STRING)
          .optional("service", STRING)
          .optional("provider", STRING)
          .optional("request_model", STRING)
          .optional("response_model", STRING)
          .required("attempt", INT)
          .required("status", STRING)
          .optional("error_type", STRING)
          .optional("http_status", INT)
          .optional("finish_reason", STRING)
          .optional("service_tier", STRING)
          .optional("streaming", BOOLEAN)
          .optional("input_tokens", BIGINT)
          .optional("cache_read_tokens", BIGINT)
          .optional("cache_write_tokens", BIGINT)
          .optional("cache_write_1h_tokens", BIGINT)
          .optional("output_tokens", BIGINT)
          .optional("reasoning_tokens", BIGINT)
          .required("tokens_estimated", BOOLEAN)
          .optional("cost_usd", DECIMAL_18_9)
          .optional("cache_savings_gross_usd", DECIMAL_18_9)
          .optional("cache_savings_net_usd", DECIMAL_18_9)
          .required("unpriced", BOOLEAN)
          .required("wasted", BOOLEAN)
          .optional("waste_cause", STRING)
          .optional("tool_name", STRING)
          .optional("http_host", STRING)
          .optional("http_path", STRING)
          .required("start_time", TIMESTAMP_MICROS_UTC)
          .optional("end_time", TIMESTAMP_MICROS_UTC)
          .optional("duration_ms", DOUBLE)
          .optional("catalog_version", STRING)
          .optional("price_key", STRING)
          .optional("received_at", TIMESTAMP_MICROS_UTC)
          .optional("provider_cost_usd", DECIMAL_18_9)
          .optional("response_id", STRING)
          .optional("foreign_span", BOOLEAN)
          .partitionedBy("start_time")
          .build();

  /** One row per workflow root span; partitioned by the span's start date. */
  public static final TableSchema WORKFLOW_SPANS =
      TableSchema.builder("workflow_spans", 1)
          .required("workflow_id", STRING)
          .required("span_id", STRING)
          .optional("workflow_name", STRING)
          .optional("service", STRING)
          .optional("source", STRING)
          .required("start_time", TIMESTAMP_MICROS_UTC)
          .optional("end_time", TIMESTAMP_MICROS_UTC)
          .optional("duration_ms", DOUBLE)
          .required("error", BOOLEAN)
          .optional("error_type", STRING)
          .optional("tags", MAP_STRING_STRING)
          .optional("external_key", STRING)
          .optional("conversation_id", STRING)
          .optional("user_id", STRING)
          .optional("received_at", TIMESTAMP_MICROS_UTC)
          .partitionedBy("start_time")
          .build();

  /** Reported business outcomes; partitioned by the {@code reported_at} date. */
  public static final TableSchema OUTCOMES =
      TableSchema.builder("outcomes", 1)
          .required("outcome_id", STRING)
          .optional("workflow_id", STRING)
          .optional("external_key", STRING)
          .required("status", STRING)
          .optional("reason", STRING)
          .optional("value", DECIMAL_18_9)
          .optional("unit", STRING)
          .required("reported_at", TIMESTAMP_MICROS_UTC)
          .optional("received_at", TIMESTAMP_MICROS_UTC)
          .partitionedBy("reported_at")
          .build();

  /**
   * One row per cap a workflow reached in the agent (warned or enforced), from the agent's breach
   * span; partitioned by the breach's date.
   */
  public static final TableSchema CAP_BREACHES =
      TableSchema.builder("cap_breaches", 1)
          .required("workflow_id", STRING)
          .required("span_id", STRING)
          .optional("workflow_name", STRING)
          .optional("service", STRING)
          .required("cap_kind", STRING)
          .optional("cap_limit", DECIMAL_18_9)
          .optional("spent", DECIMAL_18_9)
          .optional("unit", STRING)
          .optional("mode", STRING)
          .required("enforced", BOOLEAN)
          .optional("model_calls", BIGINT)
          .optional("tool_calls", BIGINT)
          .required("breached_at", TIMESTAMP_MICROS_UTC)
          .optional("received_at", TIMESTAMP_MICROS_UTC)
          .partitionedBy("breached_at")
          .build();

  /**
   * Append-only collector counter increments: each row adds its counts to the day's totals for a
   * service and collector instance. Readers sum; partitioned by {@code day}.
   */
  public static final TableSchema COVERAGE =
      // version 2 added rows_quarantined; version-1 files read it as NULL (union by name)
      TableSchema.builder("coverage", 2)
          .required("day", DATE)
          .optional("service", STRING)
          .optional("collector_id", STRING)
          .optional("spans_received", BIGINT)
          .optional("spans_rejected", BIGINT)
          .optional("calls_written", BIGINT)
          .optional("outcomes_received", BIGINT)
          .optional("outcomes_rejected", BIGINT)
          .optional("agent_dropped_spans", BIGINT)
          .optional("rows_quarantined", BIGINT)
          .required("recorded_at", TIMESTAMP_MICROS_UTC)
          .partitionedBy("day")
          .build();

  /**
   * Append-only re-pricings of calls written by {@code reprice}: one row per call and re-pricing
   * run ({@code price_version}); the {@code calls} view takes a call's highest version instead of
   * the cost it was written with. Partitioned by the call's start date, like {@code calls}.
   */
  public static final TableSchema CALL_PRICES =
      TableSchema.builder("call_prices", 1)
          .required("span_id", STRING)
          .required("workflow_id", STRING)
          .required("price_version", BIGINT)
          .optional("cost_usd", DECIMAL_18_9)
          .optional("cache_savings_gross_usd", DECIMAL_18_9)
          .optional("cache_savings_net_usd", DECIMAL_18_9)
          .required("unpriced", BOOLEAN)
          .optional("catalog_version", STRING)
          .optional("price_key", STRING)
          .required("start_time", TIMESTAMP_MICROS_UTC)
          .required("repriced_at", TIMESTAMP_MICROS_UTC)
          .partitionedBy("start_time")
          .build();

  /** Every table, in a stable order. */
  public static final List<TableSchema> ALL =
      List.of(CALLS, WORKFLOW_SPANS, OUTCOMES, COVERAGE, CALL_PRICES, CAP_BREACHES);

  private LakeTables() {}
}
