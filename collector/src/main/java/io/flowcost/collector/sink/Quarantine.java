package io.flowcost.collector.sink;

import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.wal.WriteAheadLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where accepted rows go that the lake can never store (a value no lake column can hold): one
 * file per flush that found any, {@code <dir>/<epochMillis>-<seq>.wal}, in the write-ahead log's
 * own versioned format (a single frame; see {@code RecordCodec}), so nothing acknowledged is
 * dropped silently and an operator can inspect, fix and re-ingest the rows. A file is forced to
 * disk before its rows leave the log. Files are never deleted by the collector.
 */
public final class Quarantine {

  private final Path dir;
  private final AtomicLong sequence = new AtomicLong();

  /** A quarantine in {@code dir}, created on first use. */
  public Quarantine(Path dir) {
    this.dir = dir;
  }

  /** The directory quarantine files are written to. */
  public Path dir() {
    return dir;
  }

  /** Writes {@code records} to a new quarantine file; returns its path. */
  public Path put(List<? extends LakeRecord> records) throws IOException {
    Files.createDirectories(dir);
    Path file;
    do {
      file = dir.resolve(System.currentTimeMillis() + "-" + sequence.incrementAndGet() + ".wal");
    } while (Files.exists(file));
    WriteAheadLog.writeFile(file, records);
    return file;
  }

  /** Reads every record of every quarantine file, oldest first (operators' tools and tests). */
  public List<LakeRecord> readAll() throws IOException {
    List<LakeRecord> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    List<Path> files;
    try (var s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".wal")).sorted().toList();
    }
    for (Path f : files) {
      WriteAheadLog.readSegment(f, out);
    }
    return out;
  }
}
