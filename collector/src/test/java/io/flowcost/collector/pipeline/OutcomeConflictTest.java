package io.flowcost.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.collector.ingest.OutcomeDecoder;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.sink.CoverageCounters;
import io.flowcost.collector.sink.LakeFlusher;
import io.flowcost.collector.wal.WriteAheadLog;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repeated {@code outcome_id} with the same content is an idempotent retry; with other content
 * it is a conflict (409), in the same process and after a restart, whether the first copy is
 * still in the write-ahead log or already published.
 */
class OutcomeConflictTest {

  @TempDir Path tmp;
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);
  private final OutcomeDecoder decoder = new OutcomeDecoder(clock);

  private static final String FIRST = "{\"outcome_id\":\"order-7\\nforged\",\"external_key\":"
      + "\"ticket-1\",\"status\":\"success\",\"value\":12.5,\"unit\":\"EUR\"}";
  /** The same report sent again: other spelling of the value, no reported_at either time. */
  private static final String SAME = "{\"status\":\"success\",\"unit\":\"EUR\",\"value\":12.50,"
      + "\"external_key\":\"ticket-1\",\"outcome_id\":\"order-7\\nforged\"}";
  private static final String OTHER = "{\"outcome_id\":\"order-7\\nforged\",\"external_key\":"
      + "\"ticket-1\",\"status\":\"failure\",\"value\":12.5,\"unit\":\"EUR\"}";

  @Test
  void sameContentIsADuplicateAndOtherContentAConflictNamingTheEscapedId() throws Exception {
    Pipeline p = pipeline(false);
    p.start();
    assertThat(send(p, FIRST)).isEqualTo(1);
    assertThat(send(p, SAME)).as("a retry: accepted, not stored again").isZero();
    assertThatThrownBy(() -> send(p, OTHER))
        .isInstanceOf(OutcomeConflictException.class)
        .hasMessageContaining("'order-7\\nforged'")
        .hasMessageNotContaining("\n");
    // a conflicting request stores nothing, not even its other, new outcomes
    String batch = "[{\"outcome_id\":\"order-8\",\"external_key\":\"ticket-2\",\"status\":"
        + "\"success\"}," + OTHER + "]";
    assertThatThrownBy(() -> send(p, batch)).isInstanceOf(OutcomeConflictException.class);
    assertThat(send(p, "{\"outcome_id\":\"order-8\",\"external_key\":\"ticket-2\",\"status\":"
        + "\"success\"}")).as("order-8 was not kept from the refused request").isEqualTo(1);
    p.close();
  }

  @Test
  void twoConflictingReportsInOneRequestAreRefused() throws Exception {
    Pipeline p = pipeline(false);
    p.start();
    assertThatThrownBy(() -> send(p, "[" + FIRST + "," + OTHER + "]"))
        .isInstanceOf(OutcomeConflictException.class);
    assertThat(send(p, "[" + FIRST + "," + SAME + "]")).isEqualTo(1);
    p.close();
  }

  @Test
  void aConflictIsRecognisedAfterARestartOnceTheOutcomeIsPublished() throws Exception {
    Pipeline first = pipeline(true);
    first.start();
    assertThat(send(first, FIRST)).isEqualTo(1);
    first.close(); // published; the log is empty, the key and fingerprint are in published-ids

    Pipeline second = pipeline(true);
    second.start();
    assertThatThrownBy(() -> send(second, OTHER)).isInstanceOf(OutcomeConflictException.class);
    assertThat(send(second, SAME)).isZero();
    second.close();
    assertThat(lakeOutcomes()).isEqualTo(1);
  }

  @Test
  void aConflictIsRecognisedAfterACrashWhileTheOutcomeIsOnlyInTheLog() throws Exception {
    Pipeline first = pipeline(true);
    first.start();
    assertThat(send(first, FIRST)).isEqualTo(1);
    // killed: no flush, the outcome is only in the write-ahead log

    Pipeline second = pipeline(true);
    assertThat(second.start()).isEqualTo(1);
    assertThatThrownBy(() -> send(second, OTHER)).isInstanceOf(OutcomeConflictException.class);
    assertThat(send(second, SAME)).isZero();
    second.close();
    assertThat(lakeOutcomes()).isEqualTo(1);
  }

  private int send(Pipeline p, String json) throws Exception {
    List<OutcomeRecord> outcomes = decoder.decode(json.getBytes(StandardCharsets.UTF_8));
    try {
      return p.acceptOutcomes(outcomes).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof OutcomeConflictException c) {
        throw c;
      }
      throw e;
    }
  }

  private Pipeline pipeline(boolean durable) throws IOException {
    Path data = tmp.resolve("data");
    Path lake = tmp.resolve("lake");
    Files.createDirectories(lake);
    LocalDirectoryStore store = new LocalDirectoryStore(lake);
    Pipeline.Settings settings =
        new Pipeline.Settings(Duration.ofHours(1), 1_000_000, 1_000_000, 100_000);
    LakeFlusher flusher = new LakeFlusher(new LakeWriter(store, "t"), "t", clock);
    WriteAheadLog wal = new WriteAheadLog(data.resolve("wal"));
    return durable
        ? new Pipeline(settings, wal, flusher, c -> c, (ids, keys, days) -> { },
            new CoverageCounters(), clock, new Pipeline.Durability(data, store))
        : new Pipeline(settings, wal, flusher, c -> c, (ids, keys, days) -> { },
            new CoverageCounters(), clock, tmp.resolve("quarantine"));
  }

  private long lakeOutcomes() throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM read_parquet('"
            + tmp.resolve("lake") + "/outcomes/date=*/*.parquet') WHERE status = 'success'"
            + " AND outcome_id = 'order-7' || chr(10) || 'forged'")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
