package io.flowcost.collector.status;

import io.flowcost.lake.store.DurableFiles;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * What a running collector tells the commands that read its lake: its process id, when it
 * started, how often it flushes, and which lake it writes. Kept in {@code <data-dir>/collector.status}
 * while the collector runs, so that {@code report} can say "not flushed yet, next flush in about
 * 40 s" instead of an unexplained empty table.
 *
 * @param pid the collector's process id
 * @param startedAt when the collector started; flushes happen about every {@code flushInterval}
 *     after it
 * @param flushInterval the collector's {@code --flush-interval}
 * @param lake the lake as given to the collector's {@code --lake}
 */
public record CollectorStatus(long pid, Instant startedAt, Duration flushInterval, String lake) {

  /** Name of the status file inside the data dir. */
  public static final String FILE = "collector.status";

  /** Marker that names the lake a data dir belongs to (written by the collector). */
  public static final String LAKE_ID = "lake.id";

  /** The status of this process. */
  public static CollectorStatus ofThisProcess(Instant startedAt, Duration flushInterval,
      String lake) {
    return new CollectorStatus(ProcessHandle.current().pid(), startedAt, flushInterval, lake);
  }

  /** Writes the status atomically into {@code dataDir}. */
  public void write(Path dataDir) throws IOException {
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(pid));
    p.setProperty("started_at", startedAt.toString());
    p.setProperty("flush_interval_ms", Long.toString(flushInterval.toMillis()));
    p.setProperty("lake", lake);
    DurableFiles.replace(dataDir.resolve(FILE), out -> {
      Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
      p.store(w, "written by the running Flowcost collector; removed when it stops");
      w.flush();
    });
  }

  /** Removes the status file (the collector stopped). */
  public static void remove(Path dataDir) throws IOException {
    Files.deleteIfExists(dataDir.resolve(FILE));
  }

  /**
   * The status of a collector that is still running with {@code dataDir}; empty when there is
   * none, the file is unreadable, or its process has exited (a crash leaves the file behind).
   */
  public static Optional<CollectorStatus> readRunning(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Properties p = new Properties();
      p.load(r);
      CollectorStatus s = new CollectorStatus(Long.parseLong(p.getProperty("pid")),
          Instant.parse(p.getProperty("started_at")),
          Duration.ofMillis(Long.parseLong(p.getProperty("flush_interval_ms"))),
          p.getProperty("lake", ""));
      boolean alive = ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false);
      return alive ? Optional.of(s) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Time until the next periodic flush, seen at {@code now}. Flushes run every flush interval
   * after start (each waits for the previous one), so this is an estimate, never negative.
   */
  public Duration untilNextFlush(Instant now) {
    long interval = Math.max(1, flushInterval.toMillis());
    long since = Math.max(0, Duration.between(startedAt, now).toMillis());
    return Duration.ofMillis(interval - since % interval);
  }

  /**
   * Bytes of accepted rows waiting in {@code dataDir}'s write-ahead log for the next flush; 0 when
   * everything accepted is in the lake (or there is no log).
   */
  public static long pendingWalBytes(Path dataDir) {
    Path wal = dataDir.resolve("wal");
    if (!Files.isDirectory(wal)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(wal)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".wal"))
          .mapToLong(f -> {
            try {
              return Files.size(f);
            } catch (IOException e) {
              return 0;
            }
          }).sum();
    } catch (IOException e) {
      return 0;
    }
  }

  /** The lake a data dir belongs to (its {@code lake.id}), if it is a data dir. */
  public static Optional<String> lakeOf(Path dataDir) {
    Path marker = dataDir.resolve(LAKE_ID);
    try {
      return Files.isRegularFile(marker)
          ? Optional.of(Files.readString(marker, StandardCharsets.UTF_8).strip())
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
