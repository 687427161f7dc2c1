package io.flowcost.collector.wal;

import io.flowcost.collector.ingest.LakeRecord;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What the write path needs of a write-ahead log: durable appends, replay after a restart, and
 * deletion of segments whose records are in the lake. {@link WriteAheadLog} is the
 * implementation; tests wrap it to inject faults.
 */
public interface RecordLog extends Closeable {

  /** Reads every record of the segments written before this process opened the log, in order. */
  List<LakeRecord> replay() throws IOException;

  /**
   * Appends {@code records} as one frame and forces it to disk. When this throws, the records
   * may or may not be on disk; the caller treats them as not durable (the sender retries) and
   * replay de-duplicates should both copies survive.
   */
  default void append(List<? extends LakeRecord> records) throws IOException {
    append(records, new ByteBuffer[] {ByteBuffer.wrap(RecordCodec.encode(records))});
  }

  /**
   * Appends one frame whose payload is already encoded and holds exactly {@code records}, and
   * forces it to disk; otherwise as {@link #append(List)}. The payload is given as the pieces
   * it is made of, in order ({@link RecordCodec#payloadPieces}: a header, then slices of the
   * requests' own encodings), and the pieces' remaining bytes are consumed. Why pieces: the
   * write path encodes each request's rows on the request's own thread, and the log's single
   * thread writes those bytes as they are (one gathering write) instead of copying a group's
   * megabytes into one array first.
   */
  void append(List<? extends LakeRecord> records, ByteBuffer[] payload) throws IOException;

  /**
   * Closes the current segment; later appends go to a newer one.
   *
   * @return the id of the segment just closed: everything appended before this call is in it or
   *     in an older segment
   */
  long rotate() throws IOException;

  /** Deletes segments with id ≤ {@code segmentId}: their records are safely in the lake. */
  void deleteUpTo(long segmentId) throws IOException;
}
