package io.flowcost.lake.schema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The schema of one lake table: its name (also its top-level directory), its ordered columns, a
 * schema version written into every file, and optionally the column whose UTC date picks a row's
 * {@code date=} partition.
 *
 * <p>Instances are immutable. Adding a column means adding one line to the table's builder in
 * {@link LakeTables} and bumping the version; readers combine old and new files by column name.
 */
public final class TableSchema {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  private final String name;
  private final int schemaVersion;
  private final List<Column> columns;
  private final Map<String, Integer> indexByName;
  private final String partitionColumn;

  private TableSchema(Builder builder) {
    this.name = builder.name;
    this.schemaVersion = builder.schemaVersion;
    this.columns = Collections.unmodifiableList(new ArrayList<>(builder.columns));
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("table " + name + " has no columns");
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      if (index.put(columns.get(i).name(), i) != null) {
        throw new IllegalArgumentException(
            "table " + name + " declares column " + columns.get(i).name() + " twice");
      }
    }
    this.indexByName = Collections.unmodifiableMap(index);
    this.partitionColumn = builder.partitionColumn;
    if (partitionColumn != null) {
      Integer i = index.get(partitionColumn);
      if (i == null) {
        throw new IllegalArgumentException(
            "table " + name + ": partition column " + partitionColumn + " is not a column");
      }
      Column c = columns.get(i);
      if (!c.required()
          || (c.type() != ColumnType.DATE && c.type() != ColumnType.TIMESTAMP_MICROS_UTC)) {
        throw new IllegalArgumentException(
            "table " + name + ": partition column " + partitionColumn
                + " must be a required DATE or TIMESTAMP_MICROS_UTC column");
      }
    }
  }

  /** Starts a schema for table {@code name} at {@code schemaVersion} (1 or more). */
  public static Builder builder(String name, int schemaVersion) {
    return new Builder(name, schemaVersion);
  }

  /** The table name; also the first path segment of its files in the lake. */
  public String name() {
    return name;
  }

  /** The version written to each file's {@code flowcost.schema_version} metadata. */
  public int schemaVersion() {
    return schemaVersion;
  }

  /** The columns in file order. */
  public List<Column> columns() {
    return columns;
  }

  /** The number of columns. */
  public int size() {
    return columns.size();
  }

  /** The column at {@code index}. */
  public Column column(int index) {
    return columns.get(index);
  }

  /** The column called {@code columnName}, if any. */
  public Optional<Column> findColumn(String columnName) {
    Integer i = indexByName.get(columnName);
    return i == null ? Optional.empty() : Optional.of(columns.get(i));
  }

  /**
   * The position of {@code columnName}.
   *
   * @throws IllegalArgumentException naming the table and column when there is no such column
   */
  public int indexOf(String columnName) {
    Integer i = indexByName.get(columnName);
    if (i == null) {
      throw new IllegalArgumentException("table " + name + " has no column " + columnName);
    }
    return i;
  }

  /**
   * The required {@code DATE} or {@code TIMESTAMP_MICROS_UTC} column whose UTC date is a row's
   * partition day, if the table declares one.
   */
  public Optional<String> partitionColumn() {
    return Optional.ofNullable(partitionColumn);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TableSchema)) {
      return false;
    }
    TableSchema that = (TableSchema) o;
    return schemaVersion == that.schemaVersion
        && name.equals(that.name)
        && columns.equals(that.columns)
        && Objects.equals(partitionColumn, that.partitionColumn);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, schemaVersion, columns, partitionColumn);
  }

  @Override
  public String toString() {
    return "TableSchema{" + name + " v" + schemaVersion + ", " + columns.size() + " columns}";
  }

  /** Builds a {@link TableSchema}; columns keep the order in which they are added. */
  public static final class Builder {
    private final String name;
    private final int schemaVersion;
    private final List<Column> columns = new ArrayList<>();
    private String partitionColumn;

    private Builder(String name, int schemaVersion) {
      this.name = Objects.requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("table name must match " + NAME + ": " + name);
      }
      if (schemaVersion < 1) {
        throw new IllegalArgumentException("schema version must be >= 1: " + schemaVersion);
      }
      this.schemaVersion = schemaVersion;
    }

    /** Adds a column that must have a value in every row. */
    public Builder required(String columnName, ColumnType type) {
      return column(Column.required(columnName, type));
    }

    /** Adds a nullable column. */
    public Builder optional(String columnName, ColumnType type) {
      return column(Column.optional(columnName, type));
    }

    /** Adds {@code column}. */
    public Builder column(Column column) {
      columns.add(Objects.requireNonNull(column, "column"));
      return this;
    }

    /** Names the required DATE or TIMESTAMP column whose UTC date partitions the table. */
    public Builder partitionedBy(String columnName) {
      this.partitionColumn = Objects.requireNonNull(columnName, "columnName");
      return this;
    }

    /** Builds the schema, validating names and the partition column. */
    public TableSchema build() {
      return new TableSchema(this);
    }
  }
}
