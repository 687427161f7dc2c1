package io.flowcost.collector.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Bytes of the regular files under a directory (0 when it does not exist). Blocking I/O. */
final class DirectorySize {

  private DirectorySize() {}

  static long of(Path dir) {
    if (dir == null || !Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.mapToLong(DirectorySize::sizeOf).sum();
    } catch (IOException | UncheckedIOException e) {
      return 0; // a file removed while walking (a flush deleting a segment): try at next scrape
    }
  }

  private static long sizeOf(Path f) {
    try {
      return Files.isRegularFile(f) ? Files.size(f) : 0;
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      return 0;
    }
  }
}
