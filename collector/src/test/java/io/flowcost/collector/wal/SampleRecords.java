package io.flowcost.collector.wal;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.ingest.Usage;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The records of the format-1 write-ahead-log fixture, spelled out value by value. Every field
 * of every record kind is set at least once, and left null at least once where it may be.
 *
 * <p>Do not change these values: {@code WalFixtureTest} checks that the committed fixture, written
 * by format 1, still decodes to exactly them. A later release whose record types change adapts
 * the constructor calls, never the values.
 */
final class SampleRecords {

  private SampleRecords() {}

  /** First frame of the fixture. */
  static List<LakeRecord> frame1() {
    CallRecord call = new CallRecord(
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "00f067aa0ba902b8",
        "00f067aa0ba902b6", "model", "chat", "checkout-svc", "openai", "gpt-4o-mini",
        "gpt-4o-mini-2024-07-18", 2, "error", "http_429", 429, "stop", true,
        new Usage(1200, 1000, 100, 40, 300, 120, true, "flex"),
        new BigDecimal("0.000123456"), new BigDecimal("0.000100000"),
        new BigDecimal("-0.000000001"), false, true, "discarded", null, "api.openai.com",
        "/v1/chat/completions", Instant.parse("2026-11-24T10:15:30.123456789Z"),
        Instant.parse("2026-11-24T10:15:31.5Z"), "2026-11-01", "openai/gpt-4o-mini",
        Instant.parse("2026-11-24T10:15:32Z"));
    WorkflowSpanRecord root = new WorkflowSpanRecord(
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b6", "refund-request ✓",
        "checkout-svc", "api", Instant.parse("2026-11-24T10:15:29Z"), null, true, "timeout",
        Map.of("team", "payments", "env", "prod", "empty", ""), "ticket-42", "conv-1", null,
        Instant.parse("2026-11-24T10:15:33Z"));
    return List.of(call, root);
  }

  /** Second frame of the fixture. */
  static List<LakeRecord> frame2() {
    OutcomeRecord byWorkflow = new OutcomeRecord("out-1", "4bf92f3577b34da6a3ce929d0e0e4736",
        null, "success", null, new BigDecimal("12.50"), "EUR",
        Instant.parse("2026-11-24T11:00:00Z"), true, Instant.parse("2026-11-24T11:00:01Z"));
    OutcomeRecord byKey = new OutcomeRecord("6f1e2d3c-0000-4000-8000-000000000001", null,
        "ticket-42", "failure", "customer left\ttab", null, null,
        Instant.parse("2026-11-24T11:05:00Z"), false, Instant.parse("2026-11-24T11:05:00Z"));
    CallRecord tool = new CallRecord(
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b9", "00f067aa0ba902b9", null,
        "tool", "execute_tool", "checkout-svc", null, null, null, 1, "ok", null, null, null,
        false, null, null, null, null, true, false, null, "lookup_order", null, null,
        Instant.parse("2026-11-24T10:15:35Z"), null, null, null,
        Instant.parse("2026-11-24T10:15:36Z"));
    return List.of(byWorkflow, byKey, tool);
  }

  /**
   * Third frame, in fixtures of format 2 and later: the fields format 2 added (a call's
   * provider-reported cost).
   */
  static List<LakeRecord> frameSince2() {
    CallRecord withProviderCost = new CallRecord(
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902c1", "00f067aa0ba902c1",
        "00f067aa0ba902b6", "model", "chat", "checkout-svc", "anthropic", "claude-sonnet-4-5",
        "claude-sonnet-4-5-20250929", 1, "ok", null, 200, "end_turn", false,
        new Usage(2000, 0, 0, 0, 500, 0, false, null), new BigDecimal("0.013500000"),
        BigDecimal.ZERO, BigDecimal.ZERO, false, false, null, null, "api.anthropic.com",
        "/v1/messages", Instant.parse("2026-11-24T10:16:00Z"),
        Instant.parse("2026-11-24T10:16:02.25Z"), "2026-11-01", "anthropic/claude-sonnet-4-5",
        Instant.parse("2026-11-24T10:16:03Z"), new BigDecimal("0.013600000"));
    return List.of(withProviderCost);
  }

  /**
   * Fourth frame, in fixtures of format 3 and later: the fields format 3 added (the provider's
   * response id, a foreign span's row, a repeated report).
   */
  static List<LakeRecord> frameSince3() {
    CallRecord foreign = new CallRecord(
        "5cf92f3577b34da6a3ce929d0e0e4737", "01f067aa0ba902c1", "01f067aa0ba902c1",
        "01f067aa0ba902b6", "model", "chat", "spring-ai-app", "openai", "gpt-4o-mini",
        "gpt-4o-mini-2024-07-18", 1, "ok", null, null, "stop", false,
        new Usage(130, 0, 0, 0, 42, 0, false, null), new BigDecimal("0.000044700"),
        BigDecimal.ZERO, BigDecimal.ZERO, false, false, null, null, null, null,
        Instant.parse("2026-11-24T10:17:00Z"), Instant.parse("2026-11-24T10:17:01Z"),
        "2026-11-01", "openai/gpt-4o-mini", Instant.parse("2026-11-24T10:17:02Z"), null,
        "chatcmpl-fixture3", true, true);
    return List.of(foreign);
  }

  /** Every record of the fixture of format {@code version}, in order. */
  static List<LakeRecord> fixture(int version) {
    List<LakeRecord> out = new java.util.ArrayList<>(frame1());
    out.addAll(frame2());
    if (version >= 2) {
      out.addAll(frameSince2());
    }
    if (version >= 3) {
      out.addAll(frameSince3());
    }
    return out;
  }
}
