package io.flowcost.lake.parquet;

import com.github.luben.zstd.Zstd;
import org.apache.parquet.column.ParquetProperties;

/**
 * Tuning of the Parquet files the lake writes. Immutable; start from {@link #defaults()}.
 *
 * <p>Defaults favor scans: 64 MiB row groups (DuckDB wants 100K+ rows per group), Parquet's
 * default 1 MiB pages, and ZSTD at zstd's default level.
 */
public final class ParquetWriteOptions {

  /** Default target row-group size in bytes (64 MiB). */
  public static final long DEFAULT_ROW_GROUP_SIZE = 64L * 1024 * 1024;

  private static final ParquetWriteOptions DEFAULTS =
      new ParquetWriteOptions(
          DEFAULT_ROW_GROUP_SIZE, ParquetProperties.DEFAULT_PAGE_SIZE, ZstdCodecFactory.DEFAULT_LEVEL);

  private final long rowGroupSize;
  private final int pageSize;
  private final int zstdLevel;

  private ParquetWriteOptions(long rowGroupSize, int pageSize, int zstdLevel) {
    if (rowGroupSize < 1024) {
      throw new IllegalArgumentException("row group size too small: " + rowGroupSize);
    }
    if (pageSize < 1024) {
      throw new IllegalArgumentException("page size too small: " + pageSize);
    }
    if (zstdLevel < Zstd.minCompressionLevel() || zstdLevel > Zstd.maxCompressionLevel()) {
      throw new IllegalArgumentException("zstd level out of range: " + zstdLevel);
    }
    this.rowGroupSize = rowGroupSize;
    this.pageSize = pageSize;
    this.zstdLevel = zstdLevel;
  }

  /** The defaults: 64 MiB row groups, 1 MiB pages, zstd default level. */
  public static ParquetWriteOptions defaults() {
    return DEFAULTS;
  }

  /** Target uncompressed size of a row group, in bytes. */
  public long rowGroupSize() {
    return rowGroupSize;
  }

  /** Target size of a data page, in bytes. */
  public int pageSize() {
    return pageSize;
  }

  /** zstd compression level. */
  public int zstdLevel() {
    return zstdLevel;
  }

  /** A copy with the given row-group size in bytes (at least 1 KiB). */
  public ParquetWriteOptions withRowGroupSize(long bytes) {
    return new ParquetWriteOptions(bytes, pageSize, zstdLevel);
  }

  /** A copy with the given page size in bytes (at least 1 KiB). */
  public ParquetWriteOptions withPageSize(int bytes) {
    return new ParquetWriteOptions(rowGroupSize, bytes, zstdLevel);
  }

  /** A copy with the given zstd level. */
  public ParquetWriteOptions withZstdLevel(int level) {
    return new ParquetWriteOptions(rowGroupSize, pageSize, level);
  }

  @Override
  public String toString() {
    return "ParquetWriteOptions{rowGroupSize=" + rowGroupSize + ", pageSize=" + pageSize
        + ", zstdLevel=" + zstdLevel + "}";
  }
}
