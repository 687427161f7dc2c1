package io.flowcost.lake.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowTest {

  private static final TableSchema T =
      TableSchema.builder("t", 1)
          .required("id", ColumnType.STRING)
          .optional("n", ColumnType.INT)
          .optional("big", ColumnType.BIGINT)
          .optional("x", ColumnType.DOUBLE)
          .optional("money", ColumnType.DECIMAL_18_9)
          .required("at", ColumnType.TIMESTAMP_MICROS_UTC)
          .optional("day", ColumnType.DATE)
          .optional("tags", ColumnType.MAP_STRING_STRING)
          .partitionedBy("at")
          .build();

  private static Row.Builder base() {
    return Row.builder(T).set("id", "a").set("at", Instant.parse("2026-11-24T00:00:00Z"));
  }

  @Test
  void valuesAreStoredInColumnOrderAndNormalized() {
    Row row = base()
        .set("n", 7)
        .set("big", 5) // Integer widens to Long
        .set("x", 1.5f) // Float widens to Double
        .set("money", new BigDecimal("1.5"))
        .set("at", Instant.parse("2026-11-24T23:59:59.123456789Z"))
        .build();

    assertThat(row.get(0)).isEqualTo("a");
    assertThat(row.get("n")).isEqualTo(7);
    assertThat(row.get("big")).isEqualTo(5L);
    assertThat(row.get("x")).isEqualTo(1.5d);
    assertThat((BigDecimal) row.get("money")).hasScaleOf(9).isEqualByComparingTo("1.5");
    assertThat(row.get("at")).isEqualTo(Instant.parse("2026-11-24T23:59:59.123456Z"));
    assertThat(row.dateOf("at")).isEqualTo(LocalDate.of(2026, 11, 24));
    assertThat(row.get("day")).isNull();
    assertThat(row.schema()).isSameAs(T);
  }

  @Test
  void settingByPositionIsSettingByName() {
    Instant at = Instant.parse("2026-11-24T23:59:59.123456789Z");
    Row byName = base().set("big", 5).set("money", new BigDecimal("1.5")).set("at", at).build();
    Row byIndex = base().set(T.indexOf("big"), 5).set(T.indexOf("money"), new BigDecimal("1.5"))
        .set(T.indexOf("at"), at).build();
    assertThat(byIndex).isEqualTo(byName);
    assertThat(byIndex.get("big")).isEqualTo(5L);
    assertThatThrownBy(() -> base().set(T.indexOf("n"), "seven"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table t, column n");
    assertThatThrownBy(() -> base().set(T.size(), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table t has no column at " + T.size());
    assertThatThrownBy(() -> base().set(-1, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decimalsAreRescaledWithoutRoundingAndBounded() {
    assertThat(base().set("money", new BigDecimal("0.000000001")).build().get("money"))
        .isEqualTo(new BigDecimal("0.000000001"));
    // Trailing zeros beyond scale 9 are not rounding.
    assertThat(base().set("money", new BigDecimal("2.50000000000")).build().get("money"))
        .isEqualTo(new BigDecimal("2.500000000"));
    assertThat(base().set("money", new BigDecimal("999999999.999999999")).build().get("money"))
        .isEqualTo(new BigDecimal("999999999.999999999"));

    assertThatThrownBy(() -> base().set("money", new BigDecimal("0.0000000001")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table t")
        .hasMessageContaining("money")
        .hasMessageContaining("rounding");
    assertThatThrownBy(() -> base().set("money", new BigDecimal("1000000000")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("money");
    assertThatThrownBy(() -> base().set("money", new BigDecimal("-1E+9")))
        .isInstanceOf(IllegalArgumentException.class);
    // already at scale 9 (the pricer's amounts): the same bound, 18 digits in all
    assertThat(base().set("money", new BigDecimal("-999999999.999999999")).build().get("money"))
        .isEqualTo(new BigDecimal("-999999999.999999999"));
    assertThatThrownBy(() -> base().set("money", new BigDecimal("1000000000.000000000")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DECIMAL(18,9)");
    assertThatThrownBy(() -> base().set("money", new BigDecimal("-1000000000.000000000")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DECIMAL(18,9)");
  }

  @Test
  void wrongTypesAndUnknownColumnsNameTableAndColumn() {
    assertThatThrownBy(() -> base().set("n", 7L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table t")
        .hasMessageContaining("column n")
        .hasMessageContaining("java.lang.Long");
    assertThatThrownBy(() -> base().set("money", 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("money");
    assertThatThrownBy(() -> base().set("nope", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table t")
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> base().set("tags", Map.of("k", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tags");
    Map<String, String> nullKey = new HashMap<>();
    nullKey.put(null, "v");
    assertThatThrownBy(() -> base().set("tags", nullKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tags");
  }

  @Test
  void requiredColumnsMustBeSet() {
    assertThatThrownBy(() -> Row.builder(T).set("id", "a").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table t")
        .hasMessageContaining("required column at");
    assertThatThrownBy(() -> base().set("id", null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("required column id");
  }

  @Test
  void rowsAreImmutableEvenWhenTheBuilderOrInputMapIsReused() {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("a", "1");
    Row.Builder builder = base().set("tags", tags);
    Row first = builder.build();
    tags.put("b", "2");
    Row second = builder.set("id", "b").build();

    assertThat(first.get("id")).isEqualTo("a");
    assertThat(second.get("id")).isEqualTo("b");
    @SuppressWarnings("unchecked")
    Map<String, String> firstTags = (Map<String, String>) first.get("tags");
    assertThat(firstTags).containsOnlyKeys("a");
    assertThatThrownBy(() -> firstTags.put("c", "3"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(first).isNotEqualTo(second);
    assertThat(base().set("tags", Map.of("a", "1")).build()).isEqualTo(first);
  }

  @Test
  void toStringLeavesValuesOut() {
    assertThat(base().set("id", "secret-user@example.com").build().toString())
        .doesNotContain("secret");
  }
}
