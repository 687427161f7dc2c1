package io.flowcost.collector.rollup;

import io.flowcost.lake.store.LocalDirectoryStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link Rollup#rollupAffected} of the last day, and of the last three days, scoped ({@link
 * RollupScope}) against the whole derivation, interleaved in one process: process CPU (DuckDB's
 * threads included) and wall time per rollup, and whether both published the same rows.
 *
 * <p>Not a test: run by hand over a lake work directory whose fact tables are symbolic links to a
 * generated lake (notebooks/lake_benchmark.py's layout; the rollup writes {@code workflows},
 * {@code cost_per_outcome} and {@code rollups} there):
 * <pre>
 * java -cp collector/target/classes:collector/target/test-classes:$(cat cp.txt) \
 *   io.flowcost.collector.rollup.RollupAffectedBenchmark &lt;lake dir&gt; &lt;rounds&gt;
 * </pre>
 */
public final class RollupAffectedBenchmark {

  private RollupAffectedBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path lake = Path.of(args[0]);
    int rounds = Integer.parseInt(args[1]);
    Rollup rollup = new Rollup(lake, new LocalDirectoryStore(lake), "bench", 7, Clock.systemUTC());
    TreeSet<LocalDate> all = new TreeSet<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT DISTINCT date FROM read_parquet('"
            + lake.resolve("workflow_spans").toAbsolutePath() + "/date=*/*.parquet',"
            + " hive_partitioning = true)")) {
      while (rs.next()) {
        all.add(rs.getObject(1, LocalDate.class));
      }
    }
    List<Set<LocalDate>> cases = List.of(Set.of(all.last()),
        new TreeSet<>(all.descendingSet().stream().limit(3).toList()));
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int round = 0; round < rounds; round++) {
      for (Set<LocalDate> days : cases) {
        long[] versions = new long[2];
        for (int i = 0; i < 2; i++) {
          // alternate which goes first
          boolean scoped = (i == 0) == (round % 2 == 0);
          System.setProperty(Rollup.SCOPED_PROPERTY, Boolean.toString(scoped));
          long cpu0 = os.getProcessCpuTime();
          long t0 = System.nanoTime();
          Rollup.Result r = rollup.rollupAffected(List.of(), List.of(), days);
          double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
          double wall = (System.nanoTime() - t0) / 1e9;
          versions[scoped ? 1 : 0] = r.version();
          System.out.printf("round %d days %d %-6s cpu %6.2f s wall %6.2f s workflows %d load %.1f%n",
              round, days.size(), scoped ? "scoped" : "whole", cpu, wall, r.workflows(),
              os.getSystemLoadAverage());
        }
        System.out.println("  same rows: " + same(lake, versions[0], versions[1]));
      }
    }
  }

  /** Whether two versions' workflows and cost_per_outcome snapshots hold the same rows. */
  private static boolean same(Path lake, long a, long b) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      for (String table : List.of("workflows", "cost_per_outcome")) {
        String glob = "read_parquet('" + lake.resolve(table).toAbsolutePath()
            + "/date=*/*.parquet', hive_partitioning = true, union_by_name = true)";
        String q = "SELECT count(*) FROM ((SELECT * EXCLUDE (version) FROM " + glob
            + " WHERE version = " + a + " EXCEPT ALL SELECT * EXCLUDE (version) FROM " + glob
            + " WHERE version = " + b + ") UNION ALL (SELECT * EXCLUDE (version) FROM " + glob
            + " WHERE version = " + b + " EXCEPT ALL SELECT * EXCLUDE (version) FROM " + glob
            + " WHERE version = " + a + "))";
        try (ResultSet rs = st.executeQuery(q)) {
          rs.next();
          if (rs.getLong(1) != 0) {
            System.out.println("  " + table + ": " + rs.getLong(1) + " rows differ");
            return false;
          }
        }
      }
    }
    return true;
  }
}
