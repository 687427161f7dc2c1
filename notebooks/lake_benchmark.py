"""Lake benchmark (not a test): derivation and notebook queries against a plain aggregate.

On a generated lake of N calls (``benchmark.generate``: facts written in SQL with the lake's
column types, 4 calls per workflow, 80% of workflows with an outcome) it times, in one process and
interleaved round by round:

* ``plain``: ``SELECT workflow_id, count(*), sum(cost_usd) … GROUP BY workflow_id`` straight over
  the ``calls`` files, the yardstick every other figure is divided by;
* ``calls view``: the same aggregate over the de-duplicating ``calls`` view;
* ``workflows_derived`` and ``cost_per_outcome_derived``: each view derived from the facts by one
  query, as a reader querying them directly does;
* ``full rollup``: what ``rollup`` does for every day: the views installed, ``workflows_derived``
  derived once straight into its zstd Parquet snapshot files (one partitioned ``COPY``, as
  ``Rollup.rollupEveryDay``), ``cost_per_outcome_derived`` from those files, then the markers:
  the rollup from scratch (``Rollup.rebuildAll``);
* ``full rollup, nothing changed``: a second full rollup right after it, no input changed, as
  ``Rollup.rollupAll`` then keeps every snapshot (the inputs' digest, the markers read; nothing
  derived or written) — working tree only;
* every query each notebook runs through ``flowcost_lake.query`` (the notebooks executed headless,
  a timing cell added after their connect cell);

and the bytes per call row of the ``calls`` files. With ``--before REF`` the same measures run
for ``lake.sql`` and the notebooks as they were at git revision ``REF`` (extracted with ``git
archive``), alternating with the working tree's, so that both sides see the same machine load::

    python lake_benchmark.py --calls 10000000 --before 611e118 [--rounds 2] [--work DIR]

The generated facts are unique and one file per day, marked as ``compact`` marks its output, with
each day's per-workflow call totals (``call_totals_daily``) as ``compact`` writes them: the lake as
it is once closed days are compacted (docs/lake.md, "De-duplication", "Per-day call totals").
Writing those totals is work moved from every rollup into compaction; it is timed on its own
each round and reported beside the table, with the totals' bytes.

Each measure is taken as wall-clock seconds and as CPU seconds of the process that ran it (every
DuckDB thread; for the notebooks, the kernel's): on a shared machine the wall time follows the
load, the CPU time much less. Ratios are to the plain aggregate (median of the rounds), wall to
wall and CPU to CPU. Figures depend on the machine and its load: state both next to them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

NOTEBOOKS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(NOTEBOOKS_DIR))
import benchmark  # noqa: E402
import flowcost_lake  # noqa: E402

# Added after the notebook's connect cell: every flowcost_lake.query call appends its SQL and
# wall time to a JSON-lines file. Notebooks look flowcost_lake.query up at each call (q() does), so
# the wrapper sees every query without changing the notebook.
_TIMING_CELL = """
import json as _bench_json, resource as _bench_resource, time as _bench_time
import flowcost_lake as _bench_fl
_bench_query = _bench_fl.query
def _bench_cpu():
    r = _bench_resource.getrusage(_bench_resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
def _bench_timed(con, sql, _q=_bench_query):
    t0, c0 = _bench_time.perf_counter(), _bench_cpu()
    out = _q(con, sql)
    with open({path!r}, "a", encoding="utf-8") as f:
        f.write(_bench_json.dumps({{"sql": sql, "seconds": _bench_time.perf_counter() - t0,
                                    "cpu": _bench_cpu() - c0}}) + "\\n")
    return out
_bench_fl.query = _bench_timed
"""


class Variant:
    """lake.sql and the notebooks of one side of the comparison."""

    def __init__(self, name: str, notebooks: Path, rollup_java: str | None = None):
        self.name = name
        self.notebooks = notebooks
        self.lake_sql = notebooks / "lake.sql"
        # How that revision's Rollup wrote a full rollup (the working tree's when None): derived
        # straight into the workflows files (Rollup.rollupEveryDay, the seventh pass) or pinned
        # into a temporary table first; zstd level 1 (the sixth pass) or the default level.
        self.direct = rollup_java is None or "rollupEveryDay" in rollup_java
        self.level1 = rollup_java is None or "COMPRESSION_LEVEL 1" in rollup_java


def extract(ref: str, into: Path) -> Variant:
    """The notebooks directory as it was at git revision ``ref``."""
    repo = NOTEBOOKS_DIR.parent
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(repo), "archive", ref, "notebooks"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    rollup_java = subprocess.run(
        ["git", "-C", str(repo), "show",
         f"{ref}:collector/src/main/java/io/flowcost/collector/rollup/Rollup.java"],
        check=True, capture_output=True, text=True).stdout
    return Variant(f"before ({ref})", into / "notebooks", rollup_java)


#: The view of lake.sql ``compact`` writes call_totals_daily from, since it added the (call_id,
#: kind) pairs of the workflows near midnight (Compactor.writeTotals); before, call_totals_partial.
_WRITTEN_VIEW = "CREATE OR REPLACE VIEW call_totals_daily_written "


def writes_call_kinds(variant: Variant) -> bool:
    return _WRITTEN_VIEW in variant.lake_sql.read_text("utf-8")


def has_call_kinds(lake: Path) -> bool:
    """Whether the lake's call_totals_daily files carry the ``call_kinds`` column."""
    files = sorted((lake / flowcost_lake.TOTALS_TABLE).rglob("*.parquet"))
    if not files:
        return False
    con = duckdb.connect()
    try:
        return con.execute(f"SELECT count(*) FROM parquet_schema('{files[0]}') "
                           "WHERE name = 'call_kinds'").fetchone()[0] > 0
    finally:
        con.close()


def lake_of(lake: Path, variant: Variant, work: Path) -> Path:
    """The lake ``variant`` is measured on: ``lake`` when that revision's ``compact`` writes the
    call totals as the lake holds them, else a sibling with symbolic links to the same fact tables
    and the totals written with that revision's lake.sql (each side reads what its own ``compact``
    wrote)."""
    if writes_call_kinds(variant) == has_call_kinds(lake):
        return lake
    other = work / f"{lake.name}-{variant.name.split()[0]}-totals"
    if not (other / flowcost_lake.TOTALS_TABLE).is_dir():
        other.mkdir(parents=True, exist_ok=True)
        for table in lake.iterdir():
            if table.is_dir() and table.name != flowcost_lake.TOTALS_TABLE \
                    and not (other / table.name).exists():
                (other / table.name).symlink_to(table.resolve())
        print(f"==> writing {variant.name}'s call totals into {other}", flush=True)
        benchmark.write_call_totals(other, variant.lake_sql)
    return other


def connect(lake: Path, variant: Variant) -> duckdb.DuckDBPyConnection:
    flowcost_lake.LAKE_SQL = variant.lake_sql
    try:
        return flowcost_lake.connect(str(lake), focus=False)
    finally:
        flowcost_lake.LAKE_SQL = NOTEBOOKS_DIR / "lake.sql"


def cpu_seconds() -> float:
    """CPU time of this process, every DuckDB thread included (user + system)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Timing:
    """Wall-clock and CPU seconds of one measure. On a shared machine the wall time follows the
    load; the CPU time (the work DuckDB did) is the steadier figure of the two."""

    def __init__(self):
        self.wall0, self.cpu0 = time.perf_counter(), cpu_seconds()

    def stop(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall0, cpu_seconds() - self.cpu0


def timed(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[float, float]:
    """(wall, CPU) seconds to run ``sql`` into a temporary table (no transfer to Python)."""
    t = Timing()
    con.execute(f"CREATE OR REPLACE TEMP TABLE bench_out AS {sql}")
    out = t.stop()
    con.execute("DROP TABLE bench_out")
    return out


def plain(lake: Path) -> tuple[float, float]:
    con = duckdb.connect()
    try:
        glob = flowcost_lake.table_glob(str(lake), "calls").replace("'", "''")
        return timed(con, "SELECT workflow_id, count(*) AS n, sum(cost_usd) AS cost FROM "
                     f"read_parquet('{glob}', hive_partitioning = true, union_by_name = true) "
                     "GROUP BY workflow_id")
    finally:
        con.close()


def views(lake: Path, variant: Variant) -> dict[str, tuple[float, float]]:
    """The calls view's aggregate and each derived view, each by one query from the facts."""
    out = {}
    for name, sql in (("calls view", "SELECT workflow_id, count(*) AS n, sum(cost_usd) AS cost "
                                      "FROM calls GROUP BY workflow_id"),
                      ("workflows_derived", "SELECT * FROM workflows_derived"),
                      ("cost_per_outcome_derived", "SELECT * FROM cost_per_outcome_derived")):
        con = connect(lake, variant)
        try:
            out[name] = timed(con, sql)
        finally:
            con.close()
    return out


#: (table, source view, ORDER BY of the per-day files) of a rollup's snapshots
_SNAPSHOTS = (("workflows", "workflows_derived", "start_time, workflow_id"),
              ("cost_per_outcome", "cost_per_outcome_derived",
               "workflow_name, service, team, feature, env"))


#: Tables whose files a derivation may read (LakeViews.derivationInputs): what the digest covers.
_DERIVATION_INPUTS = ("calls", "workflow_spans", "outcomes", "coverage", "call_prices",
                      "cap_breaches", flowcost_lake.TOTALS_TABLE)

#: Key-value metadata of a full rollup's markers (Rollup.INPUTS_KEY, Rollup.DAYS_KEY).
_INPUTS_KEY, _DAYS_KEY = "flowcost.rollup_inputs", "flowcost.rollup_days"


def inputs_digest(lake: Path, variant: Variant, horizon_days: int = 7) -> str:
    """What ``LakeViews.inputsDigest`` hashes: every input file's path and size, lake.sql, the
    horizon, the DuckDB version."""
    h = hashlib.sha256()
    h.update(b"lake.sql\t" + variant.lake_sql.read_bytes() + b"\n")
    h.update(f"horizon_days\t{horizon_days}\nduckdb\t{duckdb.__version__}\n".encode())
    for table in _DERIVATION_INPUTS:
        for f in sorted((lake / table).glob("date=*/*.parquet")):
            h.update(f"{f.relative_to(lake)}\t{f.stat().st_size}\n".encode())
    return h.hexdigest()


def full_rollup(lake: Path, variant: Variant, scratch: Path,
                record: bool = False) -> tuple[float, float]:
    """Every day's workflows and cost_per_outcome snapshots, as ``Rollup.rollupAll`` writes them
    from scratch (``Rollup.rebuildAll``): the views installed, one ``COPY … PARTITION_BY (date)``
    per table for all days, then the markers. With ``record`` (the working tree's rollup, as
    ``Rollup.rollupEveryDay`` does now) the markers carry the inputs' digest. A revision whose
    ``Rollup`` derives straight into the files (``rollupEveryDay``, since the seventh pass) is
    measured that way: ``workflows_derived`` written to the ``workflows`` files, which
    ``cost_per_outcome_derived`` and the day count then read back; an earlier one pinned
    ``workflows_derived`` into a temporary table first and both snapshots read it."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    t = Timing()
    digest = inputs_digest(lake, variant) if record else None
    con = connect(lake, variant)
    try:
        if not variant.direct:
            flowcost_lake.pin_derived(con)  # a revision before the seventh pass pinned first
        for table, source, _ in _SNAPSHOTS:
            target = str(scratch / table).replace("'", "''")
            # zstd level 1 as Rollup writes since the sixth pass; before it the default level 3
            level = ", COMPRESSION_LEVEL 1" if variant.level1 else ""
            con.execute(f"COPY (SELECT day AS date, day, CAST(1 AS BIGINT) AS version, "
                        f"* EXCLUDE (day) FROM {source}) TO '{target}' (FORMAT parquet, "
                        f"COMPRESSION zstd{level}, ROW_GROUP_SIZE 122880, PARTITION_BY (date))")
            if variant.direct and table == "workflows":
                # as Rollup.rollupEveryDay: derived once, straight into the workflows files,
                # which then stand in for workflows_derived (cost_per_outcome, the day counts)
                files = str(scratch / table / "date=*" / "*.parquet").replace("'", "''")
                con.execute("CREATE OR REPLACE VIEW workflows_derived AS SELECT * EXCLUDE "
                            f"(version) FROM read_parquet('{files}', hive_partitioning = false)")
        days = con.execute("SELECT count(DISTINCT day) FROM workflows_derived").fetchone()[0]
        meta = (f", KV_METADATA {{'{_INPUTS_KEY}': '{digest}', '{_DAYS_KEY}': '{days}'}}"
                if record else "")
        target = str(scratch / "rollups").replace("'", "''")
        con.execute("COPY (SELECT day AS date, day, CAST(1 AS BIGINT) AS version, "
                    "count(*) AS workflows, 'bench' AS collector_id, "
                    "CAST(now() AS TIMESTAMPTZ) AS rolled_up_at FROM workflows_derived "
                    f"GROUP BY day) TO '{target}' (FORMAT parquet, COMPRESSION zstd, "
                    f"PARTITION_BY (date){meta})")
    finally:
        con.close()
    return t.stop()


def full_rollup_kept(lake: Path, variant: Variant, scratch: Path) -> tuple[float, float]:
    """A full rollup right after :func:`full_rollup` (``record``) with no input changed, as
    ``Rollup.rollupAll`` decides to keep every snapshot: the inputs' digest, then the markers'
    rows and metadata on a bare connection (no view installed), nothing derived or written.
    Raises if the snapshots would not be kept (the figure would then measure nothing)."""
    t = Timing()
    digest = inputs_digest(lake, variant)
    glob = str(scratch / "rollups" / "date=*" / "*.parquet").replace("'", "''")
    con = duckdb.connect()
    try:
        rows = con.execute(
            "WITH kv AS (SELECT file_name, decode(key) AS k, decode(value) AS v "
            f"FROM parquet_kv_metadata('{glob}') WHERE decode(key) IN "
            f"('{_INPUTS_KEY}', '{_DAYS_KEY}')) "
            "SELECT m.day, m.version, m.workflows, "
            f"(SELECT max(v) FROM kv WHERE kv.file_name = m.filename AND k = '{_INPUTS_KEY}'), "
            f"(SELECT max(v) FROM kv WHERE kv.file_name = m.filename AND k = '{_DAYS_KEY}') "
            f"FROM read_parquet('{glob}', hive_partitioning = true, union_by_name = true, "
            "filename = true) m").fetchall()
    finally:
        con.close()
    full = max((r[1] for r in rows if r[3] == digest), default=None)
    latest: dict = {}
    for r in rows:
        latest[r[0]] = max(latest.get(r[0], r[1]), r[1])
    mine = [r for r in rows if r[1] == full]
    kept = (full is not None and all(r[3] == digest and latest[r[0]] == full for r in mine)
            and len({r[0] for r in mine}) == len(mine) and mine[0][4] == str(len(mine)))
    out = t.stop()
    if not kept:
        raise AssertionError("the full rollup over unchanged inputs would not be kept")
    return out


def notebook_queries(lake: Path, variant: Variant,
                     out: Path) -> dict[str, list[tuple[str, tuple[float, float]]]]:
    """Executes every notebook of ``variant`` and returns each one's queries with their times."""
    import nbformat
    from nbclient import NotebookClient

    result = {}
    env = dict(os.environ)
    # the catalog the notebooks re-price with is the working tree's (an extracted revision has no
    # ../pricing beside its notebooks)
    catalog = NOTEBOOKS_DIR.parent / "pricing/src/main/resources/io/flowcost/pricing"
    os.environ.update({"FLOWCOST_LAKE": str(lake), "FLOWCOST_OUT": str(out),
                       "FLOWCOST_CATALOG": str(catalog / "prices.json")})
    try:
        for path in sorted(variant.notebooks.glob("*.ipynb")):
            log = out / f"{path.stem}.queries.jsonl"
            out.mkdir(parents=True, exist_ok=True)
            log.unlink(missing_ok=True)
            nb = nbformat.read(path, as_version=4)
            at = next(i for i, c in enumerate(nb.cells)
                      if c.cell_type == "code" and "flowcost_lake.connect(" in c.source)
            nb.cells.insert(at + 1, nbformat.v4.new_code_cell(_TIMING_CELL.format(path=str(log))))
            NotebookClient(nb, timeout=3600, kernel_name="python3",
                           resources={"metadata": {"path": str(variant.notebooks)}}).execute()
            rows = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
            result[path.stem] = [(_label(r["sql"]), (r["seconds"], r["cpu"])) for r in rows]
    finally:
        os.environ.clear()
        os.environ.update(env)
    return result


def _fmt(t: tuple[float, float]) -> str:
    return f"{t[0]:.2f} s (CPU {t[1]:.2f} s)"


def _cells(samples: list[tuple[float, float]], base: tuple[float, float]) -> str:
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    return f"{wall:.2f} | {wall / base[0]:.1f}× | {cpu:.2f} | {cpu / base[1]:.1f}×"


def _label(sql: str) -> str:
    words = " ".join(sql.split())
    return words[:60] + ("…" if len(words) > 60 else "")


def calls_bytes_per_row(lake: Path) -> tuple[int, int]:
    files = sorted((lake / "calls").rglob("*.parquet"))
    size = sum(f.stat().st_size for f in files)
    con = duckdb.connect()
    try:
        rows = con.execute("SELECT count(*) FROM read_parquet("
                           f"{[str(f) for f in files]!r})").fetchone()[0]
    finally:
        con.close()
    return size, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=10_000_000, help="call rows (default 10^7)")
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--before", metavar="REF",
                        help="also measure lake.sql and the notebooks of this git revision")
    parser.add_argument("--work", help="directory for the lake (default: a temporary one); a lake "
                        "already there with the same size is reused")
    parser.add_argument("--no-notebooks", action="store_true", help="skip the notebooks")
    parser.add_argument("--rollup-only", action="store_true",
                        help="only the plain aggregate and the full rollups (no single-query "
                        "views, no compaction share, no notebooks): a quicker 10^7 run")
    args = parser.parse_args(argv)

    work = Path(args.work or tempfile.mkdtemp(prefix="flowcost-lake-bench-")).resolve()
    lake = work / f"lake-{args.calls}"
    stamp = lake / "bench.json"
    wanted = {"calls": args.calls, "days": args.days}
    if stamp.exists() and json.loads(stamp.read_text())["args"] == wanted:
        print(f"==> reusing {lake}", flush=True)
    else:
        print(f"==> generating {args.calls:,} calls over {args.days} days in {lake}", flush=True)
        t0 = time.perf_counter()
        facts = benchmark.generate(lake, args.calls, args.days)
        stamp.write_text(json.dumps({"args": wanted, "facts": facts}))
        print(f"    {time.perf_counter() - t0:.0f} s", flush=True)
    facts = json.loads(stamp.read_text())["facts"]
    if not (lake / flowcost_lake.TOTALS_TABLE).is_dir() or (
            writes_call_kinds(Variant("", NOTEBOOKS_DIR)) and not has_call_kinds(lake)):
        # a lake generated before the per-day totals, or before their (call_id, kind) pairs
        print("==> writing the per-day call totals", flush=True)
        benchmark.write_call_totals(lake)
    if not (lake / "workflows").is_dir():
        # the notebooks read the rolled-up snapshots (workflows_latest, cost_per_outcome_latest)
        print("==> writing the snapshots the notebooks read", flush=True)
        benchmark.rollup(lake)

    variants = [Variant("after (working tree)", NOTEBOOKS_DIR)]
    if args.before:
        variants.insert(0, extract(args.before, work / "before"))

    plains: list[tuple[float, float]] = []
    compactions: list[tuple[float, float]] = []
    measures: dict[str, dict[str, list[tuple[float, float]]]] = {v.name: {} for v in variants}
    queries: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for r in range(args.rounds):
        order = variants if r % 2 == 0 else variants[::-1]
        plains.append(plain(lake))
        print(f"round {r + 1}: plain {_fmt(plains[-1])}", flush=True)
        if not args.rollup_only:
            t = Timing()
            benchmark.write_call_totals(lake)
            compactions.append(t.stop())
            print("  compaction's share: every day's call totals written "
                  f"{_fmt(compactions[-1])}", flush=True)
        for v in order:
            got = {} if args.rollup_only else views(lake_of(lake, v, work), v)
            record = v.lake_sql == NOTEBOOKS_DIR / "lake.sql"
            got["full rollup from scratch (derived once, both snapshots written)"] = full_rollup(
                lake_of(lake, v, work), v, work / "rollup-out", record)
            if record:
                got["full rollup, nothing changed since the last (kept: digest and markers read)"] \
                    = full_rollup_kept(lake_of(lake, v, work), v, work / "rollup-out")
            for k, s in got.items():
                measures[v.name].setdefault(k, []).append(s)
            print(f"  {v.name}: " + ", ".join(f"{k} {_fmt(s)}" for k, s in got.items()),
                  flush=True)
        plains.append(plain(lake))
        if not args.no_notebooks and not args.rollup_only:
            for v in order:
                nb = notebook_queries(lake_of(lake, v, work), v,
                                      work / f"out-{r}-{v.name.split()[0]}")
                for stem, rows in nb.items():
                    for i, (label, s) in enumerate(rows):
                        queries.setdefault(v.name, {}).setdefault(
                            f"{stem} #{i + 1}: {label}", []).append(s)
                print(f"  {v.name}: notebooks " + ", ".join(
                    f"{stem} {sum(s[0] for _, s in rows):.1f} s" for stem, rows in nb.items()),
                      flush=True)
        plains.append(plain(lake))

    base = (statistics.median(p[0] for p in plains), statistics.median(p[1] for p in plains))
    size, rows = calls_bytes_per_row(lake)
    print(f"\nMachine: {os.cpu_count()} cores, {platform.platform()}, Python "
          f"{platform.python_version()}, DuckDB {duckdb.__version__}; load average before the "
          f"table {os.getloadavg()[0]:.1f}.")
    print(f"Lake: {facts['calls']:,} calls, {facts['workflows']:,} workflows, {args.days} days; "
          f"calls files {size / 1e6:.1f} MB = {size / rows:.1f} bytes per call row.")
    if not compactions:  # --rollup-only
        compactions.append((float("nan"), float("nan")))
    totals = sorted((lake / flowcost_lake.TOTALS_TABLE).rglob("*.parquet"))
    totals_size = sum(f.stat().st_size for f in totals)
    print(f"Per-day call totals (call_totals_daily, written by compact): {len(totals)} files, "
          f"{totals_size / 1e6:.1f} MB ({totals_size / rows:.1f} bytes per call row, "
          f"{100 * totals_size / size:.0f}% of the calls files); writing them for every day, "
          "the work moved into compaction (once per closed day, not per rollup): "
          + ", ".join(_fmt(c) for c in compactions) + " (median "
          + _cells(compactions, (1.0, 1.0)).split(" | ")[0] + " s wall, CPU "
          + _cells(compactions, (1.0, 1.0)).split(" | ")[2] + " s).")
    print(f"plain GROUP BY workflow_id: median wall {base[0]:.2f} s, CPU {base[1]:.2f} s of "
          f"{len(plains)} ({', '.join(_fmt(p) for p in plains)}); ratios below are to it "
          "(wall to wall, CPU to CPU).\n")
    names = [v.name for v in variants]
    print("| measure | " + " | ".join(f"{n}: wall s | ×plain | CPU s | ×plain" for n in names)
          + " |")
    print("|---|" + "---:|---:|---:|---:|" * len(names))
    for k in measures[names[-1]]:
        print(f"| {k} | " + " | ".join(_cells(measures[n][k], base) if k in measures[n]
                                        else "— | — | — | —" for n in names) + " |")
    for n in names:
        if n not in queries:
            continue
        print(f"\nNotebook queries, {n} (median of rounds):\n")
        print("| notebook query | wall s | ×plain | CPU s | ×plain |")
        print("|---|---:|---:|---:|---:|")
        for k, ss in queries[n].items():
            print(f"| {k.replace('|', '¦')} | {_cells(ss, base)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
