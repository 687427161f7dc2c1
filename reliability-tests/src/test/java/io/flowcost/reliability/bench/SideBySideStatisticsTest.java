package io.flowcost.reliability.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.flowcost.reliability.bench.SideBySideAgentBenchmark.Block;
import io.flowcost.reliability.bench.SideBySideAgentBenchmark.Paired;
import io.flowcost.reliability.bench.SideBySideAgentBenchmark.Run;
import io.flowcost.reliability.bench.SideBySideAgentMain.ThreadAllocation;
import io.flowcost.reliability.bench.SideBySideAgentMain.ThreadGroupCpu;
import io.flowcost.reliability.bench.SideBySideAgentMain.ThreadSched;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The side-by-side benchmark's arithmetic: a block line read back, allocation counted thread by
 * thread (a thread that ends takes nothing away), paired block differences, the 95 % intervals
 * between and within rounds and the ratio's interval, against values worked out by hand. (The benchmark itself is run by {@code scripts/bench.sh agent}, not by the tests.)
 */
class SideBySideStatisticsTest {

  @Test
  void aBlockLineIsReadBackWithItsThreadGroups() {
    Block b = Block.parse("BLOCK n=500 median_ns=700000 cpu_ns=500000 alloc_bytes=140000"
        + " t.app=200000 t.jit=10000");
    assertThat(b.medianNanos()).isEqualTo(700_000);
    assertThat(b.cpuNanos()).isEqualTo(500_000);
    assertThat(b.allocBytes()).isEqualTo(140_000);
    assertThat(b.threadCpu()).containsExactlyInAnyOrderEntriesOf(
        Map.of("app", 200_000L, "jit", 10_000L));
    assertThat(b.cpuWithoutJitNanos()).isEqualTo(490_000);
  }

  @Test
  void aBlockLineIsReadBackWithItsAllocationByThreadGroup() {
    Block b = Block.parse("BLOCK n=500 median_ns=700000 cpu_ns=500000 alloc_bytes=140000 ended=1"
        + " t.app=200000 a.app=100000 a.agent_export=30000 a.jdk_http=10000");
    assertThat(b.allocBytes()).isEqualTo(140_000);
    assertThat(b.threadCpu()).containsExactlyInAnyOrderEntriesOf(Map.of("app", 200_000L));
    assertThat(b.threadAlloc()).containsExactlyInAnyOrderEntriesOf(
        Map.of("app", 100_000L, "agent_export", 30_000L, "jdk_http", 10_000L));
  }

  @Test
  void aThreadThatEndsTakesNothingAwayAndANewThreadCountsWhole() {
    // thread 2 (5,000 bytes so far) ends between the readings, thread 4 starts between them:
    // the old sum over the live threads read 1,050 - 5,150 = -4,100 bytes
    Map<Long, Long> before = Map.of(1L, 100L, 2L, 5_000L, 3L, 50L);
    Map<Long, Long> after = Map.of(1L, 300L, 3L, 50L, 4L, 700L);
    assertThat(ThreadAllocation.between(before, after)).containsExactlyInAnyOrderEntriesOf(
        Map.of(1L, 200L, 3L, 0L, 4L, 700L));
    assertThat(ThreadAllocation.ended(before, after)).isEqualTo(1);
  }

  @Test
  void aBlockLineIsReadBackWithTheSchedulersFigures() {
    Block b = Block.parse("BLOCK n=500 median_ns=700000 cpu_ns=500000 alloc_bytes=140000"
        + " t.app=200000 a.app=100000 mean_ns=750000 self_cpu_ns=210000 self_runq_ns=40000"
        + " self_vcsw_milli=3000 self_icsw_milli=1500 q.jdk_http=90000 v.jdk_http=30000"
        + " i.jdk_http=8000");
    assertThat(b.threadCpu()).containsExactlyInAnyOrderEntriesOf(Map.of("app", 200_000L));
    assertThat(b.threadAlloc()).containsExactlyInAnyOrderEntriesOf(Map.of("app", 100_000L));
    assertThat(b.sched()).containsEntry("q.jdk_http", 90_000L).containsEntry("v.jdk_http", 30_000L)
        .containsEntry("i.jdk_http", 8_000L).containsEntry("self_vcsw_milli", 3_000L)
        .containsEntry("self_icsw_milli", 1_500L).hasSize(8);
    // 750 µs of wall time, 210 on a CPU, 40 waiting for one: 500 blocked
    assertThat(b.selfBlockedNanos()).isEqualTo(500_000);
    assertThat(Block.parse("BLOCK n=500 median_ns=1 cpu_ns=1 alloc_bytes=1").selfBlockedNanos())
        .isNaN();
  }

  @Test
  void aThreadThatBlocksCountsVoluntarySwitchesInItsGroup() throws Exception {
    long[] self0 = ThreadSched.self();
    org.junit.jupiter.api.Assumptions.assumeTrue(self0 != null, "no /proc/thread-self");
    Map<String, long[]> before = ThreadSched.read();
    java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    Thread exporter = new Thread(() -> {
      ready.countDown();
      try {
        go.await(); // blocks until the test thread counts down: at least one voluntary switch
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "flowcost-export");
    exporter.start();
    ready.await();
    // the exporter blocks in go.await(); its state may say so a moment before the kernel has
    // switched it out, so read until the switch shows (bounded, no sleep)
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    long[] group;
    do {
      Thread.onSpinWait();
      group = ThreadSched.between(before, ThreadSched.read()).get("agent_export");
    } while ((group == null || group[1] < 1) && System.nanoTime() < deadline);
    go.countDown();
    exporter.join(60_000);
    assertThat(group).isNotNull();
    assertThat(group[1]).as("voluntary switches of agent_export").isGreaterThanOrEqualTo(1);
    assertThat(group[0]).as("run-queue wait").isGreaterThanOrEqualTo(0);
    long[] self1 = ThreadSched.self();
    assertThat(self1[0]).isGreaterThanOrEqualTo(self0[0]); // CPU
    assertThat(self1[2]).isGreaterThanOrEqualTo(self0[2]); // voluntary switches
  }

  @Test
  void aLiveThreadIsCountedInItsGroupAndNotSubtractedWhenItEnds() throws Exception {
    ThreadAllocation allocation = new ThreadAllocation((com.sun.management.ThreadMXBean)
        java.lang.management.ManagementFactory.getThreadMXBean());
    java.util.concurrent.CountDownLatch allocated = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Map<Long, Long> r0 = allocation.read();
    Thread exporter = new Thread(() -> {
      sink = new byte[4_000_000];
      allocated.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "flowcost-export");
    exporter.start();
    allocated.await();
    Map<Long, Long> r1 = allocation.read();
    Map<Long, Long> first = ThreadAllocation.between(r0, r1);
    assertThat(first.get(exporter.getId())).isGreaterThanOrEqualTo(4_000_000L);
    assertThat(allocation.byGroup(first).get("agent_export")).isGreaterThanOrEqualTo(4_000_000L);
    release.countDown();
    exporter.join(60_000);
    assertThat(exporter.isAlive()).isFalse();
    Map<Long, Long> r2 = allocation.read();
    Map<Long, Long> second = ThreadAllocation.between(r1, r2);
    assertThat(second).doesNotContainKey(exporter.getId());
    assertThat(second.values()).allMatch(b -> b >= 0);
    assertThat(ThreadAllocation.ended(r1, r2)).isGreaterThanOrEqualTo(1);
    assertThat(allocation.name(exporter.getId())).isEqualTo("flowcost-export");
  }

  @Test
  void threadsAreGroupedByName() {
    assertThat(ThreadGroupCpu.group("main")).isEqualTo("app");
    assertThat(ThreadGroupCpu.group("HttpClient-1-Worker-0")).isEqualTo("jdk_http");
    assertThat(ThreadGroupCpu.group("flowcost-batch")).isEqualTo("agent_export");
    assertThat(ThreadGroupCpu.group("BatchSpanProcessor_WorkerThread-1")).isEqualTo("agent_export");
    assertThat(ThreadGroupCpu.group("OkHttp TaskRunner")).isEqualTo("agent_export");
    assertThat(ThreadGroupCpu.group("Common-Cleaner")).isEqualTo("other");
  }

  /** Keeps the test thread's array reachable, so that no compiler can leave it unallocated. */
  private static volatile byte[] sink;

  @Test
  void blocksArePairedTurnByTurnAndTheIntervalIsBetweenRounds() {
    // the no-agent JVM drifts a lot between and within rounds; each agent adds a steady amount
    // per round: OTel 8, 10, 12 µs; Flowcost 3, 5, 10 µs (the same in every block of a round)
    long[][] none = {{100, 140, 90}, {300, 250, 310}, {500, 520, 480}};
    long[] otelAdds = {8, 10, 12};
    long[] flowcostAdds = {3, 5, 10};
    List<Run> noneRuns = new ArrayList<>();
    List<Run> otelRuns = new ArrayList<>();
    List<Run> flowcostRuns = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      noneRuns.add(run(none[r], 0));
      otelRuns.add(run(none[r], otelAdds[r]));
      flowcostRuns.add(run(none[r], flowcostAdds[r]));
    }
    Paired otel = Paired.of(noneRuns, otelRuns, Block::cpuNanos);
    Paired flowcost = Paired.of(noneRuns, flowcostRuns, Block::cpuNanos);

    assertThat(otel.mean()).isCloseTo(10, within(1e-9));
    assertThat(otel.minRound()).isCloseTo(8, within(1e-9));
    assertThat(otel.maxRound()).isCloseTo(12, within(1e-9));
    // rounds' means 8, 10, 12: sd 2, t(2 dof) = 4.303, half-width 4.303 * 2 / sqrt(3)
    assertThat(otel.halfWidth(true)).isCloseTo(4.303 * 2 / Math.sqrt(3), within(1e-9));
    assertThat(otel.resolved(true)).isTrue();
    // within the rounds, the 9 blocks pooled: values 8,8,8,10,10,10,12,12,12, sd sqrt(24/8)
    assertThat(otel.halfWidth(false)).isCloseTo(2.306 * Math.sqrt(3) / 3, within(1e-9));

    // ratio of the means 6 / 10; delta method over the rounds: sxx 26, syy 8, sxy 14
    double[] ratio = Paired.ratio(flowcost, otel, true);
    assertThat(ratio[0]).isCloseTo(0.6, within(1e-12));
    double variance = (26 - 2 * 0.6 * 14 + 0.36 * 8) / 2 / 3 / 100;
    assertThat(ratio[1]).isCloseTo(4.303 * Math.sqrt(variance), within(1e-9));
  }

  @Test
  void anAddedAmountWhoseIntervalIncludesZeroIsNotResolved() {
    long[][] none = {{100, 100}, {100, 100}, {100, 100}};
    long[] adds = {-5, 1, 6};
    List<Run> noneRuns = new ArrayList<>();
    List<Run> agentRuns = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      noneRuns.add(run(none[r], 0));
      agentRuns.add(run(none[r], adds[r]));
    }
    Paired p = Paired.of(noneRuns, agentRuns, Block::cpuNanos);
    assertThat(p.mean()).isCloseTo(2.0 / 3, within(1e-9));
    assertThat(p.resolved(true)).isFalse();
  }

  @Test
  void studentsQuantilesNeverFallBelowTheExactOnes() {
    assertThat(SideBySideAgentBenchmark.t95(1)).isEqualTo(12.706);
    assertThat(SideBySideAgentBenchmark.t95(4)).isEqualTo(2.776);
    assertThat(SideBySideAgentBenchmark.t95(30)).isEqualTo(2.042);
    assertThat(SideBySideAgentBenchmark.t95(45)).isGreaterThanOrEqualTo(2.014); // exact at 45
    assertThat(SideBySideAgentBenchmark.t95(1000)).isGreaterThanOrEqualTo(1.962);
  }

  @Test
  void aWarmUpAnswerIsReadBack() {
    SideBySideAgentBenchmark.WarmupBlock w = SideBySideAgentBenchmark.WarmupBlock.parse(
        "WARMUP done=6000 cpu_us=1600.0 jit_us=733.9 jit_share=0.459");
    assertThat(w.done()).isEqualTo(6000);
    assertThat(w.cpuMicros()).isEqualTo(1600.0);
    assertThat(w.jitMicros()).isEqualTo(733.9);
    assertThat(w.jitShare()).isEqualTo(0.459);
  }

  @Test
  void theWarmUpEndsWhenEveryJvmWasQuietInOneTurnAfterTheLeastOrAtTheMost() {
    // at least 5,000, turns of 1,000, quiet at 0.03, at most 20,000
    List<Double> allQuiet = List.of(0.01, 0.03, 0.0);
    List<Double> oneBusy = List.of(0.01, 0.2, 0.0);
    // the turn ending at 5,000 began before the least: not yet, however quiet
    assertThat(SideBySideAgentBenchmark.warmedUp(5_000, 1_000, 5_000, 20_000, 0.03, allQuiet))
        .isFalse();
    assertThat(SideBySideAgentBenchmark.warmedUp(6_000, 1_000, 5_000, 20_000, 0.03, allQuiet))
        .isTrue();
    // one JVM still compiling keeps every JVM of the round warming up
    assertThat(SideBySideAgentBenchmark.warmedUp(6_000, 1_000, 5_000, 20_000, 0.03, oneBusy))
        .isFalse();
    assertThat(SideBySideAgentBenchmark.warmedUp(20_000, 1_000, 5_000, 20_000, 0.03, oneBusy))
        .isTrue();
    // a fixed warm-up (the most = the least) ends at the least
    assertThat(SideBySideAgentBenchmark.warmedUp(5_000, 1_000, 5_000, 5_000, 0.03, oneBusy))
        .isTrue();
  }

  @Test
  void aBlockWhoseJitShareIsAboveTheQuietShareIsUnsteady() {
    List<Block> blocks = List.of(
        new Block(0, 1_000_000, 0, Map.of("jit", 10_000L), Map.of()), // 1 %
        new Block(0, 1_000_000, 0, Map.of("jit", 30_000L), Map.of()), // 3 %: still quiet
        new Block(0, 1_000_000, 0, Map.of("jit", 30_001L), Map.of()), // just above
        new Block(0, 2_000_000, 0, Map.of("jit", 900_000L), Map.of()), // a recompile burst
        new Block(0, 1_000_000, 0, Map.of(), Map.of())); // no per-thread figures: steady
    assertThat(SideBySideAgentBenchmark.unsteadyBlocks(blocks, 0.03)).isEqualTo(2);
  }

  /** A run whose blocks' CPU is {@code none[b] + added}. */
  private static Run run(long[] none, long added) {
    List<Block> blocks = new ArrayList<>();
    for (long n : none) {
      blocks.add(new Block(0, n + added, 0, Map.of(), Map.of()));
    }
    return new Run(0, 0, 0, 0, 0, 0, Map.of(), Map.of(), 0, blocks);
  }
}
