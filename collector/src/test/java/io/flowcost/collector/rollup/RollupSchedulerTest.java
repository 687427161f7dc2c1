package io.flowcost.collector.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RollupSchedulerTest {

  private static final LocalDate DAY = LocalDate.parse("2026-11-24");

  /** Records what the scheduler asked for; throws while {@link #failing}. */
  private static final class Recorder implements RollupScheduler.Target {
    final List<String> runs = new CopyOnWriteArrayList<>();
    volatile boolean failing;

    @Override
    public void affected(Set<String> workflowIds, Set<String> externalKeys, Set<LocalDate> days)
        throws IOException {
      if (failing) {
        throw new IOException("lake unreachable");
      }
      runs.add("affected " + workflowIds.size() + " ids " + externalKeys.size() + " keys "
          + days);
    }

    @Override
    public void all() throws IOException {
      if (failing) {
        throw new IOException("lake unreachable");
      }
      runs.add("all");
    }
  }

  private static Set<String> ids(String prefix, int n) {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < n; i++) {
      out.add(prefix + i);
    }
    return out;
  }

  @Test
  void pendingIdsAreBoundedAndAnOverflowRollsUpEveryDay() throws Exception {
    Recorder target = new Recorder();
    try (RollupScheduler s = new RollupScheduler(target, Duration.ofHours(1))) {
      s.published(ids("w", 60_000), ids("k", 10), Set.of(DAY));
      s.runNow();
      assertThat(target.runs).containsExactly("affected 60000 ids 10 keys [" + DAY + "]");

      // two flushes whose ids together pass the bound: one rollup of every day
      s.published(ids("a", 60_000), Set.of(), Set.of(DAY));
      s.published(ids("b", 60_000), Set.of(), Set.of(DAY.plusDays(1)));
      s.runNow();
      assertThat(target.runs).hasSize(2).last().isEqualTo("all");

      // and the next flushes are back to their own ids
      s.published(ids("c", 3), Set.of(), Set.of(DAY));
      s.runNow();
      assertThat(target.runs).last().isEqualTo("affected 3 ids 0 keys [" + DAY + "]");
    }
  }

  /** Each flush re-arms the timer; the timers it replaced do not stay queued until their time. */
  @Test
  void flushesThatReArmTheTimerLeaveOneTimerQueued() throws Exception {
    Recorder target = new Recorder();
    RollupScheduler s = new RollupScheduler(target, Duration.ofHours(1));
    for (int i = 0; i < 1_000; i++) {
      s.published(ids("f" + i + "-", 1), Set.of(), Set.of(DAY));
    }
    assertThat(s.queuedTimers()).isEqualTo(1);
    s.close();
    assertThat(target.runs).isEmpty();
  }

  @Test
  void closeDropsTheTimersItWouldOtherwiseWaitFor() throws Exception {
    Recorder target = new Recorder();
    RollupScheduler s = new RollupScheduler(target, Duration.ofHours(1));
    s.published(ids("w", 2), Set.of(), Set.of(DAY));
    s.runNow(); // rolls up now; the hour's timer stays queued (it would find nothing)
    s.published(ids("v", 1), Set.of(), Set.of(DAY));
    assertThat(s.queuedTimers()).isEqualTo(2);
    s.close();
    // none left to run after close: before, close() waited for them (up to its 60 s bound)
    assertThat(s.queuedTimers()).isZero();
    assertThat(target.runs).containsExactly("affected 2 ids 0 keys [" + DAY + "]");
  }

  @Test
  void aFailedRollupKeepsEverythingPendingIncludingAnOverflow() throws Exception {
    Recorder target = new Recorder();
    try (RollupScheduler s = new RollupScheduler(target, Duration.ofHours(1))) {
      s.published(ids("w", RollupScheduler.MAX_PENDING_IDS + 1), Set.of(), Set.of(DAY));
      target.failing = true;
      assertThatThrownBy(s::runNow).isInstanceOf(IOException.class);
      target.failing = false;
      s.runNow();
      assertThat(target.runs).containsExactly("all");

      s.published(ids("w", 5), ids("k", 2), Set.of(DAY));
      target.failing = true;
      assertThatThrownBy(s::runNow).isInstanceOf(IOException.class);
      target.failing = false;
      s.runNow();
      assertThat(target.runs).containsExactly("all", "affected 5 ids 2 keys [" + DAY + "]");
    }
  }

  @Test
  void flushesComingFasterThanTheDelayDoNotHoldTheRollupOffForever() throws Exception {
    Recorder target = new Recorder();
    Duration delay = Duration.ofMillis(100);
    // a flush every 20 ms, never a pause of 100 ms: before the bound on waiting, every flush
    // pushed the rollup back again and it never ran while they kept coming
    try (RollupScheduler s = new RollupScheduler(target, delay)) {
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int flushes = 0;
      while (target.runs.isEmpty() && System.nanoTime() < giveUp) {
        s.published(Set.of("w" + flushes++), Set.of(), Set.of(DAY));
        Thread.sleep(20);
      }
      assertThat(target.runs).as("a rollup ran while flushes kept coming").isNotEmpty();
      assertThat(new ArrayList<>(target.runs).get(0)).startsWith("affected ");
    }
  }

  /**
   * A stop whose grace ends while the rollup runs writes what it held to the pending file; the
   * next start's scheduler rolls exactly that up and deletes the file.
   */
  @Test
  void aRollupTheStopCannotFinishIsWrittenDownAndTheNextStartRunsIt() throws Exception {
    Path file = Files.createTempDirectory("rollup-stop").resolve("rollup.pending");
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    RollupScheduler.Target slow = new RollupScheduler.Target() {
      @Override
      public void affected(Set<String> ids, Set<String> keys, Set<LocalDate> days)
          throws Exception {
        entered.countDown();
        release.await(60, TimeUnit.SECONDS); // a rollup over a large lake
      }

      @Override
      public void all() {}
    };
    RollupScheduler first = new RollupScheduler(slow, Duration.ofHours(1), file);
    first.published(ids("w", 3), ids("k", 1), Set.of(DAY));
    // the grace ends while the rollup runs (or before it starts: pending then, written the same)
    boolean done = first.stop(System.nanoTime());
    release.countDown();
    assertThat(done).isFalse();
    assertThat(file).exists();

    Recorder next = new Recorder();
    RollupScheduler second = new RollupScheduler(next, Duration.ofHours(1), file);
    second.resume();
    assertThat(second.queuedTimers()).as("scheduled a delay after the start").isEqualTo(1);
    second.runNow();
    assertThat(next.runs).containsExactly("affected 3 ids 1 keys [" + DAY + "]");
    assertThat(file).as("deleted once rolled up").doesNotExist();
    assertThat(second.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(60))).isTrue();
    assertThat(next.runs).hasSize(1);
  }

  /** With time enough, a stop runs what is pending and leaves nothing behind. */
  @Test
  void aStopWithTimeEnoughRollsUpWhatIsPending() throws Exception {
    Path file = Files.createTempDirectory("rollup-stop").resolve("rollup.pending");
    Recorder target = new Recorder();
    RollupScheduler s = new RollupScheduler(target, Duration.ofHours(1), file);
    s.published(ids("w", 2), Set.of(), Set.of(DAY));
    assertThat(s.stop(System.nanoTime() + TimeUnit.MINUTES.toNanos(5))).isTrue();
    assertThat(target.runs).containsExactly("affected 2 ids 0 keys [" + DAY + "]");
    assertThat(file).doesNotExist();
  }

  /**
   * A flush that outlived the stop's grace publishes after the stop: its rollup is written down
   * (as every day's), not scheduled on a stopped timer, and the next start runs it.
   */
  @Test
  void aFlushPublishedAfterTheStopIsLeftToTheNextStart() throws Exception {
    Path file = Files.createTempDirectory("rollup-stop").resolve("rollup.pending");
    Recorder target = new Recorder();
    RollupScheduler s = new RollupScheduler(target, Duration.ofHours(1), file);
    assertThat(s.stop(System.nanoTime() + TimeUnit.MINUTES.toNanos(5))).isTrue();
    assertThat(file).doesNotExist();
    s.published(ids("late", 2), Set.of(), Set.of(DAY));
    assertThat(file).exists();
    assertThat(target.runs).isEmpty();

    Recorder next = new Recorder();
    RollupScheduler second = new RollupScheduler(next, Duration.ofHours(1), file);
    second.resume();
    second.runNow();
    assertThat(next.runs).containsExactly("all");
    assertThat(file).doesNotExist();
    second.close();
  }

  /** An unreadable pending file (a stop cut while writing it) rolls up every day. */
  @Test
  void anUnreadablePendingFileRollsUpEveryDay() throws Exception {
    Path file = Files.createTempDirectory("rollup-stop").resolve("rollup.pending");
    Files.write(file, new byte[] {1, 2, 3});
    Recorder target = new Recorder();
    RollupScheduler s = new RollupScheduler(target, Duration.ofHours(1), file);
    s.resume();
    s.runNow();
    assertThat(target.runs).containsExactly("all");
    assertThat(file).doesNotExist();
    s.close();
  }
}
