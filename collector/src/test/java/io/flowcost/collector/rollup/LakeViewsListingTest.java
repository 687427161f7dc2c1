package io.flowcost.collector.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The views' file listing ({@link LakeViews#partitionFilesOf}) against a lake whose files come and
 * go while it is listed, as they do when {@code compact} publishes a day's merged file and deletes
 * the files it merged while a report or a rollup installs the views.
 */
class LakeViewsListingTest {

  @TempDir Path lake;

  @Test
  void listsTheParquetFilesOfEveryDatePartitionAndNothingElse() throws IOException {
    Path calls = lake.resolve("calls");
    Files.createDirectories(calls.resolve("date=2026-12-02"));
    Files.createDirectories(calls.resolve("date=2026-12-01"));
    Files.createDirectories(calls.resolve("scratch"));
    Files.writeString(calls.resolve("date=2026-12-02/b.parquet"), "x");
    Files.writeString(calls.resolve("date=2026-12-01/z.parquet"), "x");
    Files.writeString(calls.resolve("date=2026-12-01/a.parquet"), "x");
    Files.writeString(calls.resolve("date=2026-12-01/a.parquet.tmp"), "x");
    Files.writeString(calls.resolve("scratch/c.parquet"), "x");
    Files.writeString(calls.resolve("date=file.parquet"), "x"); // a file, not a partition

    assertThat(LakeViews.partitionFilesOf(calls)).containsExactly(
        calls.resolve("date=2026-12-01/a.parquet"), calls.resolve("date=2026-12-01/z.parquet"),
        calls.resolve("date=2026-12-02/b.parquet"));
    assertThat(LakeViews.partitionFilesOf(lake.resolve("absent"))).isEmpty();
  }

  /**
   * A listing never fails because a file or a whole day vanished under it. The churn deletes files
   * between the directory read and anything after it; an attribute-reading walk ({@code
   * Files.walk}, what the views used before) fails on such an entry with {@code
   * NoSuchFileException} — counted here to show the churn really opens that window.
   */
  @Test
  void aFileOrDayDeletedWhileTheLakeIsListedIsNotAnError() throws Exception {
    Path calls = lake.resolve("calls");
    Files.createDirectories(calls);
    AtomicBoolean done = new AtomicBoolean();
    CompletableFuture<Void> churn = CompletableFuture.runAsync(() -> {
      int n = 0;
      while (!done.get()) {
        Path day = calls.resolve("date=2026-12-0" + (n % 3 + 1));
        try {
          Files.createDirectories(day);
          for (int f = 0; f < 20; f++) {
            Files.writeString(day.resolve(n + "-" + f + ".parquet"), "x");
          }
          try (Stream<Path> files = Files.list(day)) {
            for (Path f : files.toList()) {
              Files.deleteIfExists(f);
            }
          }
          Files.deleteIfExists(day);
        } catch (IOException e) {
          // the directory was not empty yet or already gone: go on churning
        }
        n++;
      }
    });
    int walkFailures = 0;
    int listings = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try {
      // at least 2,000 listings; more, up to the deadline, until the old walk has failed 3 times
      while (listings < 2_000 || (walkFailures < 3 && System.nanoTime() < deadline)) {
        List<Path> listed = LakeViews.partitionFilesOf(calls); // must not throw
        assertThat(listed).allMatch(p -> p.getFileName().toString().endsWith(".parquet"));
        listings++;
        try (Stream<Path> walk = Files.walk(calls, 2)) {
          walk.count();
        } catch (UncheckedIOException | IOException e) {
          walkFailures++;
        }
      }
    } finally {
      done.set(true);
      churn.get(30, TimeUnit.SECONDS);
    }
    assertThat(listings).isGreaterThanOrEqualTo(2_000);
    assertThat(walkFailures).as("the churn made an attribute-reading walk fail").isPositive();
  }
}
