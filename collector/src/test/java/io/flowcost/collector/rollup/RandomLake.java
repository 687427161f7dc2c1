package io.flowcost.collector.rollup;

import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.schema.TableSchema;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A seeded random lake — workflows, their calls and attempts, outcomes — and what DESIGN.md says
 * the roll-ups of it must be, computed here in plain Java as an independent reference.
 *
 * <p>Shapes covered: workflows with and without a root span (calls only), calls crossing
 * midnight, retried attempts (the failed ones unbilled), unpriced calls, wasted calls (discarded,
 * failed step), rows written twice (a write-ahead-log replay), outcomes by id and by external key,
 * repeated outcome ids, changing outcomes (the latest report wins), outcomes past the horizon.
 */
final class RandomLake {

  static final int HORIZON_DAYS = 7;
  /** The days span a month boundary, so the monthly level has two months. */
  static final Instant FIRST = Instant.parse("2026-10-30T00:00:00Z");
  static final int DAYS = 4;

  /** One attempt row as written. */
  record Call(String workflowId, String callId, String spanId, int attempt, Instant start,
      BigDecimal cost, boolean unpriced, String wasteCause, boolean failed) {}

  /** One outcome report as written. */
  record Outcome(String outcomeId, String workflowId, String externalKey, String status,
      Instant reportedAt) {}

  /** A workflow and the facts about it. */
  static final class Wf {
    final String id;
    final String name;
    final String team;
    final String externalKey;
    final boolean hasRoot;
    final Instant start;
    final List<Call> calls = new ArrayList<>();

    Wf(String id, String name, String team, String externalKey, boolean hasRoot, Instant start) {
      this.id = id;
      this.name = name;
      this.team = team;
      this.externalKey = externalKey;
      this.hasRoot = hasRoot;
      this.start = start;
    }

    LocalDate day() {
      return LocalDate.ofInstant(hasRoot ? start : calls.get(0).start(), ZoneOffset.UTC);
    }

    BigDecimal cost() {
      return calls.stream().map(Call::cost).filter(c -> c != null)
          .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    BigDecimal callWaste() {
      return calls.stream().filter(c -> c.wasteCause() != null && c.cost() != null)
          .map(Call::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    long unpricedCalls() {
      return calls.stream().filter(Call::unpriced).count();
    }
  }

  final Random random;
  final List<Wf> workflows = new ArrayList<>();
  final List<Outcome> outcomes = new ArrayList<>();
  private int ids;

  RandomLake(long seed, int workflowCount) {
    random = new Random(seed);
    for (int i = 0; i < workflowCount; i++) {
      workflows.add(workflow(i));
    }
    for (Wf wf : workflows) {
      addOutcomes(wf);
    }
  }

  private String hex(int bytes) {
    return String.format("%0" + (bytes * 2) + "x", ++ids);
  }

  private Instant micros(Instant t) {
    return t.truncatedTo(ChronoUnit.MICROS);
  }

  private Wf workflow(int i) {
    String name = List.of("summarize-claim", "assess-damage", "screen-fraud").get(random.nextInt(3));
    String team = random.nextBoolean() ? "claims" : "fraud";
    // some workflows start late in the evening, so their calls run past midnight
    Instant start = micros(FIRST.plus(Duration.ofDays(random.nextInt(DAYS)))
        .plus(Duration.ofMinutes(random.nextInt(6) == 0 ? 1435 : random.nextInt(1400)))
        .plusNanos(random.nextInt(1_000_000_000)));
    boolean hasRoot = random.nextInt(8) != 0;
    Wf wf = new Wf(String.format("%032x", 0xABC000L + i), name, team, "KEY-" + i, hasRoot, start);
    Instant t = start.plusMillis(1);
    int calls = 1 + random.nextInt(6);
    for (int c = 0; c < calls; c++) {
      String callId = hex(8);
      boolean unpriced = random.nextInt(15) == 0;
      int attempts = random.nextInt(5) == 0 ? 2 + random.nextInt(2) : 1;
      // a wasted call: its billed attempt's answer was thrown away
      String cause = random.nextInt(5) == 0
          ? (random.nextBoolean() ? "discarded" : "failed_step") : null;
      for (int a = 1; a <= attempts; a++) {
        boolean last = a == attempts;
        t = micros(t.plusMillis(1 + random.nextInt(120_000)));
        BigDecimal cost = !last ? BigDecimal.ZERO // a 429/500: the provider bills nothing
            : unpriced ? null : BigDecimal.valueOf(random.nextLong(50_000_000L), 9);
        // an unbilled failed attempt is never waste; a billed timed-out last attempt may be
        wf.calls.add(new Call(wf.id, callId, hex(8), a, t, cost, last && unpriced,
            last ? cause : null, !last));
      }
    }
    return wf;
  }

  private void addOutcomes(Wf wf) {
    int kind = random.nextInt(10);
    if (kind < 2) {
      return; // unknown
    }
    Instant at = micros(wf.start.plus(Duration.ofMinutes(5 + random.nextInt(600))));
    String status = kind < 7 ? "success" : "failure";
    boolean byKey = wf.hasRoot && random.nextInt(4) == 0; // a key resolves through the root span
    Outcome first = new Outcome("o-" + hex(4), byKey ? null : wf.id, byKey ? wf.externalKey : null,
        status, at);
    outcomes.add(first);
    if (random.nextInt(6) == 0) {
      outcomes.add(first); // the same outcome id again (client retry): counted once
    }
    int later = random.nextInt(10);
    if (later == 0) {
      // a changed verdict within the horizon: the latest report wins
      outcomes.add(new Outcome("o-" + hex(4), wf.id, null, flip(status),
          micros(at.plus(Duration.ofHours(1 + random.nextInt(100))))));
    } else if (later == 1) {
      // past the horizon: ignored
      outcomes.add(new Outcome("o-" + hex(4), wf.id, null, flip(status),
          micros(wf.start.plus(Duration.ofDays(HORIZON_DAYS)).plusSeconds(1 + random.nextInt(9999)))));
    }
  }

  static String flip(String status) {
    return status.equals("success") ? "failure" : "success";
  }

  /** The outcome a workflow has by the rules (latest report within the horizon), or "unknown". */
  String outcomeOf(Wf wf) {
    Instant horizon = (wf.hasRoot ? wf.start : wf.calls.get(0).start())
        .plus(Duration.ofDays(HORIZON_DAYS));
    return outcomes.stream()
        .filter(o -> wf.id.equals(o.workflowId()) || wf.hasRoot && wf.externalKey.equals(o.externalKey()))
        .filter(o -> !o.reportedAt().isAfter(horizon))
        .max(Comparator.comparing(Outcome::reportedAt).thenComparing(Outcome::outcomeId))
        .map(Outcome::status).orElse("unknown");
  }

  /** Failure waste by DESIGN.md: all of a failed workflow's cost, else its wasted calls' cost. */
  BigDecimal wasteOf(Wf wf) {
    return outcomeOf(wf).equals("failure") ? wf.cost() : wf.callWaste();
  }

  BigDecimal totalCost() {
    return workflows.stream().map(Wf::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  /** Writes every row, some of them twice in a second file (as a replay would). */
  void write(LakeWriter writer) throws IOException {
    Instant received = Instant.parse("2026-11-20T00:00:00Z");
    List<Row> calls = new ArrayList<>();
    List<Row> replayed = new ArrayList<>();
    List<Row> roots = new ArrayList<>();
    for (Wf wf : workflows) {
      if (wf.hasRoot) {
        roots.add(Row.builder(LakeTables.WORKFLOW_SPANS)
            .set("workflow_id", wf.id)
            .set("span_id", hex(8))
            .set("workflow_name", wf.name)
            .set("service", "svc")
            .set("source", "api")
            .set("start_time", wf.start)
            .set("end_time", wf.calls.get(wf.calls.size() - 1).start().plusMillis(5))
            .set("error", false)
            .set("tags", Map.of("team", wf.team))
            .set("external_key", wf.externalKey)
            .set("received_at", received)
            .build());
      }
      for (Call c : wf.calls) {
        Row row = Row.builder(LakeTables.CALLS)
            .set("workflow_id", c.workflowId())
            .set("call_id", c.callId())
            .set("span_id", c.spanId())
            .set("kind", "model")
            .set("service", "svc")
            .set("attempt", c.attempt())
            .set("status", c.failed() ? "error" : "ok")
            .set("http_status", c.failed() ? 429 : 200)
            .set("input_tokens", c.failed() ? null : 100L)
            .set("output_tokens", c.failed() ? null : 10L)
            .set("tokens_estimated", false)
            .set("cost_usd", c.cost())
            .set("unpriced", c.unpriced())
            .set("wasted", c.wasteCause() != null)
            .set("waste_cause", c.wasteCause())
            .set("start_time", c.start())
            .set("end_time", c.start().plusMillis(3))
            .set("received_at", received)
            .build();
        calls.add(row);
        if (random.nextInt(10) == 0) {
          replayed.add(row);
        }
      }
    }
    List<Row> outcomeRows = new ArrayList<>();
    for (Outcome o : outcomes) {
      outcomeRows.add(outcomeRow(o, received));
    }
    writeByDay(writer, LakeTables.CALLS, calls, "start_time");
    writeByDay(writer, LakeTables.CALLS, replayed, "start_time");
    writeByDay(writer, LakeTables.WORKFLOW_SPANS, roots, "start_time");
    writeByDay(writer, LakeTables.OUTCOMES, outcomeRows, "reported_at");
  }

  static Row outcomeRow(Outcome o, Instant received) {
    return Row.builder(LakeTables.OUTCOMES)
        .set("outcome_id", o.outcomeId())
        .set("workflow_id", o.workflowId())
        .set("external_key", o.externalKey())
        .set("status", o.status())
        .set("reported_at", o.reportedAt())
        .set("received_at", received)
        .build();
  }

  static void writeByDay(LakeWriter writer, TableSchema table, List<Row> rows, String timeColumn)
      throws IOException {
    Map<LocalDate, List<Row>> byDay = new TreeMap<>();
    for (Row r : rows) {
      byDay.computeIfAbsent(r.dateOf(timeColumn), d -> new ArrayList<>()).add(r);
    }
    for (Map.Entry<LocalDate, List<Row>> e : byDay.entrySet()) {
      writer.write(table, e.getKey(), e.getValue());
    }
  }

  /** Workflows by id, in generation order. */
  Map<String, Wf> byId() {
    Map<String, Wf> m = new LinkedHashMap<>();
    workflows.forEach(w -> m.put(w.id, w));
    return m;
  }
}
