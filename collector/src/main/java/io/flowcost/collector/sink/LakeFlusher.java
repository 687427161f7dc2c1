package io.flowcost.collector.sink;

import io.flowcost.collector.ingest.CallRecord;
import io.flowcost.collector.ingest.OutcomeRecord;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import io.flowcost.lake.LakeWriter;
import io.flowcost.lake.schema.LakeTables;
import io.flowcost.lake.schema.Row;
import io.flowcost.lake.schema.TableSchema;
import java.io.IOException;
import java.io.Serializable;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * Writes buffered records to the lake's fact tables, one Parquet file per table and UTC day:
 * a call by its start, a workflow span by its start, an outcome by its {@code reported_at}.
 */
public final class LakeFlusher {

  private static final Logger LOG = Logger.getLogger(LakeFlusher.class.getName());

  private final LakeWriter writer;
  private final String collectorId;
  private final Clock clock;

  public LakeFlusher(LakeWriter writer, String collectorId, Clock clock) {
    this.writer = writer;
    this.collectorId = collectorId;
    this.clock = clock;
  }

  /** Publishes {@code records} and the coverage counters; throws when any file failed. */
  public void publish(List<Serializable> records,
      Map<CoverageCounters.Key, CoverageCounters.Counts> counters) throws IOException {
    Map<LocalDate, List<Row>> calls = new TreeMap<>();
    Map<LocalDate, List<Row>> spans = new TreeMap<>();
    Map<LocalDate, List<Row>> outcomes = new TreeMap<>();
    for (Serializable s : records) {
      if (s instanceof CallRecord c) {
        calls.computeIfAbsent(LakeRows.utcDay(c.startTime()), d -> new ArrayList<>())
            .add(LakeRows.call(c));
      } else if (s instanceof WorkflowSpanRecord w) {
        spans.computeIfAbsent(LakeRows.utcDay(w.startTime()), d -> new ArrayList<>())
            .add(LakeRows.workflowSpan(w));
      } else if (s instanceof OutcomeRecord o) {
        outcomes.computeIfAbsent(LakeRows.utcDay(o.reportedAt()), d -> new ArrayList<>())
            .add(LakeRows.outcome(o));
      }
    }
    List<String> published = new ArrayList<>();
    write(LakeTables.CALLS, calls, published);
    write(LakeTables.WORKFLOW_SPANS, spans, published);
    write(LakeTables.OUTCOMES, outcomes, published);
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
