package io.flowcost.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.sink.CoverageCounters;
import io.flowcost.collector.sink.LakeFlusher;
import io.flowcost.collector.wal.WriteAheadLog;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows are staged into the next flush's Parquet files as they are accepted ({@link
 * StagedFiles}), not kept as records until the flush: a crash with rows staged loses nothing
 * (the write-ahead log replays them), a file that fails while rows are staged is written from
 * the rows' log encodings, and either way the lake holds exactly what the plain path writes.
 */
class StagedFlushTest {

  @TempDir Path tmp;
  private final Clock clock = Clock.systemUTC();

  /** 120 chat spans under a root span (calls and workflow_spans), and two outcomes. */
  private final IngestBatch spans = PipelineDurabilityTest.batch(0, 120, true);
  private final List<OutcomeRecord> outcomes = List.of(
      new OutcomeRecord("o-1", spans.calls().get(0).workflowId(), null, "success", null,
          new java.math.BigDecimal("12.500000001"), "usd", Instant.parse("2026-12-01T10:00:00Z"),
          true, Instant.parse("2026-12-01T10:00:01Z")),
      new OutcomeRecord("o-2", null, "ticket-7", "failure", "timeout", null, null,
          Instant.parse("2026-12-02T00:00:00Z"), true, Instant.parse("2026-12-02T00:00:01Z")));

  @Test
  void rowsStagedWhenTheCollectorDiesAreReplayedFromTheLogAndPublishedOnceAsThePlainPathWould()
      throws Exception {
    Path reference = referenceLake();

    Path lake = tmp.resolve("lake");
    Path data = tmp.resolve("data");
    Pipeline first = pipeline(data, lake, tmp.resolve("scratch-1"));
    first.start();
    accept(first);
    first.stageBuffered();
    assertThat(first.stagedRows()).as("every accepted row is in a staged file").isEqualTo(123);
    assertThat(first.bufferedRows()).isEqualTo(123);
    assertThat(lakeFiles(lake)).as("nothing is published before the flush").isZero();
    // the process dies here: the staged files are lost with it, the log is not

    Pipeline second = pipeline(data, lake, tmp.resolve("scratch-2"));
    assertThat(second.start()).as("rows replayed from the log").isEqualTo(123);
    second.close();

    for (String table : List.of("calls", "workflow_spans", "outcomes")) {
      assertThat(rows(lake, table)).as(table).isNotEmpty().isEqualTo(rows(reference, table));
    }
    assertThat(rows(lake, "calls")).hasSize(120);
    assertThat(rows(lake, "outcomes")).hasSize(2);
    assertThat(Files.list(data.resolve("wal")).count()).as("log trimmed after the flush")
        .isLessThanOrEqualTo(1);
  }

  @Test
  void aFileThatFailsWhileRowsAreStagedIsWrittenFromTheRowsLogBytesWithTheSameValues()
      throws Exception {
    Path reference = referenceLake();

    Path lake = tmp.resolve("lake");
    Path scratch = tmp.resolve("scratch-missing");
    Pipeline p = pipeline(tmp.resolve("data"), lake, scratch);
    p.start();
    accept(p);
    // the scratch directory does not exist: every staged file fails as it is opened
    p.stageBuffered();
    assertThat(p.stagedRows()).isEqualTo(123);
    Files.createDirectories(scratch);
    p.flush();

    for (String table : List.of("calls", "workflow_spans", "outcomes")) {
      assertThat(rows(lake, table)).as(table).isNotEmpty().isEqualTo(rows(reference, table));
    }
    assertThat(rows(lake, "outcomes")).hasSize(2);
    assertThat(p.bufferedRows()).isZero();
    assertThat(p.stagedRows()).isZero();
    // later rows are staged into new files as usual
    p.acceptSpans(PipelineDurabilityTest.batch(200, 210)).get(10, TimeUnit.SECONDS);
    p.close();
    assertThat(rows(lake, "calls")).hasSize(130);
    try (Stream<Path> left = Files.list(scratch)) {
      assertThat(left).as("no scratch file left behind").isEmpty();
    }
  }

  /** The same rows through a pipeline flushed at close, staged by the flush itself. */
  private Path referenceLake() throws Exception {
    Path lake = tmp.resolve("reference-lake");
    Pipeline p = pipeline(tmp.resolve("reference-data"), lake, tmp.resolve("reference-scratch"));
    p.start();
    accept(p);
    p.close();
    return lake;
  }

  private void accept(Pipeline p) throws Exception {
    assertThat(p.acceptSpans(spans).get(10, TimeUnit.SECONDS)).isEqualTo(121);
    assertThat(p.acceptOutcomes(outcomes).get(10, TimeUnit.SECONDS)).isEqualTo(2);
  }

  private Pipeline pipeline(Path data, Path lake, Path scratch) throws Exception {
    Files.createDirectories(lake);
    if (!scratch.getFileName().toString().endsWith("missing")) {
      Files.createDirectories(scratch);
    }
    LocalDirectoryStore store = new LocalDirectoryStore(lake);
    LakeWriter writer = LakeWriter.builder(store, "one").scratchDirectory(scratch).build();
    return new Pipeline(new Pipeline.Settings(Duration.ofHours(1), 1_000_000, 1_000_000, 100_000),
        new WriteAheadLog(data.resolve("wal")), new LakeFlusher(writer, "one", clock), c -> c,
        (ids, keys, days) -> { }, new CoverageCounters(), clock,
        new Pipeline.Durability(data, store));
  }

  private static long lakeFiles(Path lake) throws Exception {
    try (Stream<Path> files = Files.walk(lake)) {
      return files.filter(f -> f.toString().endsWith(".parquet")).count();
    }
  }

  /** Every column of every row of {@code table}, as text, in a fixed order. */
  private static List<String> rows(Path lake, String table) throws Exception {
    List<String> out = new ArrayList<>();
    if (!Files.exists(lake.resolve(table))) {
      return out;
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM read_parquet('" + lake + "/" + table
            + "/date=*/*.parquet', hive_partitioning = true) ORDER BY ALL")) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.append(meta.getColumnName(i)).append('=').append(rs.getString(i)).append(';');
        }
        out.add(row.toString());
      }
    }
    return out;
  }
}
