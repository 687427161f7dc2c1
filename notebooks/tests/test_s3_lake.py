"""An s3:// lake on a local MinIO server: the loader (httpfs from the pinned wheel, a path-style
secret, glob-based empty-table detection) and a notebook read it like a local lake; and the
demo's lake written by the collector to MinIO (`scripts/demo.sh --s3`) gives the same numbers as
the same demo on a local directory.

Runs when a MinIO server binary is at hand (MINIO_BIN, or ~/go/bin/minio as scripts/minio.sh
builds it); the test does not build one.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

import flowcost_lake
from conftest import NOTEBOOKS

MINIO_SH = NOTEBOOKS.parent / "scripts" / "minio.sh"


def _minio_bin() -> str | None:
    for candidate in (os.environ.get("MINIO_BIN"), str(Path.home() / "go" / "bin" / "minio")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def minio(tmp_path_factory):
    binary = _minio_bin()
    if not binary:
        pytest.skip("no MinIO server binary (scripts/minio.sh ensure builds one)")
    root = tmp_path_factory.mktemp("minio")
    (root / "data" / "lake").mkdir(parents=True)  # a top-level directory is a bucket
    subprocess.run([str(MINIO_SH), "start", str(root)], check=True, capture_output=True,
                   env={**os.environ, "MINIO_BIN": binary}, timeout=60)
    env = {}
    for line in (root / "minio.env").read_text().splitlines():
        if "=" in line and not line.startswith("export"):
            k, v = line.split("=", 1)
            env[k] = v
    try:
        yield env
    finally:
        subprocess.run([str(MINIO_SH), "stop", str(root)], check=False, timeout=60)


@pytest.fixture(scope="module")
def s3_lake(minio, synthetic):
    """The synthetic lake copied to s3://lake/flowcost, file by file."""
    saved = dict(os.environ)
    os.environ.update({"FLOWCOST_S3_ENDPOINT": minio["ENDPOINT"],
                       "AWS_ACCESS_KEY_ID": minio["AWS_ACCESS_KEY_ID"],
                       "AWS_SECRET_ACCESS_KEY": minio["AWS_SECRET_ACCESS_KEY"]})
    try:
        con = duckdb.connect()
        flowcost_lake._configure_s3(con)
        root = Path(synthetic.lake)
        for f in sorted(root.rglob("*.parquet")):
            key = f.relative_to(root).as_posix()
            con.execute(f"COPY (SELECT * FROM read_parquet('{f}')) "
                        f"TO 's3://lake/flowcost/{key}' (FORMAT parquet, COMPRESSION zstd)")
        con.close()
        yield "s3://lake/flowcost"
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_views_over_an_s3_lake_match_the_local_one(s3_lake, synthetic):
    con = flowcost_lake.connect(s3_lake)
    total = con.execute("SELECT CAST(sum(cost_usd) AS VARCHAR) FROM workflows_latest").fetchone()
    assert total[0] == synthetic.total_cost_usd
    assert con.execute("SELECT count(*) FROM calls").fetchone()[0] == synthetic.calls
    # No coverage file was written: the typed empty table stands in.
    assert con.execute("SELECT count(*) FROM coverage_counters").fetchone()[0] == 0


def test_showback_notebook_reads_an_s3_lake(s3_lake, minio, synthetic, run_notebook):
    run = run_notebook("showback.ipynb", s3_lake, ["unallocated_share"],
                       env={"FLOWCOST_S3_ENDPOINT": minio["ENDPOINT"],
                            "AWS_ACCESS_KEY_ID": minio["AWS_ACCESS_KEY_ID"],
                            "AWS_SECRET_ACCESS_KEY": minio["AWS_SECRET_ACCESS_KEY"]})
    assert run["unallocated_share"] == pytest.approx(synthetic.unallocated_share, rel=1e-9)


# --- The demo's lake written by the collector to MinIO, against the same demo on a local dir ---

REPO = NOTEBOOKS.parent
DEMO_JARS = [REPO / "tracer-agent/target/flowcost-agent.jar",
             REPO / "collector/target/flowcost-collector.jar",
             REPO / "examples/demo-app/target/flowcost-demo.jar"]
DEMO_S3_LAKE = "s3://flowcost-demo/lake"

# Totals that do not depend on timing or random ids, per table the notebooks read.
DEMO_TOTALS = {
    "calls": """
        SELECT count(*), count(DISTINCT span_id), CAST(sum(cost_usd) AS VARCHAR),
               sum(input_tokens), sum(cache_read_tokens), sum(output_tokens),
               CAST(sum(cache_savings_net_usd) AS VARCHAR), count(*) FILTER (WHERE wasted)
        FROM {calls}""",
    "calls by model": """
        SELECT list((kind, coalesce(request_model, tool_name), n, cost, tokens)
                    ORDER BY kind, coalesce(request_model, tool_name))
        FROM (SELECT kind, request_model, tool_name, count(*) AS n,
                     CAST(sum(cost_usd) AS VARCHAR) AS cost,
                     sum(input_tokens + output_tokens) AS tokens
              FROM {calls} GROUP BY ALL)""",
    "workflows_latest": """
        SELECT list((workflow_name, outcome, n, cost, calls, tokens)
                    ORDER BY workflow_name, outcome, cost)
        FROM (SELECT workflow_name, outcome, count(*) AS n, CAST(sum(cost_usd) AS VARCHAR) AS cost,
                     sum(calls) AS calls, sum(input_tokens + output_tokens) AS tokens
              FROM workflows_latest GROUP BY ALL)""",
    "cost_per_outcome_latest": """
        SELECT list((workflow_name, workflows, successes, failures, unknown, cost, waste)
                    ORDER BY workflow_name)
        FROM (SELECT workflow_name, sum(workflows) AS workflows, sum(successes) AS successes,
                     sum(failures) AS failures, sum(unknown) AS unknown,
                     CAST(sum(total_cost_usd) AS VARCHAR) AS cost,
                     CAST(sum(failure_waste_usd) AS VARCHAR) AS waste
              FROM cost_per_outcome_latest GROUP BY ALL)""",
}


def _run_demo(args: list[str], data: Path, env: dict, lake: Path | None = None) -> None:
    env = {**os.environ, **env, "FLOWCOST_SKIP_BUILD": "1", "FLOWCOST_DEMO_DATA": str(data)}
    if lake is not None:
        env["FLOWCOST_DEMO_LAKE"] = str(lake)
    run = subprocess.run([str(REPO / "scripts" / "demo.sh"), *args], env=env, timeout=240,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "TOTAL" in run.stdout  # the report read the lake back


@pytest.fixture(scope="module")
def demo_lakes(minio, tmp_path_factory):
    """The demo run twice: once with a local lake, once with the lake on the MinIO server."""
    missing = [str(j) for j in DEMO_JARS if not j.is_file()]
    if missing:
        pytest.skip(f"the demo's jars are not built ({', '.join(missing)}): mvn package first")
    root = tmp_path_factory.mktemp("demo")
    env_file = root / "minio.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in minio.items())
                        + "export ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION\n")
    _run_demo([], root / "local-data", {}, lake=root / "local-lake")
    _run_demo(["--s3"], root / "s3-data", {"FLOWCOST_DEMO_MINIO_ENV": str(env_file)})
    return root / "local-lake"


def test_the_demo_lake_on_minio_gives_the_same_numbers_as_on_a_local_dir(demo_lakes, minio,
                                                                         monkeypatch):
    monkeypatch.setenv("FLOWCOST_S3_ENDPOINT", minio["ENDPOINT"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", minio["AWS_ACCESS_KEY_ID"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", minio["AWS_SECRET_ACCESS_KEY"])
    local = flowcost_lake.connect(str(demo_lakes))
    remote = flowcost_lake.connect(DEMO_S3_LAKE)  # httpfs, path-style, straight from MinIO
    for name, sql in DEMO_TOTALS.items():
        want = local.execute(sql.format(calls="calls")).fetchone()
        got = remote.execute(sql.format(calls="calls")).fetchone()
        assert got == want, name
        assert want[0], f"{name}: the demo wrote nothing"
    # The raw files too, not only the views: the same rows, each once, in both lakes.
    raw = ("read_parquet('{lake}/calls/date=*/*.parquet', hive_partitioning = true)")
    want = local.execute(DEMO_TOTALS["calls"].format(calls=raw.format(lake=demo_lakes))).fetchone()
    got = remote.execute(DEMO_TOTALS["calls"].format(calls=raw.format(lake=DEMO_S3_LAKE))).fetchone()
    assert got == want
    assert got[0] == got[1]  # no span twice
    local.close()
    remote.close()
