package io.flowcost.collector.ingest;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A row the collector accepted for one of the lake's fact tables. The set of kinds is closed:
 * the write-ahead log's codec, the lake flusher and de-duplication handle each of them, and a new
 * kind is a new permitted type (and a new codec tag) rather than an {@code Object} that some
 * branch forgets.
 */
public sealed interface LakeRecord permits CallRecord, WorkflowSpanRecord, OutcomeRecord,
    CapBreachRecord {

  /** The fact table a record belongs to. */
  enum Table {
    CALLS("c:"),
    WORKFLOW_SPANS("w:"),
    OUTCOMES("o:"),
    CAP_BREACHES("b:");

    private final String keyPrefix;

    Table(String keyPrefix) {
      this.keyPrefix = keyPrefix;
    }

    /** The prefix of this table's de-duplication keys ({@link LakeRecord#dedupKey()}). */
    public String keyPrefix() {
      return keyPrefix;
    }
  }

  /** The table this record is a row of. */
  Table table();

  /**
   * The key by which a resent copy of this row is recognised: table prefix and span id (calls,
   * workflow spans) or outcome id.
   */
  String dedupKey();

  /** The instant that decides the row's UTC day partition. */
  Instant partitionTime();

  /** The UTC day partition the row is written to. */
  default LocalDate partitionDay() {
    return LocalDate.ofEpochDay(partitionEpochDay());
  }

  /**
   * {@link #partitionDay()} as days since 1970-01-01, without making a {@link LocalDate} (the
   * flush groups every record by it); may lie outside what a {@link LocalDate} can hold, where
   * {@link #partitionDay()} throws.
   */
  default long partitionEpochDay() {
    // the UTC day straight from the epoch second: LocalDate.ofInstant asks the offset for its
    // rules, which builds a new ZoneRules (and a map) on every call
    return Math.floorDiv(partitionTime().getEpochSecond(), 86_400L);
  }

  /**
   * What a resent copy must match to be a duplicate rather than a conflict; {@code null} when a
   * key fully identifies the content (span ids are unique per span).
   */
  default String contentFingerprint() {
    return null;
  }
}
