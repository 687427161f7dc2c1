package io.flowcost.collector.wal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteAheadLogTest {

  @TempDir Path dir;

  @Test
  void recordsAppendedBeforeACrashAreReplayedInOrderByTheNextProcess() throws IOException {
    WriteAheadLog first = new WriteAheadLog(dir, "java.lang");
    first.append(List.of("a", "b"));
    first.append(List.of("c"));
    // no close(): the process dies here
    WriteAheadLog second = new WriteAheadLog(dir, "java.lang");
    assertThat(second.replay()).containsExactly("a", "b", "c");
    second.close();
  }

  @Test
  void aTornLastFrameIsIgnoredAndEverythingBeforeItSurvives() throws IOException {
    WriteAheadLog log = new WriteAheadLog(dir, "java.lang");
    log.append(List.of("kept"));
    log.append(List.of("torn"));
    log.close();
    Path segment;
    try (Stream<Path> s = Files.list(dir)) {
      segment = s.filter(p -> p.toString().endsWith(".wal")).sorted().findFirst().orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.setLength(f.length() - 3); // crash in the middle of the second frame
    }
    assertThat(new WriteAheadLog(dir, "java.lang").replay()).containsExactly("kept");
  }

  @Test
  void segmentsUpToTheFlushedOneAreDeletedAndLaterOnesKept() throws IOException {
    WriteAheadLog log = new WriteAheadLog(dir, "java.lang");
    log.append(List.of("flushed"));
    long closed = log.rotate();
    log.append(List.of("pending"));
    log.deleteUpTo(closed);
    log.close();
    assertThat(new WriteAheadLog(dir, "java.lang").replay()).containsExactly("pending");
  }

  @Test
  void replayRefusesClassesOutsideTheAllowedPackage() throws IOException {
    WriteAheadLog log = new WriteAheadLog(dir, "io.flowcost.collector.ingest");
    log.append(List.of(new java.util.concurrent.atomic.AtomicLong(1)));
    log.close();
    WriteAheadLog reader = new WriteAheadLog(dir, "io.flowcost.collector.ingest");
    org.assertj.core.api.Assertions.assertThatThrownBy(reader::replay)
        .isInstanceOf(Exception.class);
  }
}
