package io.flowcost.collector.pipeline;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.CapBreachRecord;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import io.flowcost.collector.sink.LakeFlusher;
import io.flowcost.collector.wal.RecordCodec;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.schema.Row;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lake files of the next flush, written while rows are accepted: each accepted row is
 * turned into its lake row and encoded into the open file of its table and UTC day as soon as
 * the flush thread takes it from the buffer, so between its acknowledgement and the flush a row
 * is a few bytes in Parquet's column buffers and its write-ahead-log encoding in a byte array,
 * not a graph of about thirty objects (≈ 1 KB) that every garbage collection until the flush
 * traces, copies and promotes.
 *
 * <p>Nothing acknowledged depends on these files: the rows are in the write-ahead log, whose
 * segments are deleted only after the flush has published them. Each group keeps its rows' log
 * encodings ({@link RecordCodec#encodeEach}, copied into large chunks), so when its file cannot
 * be written or published the rows come back as records ({@link Group#records}) and take the
 * path they always took: published without the rows the lake cannot store (quarantined), or
 * retried at the next flush.
 *
 * <p>Used under the pipeline's monitor only (the flush thread, or a caller of {@code flush}).
 */
final class StagedFiles {

  private final LakeFlusher flusher;
  private final Map<GroupKey, Group> groups = new LinkedHashMap<>();
  private long rows;
  /** The group of the last row staged. */
  private Group last;

  StagedFiles(LakeFlusher flusher) {
    this.flusher = flusher;
  }

  private record GroupKey(LakeRecord.Table table, LocalDate day) {}

  /** Rows staged, in all groups. */
  long rows() {
    return rows;
  }

  boolean isEmpty() {
    return rows == 0;
  }

  /** The groups, one per table and day, in the order their first row arrived. */
  Collection<Group> groups() {
    return groups.values();
  }

  /**
   * Stages one accepted row, whose log encoding is {@code encoded[from, to)}. Never throws for
   * the row's sake: a row whose lake row cannot be built is kept as a record for the flush to
   * quarantine, and a file that fails is given up and its rows read back from their encodings.
   */
  void add(LakeRecord r, byte[] encoded, int from, int to) {
    // rows come in runs of one table and day (a request's spans): the last group is asked
    // first, by the epoch day, before a LocalDate and a map look-up are paid for
    long epochDay = Math.floorDiv(r.partitionTime().getEpochSecond(), 86_400L);
    Group g = last;
    if (g == null || g.table != r.table() || g.day == null || g.day.toEpochDay() != epochDay) {
      LocalDate day;
      try {
        day = r.partitionDay();
      } catch (DateTimeException e) {
        day = null; // no partition can hold it: the flush quarantines it, as before
      }
      GroupKey key = new GroupKey(r.table(), day);
      g = groups.get(key);
      if (g == null) {
        g = new Group(r.table(), day);
        groups.put(key, g);
      }
      last = g;
    }
    g.add(r, encoded, from, to);
    rows++;
  }

  /** Gives every open file up (after the flush, or when the pipeline stops). */
  void discardAll() {
    for (Group g : groups.values()) {
      g.discard();
    }
  }

  /** The rows of one table and day. */
  final class Group {
    private final LakeRecord.Table table;
    private final LocalDate day;
    private final Chunks encodings = new Chunks();
    private int count;
    private LakeWriter.OpenFile file;
    private boolean broken;
    /** Rows in {@link #file}: their keys, fingerprints and what they change. */
    private final List<String> keys = new ArrayList<>();
    private final List<String> fingerprints = new ArrayList<>();
    private final Changes changes = new Changes();
    /** Rows whose lake row cannot be built, or without a partition day: not in the file. */
    private final List<LakeRecord> unbuilt = new ArrayList<>();

    private Group(LakeRecord.Table table, LocalDate day) {
      this.table = table;
      this.day = day;
    }

    LakeRecord.Table table() {
      return table;
    }

    private void add(LakeRecord r, byte[] encoded, int from, int to) {
      encodings.append(encoded, from, to - from);
      count++;
      if (broken) {
        return;
      }
      Row row;
      try {
        if (day == null) {
          throw new DateTimeException("no partition day");
        }
        row = LakeFlusher.rowOf(r);
      } catch (RuntimeException e) {
        unbuilt.add(r);
        return;
      }
      try {
        if (file == null) {
          file = flusher.open(table, day);
        }
        file.add(row);
      } catch (IOException | RuntimeException e) {
        // the file may hold part of this row: give it up; the flush reads the rows back
        broken = true;
        discard();
        return;
      }
      keys.add(r.dedupKey());
      fingerprints.add(r.contentFingerprint());
      changes.add(r);
    }

    /**
     * True when this group's file failed while rows were added: the flush publishes the
     * group's {@link #records} the way it publishes retried rows.
     */
    boolean broken() {
      return broken;
    }

    /** Rows in the file (0 when broken). */
    int fileRows() {
      return broken ? 0 : keys.size();
    }

    /** Publishes the file; its rows' keys go to {@code keysOut}, what they change to {@code changesOut}. */
    void publishFile(Map<String, String> keysOut, Changes changesOut) throws IOException {
      file.publish();
      for (int i = 0; i < keys.size(); i++) {
        keysOut.put(keys.get(i), fingerprints.get(i));
      }
      changesOut.addAll(changes);
    }

    /** Rows whose lake row cannot be built: the flush quarantines them. */
    List<LakeRecord> unbuilt() {
      return unbuilt;
    }

    /** Every row of the group, read back from its log encodings, in the order staged. */
    List<LakeRecord> records() throws IOException {
      return RecordCodec.decodeEach(encodings.toArray(), encodings.size(), count);
    }

    private void discard() {
      if (file != null) {
        try {
          file.discard();
        } catch (IOException | RuntimeException ignored) {
          // a scratch file left behind holds nothing acknowledged that is not in the log
        }
        file = null;
      }
    }
  }

  /**
   * What published rows change, for the rollup ({@link ChangeListener}): workflow ids, external
   * keys of outcomes without one, days of workflow spans.
   */
  static final class Changes {
    final Set<String> workflowIds = new HashSet<>();
    final Set<String> externalKeys = new HashSet<>();
    final Set<LocalDate> days = new HashSet<>();

    void add(LakeRecord r) {
      if (r instanceof CallRecord c) {
        workflowIds.add(c.workflowId());
      } else if (r instanceof WorkflowSpanRecord w) {
        workflowIds.add(w.workflowId());
        days.add(w.partitionDay());
      } else if (r instanceof CapBreachRecord b) {
        workflowIds.add(b.workflowId());
      } else if (r instanceof OutcomeRecord o) {
        if (o.workflowId() != null) {
          workflowIds.add(o.workflowId());
        } else {
          externalKeys.add(o.externalKey());
        }
      }
    }

    void addAll(Changes other) {
      workflowIds.addAll(other.workflowIds);
      externalKeys.addAll(other.externalKeys);
      days.addAll(other.days);
    }

    void tell(ChangeListener listener) {
      if (!workflowIds.isEmpty() || !externalKeys.isEmpty()) {
        listener.published(workflowIds, externalKeys, days);
      }
    }
  }

  /** Bytes appended in 256 KiB chunks: no copy of what is there as the group grows. */
  private static final class Chunks {
    private static final int CHUNK = 256 * 1024;
    private final List<byte[]> full = new ArrayList<>();
    private byte[] current = new byte[4096];
    private int pos;
    private long size;

    void append(byte[] b, int from, int length) {
      while (length > 0) {
        if (pos == current.length) {
          if (current.length < CHUNK) {
            current = Arrays.copyOf(current, Math.min(CHUNK, current.length * 4));
          } else {
            full.add(current);
            current = new byte[CHUNK];
            pos = 0;
          }
        }
        int n = Math.min(length, current.length - pos);
        System.arraycopy(b, from, current, pos, n);
        pos += n;
        from += n;
        length -= n;
        size += n;
      }
    }

    int size() {
      return Math.toIntExact(size);
    }

    byte[] toArray() {
      byte[] out = new byte[size()];
      int at = 0;
      for (byte[] c : full) {
        System.arraycopy(c, 0, out, at, c.length);
        at += c.length;
      }
      System.arraycopy(current, 0, out, at, pos);
      return out;
    }
  }
}
