package io.flowcost.collector.rollup;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A derivation of {@code workflows_derived} for the workflows of some days only: what a rollup of
 * some days (after a flush, a re-pricing, a late outcome) publishes, at a cost that follows those
 * days instead of the lake. The views of lake.sql are installed over fact sources restricted to
 * the rows these workflows' rows can depend on ({@link #ofWorkflows}, {@link #ofSpans}, {@link
 * #ofOutcomes}); every definition stays lake.sql's own, and each derived row of a {@linkplain
 * #TARGETS target} is the row the whole derivation gives it.
 *
 * <p>Why that is exact. A workflow's row reads its own roots and call rows (any day), the
 * re-pricings of its calls, and its outcomes; three decisions are taken over other rows too, and
 * each is kept whole:
 * <ul>
 *   <li>de-duplication of a span's reports (by {@code span_id}): a compacted day holds each span
 *       once, so its rows are filtered by workflow; the other files keep every report of a span
 *       one of whose reports is in scope ({@link #ofSpans});
 *   <li>repeated reports and shadow workflows (by {@code response_id}): every call row sharing a
 *       response id with a row in scope brings its whole workflow into scope, so each response's
 *       window sees all its rows, and a workflow's shadow status all its rows;
 *   <li>outcomes: every report of an outcome id that a row in scope carries (its
 *       de-duplication), and for outcomes reported by external key, every workflow with a root
 *       carrying a key that both a target's root and a keyed outcome carry (the key's
 *       resolution compares all of them; a target gets a keyed outcome only through the largest
 *       key of its roots).
 * </ul>
 * The other workflows brought in may be derived from part of their rows; only the targets'
 * rows are kept ({@link #pin}). A target is any workflow with a root or a call row in a {@code
 * date} partition of the days (every row lies in the partition of its start time's UTC day, so a
 * workflow's day, of its earliest root or else its earliest call, is one of its rows'
 * partitions), and every given id or workflow with a root carrying a given key.
 *
 * <p>The call re-pricings ({@code call_prices}) are read whole: joined by span id, they need no
 * scope.
 */
final class RollupScope {

  /** Every workflow whose rows the restricted fact sources keep. */
  static final String WORKFLOWS = "flowcost_scope_workflows";

  /** Every outcome id whose reports the restricted {@code outcomes} source keeps. */
  static final String OUTCOMES = "flowcost_scope_outcomes";

  /** The workflows whose derived rows are exact, and kept ({@link #pin}). */
  static final String TARGETS = "flowcost_scope_targets";

  private static final String KEYS = "flowcost_scope_keys";

  private static final String GIVEN_IDS = "flowcost_scope_given_ids";

  private static final String GIVEN_KEYS = "flowcost_scope_given_keys";

  private static final String DAYS = "flowcost_scope_days";

  private RollupScope() {}

  /** A source of a table whose rows are each once (a compacted day, a pre-aggregate), scoped. */
  static String ofWorkflows(String source) {
    return "(SELECT * FROM " + source + " WHERE workflow_id IN (SELECT workflow_id FROM "
        + WORKFLOWS + "))";
  }

  /**
   * A source the views de-duplicate by {@code span_id}, scoped: every report of a span one of
   * whose reports is in scope, so the views' window picks the same report as over every row.
   */
  static String ofSpans(String source) {
    return "(SELECT * FROM " + source + " WHERE span_id IN (SELECT span_id FROM " + source
        + " WHERE workflow_id IN (SELECT workflow_id FROM " + WORKFLOWS + ")))";
  }

  /**
   * The {@code outcomes} source, scoped: every report of the outcome ids in scope (the view
   * de-duplicates by id), and every report without an id (the view keeps one of them all).
   */
  static String ofOutcomes(String source) {
    return "(SELECT * FROM " + source + " WHERE outcome_id IN (SELECT outcome_id FROM " + OUTCOMES
        + ") UNION ALL SELECT * FROM " + source + " WHERE outcome_id IS NULL)";
  }

  /**
   * Fills the scope tables for the workflows of {@code days}, the workflows {@code ids} and the
   * workflows with a root carrying one of {@code keys}. Reads the lake's files directly (not the
   * views, which read the scope): the given days' partitions, and the id, key and response id
   * columns of every file. The typed empty tables of lake.sql must exist ({@link
   * LakeViews#installSnapshots}).
   */
  static void fill(Connection c, Path root, Set<LocalDate> days, Collection<String> ids,
      Collection<String> keys) throws SQLException, IOException {
    String spans = all(root, "workflow_spans");
    String calls = all(root, "calls");
    String outcomes = all(root, "outcomes");
    List<Path> daySpans = new ArrayList<>();
    List<Path> dayCalls = new ArrayList<>();
    for (LocalDate day : days) {
      daySpans.addAll(LakeViews.partitionFiles(root.resolve("workflow_spans").resolve("date=" + day)));
      dayCalls.addAll(LakeViews.partitionFiles(root.resolve("calls").resolve("date=" + day)));
    }
    try (Statement st = c.createStatement()) {
      st.execute("CREATE OR REPLACE TEMP TABLE " + GIVEN_IDS + "(workflow_id VARCHAR)");
      st.execute("CREATE OR REPLACE TEMP TABLE " + GIVEN_KEYS + "(external_key VARCHAR)");
      st.execute("CREATE OR REPLACE TEMP TABLE " + DAYS + "(day DATE)");
      Rollup.insert(c, GIVEN_IDS, ids);
      Rollup.insert(c, GIVEN_KEYS, keys);
      StringBuilder targets = new StringBuilder("SELECT workflow_id FROM " + GIVEN_IDS);
      if (!keys.isEmpty()) {
        targets.append(" UNION SELECT workflow_id FROM ").append(spans)
            .append(" WHERE external_key IN (SELECT external_key FROM ").append(GIVEN_KEYS)
            .append(')');
      }
      for (List<Path> files : List.of(daySpans, dayCalls)) {
        if (!files.isEmpty()) {
          targets.append(" UNION SELECT workflow_id FROM read_parquet(")
              .append(LakeViews.list(files)).append(", union_by_name = true)");
        }
      }
      st.execute("CREATE OR REPLACE TEMP TABLE " + TARGETS + " AS SELECT workflow_id FROM ("
          + targets + ") WHERE workflow_id IS NOT NULL");
      // the keys through which a keyed outcome can reach a target
      st.execute("CREATE OR REPLACE TEMP TABLE " + KEYS + " AS SELECT DISTINCT external_key"
          + " FROM " + spans + " WHERE workflow_id IN (SELECT workflow_id FROM " + TARGETS + ")"
          + " AND external_key IN (SELECT external_key FROM " + outcomes
          + " WHERE workflow_id IS NULL)");
      // the targets, every workflow their keys resolve among, and every workflow sharing a
      // response id with one of those
      st.execute("CREATE OR REPLACE TEMP TABLE " + WORKFLOWS + " AS"
          + " WITH s AS (SELECT workflow_id FROM " + TARGETS
          + " UNION SELECT workflow_id FROM " + spans
          + " WHERE external_key IN (SELECT external_key FROM " + KEYS + "))"
          + " SELECT workflow_id FROM s"
          + " UNION SELECT workflow_id FROM " + calls + " WHERE response_id IN ("
          + "SELECT response_id FROM " + calls + " WHERE response_id IS NOT NULL"
          + " AND workflow_id IN (SELECT workflow_id FROM s))");
      st.execute("CREATE OR REPLACE TEMP TABLE " + OUTCOMES + " AS"
          + " SELECT outcome_id FROM " + outcomes
          + " WHERE workflow_id IN (SELECT workflow_id FROM " + WORKFLOWS + ")"
          + " UNION SELECT outcome_id FROM " + outcomes
          + " WHERE external_key IN (SELECT external_key FROM " + KEYS + ")");
    }
  }

  /**
   * Derives the targets' rows of {@code workflows_derived} (the views installed scoped) into
   * {@link LakeViews#PINNED}, without pointing the view at it yet: a second {@link #fill} and
   * pin can follow on the same connection.
   */
  static void pin(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE OR REPLACE TEMP TABLE " + LakeViews.PINNED + " AS SELECT * FROM"
          + " workflows_derived WHERE workflow_id IN (SELECT workflow_id FROM " + TARGETS + ")");
    }
  }

  /**
   * The files a scoped install reads: of each source the views read without de-duplicating it,
   * the files that hold a row in scope. Found by reading the files' id column, except for a
   * compacted {@code calls} day whose totals {@code compact} pre-aggregated: its file holds a
   * workflow's non-foreign rows exactly when the day's totals file holds the workflow (written
   * from that very file, over its non-foreign rows: docs/lake.md, "Per-day call totals"), and
   * its foreign rows, which the views read from it, exactly when a row group's statistics of
   * {@code foreign_span} allow a true — so the call rows of days far from the scope's are not
   * read at all.
   */
  static LakeViews.FileScope files(Connection c) {
    Set<String> totalsDays = new HashSet<>();
    String inScope = "workflow_id IN (SELECT workflow_id FROM " + WORKFLOWS + ")";
    return (source, files) -> {
      if (files.isEmpty()) {
        return files;
      }
      switch (source) {
        case LakeViews.TOTALS_TABLE + ":aggregated" -> {
          List<Path> kept = holding(c, files, inScope);
          kept.forEach(f -> totalsDays.add(f.getParent().getFileName().toString()));
          return kept;
        }
        case "calls:aggregated" -> {
          Set<Path> foreign = Set.copyOf(LakeViews.mayHoldForeignRows(c, files));
          return files.stream()
              .filter(f -> totalsDays.contains(f.getParent().getFileName().toString())
                  || foreign.contains(f))
              .toList();
        }
        case "outcomes" -> {
          return holding(c, files, "outcome_id IN (SELECT outcome_id FROM " + OUTCOMES + ")"
              + " OR outcome_id IS NULL");
        }
        default -> {
          return holding(c, files, inScope);
        }
      }
    };
  }

  /** The files with a row meeting {@code condition}, in order. */
  private static List<Path> holding(Connection c, List<Path> files, String condition)
      throws SQLException {
    Set<String> names = new HashSet<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT DISTINCT filename FROM read_parquet("
            + LakeViews.list(files) + ", filename = true, union_by_name = true) WHERE "
            + condition)) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return files.stream().filter(f -> names.contains(f.toAbsolutePath().toString())).toList();
  }

  /** Every file of {@code table}, with the typed empty table's columns (an older file's absent). */
  private static String all(Path root, String table) throws IOException {
    List<Path> files = LakeViews.partitionFilesOf(root.resolve(table));
    return files.isEmpty() ? "flowcost_empty_" + table
        : "(SELECT * FROM flowcost_empty_" + table + " UNION ALL BY NAME SELECT * FROM read_parquet("
            + LakeViews.list(files) + ", union_by_name = true))";
  }
}
