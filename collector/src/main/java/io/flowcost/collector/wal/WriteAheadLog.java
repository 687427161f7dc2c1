package io.flowcost.collector.wal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * An append-only log of accepted records in numbered segment files under a directory.
 *
 * <p>A frame is {@code [length:int][crc32c:int][payload]}; a torn frame at the end of the last
 * segment (a crash mid-write) is ignored on replay. The collector acknowledges a request only
 * after its records are in the log and forced to disk, and deletes segments only after their
 * records are published in the lake.
 */
public final class WriteAheadLog implements Closeable {

  private static final String SUFFIX = ".wal";
  private static final int MAX_FRAME = 64 * 1024 * 1024;

  private final Path dir;
  private final ObjectInputFilter filter;
  private final Object lock = new Object();
  private FileChannel current;
  private long currentSegment;
  private long bytesInCurrent;

  /**
   * Opens the log in {@code dir}, creating it if needed. New appends go to a fresh segment after
   * the existing ones, so replay of old segments and new appends never interleave.
   *
   * @param allowedPackage the only package whose classes may be deserialized on replay
   */
  public WriteAheadLog(Path dir, String allowedPackage) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.filter = ObjectInputFilter.Config.createFilter(
        allowedPackage + ".*;java.lang.*;java.math.*;java.time.*;java.util.*;!*");
    List<Long> existing = segments();
    currentSegment = existing.isEmpty() ? 1 : existing.get(existing.size() - 1) + 1;
    openSegment();
  }

  /** Reads every record of the segments before the current one, in order. */
  public List<Object> replay() throws IOException {
    List<Object> out = new ArrayList<>();
    for (long id : segments()) {
      if (id >= currentSegment) {
        continue;
      }
      readSegment(file(id), out);
    }
    return out;
  }

  /** Ids of the segments written before this process opened the log. */
  public List<Long> replayedSegments() throws IOException {
    return segments().stream().filter(id -> id < currentSegment).toList();
  }

  /** Appends {@code records} as one frame and forces it to disk. */
  public void append(List<? extends Serializable> records) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 * Math.max(1, records.size()));
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new ArrayList<>(records));
    }
    byte[] payload = bytes.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(payload);
    ByteBuffer frame = ByteBuffer.allocate(8 + payload.length);
    frame.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
    synchronized (lock) {
      while (frame.hasRemaining()) {
        current.write(frame);
      }
      current.force(false);
      bytesInCurrent += 8 + payload.length;
    }
  }

  /**
   * Closes the current segment and starts a new one.
   *
   * @return the id of the segment just closed: everything appended before this call is in it or
   *     in an older segment
   */
  public long rotate() throws IOException {
    synchronized (lock) {
      long closed = currentSegment;
      current.close();
      currentSegment++;
      openSegment();
      return closed;
    }
  }

  /** Deletes segments with id ≤ {@code segmentId}: their records are safely in the lake. */
  public void deleteUpTo(long segmentId) throws IOException {
    for (long id : segments()) {
      if (id <= segmentId && id != currentSegment) {
        Files.deleteIfExists(file(id));
      }
    }
  }

  /** Bytes in all segments on disk. */
  public long sizeBytes() throws IOException {
    long total = 0;
    for (long id : segments()) {
      total += Files.size(file(id));
    }
    return total;
  }

  @Override
  public void close() throws IOException {
    synchronized (lock) {
      current.close();
    }
  }

  private void openSegment() throws IOException {
    current = FileChannel.open(file(currentSegment), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    bytesInCurrent = 0;
  }

  private Path file(long id) {
    return dir.resolve(String.format("%020d%s", id, SUFFIX));
  }

  private List<Long> segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(SUFFIX))
          .map(n -> Long.parseLong(n.substring(0, n.length() - SUFFIX.length())))
          .sorted()
          .toList();
    }
  }

  private void readSegment(Path file, List<Object> out) throws IOException {
    ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file));
    while (all.remaining() >= 8) {
      int length = all.getInt();
      int crcValue = all.getInt();
      if (length < 0 || length > MAX_FRAME || length > all.remaining()) {
        return; // torn tail
      }
      byte[] payload = new byte[length];
      all.get(payload);
      CRC32C crc = new CRC32C();
      crc.update(payload);
      if ((int) crc.getValue() != crcValue) {
        return; // torn or corrupt tail: nothing after it was acknowledged
      }
      try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(payload))) {
        in.setObjectInputFilter(filter);
        out.addAll((List<?>) in.readObject());
      } catch (ClassNotFoundException e) {
        throw new IOException("write-ahead log " + file + " holds an unknown record type", e);
      }
    }
  }
}
