"""Spark (local mode, pyspark from PyPI) reads the lake without help and agrees with DuckDB.

The lake mixes two Parquet writers: the collector's fact tables come from parquet-java, the
rollup's snapshots from DuckDB's COPY. Spark reads both with Hive partition discovery
(``date=YYYY-MM-DD``) and merged schemas; the totals must equal DuckDB's over lake.sql's views:
Σ cost_usd exactly as DECIMAL(18,9), Σ tokens, and the latest snapshot of each day's workflows.

The lake is FLOWCOST_TEST_LAKE (scripts/spark-test.sh makes one with the demo when unset).
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(NOTEBOOKS))

import flowcost_lake  # noqa: E402

LAKE = os.environ.get("FLOWCOST_TEST_LAKE")
pytestmark = pytest.mark.skipif(not LAKE, reason="set FLOWCOST_TEST_LAKE (scripts/spark-test.sh)")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("flowcost-lake-read")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "2")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture(scope="module")
def duck():
    con = flowcost_lake.connect(LAKE, focus=False)
    yield con
    con.close()


def table(spark, name: str):
    """A lake table as Spark sees it: every file, partition column ``date`` from the path."""
    root = Path(LAKE) / name
    df = (spark.read.option("mergeSchema", "true").option("basePath", str(root))
          .parquet(str(root / "date=*")))
    df.createOrReplaceTempView(name)
    return df


def test_spark_reads_every_column_of_both_writers(spark):
    for name in ("calls", "workflow_spans", "outcomes", "workflows", "cost_per_outcome"):
        if not list((Path(LAKE) / name).glob("date=*/*.parquet")):
            continue
        df = table(spark, name)
        rows = df.collect()  # decodes every column of every file, not just the schema
        assert rows, name
        fields = {f.name: f.dataType.simpleString() for f in df.schema.fields}
        assert fields["date"] == "date", name
        if name in ("calls", "workflows", "cost_per_outcome"):
            cost = "cost_usd" if name != "cost_per_outcome" else "total_cost_usd"
            assert fields[cost] == "decimal(18,9)", name
    workflows = {f.name: f.dataType.simpleString() for f in table(spark, "workflows").schema}
    assert workflows["start_time"] == "timestamp"
    assert workflows["tags"] == "map<string,string>"


def test_calls_totals_match_duckdb(spark, duck):
    table(spark, "calls")
    got = spark.sql("""
        SELECT count(*) AS n, sum(cost_usd) AS cost, sum(input_tokens) AS input,
               sum(cache_read_tokens) AS cached, sum(output_tokens) AS output
        FROM (SELECT *, row_number() OVER (PARTITION BY span_id ORDER BY received_at, date) AS k
              FROM calls) WHERE k = 1""").collect()[0]
    want = duck.execute("""
        SELECT count(*), sum(cost_usd), sum(input_tokens), sum(cache_read_tokens),
               sum(output_tokens) FROM calls""").fetchone()
    assert got["n"] == want[0] > 0
    assert isinstance(got["cost"], Decimal) and got["cost"] == want[1]
    assert (got["input"], got["cached"], got["output"]) == want[2:]
    # per model too, so that two errors cannot cancel out
    per_model_spark = {(r[0], r[1]): (r[2], r[3]) for r in spark.sql("""
        SELECT kind, coalesce(request_model, tool_name), sum(cost_usd),
               sum(input_tokens + output_tokens)
        FROM (SELECT *, row_number() OVER (PARTITION BY span_id ORDER BY received_at, date) AS k
              FROM calls) WHERE k = 1 GROUP BY 1, 2""").collect()}
    per_model_duck = {(r[0], r[1]): (r[2], r[3]) for r in duck.execute("""
        SELECT kind, coalesce(request_model, tool_name), sum(cost_usd),
               sum(input_tokens + output_tokens) FROM calls GROUP BY 1, 2""").fetchall()}
    assert per_model_spark == per_model_duck


def test_latest_workflow_snapshots_match_duckdb(spark, duck):
    table(spark, "workflows")
    has_markers = bool(list((Path(LAKE) / "rollups").glob("date=*/*.parquet")))
    if has_markers:
        table(spark, "rollups")
    versions = ("SELECT day, version FROM workflows"
                + (" UNION ALL SELECT day, version FROM rollups" if has_markers else ""))
    latest = spark.sql(f"""
        SELECT w.workflow_id, w.outcome, w.cost_usd, w.input_tokens, w.output_tokens, w.day,
               w.version, unix_micros(w.start_time), w.tags
        FROM workflows w
        JOIN (SELECT day, max(version) AS version FROM ({versions}) GROUP BY day) m
          ON w.day = m.day AND w.version = m.version""").collect()
    want = duck.execute("""
        SELECT workflow_id, outcome, cost_usd, input_tokens, output_tokens, day, version,
               epoch_us(start_time), tags FROM workflows_latest""").fetchall()
    assert latest and len(latest) == len(want)
    as_key = lambda r: (r[0], r[1], r[2], r[3], r[4], r[5], r[6])  # noqa: E731
    assert sorted(map(as_key, latest)) == sorted(map(as_key, want))
    assert sum(r["cost_usd"] for r in latest) == sum(r[2] for r in want)
    # timestamps (UTC instants, to the microsecond) and tag maps decode to the same values
    assert {r[0]: (r[7], dict(r[8] or {})) for r in latest} == \
        {r[0]: (r[7], dict(r[8] or {})) for r in want}
