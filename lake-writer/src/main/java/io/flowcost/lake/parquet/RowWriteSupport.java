package io.flowcost.lake.parquet;

import io.flowcost.lake.schema.Column;
import io.flowcost.lake.schema.TableSchema;
import io.flowcost.lake.schema.Row;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Objects;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * Writes {@link Row}s of one table through Parquet's record consumer.
 *
 * <p>Hadoop-free: {@link #init(ParquetConfiguration)} is overridden because the inherited one turns
 * the configuration into a Hadoop {@code Configuration}. The Hadoop overload exists only because
 * it is abstract; it names the Hadoop type in its signature but never loads it.
 */
final class RowWriteSupport extends WriteSupport<Row> {

  /** Footer key carrying {@link TableSchema#schemaVersion()}. */
  static final String SCHEMA_VERSION_KEY = "flowcost.schema_version";

  /** Footer key carrying {@link TableSchema#name()}. */
  static final String TABLE_KEY = "flowcost.table";

  private final TableSchema table;
  private final MessageType messageType;
  /** The table's columns, held as an array: read once per value of every row. */
  private final Column[] columns;
  private RecordConsumer consumer;

  RowWriteSupport(TableSchema table) {
    this.table = Objects.requireNonNull(table, "table");
    this.messageType = ParquetSchemas.messageType(table);
    this.columns = table.columns().toArray(new Column[0]);
  }

  @Override
  public WriteContext init(ParquetConfiguration configuration) {
    return new WriteContext(
        messageType,
        Map.of(
            SCHEMA_VERSION_KEY, Integer.toString(table.schemaVersion()),
            TABLE_KEY, table.name()));
  }

  @Override
  public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {
    return init(new PlainParquetConfiguration());
  }

  @Override
  public String getName() {
    return "flowcost";
  }

  @Override
  public void prepareForWrite(RecordConsumer recordConsumer) {
    this.consumer = recordConsumer;
  }

  @Override
  public void write(Row row) {
    if (!table.equals(row.schema())) {
      throw new IllegalArgumentException(
          "row of table " + row.schema().name() + " (v" + row.schema().schemaVersion()
              + ") written to table " + table.name() + " (v" + table.schemaVersion() + ")");
    }
    consumer.startMessage();
    for (int i = 0; i < columns.length; i++) {
      Object value = row.get(i);
      if (value == null) {
        continue; // an absent optional field is a null; Row already rejected null required ones
      }
      Column c = columns[i];
      consumer.startField(c.name(), i);
      writeValue(c, value);
      consumer.endField(c.name(), i);
    }
    consumer.endMessage();
  }

  @SuppressWarnings("unchecked")
  private void writeValue(Column c, Object value) {
    switch (c.type()) {
      case STRING:
        consumer.addBinary(utf8((String) value));
        return;
      case INT:
        consumer.addInteger((Integer) value);
        return;
      case BIGINT:
        consumer.addLong((Long) value);
        return;
      case BOOLEAN:
        consumer.addBoolean((Boolean) value);
        return;
      case DOUBLE:
        consumer.addDouble((Double) value);
        return;
      case DECIMAL_18_9:
        // Row guarantees scale 9 and at most 18 digits, so the unscaled value fits a long.
        consumer.addLong(((BigDecimal) value).unscaledValue().longValueExact());
        return;
      case TIMESTAMP_MICROS_UTC:
        consumer.addLong(epochMicros((Instant) value));
        return;
      case DATE:
        consumer.addInteger(Math.toIntExact(((LocalDate) value).toEpochDay()));
        return;
      case MAP_STRING_STRING:
        writeMap((Map<String, String>) value);
        return;
    }
    throw new AssertionError("unmapped column type " + c.type());
  }

  private void writeMap(Map<String, String> map) {
    consumer.startGroup();
    if (!map.isEmpty()) { // an empty map is a group without key_value entries, not a null
      consumer.startField(ParquetSchemas.MAP_ENTRY, 0);
      for (Map.Entry<String, String> e : map.entrySet()) {
        consumer.startGroup();
        consumer.startField(ParquetSchemas.MAP_KEY, 0);
        consumer.addBinary(utf8(e.getKey()));
        consumer.endField(ParquetSchemas.MAP_KEY, 0);
        if (e.getValue() != null) {
          consumer.startField(ParquetSchemas.MAP_VALUE, 1);
          consumer.addBinary(utf8(e.getValue()));
          consumer.endField(ParquetSchemas.MAP_VALUE, 1);
        }
        consumer.endGroup();
      }
      consumer.endField(ParquetSchemas.MAP_ENTRY, 0);
    }
    consumer.endGroup();
  }

  /**
   * The UTF-8 bytes of {@code s} as a binary over a fresh array: the same bytes as
   * {@code Binary.fromString}, without the {@code ByteBuffer} it wraps them in.
   */
  private static Binary utf8(String s) {
    return Binary.fromConstantByteArray(s.getBytes(StandardCharsets.UTF_8));
  }

  static long epochMicros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000L);
  }
}
