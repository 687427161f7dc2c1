"""Benchmark (not a test): the notebooks on a generated lake of N calls.

Generates the fact tables in DuckDB SQL (no Python row loop, so 10^7 calls fit in minutes),
writes the derived snapshots through lake.sql's ``*_derived`` views as ``rollup`` does, then
executes every notebook headless against the lake and reports wall times as a Markdown table:

    python benchmark.py --calls 1000000 --calls 10000000 [--work DIR] [--days 28]

Figures depend on the machine: state its cores and memory next to them.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flowcost_lake  # noqa: E402
from synthetic_lake import typed_select  # noqa: E402

NOTEBOOKS_DIR = Path(__file__).resolve().parent
CALLS_PER_WORKFLOW = 4

# intent, service, team, provider, model, input/output price per million (catalog list prices)
_MIX = """(VALUES
  (0, 'summarize-claim', 'claims-bot', 'claims', 'openai', 'gpt-4o', 2.50, 1.25, 10.00),
  (1, 'triage-ticket', 'support-bot', 'support', 'anthropic', 'claude-haiku-4-5',
   1.00, 0.10, 5.00),
  (2, 'draft-reply', 'support-bot', 'support', 'anthropic', 'claude-sonnet-4-5', 3.00, 0.30, 15.00),
  (3, 'classify-email', 'mail-router', 'ops', 'openai', 'gpt-4o-mini', 0.15, 0.075, 0.60))
  AS mix(m, intent, service, team, provider, model, p_in, p_cr, p_out)"""


def generate(lake: Path, calls: int, days: int) -> dict:
    """Writes ``calls`` call rows (and their workflows and outcomes) under ``lake``."""
    if lake.exists():
        shutil.rmtree(lake)
    lake.mkdir(parents=True)
    con = flowcost_lake.connect(str(lake / "_none"), focus=False, require_lake=False)
    workflows = max(calls // CALLS_PER_WORKFLOW, 1)
    span_s = days * 86400 / workflows
    con.execute(f"""
      CREATE TEMP TABLE wf AS
      SELECT w, md5('wf' || w) AS workflow_id, mix.*,
             TIMESTAMPTZ '2026-10-01 00:00:00+00'
               + to_microseconds(CAST(w * {span_s} * 1e6 AS BIGINT)) AS start_time,
             hash(w) AS h
      FROM range({workflows}) t(w) JOIN {_MIX} ON mix.m = w % 4""")
    con.execute(f"""
      CREATE TEMP TABLE c AS
      SELECT wf.workflow_id, substr(md5('call' || i), 1, 16) AS call_id,
             substr(md5('span' || i), 1, 16) AS span_id, NULL AS parent_span_id, 'model' AS kind,
             'chat' AS operation, wf.service, wf.provider, wf.model AS request_model,
             wf.model AS response_model, 1 AS attempt, 'ok' AS status, NULL AS error_type,
             200 AS http_status, 'stop' AS finish_reason, 'default' AS service_tier,
             false AS streaming,
             800 + hash(i) % 2200 AS input_tokens,
             CASE WHEN hash(i) % 10 < 6 THEN (hash(i) >> 8) % 400 ELSE 0 END AS cache_read_tokens,
             0 AS cache_write_tokens, 0 AS cache_write_1h_tokens,
             100 + (hash(i) >> 16) % 500 AS output_tokens, 0 AS reasoning_tokens,
             false AS tokens_estimated,
             wf.p_in, wf.p_cr, wf.p_out, false AS unpriced,
             (hash(i) >> 24) % 40 = 0 AS wasted,
             CASE WHEN (hash(i) >> 24) % 40 = 0 THEN 'discarded' END AS waste_cause,
             NULL AS tool_name, NULL AS http_host, NULL AS http_path,
             wf.start_time + to_microseconds((i % {CALLS_PER_WORKFLOW}) * 2000000) AS start_time,
             '2026-11-24.1' AS catalog_version, wf.provider || '/' || wf.model AS price_key
      FROM range({workflows * CALLS_PER_WORKFLOW}) t(i)
      JOIN wf ON wf.w = i // {CALLS_PER_WORKFLOW}""")
    con.execute("""
      CREATE TEMP TABLE calls_src AS
      SELECT * EXCLUDE (p_in, p_cr, p_out),
             start_time + INTERVAL 1500 MILLISECOND AS end_time, 1500.0 AS duration_ms,
             start_time + INTERVAL 2 SECOND AS received_at,
             round(((input_tokens - cache_read_tokens) * p_in + cache_read_tokens * p_cr
                    + output_tokens * p_out) / 1000000, 9) AS cost_usd,
             round(cache_read_tokens * (p_in - p_cr) / 1000000, 9) AS cache_savings_gross_usd,
             round(cache_read_tokens * (p_in - p_cr) / 1000000, 9) AS cache_savings_net_usd,
             CAST(start_time AS DATE) AS date
      FROM c""")
    con.execute("""
      CREATE TEMP TABLE spans_src AS
      SELECT workflow_id, substr(md5('root' || w), 1, 16) AS span_id, intent AS workflow_name,
             service, 'ai_service' AS source, start_time,
             start_time + INTERVAL 8 SECOND AS end_time, 8000.0 AS duration_ms, false AS error,
             NULL AS error_type,
             CASE WHEN h % 15 = 0 THEN MAP {'env': 'prod'}
                  ELSE MAP {'env': 'prod', 'team': team} END AS tags,
             'key-' || w AS external_key, NULL AS conversation_id, NULL AS user_id,
             start_time + INTERVAL 9 SECOND AS received_at, CAST(start_time AS DATE) AS date
      FROM wf""")
    con.execute("""
      CREATE TEMP TABLE outcomes_src AS
      SELECT md5('outcome' || w) AS outcome_id, workflow_id, NULL AS external_key,
             CASE WHEN h % 10 < 7 THEN 'success' ELSE 'failure' END AS status,
             NULL AS reason, NULL AS value, NULL AS unit,
             start_time + INTERVAL 10 MINUTE AS reported_at,
             start_time + INTERVAL 10 MINUTE AS received_at,
             CAST(start_time + INTERVAL 10 MINUTE AS DATE) AS date
      FROM wf WHERE h % 10 < 8""")
    for table, src in (("calls", "calls_src"), ("workflow_spans", "spans_src"),
                       ("outcomes", "outcomes_src")):
        _write_partitioned(con, lake, table, src)
    con.close()
    write_call_totals(lake)
    return {"calls": workflows * CALLS_PER_WORKFLOW, "workflows": workflows}


def write_call_totals(lake: Path, lake_sql: Path | None = None) -> int:
    """Writes each compacted calls day's per-workflow totals (``call_totals_daily``) as ``compact``
    does when it closes a day (Compactor.writeTotals): lake.sql's ``call_totals_daily_written`` over
    the day's non-foreign rows, one zstd Parquet v2 file per day marked with the calls file's name.
    Returns the bytes written."""
    sql = flowcost_lake.statements((lake_sql or flowcost_lake.LAKE_SQL).read_text("utf-8"))
    wanted = ("CREATE OR REPLACE TEMP TABLE flowcost_empty_calls ",
              "CREATE OR REPLACE VIEW call_totals_partial ",
              "CREATE OR REPLACE VIEW call_totals_daily_written ")
    # (a lake.sql older than call_totals_daily_written writes call_totals_partial as it is)
    empty, partial, written_view = (next((s for s in sql if s.startswith(w)), None)
                                    for w in wanted)
    source = "call_totals_daily_written" if written_view else "call_totals_partial"
    written = 0
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(empty)
        for day_dir in sorted((lake / "calls").glob("date=*")):
            files = sorted(day_dir.glob("*.parquet"))
            if len(files) != 1:
                continue
            day = day_dir.name[len("date="):]
            f = str(files[0]).replace("'", "''")
            con.execute("CREATE OR REPLACE TEMP VIEW calls_unaggregated AS SELECT * FROM ("
                        "SELECT * FROM flowcost_empty_calls UNION ALL BY NAME "
                        f"SELECT *, DATE '{day}' AS date FROM read_parquet('{f}', "
                        "hive_partitioning = false)) WHERE foreign_span IS NOT TRUE")
            con.execute(partial)
            if written_view:
                con.execute(written_view)
            out_dir = lake / flowcost_lake.TOTALS_TABLE / day_dir.name
            out_dir.mkdir(parents=True, exist_ok=True)
            out = out_dir / "bench-totals.parquet"
            name = files[0].name.replace("'", "''")
            con.execute(f"COPY (SELECT * EXCLUDE (date) FROM {source}) TO "
                        f"'{str(out).replace(chr(39), chr(39) * 2)}' (FORMAT parquet, "
                        "COMPRESSION zstd, PARQUET_VERSION v2, ROW_GROUP_SIZE 122880, "
                        f"KV_METADATA {{'flowcost.table': '{flowcost_lake.TOTALS_TABLE}', "
                        "'flowcost.schema_version': '1', "
                        f"'{flowcost_lake.AGGREGATED_FILE_KEY}': '{name}'}})")
            written += out.stat().st_size
    finally:
        con.close()
    return written


#: Fact tables the generator writes as ``compact`` leaves a closed day: one file per day, each
#: row key once, marked with ``compact``'s key-value metadata (docs/lake.md, "De-duplication").
_COMPACTED = ("calls", "workflow_spans", "outcomes")


def _write_partitioned(con, lake: Path, table: str, source: str, extra=None) -> None:
    select = typed_select(con, table, source, "true", extra)
    select = select.replace(f" FROM {source} ", ", date FROM " + source + " ", 1)
    target = str(lake / table).replace("'", "''")
    # as `compact` writes a merged day (Compactor.merge): Parquet v2 encodings, zstd, marked
    meta = (f", PARQUET_VERSION v2, ROW_GROUP_SIZE 122880, KV_METADATA {{'flowcost.table': "
            f"'{table}', 'flowcost.schema_version': '1', '{flowcost_lake.COMPACTED_KEY}': '1'}}"
            if table in _COMPACTED else "")
    con.execute(f"COPY ({select}) TO '{target}' (FORMAT parquet, COMPRESSION zstd, "
                f"PARTITION_BY (date), FILENAME_PATTERN 'bench-{{i}}', OVERWRITE_OR_IGNORE{meta})")


def rollup(lake: Path) -> None:
    """Writes one snapshot per day of ``workflows`` and ``cost_per_outcome``."""
    con = flowcost_lake.connect(str(lake), focus=False)
    flowcost_lake.pin_derived(con)  # derived once, as the collector's rollup does
    con.execute("CREATE TEMP TABLE wd AS SELECT *, day AS date FROM workflows_derived")
    con.execute("CREATE TEMP TABLE cd AS SELECT *, day AS date FROM cost_per_outcome_derived")
    _write_partitioned(con, lake, "workflows", "wd", {"version": "1"})
    _write_partitioned(con, lake, "cost_per_outcome", "cd", {"version": "1"})
    con.close()


def run_notebooks(lake: Path, out: Path) -> dict[str, float]:
    """Executes every notebook (they load the shipped lake.sql) and times each."""
    import nbformat
    from nbclient import NotebookClient

    times = {}
    env = dict(os.environ)
    os.environ.update({"FLOWCOST_LAKE": str(lake), "FLOWCOST_OUT": str(out)})
    try:
        for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            t0 = time.perf_counter()
            NotebookClient(nb, timeout=3600, kernel_name="python3",
                           resources={"metadata": {"path": str(NOTEBOOKS_DIR)}}).execute()
            times[path.stem] = time.perf_counter() - t0
    finally:
        os.environ.clear()
        os.environ.update(env)
    return times


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*.parquet"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, action="append",
                        help="call rows per lake (repeatable); default 10^6")
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--work", help="directory for the lakes (default: a temporary one)")
    parser.add_argument("--lake-sql", help="roll up with this lake.sql instead of the shipped one "
                        "(to measure a proposed change)")
    args = parser.parse_args(argv)
    sizes = args.calls or [1_000_000]
    if args.lake_sql:
        flowcost_lake.LAKE_SQL = Path(args.lake_sql).resolve()
    work = Path(args.work or tempfile.mkdtemp(prefix="flowcost-bench-"))
    rows = []
    for n in sizes:
        lake = work / f"lake-{n}"
        t0 = time.perf_counter()
        facts = generate(lake, n, args.days)
        t1 = time.perf_counter()
        rollup(lake)
        t2 = time.perf_counter()
        times = run_notebooks(lake, work / f"out-{n}")
        rows.append((facts, du(lake), t1 - t0, t2 - t1, times))
        print(f"{n:>12,} calls: generate {t1 - t0:.1f} s, rollup {t2 - t1:.1f} s, "
              + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()), flush=True)
    names = list(rows[0][4])
    print(f"\nMachine: {os.cpu_count()} cores, {platform.platform()}, "
          f"duckdb {duckdb.__version__}; {args.days} days; seconds, wall clock.\n")
    print("| calls | workflows | Parquet MB | rollup (derived snapshots) | "
          + " | ".join(f"`{n}`" for n in names) + " |")
    print("|---" * (4 + len(names)) + "|")
    for facts, size, _gen, roll, times in rows:
        print(f"| {facts['calls']:,} | {facts['workflows']:,} | {size / 1e6:.0f} | {roll:.1f} | "
              + " | ".join(f"{times[n]:.1f}" for n in names) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
