package io.flowcost.collector.wal;

import io.flowcost.collector.ingest.LakeRecord;
import java.io.Closeable;
import java.io.IOException;
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
    append(records, RecordCodec.encode(records));
  }

  /**
   * Appends one frame whose payload ({@link RecordCodec#payload}) is already encoded and holds
   * exactly {@code records}, and forces it to disk; otherwise as {@link #append(List)}. The
   * write path encodes each request's rows on the request's own thread, so the log's single
   * thread only copies bytes and calls {@code fsync}.
   */
  void append(List<? extends LakeRecord> records, byte[] payload) throws IOException;

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
