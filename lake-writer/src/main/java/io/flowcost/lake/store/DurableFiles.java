package io.flowcost.lake.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Small files that must survive a crash whole or not at all: the collector's own state beside
 * the write-ahead log (pending rollups, fired alert keys, the ids a flush published) and the
 * local lake's files.
 *
 * <p>The one way to do it on POSIX file systems: write a temporary file in the target's
 * directory, {@code fsync} it, rename it over the target atomically, then {@code fsync} the
 * directory so the rename itself is on disk. Without the first sync a crash can leave the new
 * name pointing at an empty or partial file; without the last, the old file (or none) may come
 * back after a power loss although the call returned.
 */
public final class DurableFiles {

  /** Writes a file's content; may throw, in which case the target is left as it was. */
  @FunctionalInterface
  public interface Content {
    /** Writes the whole content to {@code out} (buffered; closed by the caller). */
    void writeTo(OutputStream out) throws IOException;
  }

  /** Checks the written temporary file before it replaces the target; may throw to refuse it. */
  @FunctionalInterface
  public interface Check {
    /** Reads {@code written} (already on disk) and throws when it must not replace the target. */
    void verify(Path written) throws IOException;
  }

  private DurableFiles() {}

  /**
   * Replaces {@code target} (or creates it) with what {@code content} writes, durably and
   * atomically: a reader or a restart after a crash sees the old file or the new one, never a
   * mix. On failure the temporary file is removed and {@code target} is untouched.
   */
  public static void replace(Path target, Content content) throws IOException {
    replace(target, content, written -> {});
  }

  /**
   * As {@link #replace(Path, Content)}, with {@code check} run on the written, synced temporary
   * file before the rename: a file that does not read back (a bug in the writer) never replaces
   * the target, and whatever {@code check} throws is thrown here with the target untouched.
   */
  public static void replace(Path target, Content content, Check check) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve(target.getFileName() + ".tmp");
    boolean moved = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch));
        content.writeTo(out);
        out.flush(); // not close(): that would close the channel before force
        ch.force(true);
      }
      check.verify(tmp);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      moved = true;
      syncDirectory(dir);
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** Forces an existing file's content and metadata to disk. */
  public static void sync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /**
   * Makes the entries of {@code dir} (a rename, a new or a deleted file) durable. Best effort:
   * not every platform can open a directory for syncing, and the files' data is already on disk.
   */
  public static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // best effort, as above
    }
  }
}
