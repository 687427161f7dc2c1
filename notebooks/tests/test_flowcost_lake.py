"""The Python loader mirrors the collector's LakeViews; the synthetic lake is deterministic."""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict

import duckdb
import pytest

import benchmark
import flowcost_lake
import synthetic_lake

VIEWS = ["calls", "workflow_spans", "outcomes", "workflow_roots", "workflows_derived",
         "cost_per_outcome_derived", "workflows_latest", "cost_per_outcome_latest",
         "cost_per_outcome_monthly", "cost_per_outcome_by_intent", "coverage_daily",
         "outcomes_unmatched", "focus_costs"]


def test_statements_split_at_semicolons_ending_a_line_and_skip_comments():
    sql = "-- a comment; with a semicolon;\nSELECT 1;\nSELECT ';' AS x,\n  2;\n\nSELECT 3"
    assert flowcost_lake.statements(sql) == ["SELECT 1;", "SELECT ';' AS x,\n  2;", "SELECT 3"]


def test_an_empty_lake_has_every_view_with_no_rows(tmp_path):
    (tmp_path / "calls").mkdir()  # a lake whose tables have no file yet
    con = flowcost_lake.connect(str(tmp_path))
    for view in VIEWS:
        assert con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] == 0, view


def test_render_points_tables_with_files_at_their_glob(synthetic, tmp_path):
    con = duckdb.connect()
    sql = flowcost_lake.render("{{calls}} {{coverage}} {{horizon_days}}", con, synthetic.lake, 3)
    assert f"read_parquet('{synthetic.lake}/calls/date=*/*.parquet'" in sql
    assert "(SELECT * FROM flowcost_empty_coverage)" in sql
    assert sql.endswith(" 3")


def test_the_highest_snapshot_version_of_a_day_wins(synthetic):
    con = flowcost_lake.connect(synthetic.lake)
    versions = con.execute("SELECT count(DISTINCT version) FROM workflows_snapshots "
                           f"WHERE day = DATE '{synthetic.start}'").fetchone()[0]
    assert versions == 2  # the generator wrote a stale snapshot first
    total = con.execute("SELECT CAST(sum(cost_usd) AS VARCHAR) FROM workflows_latest").fetchone()
    assert total[0] == synthetic.total_cost_usd


def test_focus_costs_carries_every_dollar_once(synthetic):
    con = flowcost_lake.connect(synthetic.lake)
    billed, calls, currencies = con.execute(
        "SELECT CAST(sum(BilledCost) AS VARCHAR), count(*), count(DISTINCT BillingCurrency) "
        "FROM focus_costs").fetchone()
    assert billed == synthetic.total_cost_usd
    assert calls == synthetic.calls and currencies == 1
    untagged = con.execute("SELECT CAST(sum(EffectiveCost) AS VARCHAR) FROM focus_costs "
                           "WHERE SubAccountId IS NULL").fetchone()[0]
    assert untagged == synthetic.unallocated_cost_usd


def test_pinned_derivation_gives_exactly_the_rows_the_views_derive(synthetic):
    """A rollup derives workflows_derived once and pins it; what it then reads (every workflow,
    every day's cost_per_outcome) must be the rows the views derive from the facts."""
    fresh = flowcost_lake.connect(synthetic.lake, focus=False)
    pinned = flowcost_lake.connect(synthetic.lake, focus=False)
    n = flowcost_lake.pin_derived(pinned)
    assert n == fresh.execute("SELECT count(*) FROM workflows_derived").fetchone()[0] > 0
    assert pinned.execute("SELECT count(*) FROM flowcost_workflows_derived").fetchone()[0] == n
    for view in ("workflows_derived", "cost_per_outcome_derived"):
        # CAST to VARCHAR: every column compared as text, money to the last of its 9 decimals
        sql = (f"SELECT * FROM (SELECT COLUMNS(*)::VARCHAR FROM {view}) "
               "ORDER BY ALL")
        want = fresh.execute(sql).fetchall()
        assert want and pinned.execute(sql).fetchall() == want, view
        assert pinned.execute(f"DESCRIBE {view}").fetchall() == \
            fresh.execute(f"DESCRIBE {view}").fetchall(), view


def test_generator_is_deterministic(tmp_path):
    a = synthetic_lake.generate(tmp_path / "a", seed=3, days=2)
    b = synthetic_lake.generate(tmp_path / "b", seed=3, days=2)
    c = synthetic_lake.generate(tmp_path / "c", seed=4, days=2)
    strip = lambda t: {k: v for k, v in asdict(t).items() if k != "lake"}  # noqa: E731
    assert strip(a) == strip(b)
    assert strip(a) != strip(c)


def test_s3_lake_uses_the_pinned_httpfs_and_a_path_style_secret(monkeypatch):
    monkeypatch.setenv("FLOWCOST_S3_ENDPOINT", "http://127.0.0.1:9000")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "minio")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "minio-secret")
    con = duckdb.connect()
    flowcost_lake._configure_s3(con)
    loaded = con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'httpfs'"
                         ).fetchone()[0]
    assert loaded
    secret = con.execute("SELECT type, provider, secret_string FROM duckdb_secrets() "
                         "WHERE name = 'flowcost_lake'").fetchone()
    assert secret[0] == "s3" and secret[1] == "config"
    assert "endpoint=127.0.0.1:9000" in secret[2] and "url_style=path" in secret[2]
    assert "use_ssl=false" in secret[2]
    assert flowcost_lake.table_glob("s3://lake/prefix/", "calls") == \
        "s3://lake/prefix/calls/date=*/*.parquet"


@pytest.mark.parametrize("kind", ["missing", "file", "data_dir", "empty"])
def test_a_path_that_is_not_a_lake_raises_naming_it_and_what_was_expected(tmp_path, kind):
    path = tmp_path / "flowcost-lak"
    if kind == "file":
        path.write_text("# notes\n")
    elif kind == "data_dir":
        (path / "wal").mkdir(parents=True)
        (path / "lake.id").write_text("./flowcost-lake\n")
    elif kind == "empty":
        path.mkdir()
    with pytest.raises(flowcost_lake.LakeNotFoundError) as e:
        flowcost_lake.connect(str(path))
    message = str(e.value)
    assert str(path.resolve()) in message
    assert "--lake, default ./flowcost-lake" in message and "calls/" in message
    expected = {"missing": "does not exist (check FLOWCOST_LAKE)", "file": "is a file",
                "data_dir": "is a collector's data dir", "empty": "holds no table yet"}
    assert expected[kind] in message
    assert isinstance(e.value, FileNotFoundError)


def test_a_generator_may_still_ask_for_empty_views(tmp_path):
    con = flowcost_lake.connect(str(tmp_path / "_none"), require_lake=False)
    assert con.execute("SELECT count(*) FROM calls").fetchone()[0] == 0


def test_counts_stay_integers_and_money_is_float(synthetic):
    con = flowcost_lake.connect(synthetic.lake)
    df = flowcost_lake.query(con, """
        SELECT workflow_name, sum(workflows) AS workflows, sum(successes) AS successes,
               CAST(NULL AS BIGINT) AS missing, sum(total_cost_usd) AS cost
        FROM cost_per_outcome_latest GROUP BY ALL""")
    assert str(df["workflows"].dtype) == "int64" and str(df["successes"].dtype) == "int64"
    assert str(df["missing"].dtype) == "Int64"
    assert df["cost"].dtype.kind == "f"
    assert int(df["workflows"].sum()) == synthetic.workflows
    # displayed as an integer, never "3.000000"
    assert ".000000" not in df[["workflows"]].to_string()


def test_importable_from_the_repository_root():
    """scripts/notebooks-test.sh installs the package (pip install -e notebooks)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(flowcost_lake.__file__).resolve().parent.parent
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-c", "import flowcost_lake; print(flowcost_lake.__file__)"],
                         cwd=root, env=env, capture_output=True, text=True, check=True)
    assert Path(out.stdout.strip()) == Path(flowcost_lake.__file__).resolve()


def _days(lake, table):
    return sorted(p for p in (lake / table).iterdir() if p.name.startswith("date="))


def _compact(con, day_dir, table):
    """What ``compact`` does to one day: one file, each span once (earliest received), marked."""
    files = sorted(str(p) for p in day_dir.glob("*.parquet"))
    out = day_dir / "9000000000000-compact-test-000001.parquet"
    con.execute(f"COPY (SELECT * FROM read_parquet({files!r}, hive_partitioning = false, "
                "union_by_name = true) QUALIFY row_number() OVER (PARTITION BY span_id "
                f"ORDER BY received_at) = 1) TO '{out}' (FORMAT parquet, KV_METADATA "
                f"{{'flowcost.table': '{table}', '{flowcost_lake.COMPACTED_KEY}': '{len(files)}'}})")
    for f in files:
        os.remove(f)


def _resend(con, day_dir, received_later_by="1 HOUR"):
    """Writes the day's rows again, received later (an agent spool re-send, a WAL replay)."""
    files = sorted(str(p) for p in day_dir.glob("*.parquet"))
    out = day_dir / f"9100000000000-resend-{len(files)}.parquet"
    con.execute(f"COPY (SELECT * REPLACE (received_at + INTERVAL {received_later_by} AS "
                f"received_at) FROM read_parquet({files!r}, hive_partitioning = false, "
                f"union_by_name = true)) TO '{out}' (FORMAT parquet)")


def test_compacted_days_are_read_without_the_window_and_change_no_row(synthetic, tmp_path,
                                                                     monkeypatch):
    """De-duplication is paid by ``compact``: a compacted day (one file carrying
    flowcost.compacted_files) is read as it is, every other file goes through the window. The
    views must give exactly the rows of the fully de-duplicated lake, also after a late re-send
    into a compacted day and while a day is caught between two compactions."""
    lake = tmp_path / "lake"
    shutil.copytree(synthetic.lake, lake)
    con = duckdb.connect()
    calls_days = _days(lake, "calls")
    assert len(calls_days) >= 4
    _resend(con, calls_days[0])  # a replay before compaction: two files that day
    views = ["calls", "calls_original", "workflow_spans", "call_totals", "workflows_derived",
             "cost_per_outcome_derived", "outcomes_unmatched", "coverage_daily"]

    def rows():
        c = flowcost_lake.connect(str(lake), focus=False)
        try:
            return {v: c.execute(f"SELECT * FROM (SELECT COLUMNS(*)::VARCHAR FROM {v}) "
                                 "ORDER BY ALL").fetchall() for v in views}
        finally:
            c.close()

    # what every file de-duplicated gives, as the views did before compacted days were split off
    split = flowcost_lake.split_compacted
    with monkeypatch.context() as m:
        m.setattr(flowcost_lake, "split_compacted",
                  lambda c, lk, t: ([], sorted(sum(split(c, lk, t), []))))
        want = rows()
    assert all(want[v] for v in ("calls", "workflows_derived")), "a lake with figures"
    # the generator marks every other day compacted; the re-sent day has two files now
    compacted, rest = flowcost_lake.split_compacted(con, str(lake), "calls")
    assert compacted and rest
    assert not any(os.path.dirname(f) == str(calls_days[0]) for f in compacted)
    for table in ("calls", "workflow_spans"):
        for day in _days(lake, table):
            _compact(con, day, table)
    compacted, rest = flowcost_lake.split_compacted(con, str(lake), "calls")
    assert len(compacted) == len(calls_days) and rest == []
    assert rows() == want
    # compact's per-day totals: every compacted day's calls are then read from them
    # (docs/lake.md, "Per-day call totals"), and nothing changes
    assert flowcost_lake.split_aggregated(con, str(lake), compacted)[0] == []
    benchmark.write_call_totals(lake)
    aggregated, totals, others = flowcost_lake.split_aggregated(con, str(lake), compacted)
    assert aggregated == compacted and len(totals) == len(compacted) and others == []
    assert rows() == want

    _resend(con, calls_days[1])  # late: after its day was compacted
    second = calls_days[2] / "9000000000000-compact-test-000001.parquet"
    shutil.copy(second, calls_days[2] / "9000000000001-compact-again-000001.parquet")
    compacted, rest = flowcost_lake.split_compacted(con, str(lake), "calls")
    assert len(compacted) == len(calls_days) - 2 and len(rest) == 4
    assert all(os.path.dirname(f) in (str(calls_days[1]), str(calls_days[2])) for f in rest)
    sql = flowcost_lake.render("{{calls:compacted}} | {{calls:rest}}", con, str(lake), 7)
    assert all(f"'{f}'" in sql.split(" | ")[0] for f in compacted)
    assert all(f"'{f}'" in sql.split(" | ")[1] for f in rest)
    # the two days with two files are read from their calls again, not from their totals
    aggregated, _, others = flowcost_lake.split_aggregated(con, str(lake), compacted)
    assert aggregated == compacted and others == []
    assert rows() == want


def test_replayed_outcomes_keep_the_earliest_received_report(synthetic, tmp_path):
    """``outcomes`` sends only ids reported more than once through its window; every id must
    still be the row received first (then the earlier ``date`` partition), exactly as one window
    over every outcome gives. The replays differ from the originals, so keeping the wrong one, or
    both, changes the rows: received a second earlier with the status flipped (the replay wins),
    a second later (the original wins), some in the next day's partition, and a third report in
    another partition received at the same instant as the original (the earlier date wins)."""
    lake = tmp_path / "lake"
    shutil.copytree(synthetic.lake, lake)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    src = str(lake / "outcomes" / "date=*" / "*.parquet")
    con.execute(f"CREATE TABLE o AS SELECT * FROM read_parquet('{src}', hive_partitioning = true)")
    con.execute("""CREATE TABLE r AS SELECT * EXCLUDE (n) REPLACE (
        CASE WHEN n % 2 = 0 THEN received_at - INTERVAL 1 SECOND
             ELSE received_at + INTERVAL 1 SECOND END AS received_at,
        CASE WHEN n % 2 = 0 THEN CASE WHEN status = 'success' THEN 'failure' ELSE 'success' END
             ELSE status END AS status,
        CASE WHEN n % 8 = 0 THEN date + 1 ELSE date END AS date)
      FROM (SELECT *, row_number() OVER (ORDER BY outcome_id) AS n FROM o
            ORDER BY hash(outcome_id) LIMIT 400)""")
    for (day,) in con.execute("SELECT DISTINCT date FROM r").fetchall():
        (lake / "outcomes" / f"date={day}").mkdir(exist_ok=True)
        con.execute(f"COPY (SELECT * EXCLUDE (date) FROM r WHERE date = DATE '{day}') TO "
                    f"'{lake}/outcomes/date={day}/9100000000000-replay.parquet' (FORMAT parquet)")
    (lake / "outcomes" / "date=2099-01-01").mkdir()
    con.execute("COPY (SELECT * EXCLUDE (date) FROM o ORDER BY hash(outcome_id) DESC LIMIT 20) "
                f"TO '{lake}/outcomes/date=2099-01-01/9200000000000-replay.parquet' "
                "(FORMAT parquet)")
    want = con.execute(
        f"SELECT * FROM (SELECT COLUMNS(*)::VARCHAR FROM read_parquet('{src}', "
        "hive_partitioning = true) QUALIFY row_number() OVER (PARTITION BY outcome_id "
        "ORDER BY received_at, date) = 1) ORDER BY ALL").fetchall()
    raw = con.execute(f"SELECT count(*) FROM read_parquet('{src}')").fetchone()[0]
    flipped = con.execute("SELECT count(*) FROM r JOIN o USING (outcome_id) "
                          "WHERE r.status <> o.status").fetchone()[0]
    assert raw == len(want) + 420 and flipped > 100  # replays that must win, and differ
    c = flowcost_lake.connect(str(lake), focus=False)
    try:
        got = c.execute("SELECT * FROM (SELECT COLUMNS(*)::VARCHAR FROM outcomes) "
                        "ORDER BY ALL").fetchall()
    finally:
        c.close()
    assert got == want
