package io.flowcost.collector;

import java.nio.file.Path;
import java.time.Duration;

/** The collector the collector's tests embed. */
public final class TestCollectors {

  private TestCollectors() {}

  /**
   * A collector on 127.0.0.1 and an ephemeral port, writing the local lake {@code lake}, that
   * flushes and rolls up only when a test says so (or at close): its flush interval and rollup
   * delay are an hour. Tests add what they are about (body limits, keys, prices, metrics).
   */
  public static Collector.Config.Builder config(Path lake, Path dataDir, String instanceId) {
    return Collector.Config.builder()
        .port(0)
        .localLake(lake)
        .dataDir(dataDir)
        .flushInterval(Duration.ofHours(1))
        .rollupDelay(Duration.ofHours(1))
        .maxBufferedRows(1_000_000)
        // These tests read what a stop flushed and rolled up; the grace's cut-short path has its
        // own tests (PipelineDurabilityTest, CollectorStopTest), so a loaded CI box must not cut it here.
        .shutdownGrace(Duration.ofMinutes(5))
        .instanceId(instanceId);
  }
}
