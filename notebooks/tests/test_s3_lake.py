"""An s3:// lake on a local MinIO server: the loader (httpfs from the pinned wheel, a path-style
secret, glob-based empty-table detection) and a notebook read it like a local lake.

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
