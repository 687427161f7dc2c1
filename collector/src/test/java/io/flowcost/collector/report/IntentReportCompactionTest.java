package io.flowcost.collector.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.collector.compact.Compactor;
import io.flowcost.collector.rollup.LakeRead;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report} while {@code compact} merges and deletes the files the report's views listed:
 * the compaction runs, for real, right after the views list the lake and before the report's
 * query reads it (the window a concurrent compaction hits), so the race is the same every run.
 */
class IntentReportCompactionTest {

  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final LocalDate DAY = LocalDate.of(2026, 11, 23);

  @TempDir Path tmp;
  private Path lake;
  private LocalDirectoryStore store;
  private LakeWriter writer;
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private int nextCall;

  @BeforeEach
  void setUp() throws IOException {
    lake = tmp.resolve("lake");
    store = new LocalDirectoryStore(lake);
    writer = LakeWriter.builder(store, "c1").scratchDirectory(tmp).clock(clock).build();
    for (int f = 0; f < 4; f++) {
      writeCalls(5);
    }
  }

  /** One more {@code calls} file of {@code n} calls on {@link #DAY}, three workflows. */
  private void writeCalls(int n) throws IOException {
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < n; r++, nextCall++) {
      rows.add(Row.builder(LakeTables.CALLS)
          .set("workflow_id", String.format("%032x", nextCall % 3 + 1))
          .set("call_id", String.format("%016x", nextCall + 1))
          .set("span_id", String.format("%016x", nextCall + 1))
          .set("kind", "model")
          .set("attempt", 1)
          .set("status", "ok")
          .set("provider", "openai")
          .set("request_model", "gpt-4o-mini")
          .set("input_tokens", 100L + nextCall)
          .set("tokens_estimated", false)
          .set("cost_usd", new BigDecimal("0.00" + (nextCall % 10) + "5"))
          .set("unpriced", false)
          .set("wasted", false)
          .set("start_time", DAY.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(nextCall))
          .set("received_at", NOW.minusSeconds(3600 - nextCall))
          .build());
    }
    writer.write(LakeTables.CALLS, DAY, rows);
  }

  private int compactions;

  /** A compactor of its own for each run: each names its merged file anew. */
  private Compactor compactor() {
    return new Compactor(store, tmp.resolve("scratch"), "compact-" + ++compactions, clock);
  }

  private long callFiles() throws IOException {
    try (var files = Files.list(lake.resolve("calls").resolve("date=" + DAY))) {
      return files.filter(f -> f.toString().endsWith(".parquet")).count();
    }
  }

  @Test
  void aReportWhoseListedFilesACompactionDeletesReadsAgainAndGivesTheSameTable()
      throws Exception {
    List<IntentReport.Line> before = new IntentReport(lake, true).lines();
    assertThat(before).last().extracting(IntentReport.Line::workflows).isEqualTo(3L);
    assertThat(callFiles()).isEqualTo(4);

    AtomicInteger listings = new AtomicInteger();
    IntentReport racing = new IntentReport(lake, true, () -> {
      if (listings.incrementAndGet() == 1) {
        // between the listing and the read: merges the 4 listed files and deletes them
        assertThat(compactor().compact("calls", DAY)).isPresent();
      }
    });
    List<IntentReport.Line> during = racing.lines();

    assertThat(listings.get()).as("read again from a fresh listing").isEqualTo(2);
    assertThat(callFiles()).as("the compaction merged the day").isEqualTo(1);
    assertThat(during).isEqualTo(before);
  }

  @Test
  void aLakeThatKeepsChangingUnderTheReportFailsWithTheCauseAndTheFix() throws Exception {
    AtomicInteger listings = new AtomicInteger();
    IntentReport racing = new IntentReport(lake, true, () -> {
      listings.incrementAndGet();
      // every time: a late file arrives and the day is compacted again, deleting what was listed
      try {
        writeCalls(1);
        assertThat(compactor().compact("calls", DAY)).isPresent();
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThatThrownBy(racing::lines).isInstanceOf(LakeRead.LakeChangedException.class)
        .hasMessageContaining("changed while it was read, " + LakeRead.ATTEMPTS + " times")
        .hasMessageContaining(lake.resolve("calls").toString())
        .hasMessageContaining("compact")
        .hasMessageContaining("run this again");
    assertThat(listings.get()).isEqualTo(LakeRead.ATTEMPTS);
  }

  @Test
  void anyOtherFailureIsNotRetried() {
    AtomicInteger listings = new AtomicInteger();
    IntentReport broken = new IntentReport(lake, true, () -> {
      listings.incrementAndGet();
      throw new java.sql.SQLException("Binder Error: something else");
    });
    assertThatThrownBy(broken::lines).isInstanceOf(java.sql.SQLException.class)
        .hasMessageContaining("something else");
    assertThat(listings.get()).isEqualTo(1);
  }
}
