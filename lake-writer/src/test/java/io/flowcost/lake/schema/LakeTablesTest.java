package io.flowcost.lake.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The schemas in code must match the tables documented in {@code docs/lake.md}, column by column. */
class LakeTablesTest {

  private static final Path DOC = Path.of("..", "docs", "lake.md");
  private static final Pattern SECTION = Pattern.compile("^###? `([a-z_]+)`");
  private static final Pattern HEADING = Pattern.compile("^#+ ");
  private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9_]+)` \\| ([A-Z]+)(, required)? \\|");
  private static final Map<String, ColumnType> DOC_TYPES = Map.of(
      "STRING", ColumnType.STRING,
      "INT", ColumnType.INT,
      "BIGINT", ColumnType.BIGINT,
      "BOOLEAN", ColumnType.BOOLEAN,
      "DOUBLE", ColumnType.DOUBLE,
      "DECIMAL", ColumnType.DECIMAL_18_9,
      "TIMESTAMP", ColumnType.TIMESTAMP_MICROS_UTC,
      "DATE", ColumnType.DATE,
      "MAP", ColumnType.MAP_STRING_STRING);

  private static Map<String, List<Column>> documentedTables() throws Exception {
    Map<String, List<Column>> tables = new LinkedHashMap<>();
    List<Column> current = null;
    for (String line : Files.readAllLines(DOC)) {
      Matcher section = SECTION.matcher(line);
      if (section.find()) {
        current = new ArrayList<>();
        tables.put(section.group(1), current);
        continue;
      }
      if (HEADING.matcher(line).find()) {
        current = null; // a section that is not a table's: its tables document something else
        continue;
      }
      Matcher row = ROW.matcher(line);
      if (current != null && row.find()) {
        ColumnType type = DOC_TYPES.get(row.group(2));
        assertThat(type).as("documented type of %s", row.group(1)).isNotNull();
        current.add(Column.of(row.group(1), type, row.group(3) != null));
      }
    }
    return tables;
  }

  @Test
  void schemasMatchTheDocumentation() throws Exception {
    assumeTrue(Files.isRegularFile(DOC), "docs/lake.md is not beside this module");
    Map<String, List<Column>> documented = documentedTables();

    assertThat(documented).containsKeys("calls", "workflow_spans", "outcomes", "call_prices");
    for (TableSchema table : LakeTables.ALL) {
      if (documented.containsKey(table.name())) {
        assertThat(table.columns()).as(table.name()).containsExactlyElementsOf(
            documented.get(table.name()));
      }
    }
  }

  @Test
  void everyTableIsPartitionedAndVersioned() {
    assertThat(LakeTables.ALL).extracting(TableSchema::name)
        .containsExactly("calls", "workflow_spans", "outcomes", "coverage", "call_prices",
            "cap_breaches");
    assertThat(LakeTables.CAP_BREACHES.partitionColumn()).contains("breached_at");
    for (TableSchema table : LakeTables.ALL) {
      assertThat(table.partitionColumn()).as(table.name()).isPresent();
      assertThat(table.schemaVersion()).isPositive();
    }
    assertThat(LakeTables.CALLS.partitionColumn()).contains("start_time");
    assertThat(LakeTables.OUTCOMES.partitionColumn()).contains("reported_at");
    assertThat(LakeTables.COVERAGE.partitionColumn()).contains("day");
    assertThat(LakeTables.COVERAGE.columns()).hasSize(11);
    assertThat(LakeTables.CALL_PRICES.partitionColumn()).contains("start_time");
  }
}
