package io.flowcost.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.AgentConfig;
import io.opentelemetry.api.trace.Span;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's SDK wired to the shipper: export never runs on the application's threads. */
class TelemetryExportTest {

  private static final int SPANS = 2_000;

  @TempDir Path root;

  @Test
  void spansMadeWhileTheCollectorIsDownArriveAfterItIsUpAndNoExportRanOnTheAppThread()
      throws Exception {
    try (FakeCollector collector = new FakeCollector()) {
      AgentConfig config = AgentConfig.from(Map.of("flowcost.endpoint",
          "http://127.0.0.1:" + collector.port, "flowcost.service", "app")::get, n -> null);
      ExportSettings settings = new ExportSettings(collector.endpoint(), null, "app",
          root, 1 << 24, 64 * 1024, 2_000, null, BatchSettings.DEFAULT);
      Set<String> sendThreads = ConcurrentHashMap.newKeySet();
      Transport http = new HttpTransport(collector.endpoint(), null);
      Telemetry telemetry = Telemetry.create(config, "test", settings, (body, offset, length) -> {
        sendThreads.add(Thread.currentThread().getName());
        return http.post(body, offset, length);
      });
      String app = Thread.currentThread().getName();
      for (int i = 0; i < SPANS; i++) {
        Span span = telemetry.tracer().spanBuilder(String.format("op-%05d", i)).startSpan();
        span.end();
      }
      SpanShipper shipper = telemetry.shipper();
      SpanShipperTest.await(() -> shipper.spooledSpans.get() == SPANS, "all spans spooled");
      long spooledBytes = shipper.spool().bytes();

      collector.start();
      SpanShipperTest.await(() -> shipper.sentSpans.get() == SPANS, "all spans sent");
      telemetry.shutdown();

      Set<String> names = new HashSet<>();
      for (String body : collector.bodies()) {
        for (int at = body.indexOf("op-"); at >= 0; at = body.indexOf("op-", at + 1)) {
          names.add(body.substring(at, at + 8));
        }
      }
      assertThat(names).hasSize(SPANS);
      assertThat(sendThreads).containsExactly("flowcost-export").doesNotContain(app);
      assertThat(shipper.maxMemoryBytes.get()).isLessThanOrEqualTo(64 * 1024 + 256 * 1024);
      System.out.printf("collector down then up: %d spans spooled (%d bytes on disk),"
              + " all %d delivered after recovery; send threads %s; peak queued in memory %d"
              + " bytes%n", SPANS, spooledBytes, names.size(), sendThreads,
          shipper.maxMemoryBytes.get());
    }
  }

  /**
   * At exit the queue is drained on its own thread before the shipper sends what it got: spans
   * that ended just before shutdown, none of them exported yet, all reach the collector.
   */
  @Test
  void atShutdownEverySpanEndedJustBeforeReachesTheCollector() throws Exception {
    try (FakeCollector collector = new FakeCollector()) {
      collector.start();
      AgentConfig config = AgentConfig.from(Map.of("flowcost.endpoint",
          "http://127.0.0.1:" + collector.port, "flowcost.service", "app")::get, n -> null);
      ExportSettings settings = new ExportSettings(collector.endpoint(), null, "app",
          root, 1 << 24, 1 << 20, 10_000, null, BatchSettings.DEFAULT);
      Telemetry telemetry = Telemetry.create(config, "test", settings,
          new HttpTransport(collector.endpoint(), null));
      for (int i = 0; i < 700; i++) {
        telemetry.tracer().spanBuilder(String.format("ex-%05d", i)).startSpan().end();
      }
      telemetry.shutdown();
      Set<String> names = new HashSet<>();
      for (String body : collector.bodies()) {
        for (int at = body.indexOf("ex-"); at >= 0; at = body.indexOf("ex-", at + 1)) {
          names.add(body.substring(at, at + 8));
        }
      }
      assertThat(names).hasSize(700);
      assertThat(telemetry.shipper().sentSpans.get()).isEqualTo(700);
    }
  }
}
