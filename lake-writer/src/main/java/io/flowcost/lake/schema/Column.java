package io.flowcost.lake.schema;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One column of a lake table: a name, a {@link ColumnType} and whether a value is required.
 *
 * <p>Names are lower snake case so that they are valid, unquoted identifiers in SQL engines and never
 * collide with the Hive partition column {@code date}.
 */
public final class Column {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  private final String name;
  private final ColumnType type;
  private final boolean required;

  private Column(String name, ColumnType type, boolean required) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("column name must match " + NAME + ": " + name);
    }
    if ("date".equals(name)) {
      // Reserved: the Hive partition directory date=YYYY-MM-DD surfaces as a column named date.
      throw new IllegalArgumentException("column name 'date' is reserved for the partition column");
    }
    this.required = required;
  }

  /** A column that must have a value in every row. */
  public static Column required(String name, ColumnType type) {
    return new Column(name, type, true);
  }

  /** A column whose value may be null. */
  public static Column optional(String name, ColumnType type) {
    return new Column(name, type, false);
  }

  /** Creates a column. */
  public static Column of(String name, ColumnType type, boolean required) {
    return new Column(name, type, required);
  }

  /** The column name. */
  public String name() {
    return name;
  }

  /** The column type. */
  public ColumnType type() {
    return type;
  }

  /** Whether every row must carry a non-null value. */
  public boolean required() {
    return required;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Column)) {
      return false;
    }
    Column that = (Column) o;
    return required == that.required && name.equals(that.name) && type == that.type;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, required);
  }

  @Override
  public String toString() {
    return name + ' ' + type + (required ? " required" : "");
  }
}
