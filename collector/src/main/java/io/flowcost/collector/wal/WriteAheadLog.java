package io.flowcost.collector.wal;

import io.flowcost.collector.ingest.LakeRecord;
import java.io.IOException;
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
 * <p>A frame is {@code [length:int][crc32c:int][payload]}, the payload one {@link RecordCodec}
 * frame (a format version byte, then typed records); a torn frame at the end of a segment (a
 * crash or a failed write mid-frame) is ignored on replay. The collector acknowledges a request
 * only after its records are in the log and forced to disk, and deletes segments only after
 * their records are published in the lake.
 *
 * <p>After a failed append the log never writes behind the failed frame: it abandons that
 * segment (trimming it back where it can) and opens the next one at the next append, so a torn
 * frame is always the tail of its segment and the frames after it are replayed.
 */
public final class WriteAheadLog implements RecordLog {

  private static final String SUFFIX = ".wal";

  /**
   * The largest payload a frame holds: its length is written as an {@code int}. Replay bounds a
   * frame by what is left of its file and by its checksum, never by a smaller size: a cap on
   * replay that the writer did not also apply would read a large acknowledged group (several
   * requests near the body limit) as a torn tail and drop it with every frame after it.
   */
  static final int MAX_PAYLOAD = Integer.MAX_VALUE - 8;

  private final Path dir;
  private final Object lock = new Object();
  /** The segment appends go to; {@code null} after a failure until the next append opens one. */
  private FileChannel current;
  private long currentSegment;
  private final long firstOwnSegment;

  /**
   * Opens the log in {@code dir}, creating it if needed. New appends go to a fresh segment after
   * the existing ones, so replay of old segments and new appends never interleave.
   */
  public WriteAheadLog(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
    List<Long> existing = segments();
    currentSegment = existing.isEmpty() ? 1 : existing.get(existing.size() - 1) + 1;
    firstOwnSegment = currentSegment;
    openSegment();
  }

  @Override
  public List<LakeRecord> replay() throws IOException {
    List<LakeRecord> out = new ArrayList<>();
    for (long id : replayedSegments()) {
      readSegment(file(id), out);
    }
    return out;
  }

  /** Ids of the segments written before this process opened the log. */
  public List<Long> replayedSegments() throws IOException {
    return segments().stream().filter(id -> id < firstOwnSegment).toList();
  }

  @Override
  public void append(List<? extends LakeRecord> records, ByteBuffer[] payload)
      throws IOException {
    // the header, then the payload's pieces as they are (one gathering write): a group's
    // payload, up to megabytes at high rates, is never copied into a frame buffer
    ByteBuffer[] frame = new ByteBuffer[payload.length + 1];
    System.arraycopy(payload, 0, frame, 1, payload.length);
    frame[0] = header(payload);
    ByteBuffer last = frame[frame.length - 1];
    synchronized (lock) {
      if (current == null) {
        currentSegment++;
        openSegment(); // throws while the directory is still unusable: the request gets 503
      }
      long before = current.position();
      try {
        while (last.hasRemaining()) {
          current.write(frame);
        }
        current.force(false);
      } catch (IOException | RuntimeException e) {
        abandonSegment(before);
        throw e;
      }
    }
  }

  /** The on-disk frame around one codec payload. */
  static ByteBuffer frame(byte[] payload) throws IOException {
    ByteBuffer frame = ByteBuffer.allocate(8 + payload.length);
    frame.put(header(new ByteBuffer[] {ByteBuffer.wrap(payload)})).put(payload).flip();
    return frame;
  }

  /**
   * A frame's header: the payload's length and CRC-32C, over the remaining bytes of its pieces
   * (their positions are left as they were).
   */
  private static ByteBuffer header(ByteBuffer[] payload) throws IOException {
    long length = 0;
    for (ByteBuffer piece : payload) {
      length += piece.remaining();
    }
    if (length > MAX_PAYLOAD) {
      // refused before anything is written: the requests get 503 and are sent again
      throw new IOException("a group of " + length + " bytes is larger than a write-ahead log"
          + " frame holds (" + MAX_PAYLOAD + " bytes): its requests are refused, nothing of"
          + " them is acknowledged");
    }
    CRC32C crc = new CRC32C();
    for (ByteBuffer piece : payload) {
      crc.update(piece.duplicate());
    }
    return ByteBuffer.allocate(8).putInt((int) length).putInt((int) crc.getValue()).flip();
  }

  /**
   * Gives up on the current segment after a failed write: trims the partial frame if the file
   * still allows it (so a replay sees whole frames), and makes the next append start a new
   * segment, whatever state the old file is in.
   */
  private void abandonSegment(long validLength) {
    try {
      current.truncate(validLength);
    } catch (IOException | RuntimeException ignored) {
      // the frame may stay partly written: it is the segment's tail, which replay ignores
    }
    try {
      current.close();
    } catch (IOException ignored) {
      // nothing more can be done with this channel
    }
    current = null;
  }

  @Override
  public long rotate() throws IOException {
    synchronized (lock) {
      long closed = currentSegment;
      if (current != null) {
        current.close();
        current = null;
      }
      currentSegment++;
      openSegment();
      return closed;
    }
  }

  @Override
  public void deleteUpTo(long segmentId) throws IOException {
    long keep;
    synchronized (lock) {
      keep = currentSegment;
    }
    for (long id : segments()) {
      if (id <= segmentId && id < keep) {
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
      if (current != null) {
        current.close();
      }
    }
  }

  /**
   * Reads every whole frame of one log-format file (a segment, or a quarantine file) into
   * {@code out}, stopping at a torn tail.
   *
   * @throws RecordCodec.UnknownFormatException when a frame is of a format this release does not
   *     read; the message names the file
   */
  public static void readSegment(Path file, List<LakeRecord> out) throws IOException {
    ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file));
    while (all.remaining() >= 8) {
      int length = all.getInt();
      int crcValue = all.getInt();
      if (length <= 0 || length > all.remaining()) {
        return; // torn tail
      }
      byte[] payload = new byte[length];
      all.get(payload);
      CRC32C crc = new CRC32C();
      crc.update(payload);
      if ((int) crc.getValue() != crcValue) {
        return; // torn or corrupt tail: nothing after it was acknowledged
      }
      try {
        out.addAll(RecordCodec.decode(payload));
      } catch (RecordCodec.UnknownFormatException e) {
        throw new RecordCodec.UnknownFormatException("cannot read write-ahead log file "
            + file.toAbsolutePath() + ": " + e.getMessage());
      } catch (IOException e) {
        throw new IOException("write-ahead log file " + file.toAbsolutePath()
            + " holds a frame with a valid checksum that cannot be decoded: " + e.getMessage(), e);
      }
    }
  }

  /** Writes {@code records} as a single-frame log-format file at {@code file} (forced to disk). */
  public static void writeFile(Path file, List<? extends LakeRecord> records) throws IOException {
    ByteBuffer frame = frame(RecordCodec.encode(records));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      while (frame.hasRemaining()) {
        ch.write(frame);
      }
      ch.force(true);
    }
  }

  private void openSegment() throws IOException {
    current = FileChannel.open(file(currentSegment), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND);
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
}
