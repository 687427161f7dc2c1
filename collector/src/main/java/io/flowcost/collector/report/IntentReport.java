package io.flowcost.collector.report;

import io.flowcost.collector.SafeText;
import io.flowcost.collector.rollup.LakeRead;
import io.flowcost.collector.rollup.LakeViews;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-intent table: workflows, success rate, cost, failure waste, cost per successful
 * outcome, cache savings and unpriced calls, read from the lake's views.
 *
 * <p>Workflow, provider and model names come from requests: they are printed through {@link
 * SafeText}, so none can send escape sequences (colour, window title, clear screen) to the
 * terminal or break the table's lines.
 *
 * <p>Each read lists the lake afresh and is retried when a concurrent {@code compact} deleted a
 * file it listed ({@link LakeRead}).
 */
public final class IntentReport {

  /** One line of the table: an intent of one service, or the total ({@code intent} "TOTAL"). */
  public record Line(String intent, String service, long workflows, long successes, long failures, long unknown,
      BigDecimal cost, BigDecimal waste, BigDecimal costPerSuccess, BigDecimal savingsGross,
      BigDecimal savingsNet, long unpricedCalls) {}

  private final Path lake;
  private final boolean live;
  private final Listed listed;

  /** Told each time the views have listed the lake (tests run a compaction there). */
  interface Listed {
    void listed() throws SQLException, IOException;
  }

  /**
   * @param live read the facts directly ({@code cost_per_outcome_derived}) instead of the rolled-up
   *     snapshots ({@code cost_per_outcome_latest})
   */
  public IntentReport(Path lake, boolean live) {
    this(lake, live, () -> { });
  }

  IntentReport(Path lake, boolean live, Listed listed) {
    this.lake = lake;
    this.live = live;
    this.listed = listed;
  }

  /** A read on a connection of its own, from a fresh listing. */
  private interface Query<T> {
    T on(Connection c) throws SQLException, IOException;
  }

  private <T> T read(Query<T> query) throws SQLException, IOException {
    return LakeRead.retrying(lake, () -> {
      try (Connection c = open()) {
        return query.on(c);
      }
    });
  }

  /** Reads the table; the last line is the total. */
  public List<Line> lines() throws SQLException, IOException {
    return read(c -> lines(c, query()));
  }

  private String query() {
    String source = live ? "cost_per_outcome_derived" : "cost_per_outcome_latest";
    return "WITH g AS (SELECT coalesce(workflow_name, '(unnamed)') AS intent,"
        + " coalesce(service, '(none)') AS svc, * EXCLUDE (workflow_name)"
        + " FROM " + source + ")"
        + " SELECT intent, svc, sum(workflows), sum(successes), sum(failures), sum(unknown),"
        + " CAST(sum(total_cost_usd) AS DECIMAL(18,9)), CAST(sum(failure_waste_usd) AS DECIMAL(18,9)),"
        + " flowcost_cost_per_success(sum(total_cost_usd), sum(successes)),"
        + " CAST(sum(cache_savings_gross_usd) AS DECIMAL(18,9)),"
        + " CAST(sum(cache_savings_net_usd) AS DECIMAL(18,9)), sum(unpriced_calls)"
        + " FROM g GROUP BY GROUPING SETS ((intent, svc), ())"
        + " ORDER BY GROUPING(intent), sum(total_cost_usd) DESC, intent, svc";
  }

  private static List<Line> lines(Connection c, String sql) throws SQLException {
    List<Line> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(new Line(rs.getString(1) == null ? "TOTAL" : rs.getString(1),
            rs.getString(2) == null ? "" : rs.getString(2), rs.getLong(3),
            rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getBigDecimal(7),
            rs.getBigDecimal(8), rs.getBigDecimal(9), rs.getBigDecimal(10), rs.getBigDecimal(11),
            rs.getLong(12)));
      }
    }
    return out;
  }

  private Connection open() throws SQLException, IOException {
    Connection c = DriverManager.getConnection("jdbc:duckdb:");
    try {
      LakeViews.install(c, lake, 7);
      listed.listed();
      return c;
    } catch (SQLException | IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Unpriced calls per provider/model, for the unpriced bucket. */
  public List<String> unpricedModels() throws SQLException, IOException {
    return read(IntentReport::unpricedModels);
  }

  private static List<String> unpricedModels(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    for (Unpriced u : unpriced(c)) {
      out.add(SafeText.of(u.provider() + "/" + u.model()) + ": " + u.calls() + " calls");
    }
    return out;
  }

  /**
   * A model seen unpriced: provider and model as reported ({@code "?"} when missing; raw text
   * from requests — escape before printing) and how many calls.
   */
  public record Unpriced(String provider, String model, long calls) {}

  /** Models seen unpriced in the lake, most calls first. */
  public List<Unpriced> unpriced() throws SQLException, IOException {
    return read(IntentReport::unpriced);
  }

  private static List<Unpriced> unpriced(Connection c) throws SQLException {
    List<Unpriced> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT coalesce(provider, '?'), coalesce(response_model, request_model, '?'),"
            + " count(*) FROM calls WHERE unpriced GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2")) {
      while (rs.next()) {
        out.add(new Unpriced(rs.getString(1), rs.getString(2), rs.getLong(3)));
      }
    }
    return out;
  }

  /**
   * A cap a workflow reached (a {@code cap_breaches} row) with what the workflow spent in the
   * lake: its model calls and their priced cost ({@code null} when none was priced). Names are
   * raw text from requests — escape before printing.
   */
  public record Breach(String workflowName, String workflowId, String service, String capKind,
      BigDecimal limit, BigDecimal spent, String unit, String mode, boolean enforced,
      long modelCalls, BigDecimal workflowCost) {}

  /** Every cap breach in the lake, oldest first. */
  public List<Breach> breaches() throws SQLException, IOException {
    return read(IntentReport::breaches);
  }

  private static List<Breach> breaches(Connection c) throws SQLException {
    List<Breach> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT b.workflow_name, b.workflow_id, b.service, b.cap_kind, b.cap_limit, b.spent,"
            + " b.unit, b.mode, b.enforced, coalesce(t.model_calls, 0), t.cost"
            + " FROM cap_breaches b LEFT JOIN (SELECT workflow_id,"
            + " count(DISTINCT call_id) FILTER (WHERE kind = 'model') AS model_calls,"
            + " CAST(sum(cost_usd) AS DECIMAL(18,9)) AS cost FROM calls GROUP BY workflow_id) t"
            + " ON t.workflow_id = b.workflow_id ORDER BY b.breached_at, b.span_id")) {
      while (rs.next()) {
        out.add(new Breach(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getBigDecimal(5), rs.getBigDecimal(6), rs.getString(7), rs.getString(8),
            rs.getBoolean(9), rs.getLong(10), rs.getBigDecimal(11)));
      }
    }
    return out;
  }

  /**
   * One report line for a breach: an enforced one says where the cap stopped the workflow
   * ("stopped at $X after N model calls" — what it would have spent unstopped is unknowable, so
   * no saving is invented); a warned one what the workflow went on to spend.
   */
  public static String describe(Breach b) {
    String cost = b.workflowCost() == null ? "unpriced" : "$" + money(b.workflowCost());
    String unit = b.unit() == null ? "" : " " + b.unit();
    return SafeText.of(b.workflowName() == null ? "(unnamed)" : b.workflowName(), 80)
        + " [" + SafeText.of(b.service() == null ? "?" : b.service(), 40) + "] "
        + b.capKind() + "=" + plain(b.limit()) + unit + " reached at " + plain(b.spent()) + unit
        + (b.enforced()
            ? ": stopped at " + cost + " after " + b.modelCalls() + " model calls"
            : ": warned (" + (b.mode() == null ? "warn" : b.mode()) + "), went on to " + cost
                + " in " + b.modelCalls() + " model calls")
        + " (workflow " + b.workflowId() + ")";
  }

  private static String plain(BigDecimal v) {
    return v == null ? "?" : v.stripTrailingZeros().toPlainString();
  }

  /** What {@link #print} prints, read from one listing. */
  private record Table(List<Line> lines, List<String> unpriced, List<Breach> breaches) {}

  /** Prints the table. */
  public void print(PrintStream out) throws SQLException, IOException {
    // read whole before printing: a read retried after a compaction prints nothing twice
    Table t = read(c -> new Table(lines(c, query()), unpricedModels(c), breaches(c)));
    print(out, t.lines(), t.unpriced());
    if (!t.breaches().isEmpty()) {
      out.println();
      out.println("Cap breaches (" + t.breaches().size() + "):");
      for (Breach b : t.breaches()) {
        out.println("  " + describe(b));
      }
    }
  }

  private void print(PrintStream out, List<Line> lines, List<String> unpriced) {
    if (lines.size() <= 1 && (lines.isEmpty() || lines.get(0).workflows() == 0)) {
      out.println((live ? "No workflows in the lake at " + lake + " yet."
          : "No rolled-up workflows in the lake at " + lake
              + " yet: run 'flowcost-collector rollup --lake " + lake + "' or 'report --live'.")
          + " A collector writes accepted rows to the lake every --flush-interval (default 60s)"
          + " and when it stops (SIGTERM), and rolls them up --rollup-delay (default 5s) later.");
      return;
    }
    String header = String.format("%-34s %-20s %9s %8s %8s %8s %8s %14s %14s %14s %13s %13s %8s",
        "intent", "service", "workflows", "success", "failure", "unknown", "success%", "cost_usd",
        "waste_usd", "cost/success", "cache_gross", "cache_net", "unpriced");
    out.println(header);
    out.println("-".repeat(header.length()));
    for (Line l : lines) {
      if (l.intent().equals("TOTAL")) {
        out.println("-".repeat(header.length()));
      }
      String rate = l.workflows() == 0 ? "-"
          : BigDecimal.valueOf(l.successes() * 100L)
              .divide(BigDecimal.valueOf(l.workflows()), 1, RoundingMode.HALF_EVEN) + "%";
      out.println(String.format("%-34s %-20s %9d %8d %8d %8d %8s %14s %14s %14s %13s %13s %8d",
          truncate(SafeText.of(l.intent(), 34), 34), truncate(SafeText.of(l.service(), 20), 20),
          l.workflows(), l.successes(), l.failures(), l.unknown(), rate,
          money(l.cost()), money(l.waste()), l.costPerSuccess() == null ? "-" : money(l.costPerSuccess()),
          money(l.savingsGross()), money(l.savingsNet()), l.unpricedCalls()));
    }
    out.println();
    out.println(unpriced.isEmpty() ? "Unpriced calls: none (cost complete)."
        : "Unpriced calls (cost NULL, not in totals; add them with --prices): "
            + String.join(", ", unpriced));
  }

  /** One line of {@code provider_cost_daily}: provider-reported vs catalog cost per day and model. */
  public record ProviderCost(java.time.LocalDate day, String provider, String model, long calls,
      long unpricedCalls, BigDecimal catalogCost, BigDecimal providerCost, BigDecimal difference) {}

  /** The {@code provider_cost_daily} view, newest day first, largest difference first. */
  public List<ProviderCost> providerCost() throws SQLException, IOException {
    return read(IntentReport::providerCost);
  }

  private static List<ProviderCost> providerCost(Connection c) throws SQLException {
    List<ProviderCost> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT day, provider, model, calls, unpriced_calls, catalog_cost_usd,"
            + " provider_cost_usd, difference_usd FROM provider_cost_daily"
            + " ORDER BY day DESC, abs(difference_usd) DESC NULLS LAST, provider, model")) {
      while (rs.next()) {
        out.add(new ProviderCost(rs.getObject(1, java.time.LocalDate.class), rs.getString(2),
            rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getBigDecimal(6),
            rs.getBigDecimal(7), rs.getBigDecimal(8)));
      }
    }
    return out;
  }

  /** Prints the provider-reported cost section ({@code report --provider-cost}). */
  public void printProviderCost(PrintStream out) throws SQLException, IOException {
    List<ProviderCost> rows = providerCost();
    out.println();
    if (rows.isEmpty()) {
      out.println("Provider-reported cost: no call carries one (OpenRouter usage.cost, a LiteLLM"
          + " proxy's x-litellm-response-cost, gen_ai.usage.cost.amount).");
      return;
    }
    out.println("Provider-reported cost vs catalog cost (catalog cost stays the number above):");
    String header = String.format("%-10s %-40s %7s %8s %14s %14s %14s", "day", "provider/model",
        "calls", "unpriced", "catalog_usd", "provider_usd", "difference");
    out.println(header);
    out.println("-".repeat(header.length()));
    for (ProviderCost r : rows) {
      out.println(String.format("%-10s %-40s %7d %8d %14s %14s %14s", r.day(),
          truncate(SafeText.of(r.provider() + "/" + r.model(), 40), 40), r.calls(),
          r.unpricedCalls(), money(r.catalogCost()), money(r.providerCost()),
          money(r.difference())));
    }
  }

  private static String money(BigDecimal v) {
    return v == null ? "-" : v.setScale(6, RoundingMode.HALF_EVEN).toPlainString();
  }

  private static String truncate(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
