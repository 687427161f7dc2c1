package io.flowcost.collector.sink;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.LakeRecord;
import io.flowcost.collector.ingest.CapBreachRecord;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.parquet.ParquetRowWriter;
import io.flowcost.lake.parquet.ParquetWriteOptions;
import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.schema.TableSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * Writes buffered records to the lake's fact tables, one Parquet file per table and UTC day:
 * a call by its start, a workflow span by its start, an outcome by its {@code reported_at}, a cap
 * breach by when it was detected.
 */
public final class LakeFlusher {

  private static final Logger LOG = Logger.getLogger(LakeFlusher.class.getName());

  /** A record the lake cannot store, and why (names table and column, never a value). */
  public record Unwritable(LakeRecord record, String reason) {}

  private final LakeWriter writer;
  private final String collectorId;
  private final Clock clock;

  public LakeFlusher(LakeWriter writer, String collectorId, Clock clock) {
    this.writer = writer;
    this.collectorId = collectorId;
    this.clock = clock;
  }

  /** Publishes {@code records} and the coverage counters; throws when any file failed. */
  public void publish(List<? extends LakeRecord> records,
      Map<CoverageCounters.Key, CoverageCounters.Counts> counters) throws IOException {
    Map<LocalDate, List<Row>> calls = new TreeMap<>();
    Map<LocalDate, List<Row>> spans = new TreeMap<>();
    Map<LocalDate, List<Row>> outcomes = new TreeMap<>();
    Map<LocalDate, List<Row>> breaches = new TreeMap<>();
    for (LakeRecord r : records) {
      Map<LocalDate, List<Row>> byDay;
      switch (r.table()) {
        case CALLS -> byDay = calls;
        case WORKFLOW_SPANS -> byDay = spans;
        case OUTCOMES -> byDay = outcomes;
        case CAP_BREACHES -> byDay = breaches;
        default -> throw new AssertionError(r.table());
      }
      byDay.computeIfAbsent(r.partitionDay(), d -> new ArrayList<>()).add(row(r));
    }
    List<String> published = new ArrayList<>();
    write(LakeTables.CALLS, calls, published);
    write(LakeTables.WORKFLOW_SPANS, spans, published);
    write(LakeTables.OUTCOMES, outcomes, published);
    write(LakeTables.CAP_BREACHES, breaches, published);
    if (!counters.isEmpty()) {
      Map<LocalDate, List<Row>> coverage = new TreeMap<>();
      counters.forEach((k, n) -> coverage.computeIfAbsent(k.day(), d -> new ArrayList<>())
          .add(LakeRows.coverage(k, n, collectorId, clock.instant())));
      write(LakeTables.COVERAGE, coverage, published);
    }
    if (!published.isEmpty()) {
      LOG.info("published " + String.join(", ", published));
    }
  }

  /**
   * Finds the records of one table that the lake can never store, whatever the store does: their
   * lake row cannot be built, or Parquet cannot encode it. Encodes into a local scratch file and
   * never touches the store, so a store outage never makes a good row look bad.
   */
  public List<Unwritable> unwritable(List<? extends LakeRecord> records) throws IOException {
    List<Unwritable> bad = new ArrayList<>();
    List<Row> rows = new ArrayList<>(records.size());
    List<LakeRecord> ofRows = new ArrayList<>(records.size());
    for (LakeRecord r : records) {
      try {
        rows.add(row(r));
        ofRows.add(r);
      } catch (RuntimeException e) {
        bad.add(new Unwritable(r, describe(e)));
      }
    }
    // Encode what converted; a row that makes the encoder throw is set aside and encoding resumes
    // after it, so k bad rows cost k + 1 local files, not one per row.
    int from = 0;
    while (from < rows.size()) {
      TableSchema table = rows.get(from).schema();
      Path scratch = Files.createTempFile("flowcost-probe-", ".parquet");
      Files.delete(scratch); // the Parquet writer creates the file and refuses to overwrite one
      int[] next = {from};
      Iterator<Row> it = new Iterator<>() {
        @Override
        public boolean hasNext() {
          return next[0] < rows.size() && rows.get(next[0]).schema().equals(table);
        }

        @Override
        public Row next() {
          return rows.get(next[0]++);
        }
      };
      try {
        ParquetRowWriter.write(table, () -> it, scratch, ParquetWriteOptions.defaults());
        from = next[0];
      } catch (RuntimeException e) {
        int culprit = next[0] - 1;
        if (culprit < from) {
          throw new IOException("cannot probe rows of " + table.name() + " locally", e);
        }
        bad.add(new Unwritable(ofRows.get(culprit), describe(e)));
        from = culprit + 1;
      } finally {
        Files.deleteIfExists(scratch);
      }
    }
    return bad;
  }

  private static String describe(RuntimeException e) {
    String m = e.getMessage();
    // Row's messages name table and column only; other exceptions' messages are kept short
    String detail = m == null ? "" : ": " + (m.length() > 200 ? m.substring(0, 200) : m);
    return e.getClass().getSimpleName() + detail.replaceAll("\\p{Cntrl}", "?");
  }

  private static Row row(LakeRecord r) {
    if (r instanceof CallRecord c) {
      return LakeRows.call(c);
    } else if (r instanceof WorkflowSpanRecord w) {
      return LakeRows.workflowSpan(w);
    } else if (r instanceof OutcomeRecord o) {
      return LakeRows.outcome(o);
    } else if (r instanceof CapBreachRecord b) {
      return LakeRows.capBreach(b);
    }
    throw new AssertionError("LakeRecord is sealed; unhandled " + r.getClass());
  }

  /** Writes one file per day of {@code table}; adds "table: N rows in F file(s)" to the log. */
  private void write(TableSchema table, Map<LocalDate, List<Row>> byDay, List<String> published)
      throws IOException {
    int rows = 0;
    for (Map.Entry<LocalDate, List<Row>> e : byDay.entrySet()) {
      writer.write(table, e.getKey(), e.getValue());
      rows += e.getValue().size();
    }
    if (!byDay.isEmpty()) {
      published.add(table.name() + ": " + rows + (rows == 1 ? " row" : " rows") + " in "
          + byDay.size() + (byDay.size() == 1 ? " file" : " files"));
    }
  }
}
