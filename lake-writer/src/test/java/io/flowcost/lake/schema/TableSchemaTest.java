package io.flowcost.lake.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableSchemaTest {

  @Test
  void rejectsDuplicateAndInvalidColumnsAndBadPartitionColumns() {
    assertThatThrownBy(() -> TableSchema.builder("t", 1)
            .required("a", ColumnType.INT).optional("a", ColumnType.STRING).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column a twice");
    assertThatThrownBy(() -> Column.optional("Bad-Name", ColumnType.INT))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Column.optional("date", ColumnType.DATE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> TableSchema.builder("t", 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TableSchema.builder("t", 1)
            .optional("at", ColumnType.TIMESTAMP_MICROS_UTC).partitionedBy("at").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("required");
    assertThatThrownBy(() -> TableSchema.builder("t", 1)
            .required("n", ColumnType.BIGINT).partitionedBy("n").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void looksUpColumnsByName() {
    TableSchema t = TableSchema.builder("t", 3)
        .required("a", ColumnType.INT).optional("b", ColumnType.STRING).build();

    assertThat(t.indexOf("b")).isEqualTo(1);
    assertThat(t.findColumn("b")).contains(Column.optional("b", ColumnType.STRING));
    assertThat(t.findColumn("c")).isEmpty();
    assertThat(t.partitionColumn()).isEmpty();
    assertThatThrownBy(() -> t.indexOf("c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table t has no column c");
    assertThatThrownBy(() -> t.columns().add(Column.optional("x", ColumnType.INT)))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
