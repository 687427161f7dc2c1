package io.flowcost.lake;

import io.flowcost.lake.parquet.ParquetRowWriter;
import io.flowcost.lake.parquet.ParquetWriteOptions;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.schema.TableSchema;
import io.flowcost.lake.store.LakeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Writes batches of rows as immutable Parquet files into a {@link LakeStore}.
 *
 * <p>Each call to {@link #write} produces one file, encoded into a local scratch file and then
 * {@linkplain LakeStore#publish published} atomically as {@code
 * <table>/date=YYYY-MM-DD/<epochMillis>-<instanceId>-<seq>.parquet}. Names are unique across
 * collector instances (distinct instance ids) and, within one instance, strictly increasing in
 * lexicographic order even if the wall clock steps back.
 *
 * <p>Thread-safe: concurrent writes encode in parallel into distinct files.
 */
public final class LakeWriter {

  private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private final LakeStore store;
  private final String instanceId;
  private final ParquetWriteOptions options;
  private final Path scratchDirectory;
  private final Clock clock;

  // Guarded by this: the (millis, seq) pair of the last name handed out.
  private long lastMillis = Long.MIN_VALUE;
  private long sequence;

  /**
   * A writer with default Parquet options, the system UTC clock and the JVM temp directory for
   * scratch files.
   *
   * @param instanceId unique per collector instance; letters, digits, {@code _ . -}, at most 64
   */
  public LakeWriter(LakeStore store, String instanceId) {
    this(builder(store, instanceId));
  }

  private LakeWriter(Builder b) {
    this.store = b.store;
    this.instanceId = b.instanceId;
    this.options = b.options;
    this.scratchDirectory = b.scratchDirectory;
    this.clock = b.clock;
  }

  /** Starts a writer with non-default options. */
  public static Builder builder(LakeStore store, String instanceId) {
    return new Builder(store, instanceId);
  }

  /** The store files are published to. */
  public LakeStore store() {
    return store;
  }

  /** This writer's instance id, part of every file name. */
  public String instanceId() {
    return instanceId;
  }

  /**
   * Writes {@code rows} (all of {@code table}) as one file in the {@code partitionDay} partition.
   *
   * @return the published key
   * @throws IllegalArgumentException if {@code rows} is empty or holds a row of another schema;
   *     nothing is published then
   * @throws IOException if encoding or publishing failed; nothing is visible then
   */
  public String write(TableSchema table, LocalDate partitionDay, List<Row> rows)
      throws IOException {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(partitionDay, "partitionDay");
    Objects.requireNonNull(rows, "rows");
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("table " + table.name() + ": no rows to write");
    }
    for (Row row : rows) {
      checkTable(table, row);
    }
    OpenFile file = open(table, partitionDay);
    try {
      for (Row row : rows) {
        file.add(row);
      }
      return file.publish();
    } finally {
      file.discard();
    }
  }

  /**
   * Starts one file of {@code table} in the {@code partitionDay} partition, to which rows are
   * added one at a time and which is published whole by {@link OpenFile#publish}: rows are
   * encoded as they are added (into a local scratch file and Parquet's column buffers), so the
   * caller need not keep them. Nothing is visible in the store before {@code publish}.
   *
   * @throws IOException if the scratch file cannot be created
   */
  public OpenFile open(TableSchema table, LocalDate partitionDay) throws IOException {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(partitionDay, "partitionDay");
    // A fresh name: the Parquet writer creates the file itself and refuses to overwrite one.
    Path local = scratchDirectory.resolve("flowcost-" + UUID.randomUUID() + ".parquet");
    return new OpenFile(table, partitionDay, local,
        ParquetRowWriter.open(table, local, options));
  }

  /**
   * One lake file being written ({@link #open}): {@link #add} rows, then {@link #publish} it,
   * or {@link #discard} it. Not thread-safe; used by one thread at a time.
   */
  public final class OpenFile {
    private final TableSchema table;
    private final LocalDate day;
    private final Path local;
    private final ParquetRowWriter.RowFile parquet;
    private boolean closed;

    private OpenFile(TableSchema table, LocalDate day, Path local,
        ParquetRowWriter.RowFile parquet) {
      this.table = table;
      this.day = day;
      this.local = local;
      this.parquet = parquet;
    }

    /** The table of this file. */
    public TableSchema table() {
      return table;
    }

    /** The partition day of this file. */
    public LocalDate day() {
      return day;
    }

    /** Rows added so far. */
    public long rows() {
      return parquet.rows();
    }

    /**
     * Encodes {@code row} into this file.
     *
     * @throws IllegalArgumentException if the row is of another table (the file is unchanged)
     * @throws IOException if the scratch file could not be written; after this or any other
     *     exception but {@code IllegalArgumentException} the file is to be {@linkplain #discard
     *     discarded}
     */
    public void add(Row row) throws IOException {
      if (closed) {
        throw new IllegalStateException("table " + table.name() + ": file already closed");
      }
      checkTable(table, row);
      parquet.add(row);
    }

    /**
     * Completes the file and publishes it atomically as {@code
     * <table>/date=YYYY-MM-DD/<name>.parquet}; the scratch file is deleted either way.
     *
     * @return the published key
     * @throws IllegalArgumentException if no row was added; nothing is published then
     * @throws IOException if encoding or publishing failed; nothing is visible then
     */
    public String publish() throws IOException {
      if (closed) {
        throw new IllegalStateException("table " + table.name() + ": file already closed");
      }
      if (parquet.rows() == 0) {
        throw new IllegalArgumentException("table " + table.name() + ": no rows to write");
      }
      closed = true;
      try {
        parquet.finish();
        String key = table.name() + "/date=" + day + "/" + nextFileName();
        store.publish(key, local);
        return key;
      } finally {
        parquet.abort();
        Files.deleteIfExists(local);
      }
    }

    /** Gives the file up and deletes its scratch file; nothing is published. Idempotent. */
    public void discard() throws IOException {
      closed = true;
      parquet.abort();
      Files.deleteIfExists(local);
    }
  }

  /**
   * Writes {@code rows} as one file per partition day, days in ascending order.
   *
   * @return the published keys; empty if {@code rows} is empty
   * @throws IOException if a file failed; files for earlier days stay published
   */
  public List<String> writePartitioned(
      TableSchema table, List<Row> rows, Function<Row, LocalDate> dayOf) throws IOException {
    Objects.requireNonNull(dayOf, "dayOf");
    Map<LocalDate, List<Row>> byDay = new TreeMap<>();
    for (Row row : rows) {
      LocalDate day = Objects.requireNonNull(dayOf.apply(row), "partition day");
      byDay.computeIfAbsent(day, d -> new ArrayList<>()).add(row);
    }
    List<String> keys = new ArrayList<>(byDay.size());
    for (Map.Entry<LocalDate, List<Row>> e : byDay.entrySet()) {
      keys.add(write(table, e.getKey(), e.getValue()));
    }
    return Collections.unmodifiableList(keys);
  }

  /**
   * Writes {@code rows} as one file per UTC date of the table's {@linkplain
   * TableSchema#partitionColumn() partition column}.
   *
   * @throws IllegalArgumentException if the table declares no partition column
   */
  public List<String> writePartitioned(TableSchema table, List<Row> rows) throws IOException {
    String column =
        table.partitionColumn()
            .orElseThrow(() -> new IllegalArgumentException(
                "table " + table.name() + " declares no partition column"));
    return writePartitioned(table, rows, row -> row.dateOf(column));
  }

  private static void checkTable(TableSchema table, Row row) {
    if (!table.equals(row.schema())) {
      throw new IllegalArgumentException(
          "table " + table.name() + ": batch holds a row of table " + row.schema().name()
              + " v" + row.schema().schemaVersion());
    }
  }

  /** {@code <epochMillis>-<instanceId>-<seq>.parquet}, strictly increasing within this writer. */
  private synchronized String nextFileName() {
    // Never step back, so names sort in creation order even if NTP moves the clock backwards.
    lastMillis = Math.max(lastMillis, clock.millis());
    sequence++;
    return String.format("%013d-%s-%06d.parquet", lastMillis, instanceId, sequence);
  }

  /** Configures a {@link LakeWriter}. */
  public static final class Builder {
    private final LakeStore store;
    private final String instanceId;
    private ParquetWriteOptions options = ParquetWriteOptions.defaults();
    private Path scratchDirectory = Path.of(System.getProperty("java.io.tmpdir"));
    private Clock clock = Clock.systemUTC();

    private Builder(LakeStore store, String instanceId) {
      this.store = Objects.requireNonNull(store, "store");
      this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
      if (!INSTANCE_ID.matcher(instanceId).matches()) {
        throw new IllegalArgumentException(
            "instance id must match " + INSTANCE_ID + ": " + instanceId);
      }
    }

    /** Parquet tuning (row-group size, page size, zstd level). */
    public Builder parquetOptions(ParquetWriteOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /** Directory for the local file encoded before publishing; default {@code java.io.tmpdir}. */
    public Builder scratchDirectory(Path directory) {
      this.scratchDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** Clock for the millisecond part of file names. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds the writer. */
    public LakeWriter build() {
      return new LakeWriter(this);
    }
  }
}
