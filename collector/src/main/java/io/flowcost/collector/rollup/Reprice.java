package io.flowcost.collector.rollup;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.Usage;
import io.flowcost.collector.pipeline.CatalogCallCoster;
import io.flowcost.pricing.CallPricer;
import io.flowcost.lake.store.LakeStore;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Re-prices the calls of a range of UTC days from their stored tokens with a given catalog, as a
 * new {@code price_version} in the append-only {@code call_prices} table, then rolls up every day
 * whose workflows hold a re-priced call, so that every view, snapshot and report uses the new
 * prices while the earlier ones stay readable ({@code calls_original}, {@code
 * call_prices_history}, older snapshot versions).
 *
 * <p>Pricing goes through the collector's one pricing path ({@link CatalogCallCoster} over a
 * {@link CallPricer}), on a {@link CallRecord} rebuilt from the stored columns exactly as ingest
 * built it. Only calls whose pricing changes are written, so a second run with the same catalog
 * writes no row (and the rollup it runs reproduces the same figures).
 */
public final class Reprice {

  private static final Logger LOG = Logger.getLogger(Reprice.class.getName());

  /**
   * What one run did.
   *
   * @param priceVersion the version of the rows written (0 when none was written)
   * @param callsRead calls of the range read from the lake
   * @param callsRepriced calls whose pricing changed (rows written)
   * @param costBefore Σ cost_usd of the range's priced calls before the run
   * @param costAfter Σ cost_usd of the range's priced calls after the run
   * @param callsKept calls left with their pricing because their stored token counts are
   *     inconsistent (e.g. cache reads above input): ingest would have refused them
   * @param rollup the rollup run afterwards
   */
  public record Result(long priceVersion, long callsRead, long callsRepriced,
      BigDecimal costBefore, BigDecimal costAfter, long callsKept, Rollup.Result rollup) {}

  private final Rollup rollup;
  private final LakeStore store;
  private final String instanceId;
  private final Clock clock;

  /**
   * @param rollup reads the lake (its views) and rolls up the affected days afterwards
   * @param store where {@code call_prices} files are published (the rollup's store)
   * @param instanceId names the files written (unique per run)
   * @param clock gives the price version (epoch milliseconds) and {@code repriced_at}
   */
  public Reprice(Rollup rollup, LakeStore store, String instanceId, Clock clock) {
    this.rollup = Objects.requireNonNull(rollup, "rollup");
    this.store = Objects.requireNonNull(store, "store");
    this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** One re-priced call, before it is written. */
  private record Priced(CallRecord call, LocalDate partition) {}

  /**
   * Re-prices the calls that started on {@code from}…{@code to} (UTC, inclusive) with {@code
   * pricer} and rolls up the days they affect.
   */
  public Result reprice(LocalDate from, LocalDate to, CallPricer pricer)
      throws SQLException, IOException {
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("--to " + to + " is before --from " + from);
    }
    CatalogCallCoster coster = new CatalogCallCoster(() -> pricer);
    List<Priced> changed = new ArrayList<>();
    Set<String> workflows = new TreeSet<>();
    long read = 0;
    long kept = 0;
    long previousVersion;
    BigDecimal before = BigDecimal.ZERO;
    BigDecimal after = BigDecimal.ZERO;
    try (Connection c = rollup.open()) {
      previousVersion = maxPriceVersion(c);
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT * FROM calls WHERE date BETWEEN ? AND ? ORDER BY start_time, span_id")) {
        ps.setObject(1, from);
        ps.setObject(2, to);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            read++;
            CallRecord stored;
            try {
              stored = call(rs);
            } catch (IllegalArgumentException e) {
              // a row ingest would have refused (written by another tool): keep its pricing
              kept++;
              BigDecimal cost = rs.getBigDecimal("cost_usd");
              before = before.add(cost == null ? BigDecimal.ZERO : cost);
              after = after.add(cost == null ? BigDecimal.ZERO : cost);
              continue;
            }
            CallRecord now = coster.price(stored);
            before = before.add(stored.costUsd() == null ? BigDecimal.ZERO : stored.costUsd());
            after = after.add(now.costUsd() == null ? BigDecimal.ZERO : now.costUsd());
            if (!samePricing(stored, now)) {
              changed.add(new Priced(now, rs.getObject("date", LocalDate.class)));
              workflows.add(now.workflowId());
            }
          }
        }
      }
    }
    long version = 0;
    if (!changed.isEmpty()) {
      version = Math.max(clock.millis(), previousVersion + 1);
      write(changed, version);
    }
    // Always roll up, also when nothing changed: a run interrupted after writing call_prices
    // and before its rollup is completed by running it again.
    Set<LocalDate> days = new TreeSet<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      days.add(d);
    }
    Rollup.Result rolled = rollup.rollupAffected(workflows, List.of(), days);
    LOG.info("reprice " + from + ".." + to + ": " + changed.size() + " of " + read
        + " calls re-priced" + (kept == 0 ? "" : ", " + kept + " kept (inconsistent tokens)")
        + (version == 0 ? "" : " as price version " + version)
        + " with catalog " + pricer.catalog().version());
    return new Result(version, read, changed.size(), before, after, kept, rolled);
  }

  private static long maxPriceVersion(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT coalesce(max(price_version), 0) FROM call_prices_latest")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static boolean samePricing(CallRecord a, CallRecord b) {
    return sameAmount(a.costUsd(), b.costUsd())
        && sameAmount(a.cacheSavingsGrossUsd(), b.cacheSavingsGrossUsd())
        && sameAmount(a.cacheSavingsNetUsd(), b.cacheSavingsNetUsd())
        && a.unpriced() == b.unpriced()
        && Objects.equals(a.catalogVersion(), b.catalogVersion())
        && Objects.equals(a.priceKey(), b.priceKey());
  }

  private static boolean sameAmount(BigDecimal a, BigDecimal b) {
    return a == null ? b == null : b != null && a.compareTo(b) == 0;
  }

  /** Rebuilds the call as ingest built it, from the stored columns (usage NULL ⇒ none reported). */
  static CallRecord call(ResultSet rs) throws SQLException {
    Usage usage = null;
    long input = rs.getLong("input_tokens");
    if (!rs.wasNull()) {
      usage = new Usage(input, longOrZero(rs, "cache_read_tokens"),
          longOrZero(rs, "cache_write_tokens"), longOrZero(rs, "cache_write_1h_tokens"),
          longOrZero(rs, "output_tokens"), longOrZero(rs, "reasoning_tokens"),
          rs.getBoolean("tokens_estimated"), rs.getString("service_tier"));
    }
    int httpStatus = rs.getInt("http_status");
    Integer http = rs.wasNull() ? null : httpStatus;
    return new CallRecord(rs.getString("workflow_id"), rs.getString("call_id"),
        rs.getString("span_id"), rs.getString("parent_span_id"), rs.getString("kind"),
        rs.getString("operation"), rs.getString("service"), rs.getString("provider"),
        rs.getString("request_model"), rs.getString("response_model"), rs.getInt("attempt"),
        rs.getString("status"), rs.getString("error_type"), http,
        rs.getString("finish_reason"), rs.getBoolean("streaming"), usage,
        rs.getBigDecimal("cost_usd"), rs.getBigDecimal("cache_savings_gross_usd"),
        rs.getBigDecimal("cache_savings_net_usd"), rs.getBoolean("unpriced"),
        rs.getBoolean("wasted"), rs.getString("waste_cause"), rs.getString("tool_name"),
        rs.getString("http_host"), rs.getString("http_path"), instant(rs, "start_time"),
        instant(rs, "end_time"), rs.getString("catalog_version"), rs.getString("price_key"),
        instant(rs, "received_at"), rs.getBigDecimal("provider_cost_usd"));
  }

  private static long longOrZero(ResultSet rs, String column) throws SQLException {
    return rs.getLong(column); // SQL NULL reads as 0, as ingest's absent count is 0
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  /** Publishes the changed pricings, one file per start day, through DuckDB (as rollups are). */
  private void write(List<Priced> rows, long version) throws SQLException, IOException {
    Instant repricedAt = clock.instant();
    Path tmp = Files.createTempDirectory("flowcost-reprice");
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      st.execute("CREATE TEMP TABLE p (span_id VARCHAR, workflow_id VARCHAR,"
          + " price_version BIGINT, cost_usd DECIMAL(18,9), cache_savings_gross_usd DECIMAL(18,9),"
          + " cache_savings_net_usd DECIMAL(18,9), unpriced BOOLEAN, catalog_version VARCHAR,"
          + " price_key VARCHAR, start_time TIMESTAMPTZ, repriced_at TIMESTAMPTZ, day DATE)");
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO p VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (Priced r : rows) {
          CallRecord call = r.call();
          ps.setString(1, call.spanId());
          ps.setString(2, call.workflowId());
          ps.setLong(3, version);
          ps.setBigDecimal(4, call.costUsd());
          ps.setBigDecimal(5, call.cacheSavingsGrossUsd());
          ps.setBigDecimal(6, call.cacheSavingsNetUsd());
          ps.setBoolean(7, call.unpriced());
          ps.setString(8, call.catalogVersion());
          ps.setString(9, call.priceKey());
          ps.setObject(10, call.startTime().atOffset(java.time.ZoneOffset.UTC));
          ps.setObject(11, repricedAt.atOffset(java.time.ZoneOffset.UTC));
          ps.setObject(12, r.partition());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      Set<LocalDate> days = new TreeSet<>();
      rows.forEach(r -> days.add(r.partition()));
      for (LocalDate day : days) {
        Path file = tmp.resolve("call_prices-" + day + ".parquet");
        st.execute("COPY (SELECT * EXCLUDE (day) FROM p WHERE day = DATE '" + day + "'"
            + " ORDER BY start_time, span_id) TO '" + file.toString().replace("'", "''")
            + "' (FORMAT parquet, COMPRESSION zstd, KV_METADATA {'flowcost.table': 'call_prices',"
            + " 'flowcost.schema_version': '1', 'flowcost.version': '" + version + "'})");
        store.publish("call_prices/date=" + day + "/" + version + "-" + instanceId + ".parquet",
            file);
      }
    } finally {
      try (var files = Files.walk(tmp)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
