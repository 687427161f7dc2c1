"""Open a Flowcost lake in DuckDB with the views of ``lake.sql`` (and ``focus.sql``) installed.

Mirrors the collector's ``io.flowcost.collector.rollup.LakeViews``: every ``{{table}}``
placeholder becomes a ``read_parquet`` over ``<lake>/<table>/date=*/*.parquet``, or a typed empty
table when the table has no file yet, ``{{table:compacted}}`` / ``{{table:rest}}`` the compacted
days' files and the others (:func:`split_compacted`), ``{{calls:aggregated}}`` /
``{{call_totals_daily:aggregated}}`` the compacted calls days that have ``compact``'s per-workflow
totals and those totals (:func:`split_aggregated`), ``{{calls:aggregated_foreign}}`` those calls
files that may hold another producer's rows (:func:`may_hold_foreign_rows`), and
``{{horizon_days}}`` the outcome horizon.

The lake is a local directory or ``s3://bucket/prefix``. For S3 (MinIO, …) the endpoint comes from
``FLOWCOST_S3_ENDPOINT`` or ``AWS_ENDPOINT_URL`` and the keys from ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY``; DuckDB cannot download extensions here, so ``httpfs`` is installed
from the ``duckdb-extension-httpfs`` wheel pinned in ``requirements.txt``.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from urllib.parse import urlparse

import duckdb

NOTEBOOKS_DIR = Path(__file__).resolve().parent
LAKE_SQL = NOTEBOOKS_DIR / "lake.sql"
FOCUS_SQL = NOTEBOOKS_DIR / "focus.sql"

#: Tables the views read, as in LakeViews.TABLES.
TABLES = ("calls", "workflow_spans", "outcomes", "workflows", "cost_per_outcome", "coverage",
          "rollups", "call_prices", "cap_breaches")


def default_lake() -> str:
    """``FLOWCOST_LAKE``, else ``../flowcost-lake`` next to the notebooks directory."""
    env = os.environ.get("FLOWCOST_LAKE")
    if env:
        return env
    return str((NOTEBOOKS_DIR.parent / "flowcost-lake").resolve())


def is_s3(lake: str) -> bool:
    return lake.startswith("s3://")


def table_glob(lake: str, table: str) -> str:
    """The Parquet glob of one table, as the loaders write it."""
    if is_s3(lake):
        return lake.rstrip("/") + f"/{table}/date=*/*.parquet"
    return str(Path(lake).resolve() / table) + "/date=*/*.parquet"


def statements(sql: str) -> list[str]:
    """Splits a script like LakeViews.statements: a statement ends with ';' at a line end."""
    out: list[str] = []
    current: list[str] = []
    for line in sql.split("\n"):
        trimmed = line.strip()
        if not trimmed or trimmed.startswith("--"):
            continue
        current.append(line)
        if trimmed.endswith(";"):
            out.append("\n".join(current).strip())
            current = []
    rest = "\n".join(current).strip()
    if rest:
        out.append(rest)
    return out


def _escape(s: str) -> str:
    return s.replace("'", "''")


def _httpfs_extension_path() -> str:
    """The ``.duckdb_extension`` file shipped by the ``duckdb-extension-httpfs`` wheel."""
    try:
        import duckdb_extension_httpfs  # type: ignore
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "s3:// lakes need the pinned duckdb-extension-httpfs package "
            "(pip install -r notebooks/requirements.txt)") from e
    base = Path(duckdb_extension_httpfs.__file__).resolve().parent
    found = sorted(base.rglob("httpfs.duckdb_extension"))
    if not found:
        raise RuntimeError(f"no httpfs.duckdb_extension under {base}")
    version = "v" + duckdb.__version__
    for path in found:
        if version in path.parts:
            return str(path)
    return str(found[0])


def _configure_s3(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"INSTALL '{_escape(_httpfs_extension_path())}'")
    con.execute("LOAD httpfs")
    endpoint = os.environ.get("FLOWCOST_S3_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL")
    options = ["TYPE s3", "PROVIDER config"]
    key = os.environ.get("AWS_ACCESS_KEY_ID")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        options += [f"KEY_ID '{_escape(key)}'", f"SECRET '{_escape(secret)}'"]
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    options.append(f"REGION '{_escape(region)}'")
    if endpoint:
        parsed = urlparse(endpoint if "://" in endpoint else "http://" + endpoint)
        options += [f"ENDPOINT '{_escape(parsed.netloc)}'", "URL_STYLE 'path'",
                    f"USE_SSL {'true' if parsed.scheme == 'https' else 'false'}"]
    con.execute(f"CREATE OR REPLACE SECRET flowcost_lake ({', '.join(options)})")


def _has_files(con: duckdb.DuckDBPyConnection, lake: str, table: str) -> bool:
    if is_s3(lake):
        pattern = _escape(table_glob(lake, table))
        return con.execute(f"SELECT count(*) FROM glob('{pattern}')").fetchone()[0] > 0
    return bool(glob.glob(table_glob(lake, table)))


#: Fact tables whose views read a compacted day as it is (``{{table:compacted}}``) and
#: de-duplicate only the other files (``{{table:rest}}``), as in LakeViews.SPLIT_TABLES.
SPLIT_TABLES = ("calls", "workflow_spans")

#: The key-value metadata ``compact`` writes into a merged file, de-duplicated on the row key.
COMPACTED_KEY = "flowcost.compacted_files"


def split_compacted(con: duckdb.DuckDBPyConnection, lake: str,
                    table: str) -> tuple[list[str], list[str]]:
    """The files of ``table`` in a local lake: (compacted days' files, every other file).

    A compacted day holds exactly one file and that file carries ``flowcost.compacted_files``
    (``compact`` de-duplicated it on the row key); the views read its rows without their window.
    Every other file (today's, a day not compacted yet, a compacted day that got a late file or
    is being compacted again) is de-duplicated by the views. As ``LakeViews.splitCompacted``.
    """
    by_day: dict[str, list[str]] = {}
    for f in glob.glob(table_glob(lake, table)):
        by_day.setdefault(os.path.dirname(f), []).append(f)
    single = sorted(files[0] for files in by_day.values() if len(files) == 1)
    marked: set[str] = set()
    if single:
        listed = ", ".join(f"'{_escape(f)}'" for f in single)
        marked = {r[0] for r in con.execute(
            f"SELECT DISTINCT file_name FROM parquet_kv_metadata([{listed}]) "
            f"WHERE decode(key) = '{COMPACTED_KEY}'").fetchall()}
    compacted = [f for f in single if f in marked]
    rest = sorted(f for files in by_day.values() for f in files if f not in marked)
    return compacted, rest


#: ``compact``'s per-day, per-workflow pre-aggregate of a compacted ``calls`` day (lake.sql's
#: ``call_totals_partial``), as LakeViews.TOTALS_TABLE; docs/lake.md, "Per-day call totals".
TOTALS_TABLE = "call_totals_daily"

#: The key-value metadata of a ``call_totals_daily`` file: the compacted calls file it aggregates.
AGGREGATED_FILE_KEY = "flowcost.aggregated_file"


def split_aggregated(con: duckdb.DuckDBPyConnection, lake: str,
                     compacted_calls: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Splits compacted ``calls`` files (from :func:`split_compacted`) into (calls files whose day's
    totals are pre-aggregated, those days' ``call_totals_daily`` files, the other compacted files).

    A day is pre-aggregated when it holds exactly one ``call_totals_daily`` file, written from its
    one compacted calls file (``flowcost.aggregated_file`` names it), and no ``call_prices`` file.
    As ``LakeViews.splitAggregated``.
    """
    root = Path(lake).resolve()
    totals_of: dict[str, str] = {}
    for calls in compacted_calls:
        day = os.path.basename(os.path.dirname(calls))
        if glob.glob(str(root / "call_prices" / day / "*.parquet")):
            continue
        totals = sorted(glob.glob(str(root / TOTALS_TABLE / day / "*.parquet")))
        if len(totals) == 1:
            totals_of[totals[0]] = calls
    matched: set[str] = set()
    if totals_of:
        listed = ", ".join(f"'{_escape(f)}'" for f in sorted(totals_of))
        for file_name, value in con.execute(
                f"SELECT file_name, decode(value) FROM parquet_kv_metadata([{listed}]) "
                f"WHERE decode(key) = '{AGGREGATED_FILE_KEY}'").fetchall():
            calls = totals_of.get(file_name)
            if calls is not None and os.path.basename(calls) == value:
                matched.add(file_name)
    totals = sorted(matched)
    aggregated = {totals_of[t] for t in totals}
    return ([f for f in compacted_calls if f in aggregated], totals,
            [f for f in compacted_calls if f not in aggregated])


def may_hold_foreign_rows(con: duckdb.DuckDBPyConnection, files: list[str]) -> list[str]:
    """The ``calls`` files one of whose row groups may hold a ``foreign_span`` true, by the row
    groups' statistics: not every value NULL, and a maximum that is not false (a file without the
    column holds none). As ``LakeViews.mayHoldForeignRows``; lake.sql's
    ``{{calls:aggregated_foreign}}``."""
    if not files:
        return []
    listed = ", ".join(f"'{_escape(f)}'" for f in files)
    found = {r[0] for r in con.execute(
        f"SELECT DISTINCT file_name FROM parquet_metadata([{listed}]) "
        "WHERE path_in_schema = 'foreign_span' "
        "AND (stats_null_count IS NULL OR stats_null_count < num_values) "
        "AND (stats_max_value IS NULL OR stats_max_value <> 'false')").fetchall()}
    return [f for f in files if f in found]


def _read(table: str, files: list[str]) -> str:
    if not files:
        return f"(SELECT * FROM flowcost_empty_{table})"
    listed = ", ".join(f"'{_escape(f)}'" for f in files)
    return f"read_parquet([{listed}], hive_partitioning = true, union_by_name = true)"


def render(sql: str, con: duckdb.DuckDBPyConnection, lake: str, horizon_days: int) -> str:
    """Replaces the placeholders of lake.sql for ``lake``."""
    out = sql.replace("{{horizon_days}}", str(int(horizon_days)))
    for table in TABLES:
        if _has_files(con, lake, table):
            source = (f"read_parquet('{_escape(table_glob(lake, table))}', "
                      "hive_partitioning = true, union_by_name = true)")
        else:
            source = f"(SELECT * FROM flowcost_empty_{table})"
        if table in SPLIT_TABLES:
            # the file lists are taken now: the views see the files as they were at install
            # (connect again to see newer ones). On S3 every file is de-duplicated (exact, slower).
            compacted, rest = ([], None) if is_s3(lake) else split_compacted(con, lake, table)
            if table == "calls" and "{{calls:aggregated}}" in out:
                # (a lake.sql older than the per-day totals reads every compacted day's calls)
                aggregated, totals, compacted = split_aggregated(con, lake, compacted)
                out = out.replace("{{calls:aggregated}}", _read(table, aggregated))
                out = out.replace("{{calls:aggregated_foreign}}",
                                  _read(table, may_hold_foreign_rows(con, aggregated)))
                out = out.replace("{{" + TOTALS_TABLE + ":aggregated}}", _read(TOTALS_TABLE, totals))
            out = out.replace("{{" + table + ":compacted}}", _read(table, compacted))
            out = out.replace("{{" + table + ":rest}}",
                              source if rest is None else _read(table, rest))
        out = out.replace("{{" + table + "}}", source)
    return out


class LakeNotFoundError(FileNotFoundError):
    """``lake`` is not a Flowcost lake: a typo, a file, the collector's data dir, an empty place.

    Raised instead of running every query on empty frames.
    """


EXPECTED = ("a Flowcost lake is the directory the collector writes (its --lake, default "
            "./flowcost-lake) or its s3://bucket/prefix, holding one directory per table: "
            + ", ".join(t + "/" for t in TABLES))


def check_lake(con: duckdb.DuckDBPyConnection, lake: str) -> None:
    """Raises :class:`LakeNotFoundError`, naming ``lake`` and what was expected, unless it is a
    Flowcost lake: a directory holding at least one table directory, or an ``s3://`` prefix
    holding at least one table file."""
    if is_s3(lake):
        if not any(_has_files(con, lake, t) for t in TABLES):
            raise LakeNotFoundError(f"no Flowcost lake at {lake}: no table file under it; "
                                    f"{EXPECTED}")
        return
    path = Path(lake)
    if not path.exists():
        raise LakeNotFoundError(f"no Flowcost lake at {path.resolve()}: the directory does not "
                                f"exist (check FLOWCOST_LAKE); {EXPECTED}")
    if not path.is_dir():
        raise LakeNotFoundError(f"{path.resolve()} is a file, not a Flowcost lake; {EXPECTED}")
    if (path / "lake.id").exists() or (path / "wal").is_dir():
        raise LakeNotFoundError(f"{path.resolve()} is a collector's data dir (--data-dir), not "
                                f"its lake; {EXPECTED}")
    if not any((path / t).is_dir() for t in TABLES):
        raise LakeNotFoundError(f"no Flowcost lake at {path.resolve()}: it holds no table yet "
                                "(a collector writes rows every --flush-interval, default 60 s, "
                                f"and when it stops); {EXPECTED}")


#: Macros the notebooks' queries use, installed after lake.sql. The UTC hour of a TIMESTAMPTZ by
#: integer arithmetic on its microseconds since the epoch: ``date_trunc('hour', t)`` of a
#: TIMESTAMPTZ goes through the time-zone calendar for every row, which cost the notebooks'
#: queries over ``calls`` more CPU than reading the rows (about 0.3 s per 10^6 rows against 0.04 s
#: here). Floor division, so times before 1970 fall in the right hour too. Equal to
#: ``date_trunc('hour', t)`` in the session's time zone, which :func:`connect` and lake.sql set to
#: UTC (``test_utc_macros_equal_date_trunc_and_cast``). Its companion for the day,
#: ``flowcost_utc_date`` (``CAST(t AS DATE)``), is defined in lake.sql, whose
#: ``workflows_derived`` uses it.
QUERY_MACROS = (
    "CREATE OR REPLACE MACRO flowcost_utc_hour(t) AS make_timestamptz("
    "epoch_us(t) - ((epoch_us(t) % 3600000000) + 3600000000) % 3600000000)",
)


#: Views the notebooks' queries use, installed with lake.sql (the same placeholders rendered).
#:
#: ``calls_with_recount``: every row of ``calls`` and ``recount``, false when the row's
#: ``call_id`` is known to be in no other row, so that counting distinct calls needs
#: ``count(DISTINCT call_id)`` only over the rows flagged true: the exact count is
#: ``count(call_id) FILTER (WHERE NOT recount) + count(DISTINCT call_id) FILTER (WHERE recount)``.
#: The distinct count over every call kept a hash table of every call id, which cost
#: ``model_mix_and_savings`` more than the rest of its query
#: (docs/benchmarks.md, "Sixth pass: notebooks").
#: A row is flagged false when its workflow lies in exactly one part of ``call_totals``' merge —
#: one pre-aggregated day (``call_totals_daily``), no row outside the pre-aggregated days — and
#: that day's totals count as many distinct call ids as rows (``calls = attempts``: no retried
#: call, no NULL id). Its call id then repeats nowhere in its workflow, and a call's rows are
#: all in its workflow (its attempts are spans of its trace: the call id is the call span's id,
#: DESIGN "Attempt"). Workflows are matched by ``hash(workflow_id)``: a collision only flags
#: more rows, which are then counted exactly. Reading two columns of one row per workflow and
#: day instead of hashing every call id is what makes it cheap.
QUERY_VIEWS = """
CREATE OR REPLACE VIEW flowcost_recount_workflows AS
  SELECT h FROM (
    SELECT hash(workflow_id) AS h, calls = attempts AS once
    FROM {{call_totals_daily:aggregated}}
    UNION ALL
    SELECT hash(workflow_id) AS h, false AS once FROM calls_unaggregated)
  GROUP BY h HAVING count(*) > 1 OR NOT bool_and(once);
CREATE OR REPLACE VIEW calls_with_recount AS
  SELECT *, hash(workflow_id) IN (SELECT h FROM flowcost_recount_workflows) AS recount
  FROM calls;
"""


def install(con: duckdb.DuckDBPyConnection, lake: str, horizon_days: int = 7,
            focus: bool = True, require_lake: bool = True) -> None:
    """Runs lake.sql (and focus.sql, when present and ``focus``) on ``con`` for ``lake``, then
    creates the :data:`QUERY_VIEWS` and :data:`QUERY_MACROS`.

    Raises :class:`LakeNotFoundError` when ``lake`` is not a Flowcost lake, unless
    ``require_lake`` is false (then a missing lake gives empty views: generators use that).
    """
    if is_s3(lake):
        _configure_s3(con)
    if require_lake:
        check_lake(con, lake)
    scripts = [LAKE_SQL] + ([FOCUS_SQL] if focus and FOCUS_SQL.exists() else [])
    for script in scripts:
        sql = script.read_text("utf-8")
        if script == LAKE_SQL and "{{" + TOTALS_TABLE + ":aggregated}}" in sql:
            # rendered with lake.sql, so that they see the same files (a lake.sql older than
            # the per-day totals has no calls_unaggregated: its notebooks do not use them)
            sql += "\n" + QUERY_VIEWS
        for statement in statements(render(sql, con, lake, horizon_days)):
            con.execute(statement)
    for statement in QUERY_MACROS:
        con.execute(statement)


def connect(lake: str | None = None, horizon_days: int = 7, focus: bool = True,
            threads: int | None = None, require_lake: bool = True) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the lake views installed.

    ``lake`` defaults to :func:`default_lake`. The session runs in UTC, as lake.sql requires.
    Raises :class:`LakeNotFoundError` when ``lake`` is not a Flowcost lake (see
    :func:`check_lake`), unless ``require_lake`` is false.
    """
    lake = lake or default_lake()
    config = {"threads": threads} if threads else {}
    con = duckdb.connect(config=config)
    con.execute("SET TimeZone = 'UTC'")
    try:
        install(con, lake, horizon_days, focus, require_lake)
    except BaseException:
        con.close()
        raise
    return con


#: The temporary table :func:`pin_derived` fills (as LakeViews.pinDerived does in the collector).
PINNED = "flowcost_workflows_derived"


def pin_derived(con: duckdb.DuckDBPyConnection) -> int:
    """Derives ``workflows_derived`` once into a temporary table and points the view at it.

    What follows on ``con`` (``cost_per_outcome_derived``, a snapshot per day) then reads the
    derived rows instead of deriving them from the facts again, as the collector's rollup does
    (``LakeViews.pinDerived``). DuckDB binds a view's name when a query runs, so the views over
    ``workflows_derived`` follow. Returns the number of workflows derived.
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE {PINNED} AS SELECT * FROM workflows_derived")
    con.execute(f"CREATE OR REPLACE VIEW workflows_derived AS SELECT * FROM {PINNED}")
    return con.execute(f"SELECT count(*) FROM {PINNED}").fetchone()[0]


#: DuckDB integer types; their values are counts and ids, shown as integers.
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                  "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}


def query(con: duckdb.DuckDBPyConnection, sql: str):
    """Runs ``sql`` and returns a pandas DataFrame whose integer columns stay integers.

    DuckDB's ``sum()`` of a count is a HUGEINT, which pandas receives as float (``3.000000``);
    such columns are turned back into ``int64`` (``Int64`` when they hold NULLs). DECIMAL money
    arrives as float, for display and charts.
    """
    import warnings

    import pandas as pd

    # Executed once, its types read from the result: a relation (con.sql) binds the query when
    # made and again when fetched, and binding the lake views' plan costs about as much CPU as
    # the plain aggregate over 10^6 calls
    # (docs/benchmarks.md, "Sixth pass: notebooks").
    result = con.execute(sql)
    columns = [d[0] for d in result.description]
    types = [str(d[1]) for d in result.description]
    with warnings.catch_warnings():
        # pandas deprecation warnings raised inside duckdb's conversion, not by the caller
        warnings.simplefilter("ignore", category=DeprecationWarning)
        warnings.simplefilter("ignore", category=FutureWarning)
        df = result.df()
    for column, kind in zip(columns, types):
        if kind in _INTEGER_TYPES and column in df.columns:
            values = pd.to_numeric(df[column])
            df[column] = values.astype("Int64" if values.isna().any() else "int64")
    return df


def usd_axis(ax, axis: str = "y", decimals: int = 2) -> None:
    """Formats a matplotlib axis as US dollars (the lake's only currency)."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: f"${v:,.{decimals}f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def barh(ax, series, title: str, xlabel: str = "USD", usd: bool = True, color=None) -> None:
    """A horizontal bar chart of ``series`` (index = labels), largest on top."""
    s = series.dropna().astype(float).sort_values()
    ax.barh([str(i) for i in s.index], s.values, color=color)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    if usd:
        usd_axis(ax, "x", 4 if len(s) and s.abs().max() < 1 else 2)
    if s.empty:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
