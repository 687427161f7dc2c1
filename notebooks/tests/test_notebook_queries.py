"""The notebooks' rewritten queries give exactly what the queries they replaced gave.

Issue 13.3 rewrote the queries of ``burn_anomalies``, ``failure_waste`` and ``reconcile`` that
read every call (docs/benchmarks.md, "Fourth pass: the notebooks' queries"). Each query as the
notebook runs it now (read from the ``.ipynb``) and the query it replaced (kept below, verbatim)
run on the same connection, and must give the same rows — every column compared as text, so
money to the last of its 9 decimals — with the same column types, and the same pandas frame
through ``flowcost_lake.query``. Lakes: the synthetic one (and the demo's, with
FLOWCOST_TEST_LAKE), and a lake of ``benchmark.py``'s generator with a late, uncompacted file of
edge cases added (a call of a workflow no root or snapshot knows, unpriced and re-sent rows, a
wasted row without a cause, a retry answered by a dated model alias, calls on hour and day
boundaries).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import nbformat
import pandas as pd
import pytest

import benchmark
import flowcost_lake
import provider_export
from conftest import NOTEBOOKS
from synthetic_lake import typed_select

#: The queries as they were before issue 13.3's fourth pass: (notebook, variable) -> SQL.
OLD = {
    ("burn_anomalies", "hourly"): """
SELECT date_trunc('hour', c.start_time) AS hour, coalesce(r.workflow_name, '(unnamed)') AS intent,
       CAST(coalesce(sum(c.cost_usd), 0) AS DOUBLE) AS burn_usd, count(*) AS attempts
FROM calls c LEFT JOIN workflow_roots r USING (workflow_id)
GROUP BY ALL ORDER BY hour""",
    ("failure_waste", "by_cause"): """
SELECT CASE WHEN c.wasted THEN coalesce(c.waste_cause, 'other') ELSE 'failed_outcome' END AS cause,
       CAST(sum(c.cost_usd) AS DECIMAL(18,9)) AS waste_usd, count(*) AS attempts
FROM calls c JOIN workflows_latest w USING (workflow_id)
WHERE c.wasted OR (w.outcome = 'failure' AND NOT c.wasted)
GROUP BY cause ORDER BY waste_usd DESC""",
    ("failure_waste", "by_model"): """
SELECT coalesce(c.response_model, c.request_model, c.kind) AS model,
       CAST(sum(c.cost_usd) AS DECIMAL(18,9)) AS cost_usd,
       CAST(coalesce(sum(c.cost_usd) FILTER (WHERE c.wasted OR w.outcome = 'failure'), 0)
            AS DECIMAL(18,9)) AS waste_usd,
       coalesce(sum(c.cost_usd) FILTER (WHERE c.wasted OR w.outcome = 'failure'), 0)
         / nullif(sum(c.cost_usd), 0) AS waste_share
FROM calls c JOIN workflows_latest w USING (workflow_id)
GROUP BY ALL HAVING sum(c.cost_usd) > 0 ORDER BY waste_usd DESC""",
    ("model_mix_and_savings", "by_model"): """
SELECT coalesce(provider, 'unknown') AS provider,
       coalesce(response_model, request_model) AS model,
       count(DISTINCT call_id) AS calls, count(*) AS attempts,
       CAST(sum(input_tokens) AS BIGINT) AS input_tokens,
       CAST(sum(cache_read_tokens) AS BIGINT) AS cache_read_tokens,
       CAST(sum(cache_write_tokens) AS BIGINT) AS cache_write_tokens,
       CAST(sum(cache_write_1h_tokens) AS BIGINT) AS cache_write_1h_tokens,
       CAST(sum(output_tokens) AS BIGINT) AS output_tokens,
       CAST(sum(cost_usd) AS DECIMAL(18,9)) AS cost_usd,
       sum(cost_usd) / sum(sum(cost_usd)) OVER () AS cost_share,
       CAST(sum(cache_savings_gross_usd) AS DECIMAL(18,9)) AS cache_savings_gross_usd,
       CAST(sum(cache_savings_net_usd) AS DECIMAL(18,9)) AS cache_savings_net_usd,
       count(*) FILTER (WHERE unpriced) AS unpriced_attempts
FROM calls WHERE kind IN ('model', 'embedding')
GROUP BY ALL ORDER BY cost_usd DESC NULLS LAST""",
    ("reconcile", "recon"): """
WITH b AS (
  SELECT day, coalesce(a.canonical, b.model) AS model, sum(billed_usd) AS billed
  FROM bill b LEFT JOIN model_aliases a ON a.name = b.model GROUP BY ALL
), l AS (
  SELECT CAST(start_time AS DATE) AS day,
         coalesce(a.canonical, coalesce(response_model, request_model)) AS model,
         sum(cost_usd) AS cost
  FROM calls c LEFT JOIN model_aliases a ON a.name = coalesce(c.response_model, c.request_model)
  WHERE c.kind IN ('model', 'embedding')
    AND CAST(start_time AS DATE) BETWEEN (SELECT min(day) FROM bill) AND (SELECT max(day) FROM bill)
  GROUP BY ALL
)
SELECT day, model,
       CAST(coalesce(b.billed, 0) AS DECIMAL(18,9)) AS billed_usd,
       CAST(coalesce(l.cost, 0) AS DECIMAL(18,9)) AS lake_usd,
       CAST(coalesce(b.billed, 0) - coalesce(l.cost, 0) AS DECIMAL(18,9)) AS gap_usd,
       100 * coalesce(l.cost, 0) / nullif(b.billed, 0) AS coverage_pct
FROM b FULL OUTER JOIN l USING (day, model)
ORDER BY day, model""",
}


def notebook_cells(notebook: str) -> list[str]:
    nb = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def notebook_sql(notebook: str, variable: str) -> str:
    """The SQL of ``variable = q(\"\"\"…\"\"\")`` in the notebook's code cells."""
    pattern = re.compile(rf'^{re.escape(variable)} = q\(f?"""(.*?)"""\)', re.S | re.M)
    found = [m.group(1) for source in notebook_cells(notebook)
             for m in pattern.finditer(source)]
    assert len(found) == 1, f"{notebook}: {len(found)} queries assigned to {variable}"
    return found[0]


def with_bill(con: duckdb.DuckDBPyConnection, lake: str, out: Path) -> None:
    """The ``bill`` table and ``model_aliases`` the reconcile notebook creates, from sample
    exports of ``lake``: the notebook's own cell that loads them runs on ``con``."""
    truth = provider_export.write_sample(lake, out)
    cell = next(s for s in notebook_cells("reconcile") if "def load_export" in s)
    catalog = NOTEBOOKS.parent / "pricing/src/main/resources/io/flowcost/pricing/prices.json"
    namespace = {"EXPORTS": truth["paths"], "CATALOG": catalog, "LAKE": lake, "OUT_DIR": out,
                 "con": con, "pd": pd, "json": json, "Path": Path,
                 "q": lambda sql: flowcost_lake.query(con, sql)}
    exec(compile(cell, "reconcile.ipynb", "exec"), namespace)  # noqa: S102 - our notebook


def as_text(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(f"SELECT COLUMNS(*)::VARCHAR FROM ({sql}) ORDER BY ALL").fetchall()


def types(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return [(d[0], d[1]) for d in con.execute(f"DESCRIBE ({sql})").fetchall()]


def assert_same(con: duckdb.DuckDBPyConnection, old: str, new: str, key: str) -> int:
    # each query runs once, into a temporary table (which keeps its column types): the three
    # comparisons below read the tables, not the lake again (they took three runs of each query)
    assert types(con, new) == types(con, old), key  # DESCRIBE plans, it does not run
    for name, sql in (("old_result", old), ("new_result", new)):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        assert types(con, f"FROM {name}") == types(con, sql), key
    want = as_text(con, "FROM old_result")
    assert as_text(con, "FROM new_result") == want, key
    # and the frame the notebook gets: same dtypes and values (row order within ties aside)
    frames = [flowcost_lake.query(con, f"FROM {name}") for name in ("old_result", "new_result")]
    frames = [f.sort_values(list(f.columns), ignore_index=True) for f in frames]
    pd.testing.assert_frame_equal(frames[1], frames[0], check_exact=True, obj=key)
    return len(want)


@pytest.fixture(scope="module")
def generated_lake(tmp_path_factory) -> str:
    """``benchmark.py``'s generator (compacted days, snapshots rolled up) plus a late file."""
    lake = tmp_path_factory.mktemp("generated") / "lake"
    benchmark.generate(lake, 20_000, 3)
    add_repeated_call_ids(lake)
    benchmark.rollup(lake)
    con = flowcost_lake.connect(str(lake), focus=False)
    # Edge rows, written after the rollup into one more (uncompacted) file of the first day:
    # the views de-duplicate that day again, and the snapshots do not know these workflows.
    con.execute("""
      CREATE TEMP TABLE edge AS
      WITH base AS (SELECT * FROM calls WHERE date = (SELECT min(date) FROM calls) LIMIT 8)
      SELECT * REPLACE (
               -- a workflow with no root and no snapshot: '(unnamed)', outside the inner joins
               CASE WHEN n = 0 THEN 'ffffffffffffffffffffffffffffffff' ELSE workflow_id END
                 AS workflow_id,
               'edge' || n || span_id AS span_id,
               CASE WHEN n = 4 THEN call_id || 'x' ELSE call_id END AS call_id,
               -- a retry answered by a dated alias of the catalog model
               CASE WHEN n = 1 THEN 2 ELSE attempt END AS attempt,
               CASE WHEN n = 1 THEN response_model || CASE response_model
                      WHEN 'gpt-4o' THEN '-2024-08-06' WHEN 'gpt-4o-mini' THEN '-2024-07-18'
                      WHEN 'claude-haiku-4-5' THEN '-20251001' ELSE '-20250929' END
                    WHEN n = 5 THEN NULL ELSE response_model END AS response_model,
               -- unpriced: no cost
               CASE WHEN n = 2 THEN NULL ELSE cost_usd END AS cost_usd,
               n = 2 AS unpriced,
               -- wasted without a cause
               wasted OR n = 3 AS wasted,
               CASE WHEN n = 3 THEN NULL ELSE waste_cause END AS waste_cause,
               -- on the hour, the last microsecond of the day, the first of the next day's hour
               CASE n WHEN 6 THEN date_trunc('hour', start_time)
                      WHEN 7 THEN CAST(date AS TIMESTAMPTZ) + INTERVAL 1 DAY
                                  - INTERVAL 1 MICROSECOND
                      ELSE start_time END AS start_time,
               received_at + INTERVAL 1 HOUR AS received_at)
      FROM (SELECT *, row_number() OVER (ORDER BY span_id) - 1 AS n FROM base)""")
    con.execute("ALTER TABLE edge DROP COLUMN n")
    # a re-send of a row already in the lake, received later: the views keep the first
    con.execute("""INSERT INTO edge SELECT * REPLACE (received_at + INTERVAL 1 DAY AS received_at)
                   FROM calls WHERE date = (SELECT min(date) FROM calls) LIMIT 1""")
    day = con.execute("SELECT min(date) FROM calls").fetchone()[0]
    assert con.execute("SELECT count(*) FROM edge WHERE CAST(start_time AS DATE) <> date"
                       ).fetchone()[0] == 0  # every row in the partition of its start day
    select = typed_select(con, "calls", "edge", "true")
    path = str(lake / "calls" / f"date={day}" / "late.parquet").replace("'", "''")
    con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet)")
    con.close()
    return str(lake)


def add_repeated_call_ids(lake: Path) -> None:
    """Call ids that repeat inside pre-aggregated days, which the distinct call counts must see
    (``calls_with_recount``): a retried call (a second attempt, same call id, same day) and a
    call whose second attempt starts after midnight, in the next day's file. Both days' files
    are written back as ``compact`` leaves them and their per-day totals written again."""
    days = sorted(d.name[len("date="):] for d in (lake / "calls").glob("date=*"))
    second, third = days[1], days[2]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    files = {}
    for day in (second, third):
        (path,) = (lake / "calls" / f"date={day}").glob("*.parquet")
        files[day] = path
        con.execute(f"CREATE TABLE \"{day}\" AS SELECT * FROM read_parquet('{path}', "
                    "hive_partitioning = false)")
    con.execute(f"""INSERT INTO "{second}" SELECT * REPLACE ('retry' || span_id AS span_id,
                      2 AS attempt, start_time + INTERVAL 1 SECOND AS start_time)
                    FROM "{second}" WHERE kind = 'model' ORDER BY span_id LIMIT 1""")
    con.execute(f"""INSERT INTO "{third}" SELECT * REPLACE ('midnight' || span_id AS span_id,
                      2 AS attempt, TIMESTAMPTZ '{third} 00:00:01+00' AS start_time)
                    FROM "{second}" WHERE kind = 'model' ORDER BY start_time DESC LIMIT 1""")
    for day, path in files.items():
        con.execute(f"""COPY "{day}" TO '{path}' (FORMAT parquet, COMPRESSION zstd,
                        PARQUET_VERSION v2, KV_METADATA {{'flowcost.table': 'calls',
                        'flowcost.schema_version': '1', '{flowcost_lake.COMPACTED_KEY}': '1'}})""")
    con.close()
    benchmark.write_call_totals(lake)


@pytest.fixture(scope="module", params=["test_lake", "generated_lake"])
def lake(request) -> str:
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("notebook,variable", sorted(OLD))
def test_rewritten_query_gives_exactly_what_the_old_one_gave(notebook, variable, lake,
                                                            tmp_path):
    con = flowcost_lake.connect(lake)
    try:
        if notebook == "reconcile":
            with_bill(con, lake, tmp_path / "exports")
        new = notebook_sql(notebook, variable)
        old = OLD[(notebook, variable)]
        assert " ".join(new.split()) != " ".join(old.split()), "not rewritten"
        assert assert_same(con, old, new, f"{notebook}.{variable}") > 0
    finally:
        con.close()


def test_the_generated_lake_has_its_edge_cases(generated_lake):
    con = flowcost_lake.connect(generated_lake)
    try:
        unnamed, unpriced, causeless, aliased = con.execute("""
            SELECT count(*) FILTER (WHERE r.workflow_id IS NULL),
                   count(*) FILTER (WHERE c.cost_usd IS NULL),
                   count(*) FILTER (WHERE c.wasted AND c.waste_cause IS NULL),
                   count(*) FILTER (WHERE c.response_model LIKE '%-20%')
            FROM calls c LEFT JOIN workflow_roots r USING (workflow_id)""").fetchone()
        assert (unnamed, unpriced, causeless, aliased) == (1, 1, 1, 1)
        # the re-sent row is read once
        assert con.execute("SELECT count(*) - count(DISTINCT span_id) FROM calls").fetchone()[0] == 0
        # call ids that repeat: the retried call and the one across midnight in pre-aggregated
        # days, the late file's retry; only their workflows' rows are counted by distinct id
        repeats, unflagged_repeats, edge_rows, edge_flagged, aggregated, unflagged = con.execute("""
            SELECT (SELECT count(*) - count(DISTINCT call_id) FROM calls),
                   (SELECT count(*) FROM (SELECT call_id FROM calls_with_recount
                                          WHERE NOT recount GROUP BY call_id
                                          HAVING count(*) > 1)),
                   count(*) FILTER (WHERE workflow_id IN (SELECT workflow_id FROM calls
                       WHERE span_id LIKE 'retry%' OR span_id LIKE 'midnight%')),
                   count(*) FILTER (WHERE recount AND workflow_id IN (SELECT workflow_id FROM
                       calls WHERE span_id LIKE 'retry%' OR span_id LIKE 'midnight%')),
                   count(*) FILTER (WHERE date > (SELECT min(date) FROM calls)),
                   count(*) FILTER (WHERE date > (SELECT min(date) FROM calls) AND NOT recount)
            FROM calls_with_recount""").fetchone()
        # 7 edge rows of the late file keep the call id of the row they were made from
        assert repeats == 7 + 2 and unflagged_repeats == 0
        # every row of the two workflows flagged; most rows of the pre-aggregated days not
        assert edge_rows == edge_flagged == 10
        assert unflagged > 0.9 * aggregated
    finally:
        con.close()


def test_utc_macros_equal_date_trunc_and_cast():
    """flowcost_utc_hour / flowcost_utc_date are date_trunc('hour', t) / CAST(t AS DATE) in UTC,
    before 1970 and on the boundaries too."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    date_macro = [s for s in flowcost_lake.statements(flowcost_lake.LAKE_SQL.read_text("utf-8"))
                  if s.startswith("CREATE OR REPLACE MACRO flowcost_utc_date(")]
    assert len(date_macro) == 1
    for statement in (*flowcost_lake.QUERY_MACROS, *date_macro):
        con.execute(statement)
    differ, rows = con.execute("""
        SELECT count(*) FILTER (WHERE flowcost_utc_hour(t) IS DISTINCT FROM date_trunc('hour', t)
                                   OR flowcost_utc_date(t) IS DISTINCT FROM CAST(t AS DATE)),
               count(*)
        FROM (SELECT TIMESTAMPTZ '1969-12-31 23:59:59.999999+00' + to_microseconds(i * 997) AS t
              FROM range(-200000, 200000) r(i)
              UNION ALL SELECT TIMESTAMPTZ '1900-01-01 00:00:00+00'
              UNION ALL SELECT TIMESTAMPTZ '2026-10-01 23:00:00+00'
              UNION ALL SELECT TIMESTAMPTZ '2026-10-01 23:59:59.999999+00'
              UNION ALL SELECT TIMESTAMPTZ '2099-12-31 23:59:59.999999+00'
              UNION ALL SELECT NULL)""").fetchone()
    assert rows == 400_005 and differ == 0
    assert con.execute("SELECT typeof(flowcost_utc_hour(now())), typeof(flowcost_utc_date(now()))"
                       ).fetchone() == ("TIMESTAMP WITH TIME ZONE", "DATE")
