package io.flowcost.lake.parquet;

import io.flowcost.lake.schema.Column;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.schema.TableSchema;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * Writes rows of one table to a single ZSTD-compressed Parquet file, without Hadoop at run time.
 *
 * <p>Columns of (nearly) distinct values — ids, timestamps, durations — are written without a
 * dictionary ({@link ParquetSchemas#dictionaryEncoded}); every reader decodes either encoding.
 *
 * <p>Each value goes straight to its column's writer with the repetition and definition levels
 * the schema gives it, row after row; row groups are cut as {@code ParquetWriter} cuts them
 * (the buffered size checked at the same intervals against {@link
 * ParquetWriteOptions#rowGroupSize()}). Why not {@code ParquetWriter} and a {@code
 * WriteSupport}: its record consumer ({@code MessageColumnIO}) walks the schema for every field
 * of every row (start/end field, a written-fields bit set, nulls found missing at the end of each
 * record), which was a third of the collector's lake flush; the columns, pages, statistics,
 * column indexes, compression and footer are Parquet's own classes either way. Only a
 * {@link ZstdCodecFactory} and no Hadoop configuration are involved.
 */
public final class ParquetRowWriter {

  /** Footer key of the table's schema version. */
  static final String SCHEMA_VERSION_KEY = "flowcost.schema_version";

  /** Footer key of the table's name. */
  static final String TABLE_KEY = "flowcost.table";

  /** The object model named in the footer ({@code writer.model.name}), as before. */
  private static final String MODEL_NAME = "flowcost";

  private ParquetRowWriter() {}

  /**
   * Writes {@code rows} (all of {@code table}) to {@code file}, which must not exist.
   *
   * @return the number of rows written
   */
  public static long write(
      TableSchema table, Iterable<Row> rows, Path file, ParquetWriteOptions options)
      throws IOException {
    return write(table, rows, new LocalOutputFile(file), options);
  }

  /**
   * Writes {@code rows} (all of {@code table}) to {@code file}, which must not exist. A row is
   * written as soon as the iterator returns it, so when a row cannot be written the exception
   * comes before the next row is asked for.
   *
   * @return the number of rows written
   */
  public static long write(
      TableSchema table, Iterable<Row> rows, OutputFile file, ParquetWriteOptions options)
      throws IOException {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(options, "options");
    MessageType schema = ParquetSchemas.messageType(table);
    ParquetProperties props = properties(table, options);
    ZstdCodecFactory codecs = new ZstdCodecFactory(options.zstdLevel());
    ParquetFileWriter fileWriter = new ParquetFileWriter(file, schema,
        ParquetFileWriter.Mode.CREATE, options.rowGroupSize(),
        ParquetWriter.MAX_PADDING_SIZE_DEFAULT, null, props);
    try {
      fileWriter.start();
      Groups groups = new Groups(table, schema, props, fileWriter,
          codecs.getCompressor(CompressionCodecName.ZSTD), options.rowGroupSize());
      long count = 0;
      for (Row row : rows) {
        groups.write(row);
        count++;
      }
      groups.finish();
      Map<String, String> footer = new HashMap<>();
      footer.put(SCHEMA_VERSION_KEY, Integer.toString(table.schemaVersion()));
      footer.put(TABLE_KEY, table.name());
      footer.put(ParquetWriter.OBJECT_MODEL_NAME_PROP, MODEL_NAME);
      fileWriter.end(footer);
      return count;
    } catch (IOException | RuntimeException | Error e) {
      try {
        fileWriter.abort(); // closes the half-written file; the caller discards it
      } catch (RuntimeException again) {
        e.addSuppressed(again);
      }
      throw e;
    } finally {
      codecs.release();
    }
  }

  /** The encoding settings {@code ParquetWriter}'s builder was given for the lake's files. */
  private static ParquetProperties properties(TableSchema table, ParquetWriteOptions options) {
    ParquetProperties.Builder b = ParquetProperties.builder()
        .withPageSize(options.pageSize())
        .withDictionaryEncoding(true)
        // The optional size statistics (level histograms, unencoded byte counts) cost a
        // histogram update per value and no reader of the lake uses them; min/max statistics
        // and the column and offset indexes are kept.
        .withSizeStatisticsEnabled(false);
    for (Column c : table.columns()) {
      if (!ParquetSchemas.dictionaryEncoded(c)) {
        b.withDictionaryEncoding(c.name(), false);
      }
    }
    return b.build();
  }

  /**
   * The row groups of one file: the column writers of the current group, cut into a new group
   * when the buffered size nears the row-group size (checked as {@code ParquetWriter} checks it,
   * not after every row).
   */
  private static final class Groups {
    private final TableSchema table;
    private final MessageType schema;
    private final ParquetProperties props;
    private final ParquetFileWriter file;
    private final BytesInputCompressor compressor;
    private final long rowGroupSize;
    private final Column[] columns;
    /** Per table column, its first leaf's index in {@link #descriptors} (a map has two). */
    private final int[] firstLeaf;
    private final ColumnDescriptor[] descriptors;
    private final ColumnWriter[] writers;
    /**
     * Per leaf, the UTF-8 {@link Binary} of each string already written to it, for the
     * dictionary-encoded string columns (models, services, statuses, paths: a handful of values
     * repeated on every row); null for the other leaves. Why: a fresh UTF-8 array and {@code
     * Binary} per value were ≈ 28 % of what the collector's flush thread allocated, and most of
     * those values repeat. The bytes written are the same either way ({@link Binary}s are
     * immutable here and Parquet copies what it keeps).
     */
    private final Utf8Cache[] utf8;
    private ColumnChunkPageWriteStore pages;
    private ColumnWriteStore store;
    private int ordinal;
    private long rowsInGroup;
    private long nextCheck;
    private long nextGroupSize;

    Groups(TableSchema table, MessageType schema, ParquetProperties props, ParquetFileWriter file,
        BytesInputCompressor compressor, long rowGroupSize) {
      this.table = table;
      this.schema = schema;
      this.props = props;
      this.file = file;
      this.compressor = compressor;
      this.rowGroupSize = rowGroupSize;
      this.nextGroupSize = rowGroupSize;
      this.columns = table.columns().toArray(new Column[0]);
      this.descriptors = schema.getColumns().toArray(new ColumnDescriptor[0]);
      this.writers = new ColumnWriter[descriptors.length];
      this.utf8 = new Utf8Cache[descriptors.length];
      this.firstLeaf = new int[columns.length];
      int leaf = 0;
      for (int i = 0; i < columns.length; i++) {
        firstLeaf[i] = leaf;
        if (columns[i].type() == io.flowcost.lake.schema.ColumnType.STRING
            && ParquetSchemas.dictionaryEncoded(columns[i])) {
          utf8[leaf] = new Utf8Cache();
        }
        leaf += columns[i].type() == io.flowcost.lake.schema.ColumnType.MAP_STRING_STRING ? 2 : 1;
      }
      if (leaf != descriptors.length) {
        throw new AssertionError("table " + table.name() + ": " + leaf + " leaf columns expected,"
            + " the Parquet schema has " + descriptors.length);
      }
      this.nextCheck = props.getMinRowCountForPageSizeCheck();
      open();
    }

    private void open() {
      pages = ColumnChunkPageWriteStore.builder()
          .withSchema(schema)
          .withAllocator(props.getAllocator())
          .withColumnIndexTruncateLength(props.getColumnIndexTruncateLength())
          .withPageWriteChecksumEnabled(props.getPageWriteChecksumEnabled())
          .withRowGroupOrdinal(ordinal)
          .withCompressorProvider(d -> compressor)
          .build();
      store = props.newColumnWriteStore(schema, pages, pages);
      for (int i = 0; i < descriptors.length; i++) {
        writers[i] = store.getColumnWriter(descriptors[i]);
      }
    }

    void write(Row row) throws IOException {
      if (!table.equals(row.schema())) {
        throw new IllegalArgumentException(
            "row of table " + row.schema().name() + " (v" + row.schema().schemaVersion()
                + ") written to table " + table.name() + " (v" + table.schemaVersion() + ")");
      }
      for (int i = 0; i < columns.length; i++) {
        writeValue(columns[i], firstLeaf[i], row.get(i));
      }
      store.endRecord();
      rowsInGroup++;
      if (rowsInGroup >= props.getRowGroupRowCountLimit()) {
        cut();
      } else if (rowsInGroup >= nextCheck) {
        // as ParquetWriter: the buffered size is asked for now and then, not after every row
        long buffered = store.getBufferedSize();
        long perRow = buffered / rowsInGroup;
        if (buffered > nextGroupSize - 2 * perRow) {
          cut();
        } else {
          nextCheck = Math.min(
              Math.max(props.getMinRowCountForPageSizeCheck(),
                  (rowsInGroup + (long) (nextGroupSize / (float) Math.max(1, perRow))) / 2),
              rowsInGroup + props.getMaxRowCountForPageSizeCheck());
        }
      }
    }

    /**
     * One value (or null) of a column: optional columns have definition level 1 when present;
     * a map is a repeated {@code key_value} group under the column's own group ({@link
     * ParquetSchemas}), its first entry at repetition level 0, the others at 1.
     */
    @SuppressWarnings("unchecked")
    private void writeValue(Column c, int leaf, Object value) {
      ColumnWriter w = writers[leaf];
      int present = descriptors[leaf].getMaxDefinitionLevel();
      if (c.type() == io.flowcost.lake.schema.ColumnType.MAP_STRING_STRING) {
        writeMap(c.required() ? 0 : 1, leaf, (Map<String, String>) value);
        return;
      }
      if (value == null) {
        w.writeNull(0, 0); // Row has already refused a null in a required column
        return;
      }
      switch (c.type()) {
        case STRING -> {
          Utf8Cache cache = utf8[leaf];
          w.write(cache == null ? utf8((String) value) : cache.of((String) value), 0, present);
        }
        case INT -> w.write((int) (Integer) value, 0, present);
        case BIGINT -> w.write((long) (Long) value, 0, present);
        case BOOLEAN -> w.write((boolean) (Boolean) value, 0, present);
        case DOUBLE -> w.write((double) (Double) value, 0, present);
        // Row guarantees scale 9 and at most 18 digits, so the unscaled value fits a long.
        case DECIMAL_18_9 -> w.write(((BigDecimal) value).unscaledValue().longValueExact(), 0,
            present);
        case TIMESTAMP_MICROS_UTC -> w.write(epochMicros((Instant) value), 0, present);
        case DATE -> w.write(Math.toIntExact(((LocalDate) value).toEpochDay()), 0, present);
        default -> throw new AssertionError("unmapped column type " + c.type());
      }
    }

    /**
     * A map's key and value leaves. {@code group} is the definition level of the map itself
     * being present (0 when the column is required, else 1); an empty map is present without
     * entries, a null map is absent.
     */
    private void writeMap(int group, int leaf, Map<String, String> map) {
      ColumnWriter keys = writers[leaf];
      ColumnWriter values = writers[leaf + 1];
      if (map == null) {
        keys.writeNull(0, 0);
        values.writeNull(0, 0);
        return;
      }
      if (map.isEmpty()) {
        keys.writeNull(0, group);
        values.writeNull(0, group);
        return;
      }
      int repetition = 0;
      for (Map.Entry<String, String> e : map.entrySet()) {
        keys.write(utf8(e.getKey()), repetition, group + 1);
        if (e.getValue() == null) {
          values.writeNull(repetition, group + 1);
        } else {
          values.write(utf8(e.getValue()), repetition, group + 2);
        }
        repetition = 1;
      }
    }

    /** Writes the current group to the file and starts a new one. */
    private void cut() throws IOException {
      flushGroup();
      ordinal++;
      open();
      rowsInGroup = 0;
      nextCheck = props.getMinRowCountForPageSizeCheck();
    }

    private void flushGroup() throws IOException {
      try {
        if (rowsInGroup > 0) {
          file.startBlock(rowsInGroup);
          store.flush();
          pages.flushToFileWriter(file);
          file.endBlock();
          nextGroupSize = Math.min(file.getNextRowGroupSize(), rowGroupSize);
        }
      } finally {
        store.close();
        pages.close();
      }
    }

    /** Writes the last group (a file with no rows has none). */
    void finish() throws IOException {
      flushGroup();
      rowsInGroup = 0;
    }
  }

  private static Binary utf8(String s) {
    return Binary.fromConstantByteArray(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The UTF-8 {@link Binary} of the strings one column has seen, for a column whose values
   * repeat. Bounded: once it holds {@link #MAX_ENTRIES} strings (a column that turned out to have
   * many distinct values), new strings are encoded without being remembered.
   */
  private static final class Utf8Cache {
    static final int MAX_ENTRIES = 1024;
    private final HashMap<String, Binary> known = new HashMap<>();
    /** The last string asked for and its bytes: consecutive rows often repeat a value. */
    private String last;
    private Binary lastBytes;

    Binary of(String s) {
      if (s == last) { // the same String object (the request's decoder shares repeated texts)
        return lastBytes;
      }
      Binary b = known.get(s);
      if (b == null) {
        b = utf8(s);
        if (known.size() < MAX_ENTRIES) {
          known.put(s, b);
        }
      }
      last = s;
      lastBytes = b;
      return b;
    }
  }

  static long epochMicros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000L);
  }
}
