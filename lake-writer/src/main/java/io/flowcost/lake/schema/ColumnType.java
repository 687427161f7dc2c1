package io.flowcost.lake.schema;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/**
 * The column types a lake table may use, each with the single Java type a {@link Row} holds for it.
 *
 * <p>The Parquet mapping is fixed by {@code docs/lake.md}: {@link #STRING} is {@code BINARY (STRING)},
 * {@link #DECIMAL_18_9} is {@code INT64 DECIMAL(18,9)}, {@link #TIMESTAMP_MICROS_UTC} is {@code INT64
 * TIMESTAMP(MICROS, isAdjustedToUTC=true)}, {@link #DATE} is {@code INT32 DATE} and {@link
 * #MAP_STRING_STRING} is the standard three-level {@code MAP<STRING,STRING>}.
 */
public enum ColumnType {
  /** UTF-8 text; Java {@link String}. */
  STRING(String.class),
  /** 32-bit signed integer; Java {@link Integer}. */
  INT(Integer.class),
  /** 64-bit signed integer; Java {@link Long}. */
  BIGINT(Long.class),
  /** Java {@link Boolean}. */
  BOOLEAN(Boolean.class),
  /** 64-bit IEEE float; Java {@link Double}. */
  DOUBLE(Double.class),
  /** Exact decimal with 18 digits of precision, 9 after the point; Java {@link BigDecimal} at scale 9. */
  DECIMAL_18_9(BigDecimal.class),
  /** An instant with microsecond precision, stored as UTC; Java {@link Instant}. */
  TIMESTAMP_MICROS_UTC(Instant.class),
  /** A calendar date without time zone; Java {@link LocalDate}. */
  DATE(LocalDate.class),
  /** String keys (never null) to string values (nullable); Java {@link Map Map&lt;String,String&gt;}. */
  MAP_STRING_STRING(Map.class);

  /** Decimal scale of {@link #DECIMAL_18_9}. */
  public static final int DECIMAL_SCALE = 9;

  /** Decimal precision of {@link #DECIMAL_18_9}. */
  public static final int DECIMAL_PRECISION = 18;

  private final Class<?> javaType;

  ColumnType(Class<?> javaType) {
    this.javaType = javaType;
  }

  /** The Java type a {@link Row} stores for this column type. */
  public Class<?> javaType() {
    return javaType;
  }
}
