package io.flowcost.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.SpanInterpreter;
import io.flowcost.collector.sink.CoverageCounters;
import io.flowcost.collector.sink.LakeFlusher;
import io.flowcost.collector.wal.WriteAheadLog;
import io.flowcost.lake.LakeWriter;
import io.flowcost.collector.ForwardingLakeStore;
import io.flowcost.lake.store.LakeStore;
import io.flowcost.lake.store.LocalDirectoryStore;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** De-duplication that survives a restart, and flushes that never publish a row twice. */
class PipelineDurabilityTest {

  @TempDir Path tmp;
  private final Clock clock = Clock.systemUTC();

  @Test
  void aRetryOfAlreadyPublishedSpansAfterARestartIsNotStoredAgain() throws Exception {
    Path lake = tmp.resolve("lake");
    Path data = tmp.resolve("data");
    IngestBatch batch = batch(0, 50);

    Pipeline first = pipeline(data, lake, new LocalDirectoryStore(lake), "one");
    first.start();
    assertThat(first.acceptSpans(batch).get(10, TimeUnit.SECONDS)).isEqualTo(50);
    first.close(); // flushes: the log is empty, only the published keys remain

    Pipeline second = pipeline(data, lake, new LocalDirectoryStore(lake), "two");
    assertThat(second.start()).isZero();
    // the sender never saw the acknowledgement and sends the same spans, plus new ones
    assertThat(second.acceptSpans(batch(0, 60)).get(10, TimeUnit.SECONDS)).isEqualTo(10);
    second.close();

    assertThat(lakeCount(lake, "calls")).isEqualTo(60);
    assertThat(lakeDistinct(lake, "calls")).isEqualTo(60);
  }

  @Test
  void aCrashAfterPublishingButBeforeTheLogIsTrimmedDoesNotPublishTwice() throws Exception {
    Path lake = tmp.resolve("lake");
    Path data = tmp.resolve("data");
    Pipeline first = pipeline(data, lake, new LocalDirectoryStore(lake), "one");
    first.start();
    assertThat(first.acceptSpans(batch(0, 40)).get(10, TimeUnit.SECONDS)).isEqualTo(40);
    // The process dies in the middle of a flush: the marker is written and the rows published,
    // but neither the published keys nor the log trim made it to disk.
    new FlushIntent(data.resolve("flush.intent")).begin(clock.millis());
    WriteAheadLog peek = new WriteAheadLog(data.resolve("wal"));
    List<LakeRecord> logged = new ArrayList<>(peek.replay());
    peek.close();
    assertThat(logged).hasSize(40);
    new LakeFlusher(new LakeWriter(new LocalDirectoryStore(lake), "one"), "one", clock)
        .publish(logged, Map.of());

    Pipeline second = pipeline(data, lake, new LocalDirectoryStore(lake), "two");
    assertThat(second.start()).as("rows replayed that were not yet in the lake").isZero();
    assertThat(second.acceptSpans(batch(30, 45)).get(10, TimeUnit.SECONDS)).isEqualTo(5);
    second.close();

    assertThat(lakeCount(lake, "calls")).isEqualTo(45);
    assertThat(lakeDistinct(lake, "calls")).isEqualTo(45);
    assertThat(data.resolve("flush.intent")).doesNotExist();
  }

  @Test
  void whenOneFileOfAFlushFailsOnlyItsRowsAreRetried() throws Exception {
    Path lake = tmp.resolve("lake");
    Path data = tmp.resolve("data");
    AtomicInteger failuresLeft = new AtomicInteger(1);
    LocalDirectoryStore real = new LocalDirectoryStore(lake);
    // fails the first workflow_spans file, after the calls file of the same flush is published
    LakeStore flaky = new ForwardingLakeStore("flaky ", real) {
      @Override
      public void publish(String key, Path localFile) throws IOException {
        if (key.startsWith("workflow_spans/") && failuresLeft.getAndDecrement() > 0) {
          throw new IOException("lake unavailable");
        }
        real.publish(key, localFile);
      }
    };
    Pipeline p = pipeline(data, lake, flaky, "one");
    p.start();
    p.acceptSpans(batch(0, 20, true)).get(10, TimeUnit.SECONDS);
    try {
      p.flush();
    } catch (IOException expected) {
      // the workflow span file failed; the call file is in the lake
    }
    assertThat(lakeCount(lake, "calls")).isEqualTo(20);
    p.close();
    assertThat(lakeCount(lake, "calls")).isEqualTo(20);
    assertThat(lakeCount(lake, "workflow_spans")).isEqualTo(1);
  }

  /**
   * A stop whose grace is over before its flush publishes nothing and leaves every row to the
   * log; the next start replays them, and every one is in the lake exactly once.
   */
  @Test
  void aStopPastItsDeadlineLeavesEveryRowToTheLogAndTheNextStartPublishesThem()
      throws Exception {
    Path lake = tmp.resolve("lake");
    Path data = tmp.resolve("data");
    Pipeline first = pipeline(data, lake, new LocalDirectoryStore(lake), "one");
    first.start();
    assertThat(first.acceptSpans(batch(0, 40)).get(10, TimeUnit.SECONDS)).isEqualTo(40);
    assertThat(first.close(System.nanoTime())).as("rows left in the log").isEqualTo(40);
    assertThat(lakeCount(lake, "calls")).isZero();

    Pipeline second = pipeline(data, lake, new LocalDirectoryStore(lake), "two");
    assertThat(second.start()).as("replayed").isEqualTo(40);
    assertThat(second.close(System.nanoTime() + TimeUnit.MINUTES.toNanos(5))).isZero();
    assertThat(lakeCount(lake, "calls")).isEqualTo(40);
    assertThat(lakeDistinct(lake, "calls")).isEqualTo(40);
  }

  /**
   * A stop whose grace ends during its flush publishes whole files up to then and leaves the
   * rest to the log; the next start publishes only the rest (nothing twice, nothing lost).
   */
  @Test
  void aStopWhoseDeadlinePassesMidFlushLeavesTheRestAndTheNextStartPublishesOnlyThat()
      throws Exception {
    Path lake = tmp.resolve("lake");
    Path data = tmp.resolve("data");
    LocalDirectoryStore real = new LocalDirectoryStore(lake);
    long[] deadline = new long[1];
    // the first file (calls) takes until the grace is over
    LakeStore slow = new ForwardingLakeStore("slow ", real) {
      @Override
      public void publish(String key, Path localFile) throws IOException {
        real.publish(key, localFile);
        while (System.nanoTime() - deadline[0] <= 0) { // waits for a time, not for a thread
          java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
      }
    };
    Pipeline first = pipeline(data, lake, slow, "one");
    first.start();
    first.acceptSpans(batch(0, 20, true)).get(10, TimeUnit.SECONDS);
    // far enough for the stop to reach its flush first on a loaded machine
    deadline[0] = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    assertThat(first.close(deadline[0])).as("the workflow span left in the log").isEqualTo(1);
    assertThat(lakeCount(lake, "calls")).isEqualTo(20);
    assertThat(lakeCount(lake, "workflow_spans")).isZero();

    Pipeline second = pipeline(data, lake, real, "two");
    assertThat(second.start()).as("only the unpublished row replayed").isEqualTo(1);
    second.close();
    assertThat(lakeCount(lake, "calls")).isEqualTo(20);
    assertThat(lakeDistinct(lake, "calls")).isEqualTo(20);
    assertThat(lakeCount(lake, "workflow_spans")).isEqualTo(1);
  }

  private Pipeline pipeline(Path data, Path lake, LakeStore store, String id)
      throws IOException {
    Files.createDirectories(lake);
    WriteAheadLog wal = new WriteAheadLog(data.resolve("wal"));
    LakeFlusher flusher = new LakeFlusher(new LakeWriter(store, id), id, clock);
    return new Pipeline(new Pipeline.Settings(Duration.ofHours(1), 1_000_000, 1_000_000, 100_000),
        wal, flusher, c -> c, (ids, keys, days) -> { }, new CoverageCounters(), clock,
        new Pipeline.Durability(data, store));
  }

  /** Chat spans with span ids {@code from..to-1} in one trace, optionally under a root span. */
  static IngestBatch batch(int from, int to) {
    return batch(from, to, false);
  }

  static IngestBatch batch(int from, int to, boolean withRoot) {
    long start = System.currentTimeMillis() * 1_000_000L;
    ByteString trace = ByteString.copyFrom(ByteBuffer.allocate(16).putLong(7).putLong(7).array());
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    if (withRoot) {
      scope.addSpans(Span.newBuilder().setTraceId(trace).setSpanId(id(999_999)).setName("wf")
          .setStartTimeUnixNano(start).setEndTimeUnixNano(start + 1));
    }
    for (int i = from; i < to; i++) {
      scope.addSpans(Span.newBuilder().setTraceId(trace).setSpanId(id(i))
          .setParentSpanId(id(999_999)).setName("chat m")
          .setStartTimeUnixNano(start).setEndTimeUnixNano(start + 1000)
          .addAttributes(attr("gen_ai.operation.name", "chat"))
          .addAttributes(attr("gen_ai.provider.name", "openai"))
          .addAttributes(attr("gen_ai.request.model", "gpt-4o-mini")));
    }
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attr("service.name", "svc")))
            .addScopeSpans(scope))
        .build();
    return new SpanInterpreter(Clock.systemUTC()).interpret(request);
  }

  private static ByteString id(long n) {
    return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(n + 1).array());
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static long lakeCount(Path lake, String table) throws Exception {
    return query(lake, table, "count(*)");
  }

  private static long lakeDistinct(Path lake, String table) throws Exception {
    return query(lake, table, "count(DISTINCT span_id)");
  }

  private static long query(Path lake, String table, String what) throws Exception {
    if (!Files.exists(lake.resolve(table))) {
      return 0;
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + what + " FROM read_parquet('" + lake + "/"
            + table + "/date=*/*.parquet')")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
