package io.flowcost.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.ingest.SpanInterpreter;
import io.flowcost.collector.otlp.OtlpTraceDecoder;
import io.flowcost.collector.sink.CoverageCounters;
import io.flowcost.collector.sink.LakeFlusher;
import io.flowcost.collector.wal.WriteAheadLog;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.store.LocalDirectoryStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent's report of spans it had to drop lands in {@code coverage.agent_dropped_spans}. */
class AgentDropReportTest {

  /**
   * Exactly what the agent sends ({@code io.flowcost.agent.export.DroppedSpansReport.encode("svc",
   * 85)}): a request with one resource and no spans, hand-encoded by the agent.
   */
  private static final byte[] AGENT_REPORT = HexFormat.of().parseHex(
      "0a3d0a3b0a150a0c736572766963652e6e616d6512050a037376630a220a1c666c6f77636f73742e6167656e74"
          + "2e64726f707065645f7370616e7312021855");

  @TempDir Path tmp;

  @Test
  void droppedSpansReportedByAnAgentAreCountedInCoverage() throws Exception {
    Clock clock = Clock.systemUTC();
    Path lake = tmp.resolve("lake");
    LocalDirectoryStore store = new LocalDirectoryStore(lake);
    Pipeline pipeline = new Pipeline(
        new Pipeline.Settings(Duration.ofHours(1), 1_000_000, 1_000_000, 1_000),
        new WriteAheadLog(tmp.resolve("wal")),
        new LakeFlusher(new LakeWriter(store, "t"), "t", clock), c -> c,
        (ids, keys, days) -> { }, new CoverageCounters(), clock, tmp.resolve("quarantine"));
    pipeline.start();
    IngestBatch batch = new SpanInterpreter(clock)
        .interpret(OtlpTraceDecoder.decode(AGENT_REPORT, "application/x-protobuf"));
    assertThat(batch.agentDroppedByService()).containsEntry("svc", 85L);
    assertThat(batch.spansReceived()).isZero();
    pipeline.acceptSpans(batch).get(10, TimeUnit.SECONDS);
    pipeline.close();

    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT service, sum(agent_dropped_spans) FROM read_parquet('"
            + lake + "/coverage/date=*/*.parquet') GROUP BY service")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("svc");
      assertThat(rs.getLong(2)).isEqualTo(85);
      assertThat(rs.next()).isFalse();
    }
  }
}
