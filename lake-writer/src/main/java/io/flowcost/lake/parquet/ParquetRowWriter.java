package io.flowcost.lake.parquet;

import io.flowcost.lake.schema.Column;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.schema.TableSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;

/**
 * Writes rows of one table to a single ZSTD-compressed Parquet file, without Hadoop at run time.
 *
 * <p>Columns of (nearly) distinct values — ids, timestamps, durations — are written without a
 * dictionary ({@link ParquetSchemas#dictionaryEncoded}); every reader decodes either encoding.
 *
 * <p>parquet-hadoop falls back to Hadoop classes whenever a configuration, codec factory or write
 * support is left to its defaults, so all three are supplied: a {@link PlainParquetConfiguration},
 * a {@link ZstdCodecFactory}, and a write support whose Hadoop entry points are never called.
 */
public final class ParquetRowWriter {

  private ParquetRowWriter() {}

  /**
   * Writes {@code rows} to a new file at {@code file}, which must not exist yet. If this throws,
   * the file may exist partially written; the caller deletes it (as {@code LakeWriter} does).
   *
   * @return the number of rows written
   * @throws IllegalArgumentException if a row belongs to another table schema
   */
  public static long write(
      TableSchema table, Iterable<Row> rows, Path file, ParquetWriteOptions options)
      throws IOException {
    return write(table, rows, new LocalOutputFile(file), options);
  }

  /**
   * Writes {@code rows} to {@code file}, which must not exist yet. Any {@link OutputFile} works,
   * e.g. one over an in-memory buffer that is then uploaded.
   *
   * @return the number of rows written
   * @throws IllegalArgumentException if a row belongs to another table schema
   */
  public static long write(
      TableSchema table, Iterable<Row> rows, OutputFile file, ParquetWriteOptions options)
      throws IOException {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(options, "options");
    long count = 0;
    Builder builder = new Builder(file, table)
        .withConf(new PlainParquetConfiguration())
        .withCodecFactory(new ZstdCodecFactory(options.zstdLevel()))
        .withCompressionCodec(CompressionCodecName.ZSTD)
        .withWriteMode(ParquetFileWriter.Mode.CREATE)
        .withRowGroupSize(options.rowGroupSize())
        .withPageSize(options.pageSize())
        .withDictionaryEncoding(true)
        // The optional size statistics (level histograms, unencoded byte counts) cost a
        // histogram update per value and no reader of the lake uses them; min/max statistics
        // and the column and offset indexes are kept.
        .withSizeStatisticsEnabled(false);
    for (Column c : table.columns()) {
      if (!ParquetSchemas.dictionaryEncoded(c)) {
        builder.withDictionaryEncoding(c.name(), false);
      }
    }
    try (ParquetWriter<Row> writer = builder.build()) {
      for (Row row : rows) {
        writer.write(row);
        count++;
      }
    }
    return count;
  }

  private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
    private final TableSchema table;

    Builder(OutputFile file, TableSchema table) {
      super(file);
      this.table = table;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(ParquetConfiguration conf) {
      return new RowWriteSupport(table);
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
      return new RowWriteSupport(table);
    }
  }
}
