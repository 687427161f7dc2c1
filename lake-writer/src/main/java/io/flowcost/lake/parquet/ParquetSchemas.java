package io.flowcost.lake.parquet;

import io.flowcost.lake.schema.Column;
import io.flowcost.lake.schema.ColumnType;
import io.flowcost.lake.schema.TableSchema;
import java.util.Set;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/** Maps a {@link TableSchema} to the Parquet {@link MessageType} that {@code docs/lake.md} fixes. */
public final class ParquetSchemas {

  /** Name of the repeated group inside a MAP column (Parquet LogicalTypes spec). */
  static final String MAP_ENTRY = "key_value";

  static final String MAP_KEY = "key";

  static final String MAP_VALUE = "value";

  /**
   * Columns holding identifiers that are (nearly) unique per row or per workflow: trace, span,
   * call, response and outcome ids.
   */
  static final Set<String> DISTINCT_IDS = Set.of(
      "workflow_id", "call_id", "span_id", "parent_span_id", "response_id", "outcome_id");

  private ParquetSchemas() {}

  /**
   * Whether {@code c} is written with a dictionary. Not for values that are (nearly) all
   * distinct — the {@link #DISTINCT_IDS}, timestamps and measured durations: a dictionary of them
   * costs a hash lookup per value, outgrows its page limit within a flush and then re-encodes
   * every value plainly anyway. Every other column (kinds, statuses, models, services, token
   * counts, costs) repeats a few values and keeps its dictionary.
   */
  static boolean dictionaryEncoded(Column c) {
    return switch (c.type()) {
      case TIMESTAMP_MICROS_UTC, DOUBLE -> false;
      case STRING -> !DISTINCT_IDS.contains(c.name());
      default -> true;
    };
  }

  /** The Parquet schema of {@code table}; the message is named after the table. */
  public static MessageType messageType(TableSchema table) {
    Types.MessageTypeBuilder message = Types.buildMessage();
    for (Column c : table.columns()) {
      message.addField(field(c));
    }
    return message.named(table.name());
  }

  private static Type field(Column c) {
    Repetition repetition = c.required() ? Repetition.REQUIRED : Repetition.OPTIONAL;
    ColumnType type = c.type();
    switch (type) {
      case STRING:
        return Types.primitive(PrimitiveTypeName.BINARY, repetition)
            .as(LogicalTypeAnnotation.stringType())
            .named(c.name());
      case INT:
        return Types.primitive(PrimitiveTypeName.INT32, repetition).named(c.name());
      case BIGINT:
        return Types.primitive(PrimitiveTypeName.INT64, repetition).named(c.name());
      case BOOLEAN:
        return Types.primitive(PrimitiveTypeName.BOOLEAN, repetition).named(c.name());
      case DOUBLE:
        return Types.primitive(PrimitiveTypeName.DOUBLE, repetition).named(c.name());
      case DECIMAL_18_9:
        return Types.primitive(PrimitiveTypeName.INT64, repetition)
            .as(LogicalTypeAnnotation.decimalType(
                ColumnType.DECIMAL_SCALE, ColumnType.DECIMAL_PRECISION))
            .named(c.name());
      case TIMESTAMP_MICROS_UTC:
        return Types.primitive(PrimitiveTypeName.INT64, repetition)
            .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
            .named(c.name());
      case DATE:
        return Types.primitive(PrimitiveTypeName.INT32, repetition)
            .as(LogicalTypeAnnotation.dateType())
            .named(c.name());
      case MAP_STRING_STRING:
        // Standard three-level layout: <rep> group (MAP) { repeated group key_value { key; value } }
        return Types.buildGroup(repetition)
            .as(LogicalTypeAnnotation.mapType())
            .addField(Types.repeatedGroup()
                .addField(Types.required(PrimitiveTypeName.BINARY)
                    .as(LogicalTypeAnnotation.stringType())
                    .named(MAP_KEY))
                .addField(Types.optional(PrimitiveTypeName.BINARY)
                    .as(LogicalTypeAnnotation.stringType())
                    .named(MAP_VALUE))
                .named(MAP_ENTRY))
            .named(c.name());
    }
    throw new AssertionError("unmapped column type " + type);
  }
}
