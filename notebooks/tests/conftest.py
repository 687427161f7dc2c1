"""Shared fixtures: the lakes, a notebook runner, and reference figures from raw Parquet.

The reference figures are computed with plain DuckDB SQL over the Parquet files, not through
lake.sql's views, so a wrong view or a wrong notebook query fails the comparison.
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

import duckdb
import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(NOTEBOOKS))

import synthetic_lake  # noqa: E402

CELL_TIMEOUT_S = int(os.environ.get("FLOWCOST_NB_TIMEOUT", "300"))
HORIZON_DAYS = 7


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory):
    """A 4-week synthetic lake and its ground truth."""
    return synthetic_lake.generate(tmp_path_factory.mktemp("synthetic") / "lake")


@pytest.fixture(scope="session")
def test_lake(synthetic) -> str:
    """The lake the demo produced (FLOWCOST_TEST_LAKE), else the synthetic one."""
    return os.environ.get("FLOWCOST_TEST_LAKE") or synthetic.lake


class NotebookRun:
    """One headless execution of a notebook: its executed cells and chosen variables."""

    def __init__(self, nb, variables: dict, out_dir: Path):
        self.nb = nb
        self.vars = variables
        self.out_dir = out_dir

    def __getitem__(self, name):
        return self.vars[name]

    def outputs(self):
        for cell in self.nb.cells:
            yield from cell.get("outputs", [])

    def png_count(self) -> int:
        return sum(1 for o in self.outputs() if "image/png" in o.get("data", {}))

    def errors(self):
        return [o for o in self.outputs() if o.get("output_type") == "error"]

    def warnings(self) -> list[str]:
        """Warning lines the cells printed on stderr (pandas, DuckDB, matplotlib, …)."""
        return [line for o in self.outputs()
                if o.get("output_type") == "stream" and o.get("name") == "stderr"
                for line in o.get("text", "").splitlines() if "Warning" in line]


class Runner:
    """Executes notebooks once per (notebook, lake, env) and caches the result."""

    def __init__(self, tmp_root: Path):
        self.tmp_root = tmp_root
        self.cache: dict = {}

    def __call__(self, name: str, lake: str, variables: list[str],
                 env: dict | None = None) -> NotebookRun:
        key = (name, lake, tuple(sorted((env or {}).items())))
        if key not in self.cache:
            self.cache[key] = self._execute(name, lake, env)
        run = self.cache[key]
        missing = [v for v in variables if v not in run.vars]
        assert not missing, f"{name} defines no {missing}"
        return run

    def _execute(self, name: str, lake: str, env: dict | None) -> NotebookRun:
        work = self.tmp_root / f"run{len(self.cache)}"
        work.mkdir(parents=True)
        dump = work / "vars.pickle"
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        # A last cell pickles the notebook's figures: every public DataFrame, Series, number,
        # string or path (the test process runs the same pandas).
        nb.cells.append(nbformat.v4.new_code_cell(
            "import pickle as _p, pathlib as _pl\n"
            "_keep = (pd.DataFrame, pd.Series, int, float, str, bool, _pl.PurePath)\n"
            f"with open({str(dump)!r}, 'wb') as _f:\n"
            "    _p.dump({_k: _v for _k, _v in globals().items()\n"
            "             if not _k.startswith('_') and isinstance(_v, _keep)}, _f)\n"))
        saved = dict(os.environ)
        os.environ.update({"FLOWCOST_LAKE": lake, "FLOWCOST_OUT": str(work / "out"),
                           "MPLBACKEND": "module://matplotlib_inline.backend_inline",
                           **(env or {})})
        try:
            NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                           resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
        finally:
            os.environ.clear()
            os.environ.update(saved)
        nbformat.write(nb, work / name)  # kept for inspection
        with open(dump, "rb") as f:
            return NotebookRun(nb, pickle.load(f), work / "out")


@pytest.fixture(scope="session")
def run_notebook(tmp_path_factory) -> Runner:
    return Runner(tmp_path_factory.mktemp("notebooks"))


def raw_connection(lake: str) -> duckdb.DuckDBPyConnection:
    """Plain read_parquet views over the fact tables, each key once, with per-workflow
    reference figures (start, cost, waste, latest outcome within the horizon, tags)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")

    def src(table):
        if lake.startswith("s3://"):
            raise pytest.skip("reference SQL reads local lakes")
        if not list(Path(lake, table).glob("date=*/*.parquet")):
            return None
        return (f"read_parquet('{Path(lake, table)}/date=*/*.parquet', "
                "hive_partitioning = true, union_by_name = true)")

    calls, spans, outcomes = src("calls"), src("workflow_spans"), src("outcomes")
    assert calls, f"no calls in {lake}"
    con.execute(f"CREATE TABLE r_calls AS SELECT DISTINCT ON (span_id) * FROM {calls}")
    if spans:
        con.execute(f"CREATE TABLE r_spans AS SELECT DISTINCT ON (span_id) * FROM {spans}")
    else:
        con.execute("CREATE TABLE r_spans (workflow_id VARCHAR, start_time TIMESTAMPTZ, "
                    "external_key VARCHAR, tags MAP(VARCHAR, VARCHAR), workflow_name VARCHAR)")
    if outcomes:
        con.execute(f"CREATE TABLE r_outcomes AS SELECT DISTINCT ON (outcome_id) * FROM {outcomes}")
    else:
        con.execute("CREATE TABLE r_outcomes (outcome_id VARCHAR, workflow_id VARCHAR, "
                    "external_key VARCHAR, status VARCHAR, reported_at TIMESTAMPTZ)")
    con.execute(f"""
        CREATE TABLE r_workflows AS
        WITH roots AS (
          SELECT workflow_id, min(start_time) AS start_time,
                 min_by(tags, start_time) AS tags, min_by(workflow_name, start_time) AS name,
                 max(external_key) AS external_key
          FROM r_spans GROUP BY workflow_id),
        costs AS (
          SELECT workflow_id, min(start_time) AS start_time,
                 coalesce(sum(cost_usd), 0) AS cost,
                 coalesce(sum(cost_usd) FILTER (WHERE wasted), 0) AS call_waste
          FROM r_calls GROUP BY workflow_id),
        wf AS (
          SELECT coalesce(r.workflow_id, c.workflow_id) AS workflow_id,
                 coalesce(r.start_time, c.start_time) AS start_time, r.tags, r.name,
                 r.external_key, coalesce(c.cost, 0) AS cost,
                 coalesce(c.call_waste, 0) AS call_waste
          FROM roots r FULL OUTER JOIN costs c ON c.workflow_id = r.workflow_id),
        by_key AS (
          -- a reused key: the latest workflow with it that started before the report,
          -- else the earliest one (docs/concepts.md, "Business keys")
          SELECT o.outcome_id,
                 coalesce(max_by(w.workflow_id, w.start_time)
                            FILTER (WHERE w.start_time <= o.reported_at),
                          min_by(w.workflow_id, w.start_time)) AS workflow_id
          FROM r_outcomes o JOIN wf w ON w.external_key = o.external_key
          WHERE o.workflow_id IS NULL GROUP BY o.outcome_id),
        resolved AS (
          SELECT coalesce(o.workflow_id, k.workflow_id) AS workflow_id, o.status,
                 o.reported_at, o.outcome_id
          FROM r_outcomes o LEFT JOIN by_key k ON k.outcome_id = o.outcome_id),
        latest AS (
          SELECT wf.workflow_id,
                 max_by(o.status, (o.reported_at, o.outcome_id)) AS status
          FROM wf JOIN resolved o ON o.workflow_id = wf.workflow_id
          WHERE o.reported_at <= wf.start_time + INTERVAL {HORIZON_DAYS} DAY
          GROUP BY wf.workflow_id)
        SELECT wf.*, coalesce(l.status, 'unknown') AS outcome,
               CAST(date_trunc('month', wf.start_time) AS DATE) AS month,
               CASE WHEN l.status = 'failure' THEN wf.cost ELSE wf.call_waste END AS waste
        FROM wf LEFT JOIN latest l USING (workflow_id)""")
    return con


@pytest.fixture(scope="session")
def raw(test_lake):
    return raw_connection(test_lake)


@pytest.fixture(scope="session")
def raw_synthetic(synthetic):
    return raw_connection(synthetic.lake)
