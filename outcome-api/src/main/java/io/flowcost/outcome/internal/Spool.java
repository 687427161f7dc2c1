package io.flowcost.outcome.internal;

import java.io.IOException;
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
import java.util.regex.Pattern;

/**
 * A bounded store of reports waiting for the collector, oldest first: on disk, or (when no
 * directory can be used) in memory.
 *
 * <p>Internal to Flowcost; not an API. The layout follows the agent's span spool: each process
 * spools into its own folder {@code <pid>-<hex>} under the root and holds an OS file lock on its
 * {@code lock} file; when a process opens its spool it adopts the folders whose lock is free
 * (their process exited or died, even by {@code kill -9}), so their reports are replayed, in
 * order, by the next process, to whatever collector that process is configured for. Every report
 * carries its {@code outcome_id} (outcomes) or span id (workflow spans), so a replay the collector
 * already stored is not stored twice.
 *
 * <p>Each report is one file {@code <millis>-<sequence>.report}, written atomically (temp file +
 * rename), in an explicit, versioned text encoding (never Java serialization):
 *
 * <pre>
 * flowcost-report 1          format name and version
 * path /v1/outcomes          where it is POSTed (always /v1/…)
 * kind outcome               what it is, for log lines
 *                            an empty line
 * {"workflow_id":…}          the request body, UTF-8 JSON, as it would have been sent
 * </pre>
 *
 * A file of another version or that does not parse is kept on disk (a later release may read
 * it), never sent and never deleted. When a new report would exceed the bound the oldest are
 * deleted and counted. Reports hold what the app reported (ids, status, reason, value, tags),
 * never prompt or completion text.
 */
public final class Spool implements AutoCloseable {

  /** The first line of a version-1 record. */
  static final String HEADER = "flowcost-report 1";

  private static final String SUFFIX = ".report";
  private static final String LOCK = "lock";
  private static final Pattern PROCESS_FOLDER = Pattern.compile("[0-9]+-[0-9a-f]+");
  private static final Pattern PATH = Pattern.compile("/v1/[a-z0-9/]{1,40}");
  private static final Pattern KIND = Pattern.compile("[a-z ]{1,40}");

  /** One report: where it goes, what it is, its body. */
  public record Document(String path, String json, String kind) {}

  /** A stored report. */
  record Entry(String name, Document document, long bytes) {}

  private final Path dir;
  private final long maxBytes;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final TreeMap<String, Entry> entries = new TreeMap<>();
  private long bytes;
  private long dropped;
  private long sequence;
  private int adoptedFolders;
  private int unreadable;

  private Spool(Path dir, long maxBytes, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** A spool in memory only: lost at exit; used when no spool directory can be written. */
  public static Spool inMemory(long maxBytes) {
    return new Spool(null, maxBytes, null, null);
  }

  /**
   * Creates this process's folder under {@code root} and adopts the folders of processes that
   * are gone.
   *
   * @throws IOException when the directory cannot be created or locked
   */
  public static Spool open(Path root, long maxBytes) throws IOException {
    Files.createDirectories(root);
    String name = ProcessHandle.current().pid() + "-"
        + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    Path dir = Files.createDirectories(root.resolve(name));
    FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      ch.close();
      throw new IOException("spool folder is locked by another process: " + dir);
    }
    Spool spool = new Spool(dir, maxBytes, ch, lock);
    try {
      spool.adoptOrphans(root);
      spool.enforceBound(0);
    } catch (IOException | RuntimeException e) {
      spool.close();
      throw e;
    }
    return spool;
  }

  /** Whether reports survive the process (a directory) or not (memory). */
  public boolean durable() {
    return dir != null;
  }

  /** The folder this process spools into, or {@code null} in memory. */
  public Path directory() {
    return dir;
  }

  /** Folders of gone processes adopted when this spool was opened. */
  public int adoptedFolders() {
    return adoptedFolders;
  }

  /** Files kept but not read (another version, or damaged). */
  synchronized int unreadable() {
    return unreadable;
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
            continue; // another spool of this JVM
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
        deleteIfEmpty(other);
      }
    }
  }

  private void adopt(Path other) throws IOException {
    adoptedFolders++;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(other, "*" + SUFFIX)) {
      for (Path f : files) {
        String target = f.getFileName().toString();
        while (Files.exists(dir.resolve(target))) {
          // same name from two processes: keep both; "…-000000007a.report" sorts right after
          target = target.substring(0, target.length() - SUFFIX.length()) + "a" + SUFFIX;
        }
        Path moved = dir.resolve(target);
        Files.move(f, moved, StandardCopyOption.ATOMIC_MOVE);
        Document doc = decode(Files.readAllBytes(moved));
        if (doc == null) {
          unreadable++; // kept in this folder, never sent
        } else {
          add(new Entry(target, doc, Files.size(moved)));
        }
      }
    }
  }

  private static void deleteIfEmpty(Path folder) {
    try {
      Files.deleteIfExists(folder.resolve(LOCK));
      Files.deleteIfExists(folder);
    } catch (IOException e) {
      // files left (unreadable reports, or a process just starting): left for later
    }
  }

  /**
   * Stores a report behind the others; drops the oldest first if the bound would be exceeded.
   *
   * @return the number of reports dropped to make room (or this one, if it alone exceeds it)
   */
  public synchronized int append(Document document) throws IOException {
    byte[] body = encode(document);
    if (body.length > maxBytes) {
      dropped++;
      return 1;
    }
    int evicted = enforceBound(body.length);
    String name = String.format("%013d-%09d", System.currentTimeMillis(), ++sequence) + SUFFIX;
    if (dir != null) {
      Path tmp = dir.resolve(name + ".tmp");
      Files.write(tmp, body);
      Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }
    add(new Entry(name, document, body.length));
    return evicted;
  }

  private int enforceBound(long incoming) throws IOException {
    int evicted = 0;
    while (!entries.isEmpty() && bytes + incoming > maxBytes) {
      remove(entries.firstEntry().getValue());
      dropped++;
      evicted++;
    }
    return evicted;
  }

  /** The oldest report, or {@code null} when the spool is empty. */
  synchronized Entry oldest() {
    Map.Entry<String, Entry> e = entries.firstEntry();
    return e == null ? null : e.getValue();
  }

  /** Removes a report the collector acknowledged (or refused for good). */
  synchronized void remove(Entry entry) throws IOException {
    if (entries.remove(entry.name()) != null) {
      bytes -= entry.bytes();
      if (dir != null) {
        Files.deleteIfExists(dir.resolve(entry.name()));
      }
    }
  }

  /** Whether no report waits. */
  public synchronized boolean isEmpty() {
    return entries.isEmpty();
  }

  /** How many reports wait. */
  public synchronized int size() {
    return entries.size();
  }

  /** Reports dropped to keep the bound, since this spool was opened. */
  public synchronized long dropped() {
    return dropped;
  }

  private void add(Entry e) {
    entries.put(e.name(), e);
    bytes += e.bytes();
  }

  /** Encodes a report as a version-1 record. */
  static byte[] encode(Document d) {
    if (!PATH.matcher(d.path()).matches() || !KIND.matcher(d.kind()).matches()) {
      throw new IllegalArgumentException("not a spoolable report path or kind");
    }
    return (HEADER + "\npath " + d.path() + "\nkind " + d.kind() + "\n\n" + d.json())
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Decodes a version-1 record; {@code null} for any other version or a damaged file. */
  static Document decode(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    int end = text.indexOf("\n\n");
    if (end < 0) {
      return null;
    }
    String[] head = text.substring(0, end).split("\n", -1);
    if (head.length != 3 || !HEADER.equals(head[0]) || !head[1].startsWith("path ")
        || !head[2].startsWith("kind ")) {
      return null;
    }
    String path = head[1].substring(5);
    String kind = head[2].substring(5);
    String json = text.substring(end + 2);
    if (!PATH.matcher(path).matches() || !KIND.matcher(kind).matches() || json.isEmpty()) {
      return null;
    }
    return new Document(path, json, kind);
  }

  /** Releases the folder; what is left in it is adopted by the next process. */
  @Override
  public void close() throws IOException {
    if (dir == null || !lockChannel.isOpen()) {
      return; // in memory, or closed already
    }
    try {
      lock.release();
    } finally {
      lockChannel.close();
    }
    if (isEmpty() && unreadable() == 0) {
      deleteIfEmpty(dir);
    }
  }

  /** Names of the stored reports, oldest first (tests). */
  synchronized List<String> names() {
    return new ArrayList<>(entries.keySet());
  }
}
