package io.flowcost.agent.export;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A bounded directory of encoded OTLP requests waiting for the collector, oldest first.
 *
 * <p>Each process spools into its own folder under a shared root and holds a file lock on it;
 * when a process opens its spool it adopts the folders whose lock is free (their process died,
 * e.g. {@code kill -9} or a crash), so their spans are replayed, in order, by the next process.
 * File names start with the time they were spooled, so adopted and own batches sort together.
 * Only folders named like a process folder ({@code <pid>-<hex>}) and holding a {@code lock} file
 * are adopted: other folders under the root (the outcome API's {@code outcomes/}, anything a user
 * keeps there) are never touched.
 *
 * <p>Spools are replayed to the collector the adopting process is configured for, whatever
 * endpoint they were written for: a spool written while the endpoint was wrong is delivered once
 * it is fixed. Releases before 0.1 keyed the default root by endpoint
 * ({@code flowcost-spool/<host>_<port>-<hash>/}); {@link #open(Path, long, Path)} also adopts the
 * orphaned process folders of those roots.
 *
 * <p>When a new batch would exceed the bound, the oldest batches are deleted and their spans
 * counted as dropped; the count is kept in the folder until the collector has been told.
 * Batches are spans the agent produced: ids, names, token counts and allow-listed attributes,
 * never message content.
 */
final class Spool implements Closeable {

  /** One spooled request. */
  record Entry(String name, int spans, long bytes) {}

  private static final String SUFFIX = ".otlp";
  /** Bytes per write when spooling a request (the size {@code Files.write} uses). */
  private static final int WRITE_CHUNK = 8192;
  private static final String DROPPED = "dropped";
  private static final String LOCK = "lock";
  /** A per-process folder: {@code <pid>-<random hex>}. */
  private static final java.util.regex.Pattern PROCESS_FOLDER =
      java.util.regex.Pattern.compile("[0-9]+-[0-9a-f]+");
  /** A root of the old endpoint-keyed layout: {@code <host>[_<port>]-<hash>}. */
  private static final java.util.regex.Pattern LEGACY_ROOT =
      java.util.regex.Pattern.compile("[A-Za-z0-9._-]+-[0-9a-f]{1,8}");

  private final Path dir;
  private final long maxBytes;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final TreeMap<String, Entry> entries = new TreeMap<>();
  private long bytes;
  private long dropped;
  private long sequence;
  private int adoptedFolders;

  private Spool(Path dir, long maxBytes, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Creates this process's folder under {@code root} and adopts folders of dead processes. */
  static Spool open(Path root, long maxBytes) throws IOException {
    return open(root, maxBytes, null);
  }

  /**
   * This process's id, for its folder's name (where it helps a person tell folders apart; adoption
   * goes by the lock, not the id). Read from {@code /proc/self} where there is one: {@code
   * ProcessHandle}'s implementation class creates the JDK's process-reaper thread pool when it is
   * loaded, which would load {@code ThreadPoolExecutor} in premain — before the agent's
   * transformer exists, so that the agent would then retransform it.
   */
  static long processId() {
    try {
      Path self = Path.of("/proc/self");
      if (Files.isSymbolicLink(self)) {
        return Long.parseLong(Files.readSymbolicLink(self).toString());
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or /proc not mounted: ask the JDK
    }
    return ProcessHandle.current().pid();
  }

  /**
   * {@link #open(Path, long)}, also adopting orphaned process folders of the endpoint-keyed roots
   * of the old default layout found directly under {@code legacyParent} (if not {@code null}).
   */
  static Spool open(Path root, long maxBytes, Path legacyParent) throws IOException {
    Files.createDirectories(root);
    String name = processId() + "-"
        + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    Path dir = Files.createDirectories(root.resolve(name));
    FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock = ch.tryLock();
    if (lock == null) {
      ch.close();
      throw new IOException("spool folder is locked by another process: " + dir);
    }
    Spool spool = new Spool(dir, maxBytes, ch, lock);
    if (legacyParent != null && Files.isDirectory(legacyParent)) {
      try (DirectoryStream<Path> roots = Files.newDirectoryStream(legacyParent,
          p -> Files.isDirectory(p) && LEGACY_ROOT.matcher(p.getFileName().toString()).matches()
              && !PROCESS_FOLDER.matcher(p.getFileName().toString()).matches())) {
        for (Path legacy : roots) {
          if (!legacy.equals(root) && !root.startsWith(legacy)) {
            spool.adoptOrphans(legacy);
            try {
              Files.deleteIfExists(legacy); // only if empty: live processes may still use it
            } catch (IOException stillInUse) {
              // left for a later process
            }
          }
        }
      }
    }
    spool.adoptOrphans(root);
    spool.enforceBound(0);
    return spool;
  }

  /** The folder this process spools into. */
  Path directory() {
    return dir;
  }

  /** Folders of dead processes taken over when this spool was opened. */
  int adoptedFolders() {
    return adoptedFolders;
  }

  private void adoptOrphans(Path root) throws IOException {
    try (DirectoryStream<Path> folders = Files.newDirectoryStream(root, p -> Files.isDirectory(p)
        && PROCESS_FOLDER.matcher(p.getFileName().toString()).matches()
        && Files.isRegularFile(p.resolve(LOCK)))) {
      for (Path other : folders) {
        if (other.equals(dir)) {
          continue;
        }
        try (FileChannel ch = FileChannel.open(other.resolve(LOCK), StandardOpenOption.WRITE)) {
          FileLock theirs;
          try {
            theirs = ch.tryLock();
          } catch (OverlappingFileLockException e) {
            continue; // another spool in this JVM
          }
          if (theirs == null) {
            continue; // its process is alive
          }
          try {
            adopt(other);
          } finally {
            theirs.release();
          }
        }
        deleteFolder(other);
      }
    }
  }

  private void adopt(Path other) throws IOException {
    adoptedFolders++;
    dropped += readDropped(other);
    writeDropped();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(other, "*" + SUFFIX)) {
      for (Path f : files) {
        Entry e = parse(f.getFileName().toString(), Files.size(f));
        if (e == null) {
          continue;
        }
        String target = e.name();
        while (entries.containsKey(target)) {
          // same name from two processes: keep both; "…-000000007a-" sorts right after "…-000000007-"
          int dash = target.lastIndexOf('-');
          target = target.substring(0, dash) + "a" + target.substring(dash);
        }
        Files.move(f, dir.resolve(target), StandardCopyOption.ATOMIC_MOVE);
        add(new Entry(target, e.spans(), e.bytes()));
      }
    }
  }

  private static void deleteFolder(Path folder) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(folder);
    } catch (IOException e) {
      // left for a later process; adoption is retried then
    }
  }

  /**
   * A position in this process's sequence of requests: taken when a request is queued, so that
   * its place in the spool is the order it was produced in, not the order it was spooled in.
   */
  synchronized String nextStamp() {
    // the same text as String.format("%013d-%09d", ..) without parsing a format per request
    StringBuilder stamp = new StringBuilder(23);
    zeroPadded(stamp, System.currentTimeMillis(), 13).append('-');
    return zeroPadded(stamp, ++sequence, 9).toString();
  }

  /** Appends a non-negative number, left-padded with zeros to {@code width} digits. */
  static StringBuilder zeroPadded(StringBuilder out, long value, int width) {
    String digits = Long.toString(value);
    for (int i = digits.length(); i < width; i++) {
      out.append('0');
    }
    return out.append(digits);
  }

  /** Appends a request produced now. */
  void append(byte[] body, int spans) throws IOException {
    append(body, 0, body.length, spans, nextStamp());
  }

  /**
   * Appends the request {@code body[offset .. offset + length)} at its place {@code stamp} (from
   * {@link #nextStamp}); drops the oldest requests first if the bound would be exceeded.
   */
  synchronized void append(byte[] body, int offset, int length, int spans, String stamp)
      throws IOException {
    if (length > maxBytes) {
      countDropped(spans);
      return;
    }
    enforceBound(length);
    String name = stamp + "-" + spans + SUFFIX;
    Path tmp = dir.resolve(name + ".tmp");
    // as Files.write(tmp, body) did for a whole array: created or truncated, written, closed;
    // then renamed into place, so a reader never sees a partial file under its final name
    try (OutputStream out = Files.newOutputStream(tmp)) {
      // in pieces as Files.write does: a channel write goes through a temporary direct buffer
      // as large as what it is given
      for (int at = 0; at < length; at += WRITE_CHUNK) {
        out.write(body, offset + at, Math.min(WRITE_CHUNK, length - at));
      }
    }
    Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    add(new Entry(name, spans, length));
  }

  private void enforceBound(long incoming) throws IOException {
    while (!entries.isEmpty() && bytes + incoming > maxBytes) {
      Entry oldest = entries.firstEntry().getValue();
      remove(oldest);
      countDropped(oldest.spans());
    }
  }

  /**
   * Counts spans the agent dropped before they reached the spool (its queue was full, or they
   * ended after its export shut down): kept and reported to the collector with the spool's own.
   */
  synchronized void countDroppedElsewhere(long spans) throws IOException {
    if (spans > 0) {
      dropped += spans;
      writeDropped();
    }
  }

  private void countDropped(int spans) throws IOException {
    dropped += spans;
    writeDropped();
  }

  /** The oldest request, or {@code null} when the spool is empty. */
  synchronized Entry oldest() {
    Map.Entry<String, Entry> e = entries.firstEntry();
    return e == null ? null : e.getValue();
  }

  /** The body of {@code entry}. */
  byte[] read(Entry entry) throws IOException {
    return Files.readAllBytes(dir.resolve(entry.name()));
  }

  /** Removes a request the collector acknowledged (or refused for good). */
  synchronized void remove(Entry entry) throws IOException {
    if (entries.remove(entry.name()) != null) {
      bytes -= entry.bytes();
      Files.deleteIfExists(dir.resolve(entry.name()));
    }
  }

  synchronized boolean isEmpty() {
    return entries.isEmpty();
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized int size() {
    return entries.size();
  }

  /** Spans dropped to keep the bound and not yet reported to the collector. */
  synchronized long droppedSpans() {
    return dropped;
  }

  /** The collector acknowledged a report of {@code n} dropped spans. */
  synchronized void droppedReported(long n) throws IOException {
    dropped = Math.max(0, dropped - n);
    writeDropped();
  }

  private void add(Entry e) {
    entries.put(e.name(), e);
    bytes += e.bytes();
  }

  private static Entry parse(String name, long size) {
    if (!name.endsWith(SUFFIX)) {
      return null;
    }
    String[] parts = name.substring(0, name.length() - SUFFIX.length()).split("-");
    try {
      return new Entry(name, Integer.parseInt(parts[parts.length - 1]), size);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static long readDropped(Path folder) {
    try {
      return Long.parseLong(Files.readString(folder.resolve(DROPPED), StandardCharsets.UTF_8)
          .strip());
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  private void writeDropped() throws IOException {
    Path tmp = dir.resolve(DROPPED + ".tmp");
    Files.writeString(tmp, Long.toString(dropped), StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve(DROPPED), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** Releases the folder; what is left in it is adopted by the next process. */
  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      lockChannel.close();
    }
    if (isEmpty() && droppedSpans() == 0) {
      deleteFolder(dir);
    }
  }

  /** Names of the spooled files, oldest first (tests). */
  synchronized List<String> names() {
    return new ArrayList<>(entries.keySet());
  }
}
