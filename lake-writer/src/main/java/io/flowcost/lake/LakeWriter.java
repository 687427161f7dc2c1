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
      if (!table.equals(row.schema())) {
        throw new IllegalArgumentException(
            "table " + table.name() + ": batch holds a row of table " + row.schema().name()
                + " v" + row.schema().schemaVersion());
      }
    }
    String key = table.name() + "/date=" + partitionDay + "/" + nextFileName();
    // A fresh name: the Parquet writer creates the file itself and refuses to overwrite one.
    Path local = scratchDirectory.resolve("flowcost-" + UUID.randomUUID() + ".parquet");
    try {
      ParquetRowWriter.write(table, rows, local, options);
      store.publish(key, local);
    } finally {
      Files.deleteIfExists(local);
    }
    return key;
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
