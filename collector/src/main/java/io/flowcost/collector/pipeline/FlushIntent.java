package io.flowcost.collector.pipeline;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * A marker in the data dir saying "a flush to the lake began at this time and has not finished".
 *
 * <p>Written (and forced) before the first file of a flush is published, removed once its row
 * keys are in {@link PublishedIds}. If the collector dies in between, some of the rows still in
 * the write-ahead log may already be in the lake; on restart {@link LakeIdRecovery} reads the keys
 * of the lake files published since this time, so replay does not publish them twice.
 */
final class FlushIntent {

  private final Path file;

  FlushIntent(Path file) {
    this.file = file;
  }

  /** When the unfinished flush began, if there is one. */
  OptionalLong pendingSince() throws IOException {
    if (!Files.exists(file)) {
      return OptionalLong.empty();
    }
    String text = Files.readString(file, StandardCharsets.UTF_8).strip();
    try {
      return OptionalLong.of(Long.parseLong(text));
    } catch (NumberFormatException e) {
      return OptionalLong.of(0); // a torn marker: check every file of the affected days
    }
  }

  /** Marks a flush as begun at {@code millis}, unless an earlier unfinished one is marked. */
  void begin(long millis) throws IOException {
    if (Files.exists(file)) {
      return; // keep the earliest time: rows of that flush may still be pending
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap((millis + "\n").getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
  }

  /** The flush finished and its keys are recorded. */
  void end() throws IOException {
    Files.deleteIfExists(file);
  }
}
