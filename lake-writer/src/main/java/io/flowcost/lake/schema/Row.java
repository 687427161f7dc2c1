package io.flowcost.lake.schema;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable row of a {@link TableSchema}: values in column order, already normalized to what
 * the file will hold.
 *
 * <p>Normalization, applied by {@link Builder#set}: decimals are rescaled to exactly 9 places
 * (never rounded), instants are truncated to microseconds, maps are copied, and {@code Integer}
 * values are widened for {@code BIGINT} columns. Any other mismatch is an {@link
 * IllegalArgumentException} that names the table and column (never the value, which may be
 * sensitive).
 */
public final class Row {

  private static final BigInteger DECIMAL_LIMIT = BigInteger.TEN.pow(ColumnType.DECIMAL_PRECISION);

  private final TableSchema schema;
  private final Object[] values;

  private Row(TableSchema schema, Object[] values) {
    this.schema = schema;
    this.values = values;
  }

  /** Starts a row of {@code schema}; unset columns are null. */
  public static Builder builder(TableSchema schema) {
    return new Builder(schema);
  }

  /** The schema this row belongs to. */
  public TableSchema schema() {
    return schema;
  }

  /** The value at column position {@code index}, or null. */
  public Object get(int index) {
    return values[index];
  }

  /** The value of {@code columnName}, or null. */
  public Object get(String columnName) {
    return values[schema.indexOf(columnName)];
  }

  /**
   * The UTC date of a DATE or TIMESTAMP column, for picking a partition.
   *
   * @throws IllegalArgumentException if the column has another type or is null in this row
   */
  public LocalDate dateOf(String columnName) {
    Object v = get(columnName);
    if (v instanceof LocalDate) {
      return (LocalDate) v;
    }
    if (v instanceof Instant) {
      return LocalDate.ofInstant((Instant) v, ZoneOffset.UTC);
    }
    throw new IllegalArgumentException(
        "table " + schema.name() + ", column " + columnName + ": no DATE or TIMESTAMP value");
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Row)) {
      return false;
    }
    Row that = (Row) o;
    return schema.equals(that.schema) && Arrays.equals(values, that.values);
  }

  @Override
  public int hashCode() {
    return 31 * schema.hashCode() + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    // Values are deliberately left out: they can carry user identifiers and business keys.
    return "Row{" + schema.name() + "}";
  }

  /** Fills and validates a {@link Row}. Not thread-safe; reusable after {@link #build()}. */
  /**
   * The instants a timestamp column accepts: the span of nanosecond {@code long}s (1677 to 2262),
   * well inside what microseconds since 1970 in 64 bits can hold, and what every Parquet reader
   * handles.
   */
  private static final Instant MIN_TIMESTAMP = Instant.ofEpochSecond(0, Long.MIN_VALUE);
  private static final Instant MAX_TIMESTAMP = Instant.ofEpochSecond(0, Long.MAX_VALUE);

  public static final class Builder {
    private final TableSchema schema;
    private Object[] values;
    /** True once {@link #build()} handed {@link #values} to a row: the next set copies first. */
    private boolean shared;

    private Builder(TableSchema schema) {
      this.schema = Objects.requireNonNull(schema, "schema");
      this.values = new Object[schema.size()];
    }

    /**
     * Sets {@code columnName} to {@code value} (null clears it).
     *
     * @throws IllegalArgumentException naming table and column if the column does not exist or
     *     the value does not fit its type
     */
    public Builder set(String columnName, Object value) {
      return set(schema.indexOf(columnName), value);
    }

    /**
     * Sets the column at position {@code index} ({@link TableSchema#indexOf}, looked up once by a
     * caller that builds many rows) to {@code value}; otherwise as {@link #set(String, Object)}.
     *
     * @throws IllegalArgumentException naming table and column if the value does not fit the
     *     column's type, naming the table if there is no such position
     */
    public Builder set(int index, Object value) {
      if (index < 0 || index >= values.length) {
        throw new IllegalArgumentException("table " + schema.name() + " has no column at "
            + index);
      }
      int i = index;
      Object normalized = value == null ? null : normalize(schema.column(i), value);
      if (shared) {
        values = values.clone(); // keep the built row immutable if the builder is reused
        shared = false;
      }
      values[i] = normalized;
      return this;
    }

    /**
     * Builds the row.
     *
     * @throws IllegalArgumentException naming table and column if a required column is null
     */
    public Row build() {
      for (int i = 0; i < values.length; i++) {
        Column c = schema.column(i);
        if (c.required() && values[i] == null) {
          throw new IllegalArgumentException(
              "table " + schema.name() + ": required column " + c.name() + " is null");
        }
      }
      shared = true; // a builder used once (the usual case) never copies its values
      return new Row(schema, values);
    }

    private Object normalize(Column c, Object value) {
      switch (c.type()) {
        case STRING:
          if (value instanceof String) {
            return value;
          }
          break;
        case INT:
          if (value instanceof Integer) {
            return value;
          }
          if (value instanceof Short || value instanceof Byte) {
            return ((Number) value).intValue();
          }
          break;
        case BIGINT:
          if (value instanceof Long) {
            return value;
          }
          if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
          }
          break;
        case BOOLEAN:
          if (value instanceof Boolean) {
            return value;
          }
          break;
        case DOUBLE:
          if (value instanceof Double) {
            return value;
          }
          if (value instanceof Float) {
            return ((Float) value).doubleValue();
          }
          break;
        case DECIMAL_18_9:
          if (value instanceof BigDecimal) {
            return decimal(c, (BigDecimal) value);
          }
          break;
        case TIMESTAMP_MICROS_UTC:
          if (value instanceof Instant) {
            Instant t = (Instant) value;
            if (t.isBefore(MIN_TIMESTAMP) || t.isAfter(MAX_TIMESTAMP)) {
              // the column stores microseconds since 1970 in 64 bits; beyond that it overflows
              throw new IllegalArgumentException("table " + schema.name() + ", column " + c.name()
                  + ": timestamp outside what TIMESTAMP(MICROS) can hold (years 1677 to 2262 are"
                  + " safe)");
            }
            return t.truncatedTo(ChronoUnit.MICROS);
          }
          break;
        case DATE:
          if (value instanceof LocalDate) {
            return value;
          }
          break;
        case MAP_STRING_STRING:
          if (value instanceof Map) {
            return map(c, (Map<?, ?>) value);
          }
          break;
      }
      throw new IllegalArgumentException(
          "table " + schema.name() + ", column " + c.name() + " (" + c.type() + "): expected "
              + c.type().javaType().getSimpleName() + " but got " + value.getClass().getName());
    }

    private BigDecimal decimal(Column c, BigDecimal value) {
      if (value.scale() == ColumnType.DECIMAL_SCALE
          && value.precision() <= ColumnType.DECIMAL_PRECISION) {
        // already what the column holds (the pricer's amounts): no rescale, no BigInteger;
        // at most 18 digits is the same bound as |unscaled| < 10^18 below
        return value;
      }
      BigDecimal scaled;
      try {
        scaled = value.setScale(ColumnType.DECIMAL_SCALE, RoundingMode.UNNECESSARY);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            "table " + schema.name() + ", column " + c.name()
                + ": decimal needs more than 9 fractional digits (would need rounding)");
      }
      if (scaled.unscaledValue().abs().compareTo(DECIMAL_LIMIT) >= 0) {
        throw new IllegalArgumentException(
            "table " + schema.name() + ", column " + c.name()
                + ": decimal exceeds DECIMAL(18,9) (at most 9 integer digits)");
      }
      return scaled;
    }

    private Map<String, String> map(Column c, Map<?, ?> value) {
      Map<String, String> copy = new LinkedHashMap<>(value.size() * 2);
      for (Map.Entry<?, ?> e : value.entrySet()) {
        if (!(e.getKey() instanceof String)) {
          throw new IllegalArgumentException(
              "table " + schema.name() + ", column " + c.name() + ": map keys must be non-null"
                  + " Strings");
        }
        if (e.getValue() != null && !(e.getValue() instanceof String)) {
          throw new IllegalArgumentException(
              "table " + schema.name() + ", column " + c.name() + ": map values must be Strings"
                  + " or null");
        }
        copy.put((String) e.getKey(), (String) e.getValue());
      }
      return Collections.unmodifiableMap(copy);
    }
  }
}
