package io.flowcost.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.report.IntentReport;
import io.flowcost.collector.rollup.LakeViews;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code reprice} (issue 11, item 4): re-prices a day's calls from their stored tokens and served
 * tier with the catalog in force as a new version; {@code workflows_latest}, {@code
 * cost_per_outcome_latest} and {@code report} move by exactly the hand-computed difference, other
 * days do not move, the old figures stay queryable, a second run changes nothing, and a malformed
 * overlay is refused with nothing written.
 */
class RepriceCommandTest {

  private static final LocalDate DAY = LocalDate.parse("2026-11-02");
  private static final LocalDate OTHER_DAY = LocalDate.parse("2026-11-03");
  private static final Instant RECEIVED = Instant.parse("2026-11-04T00:00:00Z");
  private static final BigDecimal MILLION = new BigDecimal("1000000");

  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream sysout = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try {
      System.setOut(new PrintStream(sysout, true, StandardCharsets.UTF_8));
      code = new CommandLine(new FlowcostCollector()).setOut(new PrintWriter(out, true))
          .setErr(new PrintWriter(err, true)).execute(args);
    } finally {
      System.setOut(old);
    }
    return new Run(code, out + sysout.toString(StandardCharsets.UTF_8), err.toString());
  }

  /** tokens × USD per million tokens, exact. */
  private static BigDecimal usd(long tokens, String perMillion) {
    return new BigDecimal(tokens).multiply(new BigDecimal(perMillion))
        .divide(MILLION);
  }

  // gpt-4o-mini, bundled: input 0.15, cache read 0.075, output 0.60; batch ×0.5.
  // The overlay: input 1.00, cache read 0.50, output 2.00; batch ×0.5.
  private static final BigDecimal A1_OLD = usd(1000, "0.15").add(usd(200, "0.60"));
  private static final BigDecimal A1_NEW = usd(1000, "1.00").add(usd(200, "2.00"));
  private static final BigDecimal A2_OLD =
      usd(600, "0.15").add(usd(400, "0.075")).add(usd(100, "0.60"));
  private static final BigDecimal A2_NEW =
      usd(600, "1.00").add(usd(400, "0.50")).add(usd(100, "2.00"));
  private static final BigDecimal B1_OLD =
      usd(1000, "0.15").add(usd(200, "0.60")).multiply(new BigDecimal("0.5"));
  private static final BigDecimal B1_NEW =
      usd(1000, "1.00").add(usd(200, "2.00")).multiply(new BigDecimal("0.5"));
  private static final BigDecimal C1 = usd(1000, "0.15").add(usd(200, "0.60"));

  private Path lake() throws Exception {
    Path lake = tmp.resolve("lake");
    LakeWriter writer = LakeWriter.builder(new LocalDirectoryStore(lake), "w")
        .scratchDirectory(tmp).build();
    writer.write(LakeTables.WORKFLOW_SPANS, DAY, List.of(
        root("wf-a", "2026-11-02T10:00:00Z"), root("wf-b", "2026-11-02T11:00:00Z")));
    writer.write(LakeTables.WORKFLOW_SPANS, OTHER_DAY, List.of(
        root("wf-c", "2026-11-03T10:00:00Z")));
    writer.write(LakeTables.CALLS, DAY, List.of(
        call("a1", "wf-a", "2026-11-02T10:00:01Z", 1000L, 0L, 200L, null, A1_OLD, "ok"),
        call("a2", "wf-a", "2026-11-02T10:00:02Z", 1000L, 400L, 100L, null, A2_OLD, "ok"),
        // failed before the provider reported usage: costs exactly 0, before and after
        call("b0", "wf-b", "2026-11-02T11:00:01Z", null, null, null, null, BigDecimal.ZERO,
            "error"),
        // served as batch: the stored served tier is re-priced too
        call("b1", "wf-b", "2026-11-02T11:00:02Z", 1000L, 0L, 200L, "batch", B1_OLD, "ok")));
    writer.write(LakeTables.CALLS, OTHER_DAY, List.of(
        call("c1", "wf-c", "2026-11-03T10:00:01Z", 1000L, 0L, 200L, null, C1, "ok")));
    writer.write(LakeTables.OUTCOMES, DAY, List.of(
        outcome("o-a", "wf-a", "success", "2026-11-02T12:00:00Z"),
        outcome("o-b", "wf-b", "failure", "2026-11-02T12:00:00Z")));
    writer.write(LakeTables.OUTCOMES, OTHER_DAY, List.of(
        outcome("o-c", "wf-c", "success", "2026-11-03T12:00:00Z")));
    return lake;
  }

  private Path overlay() throws Exception {
    Path file = tmp.resolve("prices.json");
    Files.writeString(file, """
        {"version": "corrected-1", "models": [
          {"provider": "openai", "model": "gpt-4o-mini", "kind": "chat",
           "input": "1.00", "cache_read": "0.50", "output": "2.00",
           "service_tiers": {"batch": {"multiplier": "0.5"}}}]}
        """);
    return file;
  }

  @Test
  void repricingADayMovesEveryFigureByTheHandComputedDifferenceAndKeepsTheOldOnes()
      throws Exception {
    Path lake = lake();
    Path prices = overlay();
    assertThat(run("rollup", "--lake", lake.toString()).code()).isEqualTo(0);
    assertThat(A1_OLD).isEqualByComparingTo("0.00027"); // the hand figures are what we think
    Map<String, BigDecimal> before = workflowCosts(lake);
    assertThat(before).containsExactlyInAnyOrderEntriesOf(costs(
        "wf-a", A1_OLD.add(A2_OLD), "wf-b", B1_OLD, "wf-c", C1));
    long oldSnapshot = single(lake, "SELECT max(version) FROM workflows_latest");
    BigDecimal reportBefore = reportTotal(lake);
    assertThat(reportBefore).isEqualByComparingTo(A1_OLD.add(A2_OLD).add(B1_OLD).add(C1));

    Run r = run("reprice", "--lake", lake.toString(), "--from", DAY.toString(), "--to",
        DAY.toString(), "--prices", prices.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(0);
    // b0 (no usage, failed) keeps cost 0 but its catalog version changes: 4 of 4 written
    assertThat(r.out()).contains("re-priced 4 of 4 calls on 2026-11-02..2026-11-02")
        .contains("+corrected-1");

    // workflows_latest: exactly the hand-computed new figures; the other day untouched
    assertThat(workflowCosts(lake)).containsExactlyInAnyOrderEntriesOf(costs(
        "wf-a", A1_NEW.add(A2_NEW), "wf-b", B1_NEW, "wf-c", C1));
    assertThat(scalar(lake, "SELECT failure_waste_usd FROM workflows_latest"
        + " WHERE workflow_id = 'wf-b'")).isEqualByComparingTo(B1_NEW);
    // cost_per_outcome_latest: the day's group moves by the difference; the other day does not
    BigDecimal diff = A1_NEW.subtract(A1_OLD).add(A2_NEW.subtract(A2_OLD))
        .add(B1_NEW.subtract(B1_OLD));
    assertThat(diff).isEqualByComparingTo("0.002515"); // 0.00113 + 0.00082 + 0.000565
    assertThat(scalar(lake, "SELECT total_cost_usd FROM cost_per_outcome_latest"
        + " WHERE day = DATE '2026-11-02'"))
        .isEqualByComparingTo(A1_OLD.add(A2_OLD).add(B1_OLD).add(diff));
    assertThat(scalar(lake, "SELECT cost_per_success_usd FROM cost_per_outcome_latest"
        + " WHERE day = DATE '2026-11-02'"))
        .isEqualByComparingTo(A1_NEW.add(A2_NEW).add(B1_NEW)); // one success on the day
    assertThat(scalar(lake, "SELECT total_cost_usd FROM cost_per_outcome_latest"
        + " WHERE day = DATE '2026-11-03'")).isEqualByComparingTo(C1);
    // report (snapshots) and its CLI: the total moved by exactly the difference
    assertThat(reportTotal(lake)).isEqualByComparingTo(reportBefore.add(diff));
    Run report = run("report", "--lake", lake.toString(), "--data-dir",
        tmp.resolve("no-data-dir").toString());
    assertThat(report.code()).as(report.err()).isEqualTo(0);
    assertThat(report.out()).contains("answer");
    // the calls view carries the new pricing; tokens and waste flags are the call's own
    assertThat(scalar(lake, "SELECT cache_savings_gross_usd FROM calls WHERE span_id = 'a2'"))
        .isEqualByComparingTo(usd(400, "1.00").subtract(usd(400, "0.50")));
    assertThat(scalar(lake, "SELECT cost_usd FROM calls WHERE span_id = 'b0'"))
        .isEqualByComparingTo("0");
    assertThat(single(lake, "SELECT count(*) FROM calls WHERE catalog_version LIKE"
        + " '%+corrected-1' AND start_time < TIMESTAMPTZ '2026-11-03 00:00:00+00'")).isEqualTo(4);
    assertThat(text(lake, "SELECT catalog_version FROM calls WHERE span_id = 'c1'"))
        .isEqualTo("bundled");

    // the old figures stay queryable: per call, and the old snapshot by its version
    assertThat(scalar(lake, "SELECT cost_usd FROM calls_original WHERE span_id = 'a1'"))
        .isEqualByComparingTo(A1_OLD);
    List<List<String>> history = rows(lake, "SELECT price_version = 0, cost_usd, catalog_version,"
        + " priced_at IS NOT NULL FROM call_prices_history WHERE span_id = 'a1'");
    assertThat(history).hasSize(2);
    assertThat(history.get(0).subList(0, 2))
        .containsExactly("false", A1_NEW.setScale(9).toPlainString());
    assertThat(history.get(0).get(2)).endsWith("+corrected-1");
    assertThat(history.get(1).subList(0, 3))
        .containsExactly("true", A1_OLD.setScale(9).toPlainString(), "bundled");
    assertThat(history).allSatisfy(row -> assertThat(row.get(3)).isEqualTo("true"));
    assertThat(scalar(lake, "SELECT cost_usd FROM workflows_snapshots WHERE workflow_id = 'wf-a'"
        + " AND version = " + oldSnapshot)).isEqualByComparingTo(A1_OLD.add(A2_OLD));

    // the files written have the documented schema: LakeTables.CALL_PRICES, and lake.sql's
    // typed empty stand-in column for column (names and types)
    assertThat(rows(lake, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM"
        + " read_parquet('" + lake + "/call_prices/date=*/*.parquet', hive_partitioning = true))"))
        .isEqualTo(rows(lake, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM"
            + " flowcost_empty_call_prices)"));
    List<String> names = new ArrayList<>();
    LakeTables.CALL_PRICES.columns().forEach(col -> names.add(col.name()));
    names.add("date");
    assertThat(rows(lake, "SELECT column_name FROM (DESCRIBE SELECT * FROM"
        + " flowcost_empty_call_prices)").stream().map(row -> row.get(0)).toList())
        .isEqualTo(names);

    // again, same catalog: nothing written, same totals, no duplicate row in any view
    List<Path> files = files(lake.resolve("call_prices"));
    Run again = run("reprice", "--lake", lake.toString(), "--from", DAY.toString(), "--to",
        DAY.toString(), "--prices", prices.toString());
    assertThat(again.code()).as(again.err()).isEqualTo(0);
    assertThat(again.out()).contains("re-priced 0 of 4 calls").contains("nothing written");
    assertThat(files(lake.resolve("call_prices"))).isEqualTo(files);
    assertThat(workflowCosts(lake)).containsExactlyInAnyOrderEntriesOf(costs(
        "wf-a", A1_NEW.add(A2_NEW), "wf-b", B1_NEW, "wf-c", C1));
    assertThat(reportTotal(lake)).isEqualByComparingTo(reportBefore.add(diff));
    assertThat(single(lake, "SELECT count(*) FROM calls")).isEqualTo(5);
    assertThat(single(lake, "SELECT count(*) FROM workflows_latest")).isEqualTo(3);
    assertThat(single(lake, "SELECT count(*) FROM cost_per_outcome_latest")).isEqualTo(2);
    assertThat(single(lake, "SELECT count(*) FROM call_prices_history")).isEqualTo(5 + 4);

    // back to the bundled catalog: a newer version that restores the original figures
    Run back = run("reprice", "--lake", lake.toString(), "--from", DAY.toString(), "--to",
        DAY.toString());
    assertThat(back.code()).as(back.err()).isEqualTo(0);
    assertThat(workflowCosts(lake)).containsExactlyInAnyOrderEntriesOf(before);
    assertThat(single(lake, "SELECT count(*) FROM call_prices_history WHERE span_id = 'a1'"))
        .isEqualTo(3);
  }

  @Test
  void aStoredRowWithInconsistentTokensKeepsItsPricingAndTheRestIsRepriced() throws Exception {
    Path lake = lake();
    LakeWriter writer = LakeWriter.builder(new LocalDirectoryStore(lake), "w2")
        .scratchDirectory(tmp).build();
    // cache reads above input: ingest refuses such a row; another tool may have written it
    writer.write(LakeTables.CALLS, DAY, List.of(call("bad", "wf-a", "2026-11-02T10:00:03Z",
        100L, 400L, 10L, null, new BigDecimal("0.000100000"), "ok")));
    Run r = run("reprice", "--lake", lake.toString(), "--from", DAY.toString(), "--to",
        DAY.toString(), "--prices", overlay().toString());
    assertThat(r.code()).as(r.err()).isEqualTo(0);
    assertThat(r.out()).contains("re-priced 4 of 5 calls").contains("1 call(s) kept their pricing");
    assertThat(scalar(lake, "SELECT cost_usd FROM calls WHERE span_id = 'bad'"))
        .isEqualByComparingTo("0.0001");
    assertThat(workflowCosts(lake)).containsEntry("wf-a",
        A1_NEW.add(A2_NEW).add(new BigDecimal("0.0001")).stripTrailingZeros());
  }

  @Test
  void aMalformedOverlayIsRefusedNamingTheEntryAndNothingIsWritten() throws Exception {
    Path lake = lake();
    assertThat(run("rollup", "--lake", lake.toString()).code()).isEqualTo(0);
    List<Path> before = files(lake);
    Path broken = tmp.resolve("broken.json");
    Files.writeString(broken, """
        {"version": "bad", "models": [
          {"provider": "openai", "model": "gpt-4o-mini", "input": "FILL_ME", "output": "2"}]}
        """);
    Run r = run("reprice", "--lake", lake.toString(), "--from", DAY.toString(), "--to",
        DAY.toString(), "--prices", broken.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("gpt-4o-mini").contains("input").contains("nothing was re-priced");
    assertThat(files(lake)).isEqualTo(before);
    assertThat(workflowCosts(lake)).containsEntry("wf-a", A1_OLD.add(A2_OLD).stripTrailingZeros());
  }

  @Test
  void aPathThatIsNotALakeOrABackwardRangeIsRefused() throws Exception {
    Path typo = tmp.resolve("flowcost-lak");
    Run r = run("reprice", "--lake", typo.toString(), "--from", "2026-11-02", "--to",
        "2026-11-02");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("flowcost-collector reprice: no Flowcost lake at " + typo);
    assertThat(typo).doesNotExist();
    Path lake = lake();
    Run backwards = run("reprice", "--lake", lake.toString(), "--from", "2026-11-03", "--to",
        "2026-11-02");
    assertThat(backwards.code()).isEqualTo(2);
    assertThat(backwards.err()).contains("--to 2026-11-02 is before --from 2026-11-03");
    assertThat(lake.resolve("call_prices")).doesNotExist();
  }

  @Test
  void helpDescribesEveryOption() {
    Run r = run("reprice", "--help");
    assertThat(r.code()).isEqualTo(0);
    for (String option : List.of("--from", "--to", "--prices", "--lake", "--horizon-days")) {
      assertThat(r.out()).contains(option);
    }
    assertThat(r.out()).contains("calls_original").contains("nothing is written");
  }

  private static Map<String, BigDecimal> workflowCosts(Path lake) throws Exception {
    Map<String, BigDecimal> out = new LinkedHashMap<>();
    for (List<String> row : rows(lake, "SELECT workflow_id, cost_usd FROM workflows_latest")) {
      out.put(row.get(0), new BigDecimal(row.get(1)).stripTrailingZeros());
    }
    return out;
  }

  private static BigDecimal reportTotal(Path lake) throws Exception {
    List<IntentReport.Line> lines = new IntentReport(lake, false).lines();
    IntentReport.Line total = lines.get(lines.size() - 1);
    assertThat(total.intent()).isEqualTo("TOTAL");
    return total.cost();
  }

  private static List<List<String>> rows(Path lake, String sql) throws Exception {
    List<List<String>> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      LakeViews.install(c, lake, 7);
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<String> row = new ArrayList<>();
          for (int i = 1; i <= n; i++) {
            Object v = rs.getObject(i);
            row.add(v instanceof BigDecimal d ? d.toPlainString() : String.valueOf(v));
          }
          out.add(row);
        }
      }
    }
    return out;
  }

  private static BigDecimal scalar(Path lake, String sql) throws Exception {
    List<List<String>> r = rows(lake, sql);
    assertThat(r).as(sql).hasSize(1);
    return new BigDecimal(r.get(0).get(0));
  }

  private static long single(Path lake, String sql) throws Exception {
    return scalar(lake, sql).longValueExact();
  }

  private static String text(Path lake, String sql) throws Exception {
    List<List<String>> r = rows(lake, sql);
    assertThat(r).as(sql).hasSize(1);
    return r.get(0).get(0);
  }

  private static List<Path> files(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  private static Row root(String id, String start) {
    Instant t = Instant.parse(start);
    return Row.builder(LakeTables.WORKFLOW_SPANS)
        .set("workflow_id", id)
        .set("span_id", "s-" + id)
        .set("workflow_name", "answer")
        .set("service", "svc")
        .set("source", "api")
        .set("start_time", t)
        .set("end_time", t.plusSeconds(5))
        .set("error", false)
        .set("tags", Map.of())
        .set("received_at", RECEIVED)
        .build();
  }

  private static Row call(String span, String workflowId, String start, Long input,
      Long cacheRead, Long output, String tier, BigDecimal cost, String status) {
    Instant t = Instant.parse(start);
    boolean usage = input != null;
    return Row.builder(LakeTables.CALLS)
        .set("workflow_id", workflowId)
        .set("call_id", "c-" + span)
        .set("span_id", span)
        .set("kind", "model")
        .set("service", "svc")
        .set("provider", "openai")
        .set("request_model", "gpt-4o-mini")
        .set("response_model", usage ? "gpt-4o-mini-2024-07-18" : null)
        .set("attempt", 1)
        .set("status", status)
        .set("http_status", usage ? 200 : 503)
        .set("service_tier", tier)
        .set("input_tokens", input)
        .set("cache_read_tokens", usage ? cacheRead : null)
        .set("cache_write_tokens", usage ? 0L : null)
        .set("cache_write_1h_tokens", usage ? 0L : null)
        .set("output_tokens", output)
        .set("reasoning_tokens", usage ? 0L : null)
        .set("tokens_estimated", false)
        .set("cost_usd", cost.setScale(9))
        .set("cache_savings_gross_usd", BigDecimal.ZERO.setScale(9))
        .set("cache_savings_net_usd", BigDecimal.ZERO.setScale(9))
        .set("unpriced", false)
        .set("wasted", false)
        .set("start_time", t)
        .set("end_time", t.plusMillis(3))
        .set("catalog_version", "bundled")
        .set("price_key", "openai/gpt-4o-mini")
        .set("received_at", RECEIVED)
        .build();
  }

  private static Row outcome(String id, String workflowId, String status, String reportedAt) {
    return Row.builder(LakeTables.OUTCOMES)
        .set("outcome_id", id)
        .set("workflow_id", workflowId)
        .set("status", status)
        .set("reported_at", Instant.parse(reportedAt))
        .set("received_at", RECEIVED)
        .build();
  }

  /** Workflow id → cost, amounts without trailing zeros so that equal amounts are equal. */
  private static Map<String, BigDecimal> costs(Object... idAndCost) {
    Map<String, BigDecimal> out = new LinkedHashMap<>();
    for (int i = 0; i < idAndCost.length; i += 2) {
      out.put((String) idAndCost[i], ((BigDecimal) idAndCost[i + 1]).stripTrailingZeros());
    }
    return out;
  }
}
