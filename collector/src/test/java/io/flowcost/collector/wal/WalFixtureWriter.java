package io.flowcost.collector.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the write-ahead-log fixture of the current record format: a log segment holding
 * {@link SampleRecords#frame1()} and {@link SampleRecords#frame2()} as two frames, written by the
 * production {@link WriteAheadLog}.
 *
 * <p>Regenerate only when a release introduces a new format version, into a new directory (keep
 * every older fixture: later releases must replay them all):
 * <pre>
 * mvn -B -q -pl collector -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp "collector/target/test-classes:collector/target/classes:$(cat /tmp/cp.txt)" \
 *     io.flowcost.collector.wal.WalFixtureWriter collector/src/test/resources/wal-fixtures/vN
 * </pre>
 * and add a replay test for {@code vN} next to {@link WalFixtureTest}'s.
 */
public final class WalFixtureWriter {

  private WalFixtureWriter() {}

  /** Writes the fixture segment into the empty directory {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    try (var existing = Files.list(dir)) {
      if (existing.findAny().isPresent()) {
        throw new IllegalStateException(dir + " is not empty: fixtures are never overwritten");
      }
    }
    try (WriteAheadLog log = new WriteAheadLog(dir)) {
      log.append(SampleRecords.frame1());
      log.append(SampleRecords.frame2());
      if (RecordCodec.CURRENT_VERSION >= 2) {
        log.append(SampleRecords.frameSince2());
      }
      if (RecordCodec.CURRENT_VERSION >= 3) {
        log.append(SampleRecords.frameSince3());
      }
    }
    System.out.println("wrote the format-" + RecordCodec.CURRENT_VERSION + " fixture in " + dir);
  }
}
