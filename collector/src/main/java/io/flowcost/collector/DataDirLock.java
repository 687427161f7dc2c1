package io.flowcost.collector;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The claim of one collector on its {@code --data-dir}: an operating-system lock on
 * {@code <data-dir>/collector.lock}, held for the life of the process.
 *
 * <p>Two collectors appending to the same write-ahead log each replay and truncate the other's
 * records, so rows one of them acknowledged can vanish; a data dir therefore has exactly one
 * owner. The lock is the kernel's ({@link FileChannel#tryLock()}), not the file's existence: it is
 * released by the operating system when the process ends in any way, including {@code kill -9}
 * or a crash, so a restart after a crash never needs a manual clean-up. The file also holds the
 * owner's identity (pid, host, port, start time) so that a refused collector can name it; the
 * file itself is never deleted (deleting a lock file lets two processes lock two different
 * files).
 */
public final class DataDirLock implements AutoCloseable {

  /** The lock file's name inside the data dir. */
  public static final String FILE = "collector.lock";

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final Instant since;

  private DataDirLock(Path file, FileChannel channel, FileLock lock, Instant since) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
    this.since = since;
  }

  /**
   * Takes the data dir, or refuses.
   *
   * @param dataDir the collector's data dir (created if missing)
   * @param port the port the collector is about to listen on (0 if not known yet)
   * @throws DataDirInUseException when another collector holds it
   * @throws IOException when the lock file cannot be created or written
   */
  public static DataDirLock acquire(Path dataDir, int port) throws IOException {
    Files.createDirectories(dataDir);
    Path file = dataDir.resolve(FILE);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException sameJvm) {
      lock = null; // another collector in this JVM holds it
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      String holder;
      try {
        holder = readHolder(channel);
      } finally {
        channel.close();
      }
      throw new DataDirInUseException(dataDir, holder);
    }
    DataDirLock claim = new DataDirLock(file, channel, lock, Instant.now());
    try {
      claim.listening(port);
    } catch (IOException | RuntimeException e) {
      claim.close();
      throw e;
    }
    return claim;
  }

  /** Records the port the collector actually listens on (useful with {@code --port 0}). */
  public void listening(int port) throws IOException {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown-host";
    }
    String identity = "pid " + ProcessHandle.current().pid() + " on " + host
        + (port > 0 ? ", port " + port : "") + ", since " + since + "\n";
    byte[] bytes = identity.getBytes(StandardCharsets.UTF_8);
    channel.truncate(0);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    long position = 0;
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
    channel.force(false);
  }

  private static String readHolder(FileChannel channel) {
    try {
      long size = Math.min(channel.size(), 512);
      ByteBuffer buffer = ByteBuffer.allocate((int) size);
      while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
        // read until full or end of file
      }
      // The file is written by a collector, but keep a log line safe whatever is in it.
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8)
          .strip().replaceAll("[\\p{Cntrl}]", "?");
      return text.isEmpty() ? "a collector that is still starting" : text;
    } catch (IOException e) {
      return "another process (its identity could not be read: " + e.getClass().getSimpleName()
          + ")";
    }
  }

  /** The lock file. */
  public Path file() {
    return file;
  }

  /** Releases the data dir (the operating system does it too when the process ends). */
  @Override
  public void close() throws IOException {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      channel.close();
    }
  }

  /** A collector was started on a data dir another collector owns. */
  public static final class DataDirInUseException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String holder;

    DataDirInUseException(Path dataDir, String holder) {
      super("data dir " + dataDir.toAbsolutePath() + " is in use by another collector (" + holder
          + "); two collectors must not share a write-ahead log: stop that collector, or give"
          + " this one another --data-dir");
      this.holder = holder;
    }

    /** Who holds the data dir, as it wrote itself into the lock file. */
    public String holder() {
      return holder;
    }
  }
}
