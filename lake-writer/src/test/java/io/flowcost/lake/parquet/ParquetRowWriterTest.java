package io.flowcost.lake.parquet;

import static io.flowcost.lake.testing.DuckDb.literal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowcost.lake.schema.ColumnType;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.schema.TableSchema;
import io.flowcost.lake.testing.DuckDb;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetRowWriterTest {

  /** One column of every type, each nullable, plus one required column. */
  private static final TableSchema ALL_TYPES =
      TableSchema.builder("all_types", 7)
          .required("id", ColumnType.INT)
          .optional("s", ColumnType.STRING)
          .optional("i", ColumnType.INT)
          .optional("l", ColumnType.BIGINT)
          .optional("b", ColumnType.BOOLEAN)
          .optional("d", ColumnType.DOUBLE)
          .optional("dec", ColumnType.DECIMAL_18_9)
          .optional("ts", ColumnType.TIMESTAMP_MICROS_UTC)
          .optional("day", ColumnType.DATE)
          .optional("m", ColumnType.MAP_STRING_STRING)
          .build();

  @TempDir Path dir;
  private DuckDb duck;

  @BeforeEach
  void openDuck() throws Exception {
    duck = new DuckDb();
  }

  @AfterEach
  void closeDuck() throws Exception {
    duck.close();
  }

  @Test
  void noHadoopOnTheTestClassPath() {
    // Every test in this module runs without hadoop-common (see the surefire configuration), so
    // each successful write here proves the write path is Hadoop-free.
    assertThatThrownBy(() -> Class.forName("org.apache.hadoop.conf.Configuration"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void everyTypeRoundTripsExactly() throws Exception {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("team", "search");
    tags.put("empty", "");
    tags.put("unicode", "Grüße ✓");
    Instant ts = Instant.parse("2026-11-24T21:47:25.123456Z");
    List<Row> rows = List.of(
        Row.builder(ALL_TYPES).set("id", 1).set("s", "héllo 'quoted'").set("i", Integer.MIN_VALUE)
            .set("l", Long.MAX_VALUE).set("b", true).set("d", 0.1 + 0.2)
            .set("dec", new BigDecimal("0.000000001")).set("ts", ts)
            .set("day", LocalDate.of(2026, 11, 24)).set("m", tags).build(),
        Row.builder(ALL_TYPES).set("id", 2).set("s", "").set("i", 0).set("l", -1L)
            .set("b", false).set("d", -0.0).set("dec", new BigDecimal("123456789.123456789"))
            .set("ts", Instant.parse("1969-12-31T23:59:59.999999Z"))
            .set("day", LocalDate.of(1970, 1, 1)).set("m", Map.of()).build(),
        Row.builder(ALL_TYPES).set("id", 3).set("dec", new BigDecimal("-999999999.999999999"))
            .build());
    Path file = dir.resolve("t.parquet");

    long written = ParquetRowWriter.write(ALL_TYPES, rows, file, ParquetWriteOptions.defaults());

    assertThat(written).isEqualTo(3);
    String from = " FROM read_parquet(" + literal(file) + ") ORDER BY id";
    List<Map<String, Object>> back = duck.query(
        "SELECT id, s, i, l, b, d, dec::VARCHAR AS dec, epoch_us(ts) AS ts_us,"
            + " day::VARCHAR AS day, m IS NULL AS m_null" + from);
    assertThat(back).hasSize(3);

    Map<String, Object> r1 = back.get(0);
    assertThat(r1.get("s")).isEqualTo("héllo 'quoted'");
    assertThat(r1.get("i")).isEqualTo(Integer.MIN_VALUE);
    assertThat(r1.get("l")).isEqualTo(Long.MAX_VALUE);
    assertThat(r1.get("b")).isEqualTo(true);
    assertThat(r1.get("d")).isEqualTo(0.1 + 0.2);
    assertThat(r1.get("dec")).isEqualTo("0.000000001");
    assertThat(r1.get("ts_us")).isEqualTo(ChronoUnit.MICROS.between(Instant.EPOCH, ts));
    assertThat(r1.get("day")).isEqualTo("2026-11-24");
    assertThat(mapColumn(file, 1)).containsExactlyEntriesOf(tags); // order kept, too

    Map<String, Object> r2 = back.get(1);
    assertThat(r2.get("s")).isEqualTo("");
    assertThat(r2.get("b")).isEqualTo(false);
    assertThat(r2.get("dec")).isEqualTo("123456789.123456789");
    assertThat(r2.get("ts_us")).isEqualTo(-1L);
    assertThat(r2.get("day")).isEqualTo("1970-01-01");
    assertThat(mapColumn(file, 2)).isEmpty();
    assertThat(r2.get("m_null")).isEqualTo(false);

    Map<String, Object> r3 = back.get(2);
    assertThat(r3.get("dec")).isEqualTo("-999999999.999999999");
    for (String nullable : List.of("s", "i", "l", "b", "d", "ts_us", "day")) {
      assertThat(r3.get(nullable)).as(nullable).isNull();
    }
    assertThat(r3.get("m_null")).isEqualTo(true);

    // JDBC BigDecimal is exact too, not just the text form.
    assertThat(duck.query("SELECT dec" + from).get(1).get("dec"))
        .isEqualTo(new BigDecimal("123456789.123456789"));
  }

  /** The MAP column {@code m} of row {@code id}, entries in file order. */
  private Map<String, String> mapColumn(Path file, int id) throws Exception {
    Map<String, String> map = new LinkedHashMap<>();
    for (Map<String, Object> r : duck.query(
        "SELECT e.key AS k, e.value AS v FROM (SELECT unnest(map_entries(m)) AS e FROM read_parquet("
            + literal(file) + ") WHERE id = " + id + ")")) {
      map.put((String) r.get("k"), (String) r.get("v"));
    }
    return map;
  }

  @Test
  void mapWithNullValueRoundTrips() throws Exception {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("k", null);
    Path file = dir.resolve("m.parquet");
    ParquetRowWriter.write(
        ALL_TYPES, List.of(Row.builder(ALL_TYPES).set("id", 1).set("m", tags).build()), file,
        ParquetWriteOptions.defaults());

    assertThat(mapColumn(file, 1)).containsExactlyEntriesOf(tags);
  }

  @Test
  void describeShowsTheLakeTypes() throws Exception {
    Path file = dir.resolve("d.parquet");
    ParquetRowWriter.write(
        ALL_TYPES, List.of(Row.builder(ALL_TYPES).set("id", 1).build()), file,
        ParquetWriteOptions.defaults());

    Map<String, String> types = new LinkedHashMap<>();
    for (Map<String, Object> r :
        duck.query("DESCRIBE SELECT * FROM read_parquet(" + literal(file) + ")")) {
      types.put((String) r.get("column_name"), (String) r.get("column_type"));
    }
    assertThat(types).containsExactly(
        Map.entry("id", "INTEGER"),
        Map.entry("s", "VARCHAR"),
        Map.entry("i", "INTEGER"),
        Map.entry("l", "BIGINT"),
        Map.entry("b", "BOOLEAN"),
        Map.entry("d", "DOUBLE"),
        Map.entry("dec", "DECIMAL(18,9)"),
        Map.entry("ts", "TIMESTAMP WITH TIME ZONE"),
        Map.entry("day", "DATE"),
        Map.entry("m", "MAP(VARCHAR, VARCHAR)"));
  }

  @Test
  void footerCarriesTableAndSchemaVersionAndEveryChunkIsZstd() throws Exception {
    Path file = dir.resolve("k.parquet");
    ParquetRowWriter.write(
        ALL_TYPES, List.of(Row.builder(ALL_TYPES).set("id", 1).set("s", "x").build()), file,
        ParquetWriteOptions.defaults());

    Map<String, String> kv = new LinkedHashMap<>();
    for (Map<String, Object> r : duck.query(
        "SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata("
            + literal(file) + ")")) {
      kv.put((String) r.get("k"), (String) r.get("v"));
    }
    assertThat(kv)
        .containsEntry("flowcost.schema_version", "7")
        .containsEntry("flowcost.table", "all_types");

    List<Object> codecs = new ArrayList<>();
    for (Map<String, Object> r : duck.query(
        "SELECT DISTINCT compression FROM parquet_metadata(" + literal(file) + ")")) {
      codecs.add(r.get("compression"));
    }
    assertThat(codecs).containsExactly("ZSTD");
  }

  @Test
  void idsTimestampsAndDurationsHaveNoDictionaryOtherColumnsDo() throws Exception {
    TableSchema calls = io.flowcost.lake.schema.LakeTables.CALLS;
    List<Row> rows = new ArrayList<>();
    Instant t0 = Instant.parse("2026-11-24T10:00:00Z");
    for (int i = 0; i < 2_000; i++) {
      rows.add(Row.builder(calls)
          .set("workflow_id", String.format("%032x", i / 10))
          .set("call_id", String.format("%016x", i))
          .set("span_id", String.format("%016x", i))
          .set("kind", "model")
          .set("attempt", 1)
          .set("status", i % 7 == 0 ? "error" : "ok")
          .set("request_model", "gpt-4o-mini")
          .set("input_tokens", 1000L + i % 13)
          .set("tokens_estimated", false)
          .set("cost_usd", new BigDecimal("0.000123456"))
          .set("unpriced", false)
          .set("wasted", false)
          .set("start_time", t0.plusMillis(i))
          .set("duration_ms", 250.0 + i)
          .build());
    }
    Path file = dir.resolve("calls.parquet");
    ParquetRowWriter.write(calls, rows, file, ParquetWriteOptions.defaults());

    Map<String, String> encodings = new LinkedHashMap<>();
    for (Map<String, Object> r : duck.query("SELECT path_in_schema AS c, encodings AS e FROM"
        + " parquet_metadata(" + literal(file) + ")")) {
      encodings.put((String) r.get("c"), String.valueOf(r.get("e")));
    }
    for (String plain : List.of("workflow_id", "call_id", "span_id", "start_time",
        "duration_ms")) {
      assertThat(encodings.get(plain)).as(plain).doesNotContain("DICTIONARY");
    }
    for (String dictionary : List.of("kind", "status", "request_model", "input_tokens",
        "cost_usd")) {
      assertThat(encodings.get(dictionary)).as(dictionary).contains("DICTIONARY");
    }
    // and every value reads back as written, whichever encoding
    assertThat(duck.scalar("SELECT count(*) FROM read_parquet(" + literal(file)
        + ") WHERE call_id = span_id")).isEqualTo(2_000L);
    assertThat(duck.scalar("SELECT count(DISTINCT workflow_id) FROM read_parquet("
        + literal(file) + ")")).isEqualTo(200L);
    assertThat(duck.scalar("SELECT sum(duration_ms) - sum(epoch_ms(start_time) - "
        + t0.toEpochMilli() + ") FROM read_parquet(" + literal(file) + ")"))
        .isEqualTo(250.0 * 2_000);
  }

  /**
   * The dictionary-encoded string columns reuse the UTF-8 bytes of strings they have seen: every
   * value must still read back as its own row's, whether it is the same {@code String} object as
   * the row before, an equal one, a new one, or one beyond what the writer remembers (more
   * distinct values than its bound), across row groups and a dictionary that falls back to plain.
   */
  @Test
  void repeatedAndDistinctStringsReadBackRowByRow() throws Exception {
    TableSchema t = TableSchema.builder("strings", 1)
        .required("id", ColumnType.INT)
        .optional("model", ColumnType.STRING)
        .build();
    String shared = "gpt-4o-mini";
    List<Row> rows = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      String v = switch (i % 6) {
        case 0 -> "m-" + i; // distinct: 5,000 of them, beyond what the writer remembers
        case 1, 2 -> shared; // the same object on consecutive rows
        case 3 -> new String("claude-sonnet-4-5"); // equal, never the same object
        case 4 -> i % 12 == 4 ? null : "ünïcødé-" + (i % 60); // non-ASCII, repeated, nulls
        default -> i % 24 == 5 ? "" : shared;
      };
      rows.add(Row.builder(t).set("id", i).set("model", v).build());
      expected.add(v);
    }
    Path file = dir.resolve("strings.parquet");
    ParquetRowWriter.write(t, rows, file,
        ParquetWriteOptions.defaults().withRowGroupSize(64 * 1024).withPageSize(8 * 1024));

    assertThat((Long) duck.scalar("SELECT count(DISTINCT row_group_id) FROM parquet_metadata("
        + literal(file) + ")")).isGreaterThan(1L);
    List<Map<String, Object>> back = duck.query("SELECT id, model FROM read_parquet("
        + literal(file) + ") ORDER BY id");
    assertThat(back).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(back.get(i).get("id")).isEqualTo(i);
      assertThat(back.get(i).get("model")).as("row %d", i).isEqualTo(expected.get(i));
    }
  }

  @Test
  void rowGroupSizeIsHonoured() throws Exception {
    TableSchema wide = TableSchema.builder("wide", 1).required("s", ColumnType.STRING).build();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      rows.add(Row.builder(wide).set("s", "value-" + i + "-" + "x".repeat(40)).build());
    }
    Path small = dir.resolve("small.parquet");
    Path big = dir.resolve("big.parquet");

    ParquetRowWriter.write(wide, rows, small,
        ParquetWriteOptions.defaults().withRowGroupSize(64 * 1024).withPageSize(8 * 1024));
    ParquetRowWriter.write(wide, rows, big, ParquetWriteOptions.defaults());

    String groups = "SELECT count(DISTINCT row_group_id) FROM parquet_metadata(";
    assertThat((Long) duck.scalar(groups + literal(small) + ")")).isGreaterThan(1L);
    assertThat((Long) duck.scalar(groups + literal(big) + ")")).isEqualTo(1L);
    assertThat(duck.scalar("SELECT count(*) FROM read_parquet(" + literal(small) + ")"))
        .isEqualTo(100_000L);
  }

  @Test
  void refusesRowsOfAnotherTableAndAnExistingFile() throws Exception {
    TableSchema other = TableSchema.builder("other", 1).required("id", ColumnType.INT).build();
    Path file = dir.resolve("x.parquet");

    assertThatThrownBy(() -> ParquetRowWriter.write(
            ALL_TYPES, List.of(Row.builder(other).set("id", 1).build()), file,
            ParquetWriteOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("other")
        .hasMessageContaining("all_types");

    Files.deleteIfExists(file);
    Files.writeString(file, "occupied");
    assertThatThrownBy(() -> ParquetRowWriter.write(
            ALL_TYPES, List.of(Row.builder(ALL_TYPES).set("id", 1).build()), file,
            ParquetWriteOptions.defaults()))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    assertThat(Files.readString(file)).isEqualTo("occupied");
  }
}
