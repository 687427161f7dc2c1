"""Writes a deterministic multi-week synthetic Flowcost lake, with known anomalies.

The fact tables (``calls``, ``workflow_spans``, ``outcomes``) are generated row by row, priced
from the collector's bundled catalog with exact decimals, and written by DuckDB in the lake
layout of docs/lake.md. The derived snapshots (``workflows``, ``cost_per_outcome``) are then
written the way ``rollup`` writes them: by running lake.sql's ``*_derived`` views per day, with a
``version``. The first days also get an older, wrong snapshot, so a reader that ignores
``version`` shows it.

Injected, and returned as ground truth:
* a runaway agent loop: one intent's hourly burn spikes in one known hour;
* untagged spend: some workflows carry no ``team`` tag, a known share of the total cost.

Usage: ``python synthetic_lake.py OUT_DIR [--seed N] [--days N]`` prints the ground truth as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flowcost_lake  # noqa: E402

CATALOG = (Path(__file__).resolve().parent.parent / "pricing" / "src" / "main" / "resources"
           / "io" / "flowcost" / "pricing" / "prices.json")
NANO = Decimal("0.000000001")
MILLION = Decimal(1_000_000)

#: (intent, service, team, feature, provider, model, model calls per workflow (min, max))
INTENTS = (
    ("summarize-claim", "claims-bot", "claims", "claims-intake", "openai", "gpt-4o", (1, 3)),
    ("triage-ticket", "support-bot", "support", "ticket-triage", "anthropic",
     "claude-haiku-4-5", (1, 3)),
    ("draft-reply", "support-bot", "support", "reply-drafts", "anthropic",
     "claude-sonnet-4-5", (1, 2)),
    ("classify-email", "mail-router", "ops", "inbox", "openai", "gpt-4o-mini", (1, 2)),
)
CUSTOMERS = ("acme", "globex", "initech")
RUNAWAY_INTENT = "triage-ticket"
RUNAWAY_CALLS = 400
UNTAGGED_RATE = 0.07


@dataclass(frozen=True)
class GroundTruth:
    """What the generator injected, for tests to assert against."""

    lake: str
    start: str
    days: int
    workflows: int
    calls: int
    total_cost_usd: str
    #: intent whose burn spikes, and the UTC hour (ISO, ``YYYY-MM-DDTHH:00:00+00:00``).
    spike_intent: str
    spike_hour: str
    spike_hour_cost_usd: str
    #: cost of workflows without a ``team`` tag, and its share of the total cost.
    unallocated_cost_usd: str
    unallocated_share: float


def _prices() -> dict[str, dict[str, Decimal]]:
    catalog = json.loads(CATALOG.read_text("utf-8"))
    out = {}
    for m in catalog["models"]:
        if "effective_to" in m:
            continue
        out[m["model"]] = {k: Decimal(m[k]) for k in
                           ("input", "cache_read", "cache_write_5m", "output") if k in m}
    return out


def _price(p: dict[str, Decimal], inp: int, cr: int, cw: int, out: int):
    """DESIGN.md's call cost and cache savings, each rounded once HALF_EVEN to 9 decimals."""
    cr_price = p.get("cache_read", p["input"])
    cw_price = p.get("cache_write_5m", p["input"])
    cost = ((inp - cr - cw) * p["input"] + cr * cr_price + cw * cw_price
            + out * p["output"]) / MILLION
    gross = cr * (p["input"] - cr_price) / MILLION
    net = gross - cw * (cw_price - p["input"]) / MILLION
    q = lambda d: d.quantize(NANO, rounding=ROUND_HALF_EVEN)  # noqa: E731
    return q(cost), q(gross), q(net)


class _Ids:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def hex(self, n: int) -> str:
        return "%0*x" % (n, self.rng.getrandbits(4 * n))


def generate(lake: str | Path, seed: int = 7, start: date = date(2026, 10, 1),
             days: int = 28, spike_day: int | None = None, spike_hour: int = 14,
             clean: bool = True) -> GroundTruth:
    """Writes the synthetic lake under ``lake`` and returns the ground truth."""
    lake = Path(lake)
    if clean and lake.exists():
        shutil.rmtree(lake)
    lake.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    ids = _Ids(rng)
    prices = _prices()
    spike_day = days * 2 // 3 if spike_day is None else spike_day
    spike_at = datetime.combine(start + timedelta(days=spike_day), datetime.min.time(),
                                tzinfo=timezone.utc) + timedelta(hours=spike_hour)

    calls, roots, outcomes = [], [], []
    total = Decimal(0)
    untagged = Decimal(0)
    hourly: dict[tuple[str, datetime], Decimal] = {}
    seq = 0

    def add_call(wf_id, service, provider, model, t, kind="model", *, inp=0, cr=0, cw=0, out=0,
                 status="ok", attempt=1, call_id=None, wasted=False, waste_cause=None,
                 tool=None, http_status=200, error_type=None):
        call_id = call_id or ids.hex(16)
        duration = rng.uniform(300, 4000) if kind == "model" else rng.uniform(5, 200)
        if kind == "model" and status == "ok":
            cost, gross, net = _price(prices[model], inp, cr, cw, out)
        else:
            cost, gross, net = Decimal(0), Decimal(0), Decimal(0)
            inp = cr = cw = out = 0 if kind == "model" else None
        calls.append({
            "workflow_id": wf_id, "call_id": call_id, "span_id": ids.hex(16),
            "parent_span_id": None, "kind": kind,
            "operation": "chat" if kind == "model" else "execute_tool", "service": service,
            "provider": provider if kind == "model" else None,
            "request_model": model if kind == "model" else None,
            "response_model": model if kind == "model" else None,
            "attempt": attempt, "status": status, "error_type": error_type,
            "http_status": http_status if kind == "model" else None,
            "finish_reason": "stop" if kind == "model" and status == "ok" else None,
            "service_tier": "default" if kind == "model" else None, "streaming": False,
            "input_tokens": inp, "cache_read_tokens": cr, "cache_write_tokens": cw,
            "cache_write_1h_tokens": 0 if kind == "model" else None, "output_tokens": out,
            "reasoning_tokens": 0 if kind == "model" else None, "tokens_estimated": False,
            "cost_usd": str(cost), "cache_savings_gross_usd": str(gross),
            "cache_savings_net_usd": str(net), "unpriced": False, "wasted": wasted,
            "waste_cause": waste_cause, "tool_name": tool, "http_host": None, "http_path": None,
            "start_time": t, "end_time": t + timedelta(milliseconds=duration),
            "duration_ms": duration, "catalog_version": "2026-11-24.1",
            "price_key": f"{provider}/{model}" if kind == "model" else None,
            "received_at": t + timedelta(milliseconds=duration + 500),
        })
        return cost, t + timedelta(milliseconds=duration)

    def model_tokens(provider):
        inp = rng.randint(800, 3000)
        cr = rng.randint(0, inp // 2) if rng.random() < 0.6 else 0
        cw = rng.randint(0, 200) if provider == "anthropic" and rng.random() < 0.3 else 0
        return dict(inp=inp, cr=cr, cw=cw, out=rng.randint(100, 600))

    def workflow(intent, t0, n_calls, runaway=False):
        nonlocal total, untagged, seq
        name, service, team, feature, provider, model, _ = intent
        seq += 1
        wf_id = ids.hex(32)
        tags = {"feature": feature, "env": "prod", "customer": rng.choice(CUSTOMERS)}
        if runaway or rng.random() >= UNTAGGED_RATE:
            tags["team"] = team
        external_key = f"{name}-{seq}"
        t = t0 + timedelta(milliseconds=rng.randint(5, 50))
        wf_cost = Decimal(0)
        for i in range(n_calls):
            call_id = ids.hex(16)
            roll = rng.random()
            if not runaway and roll < 0.05:  # rate-limited first attempt: costs exactly 0
                _, t = add_call(wf_id, service, provider, model, t, status="error",
                                call_id=call_id, http_status=429, error_type="RateLimitError")
                c, t = add_call(wf_id, service, provider, model, t, attempt=2, call_id=call_id,
                                **model_tokens(provider))
            elif not runaway and roll < 0.08:  # billed answer the app discarded (parse retry)
                c1, t = add_call(wf_id, service, provider, model, t, call_id=call_id,
                                 wasted=True, waste_cause="discarded", **model_tokens(provider))
                c2, t = add_call(wf_id, service, provider, model, t, attempt=2, call_id=call_id,
                                 **model_tokens(provider))
                c = c1 + c2
            else:
                c, t = add_call(wf_id, service, provider, model, t, call_id=call_id,
                                **model_tokens(provider))
            wf_cost += c
            hourly_key = (name, t0.replace(minute=0, second=0, microsecond=0))
            hourly[hourly_key] = hourly.get(hourly_key, Decimal(0)) + c
            if not runaway and i == 0 and rng.random() < 0.3:
                _, t = add_call(wf_id, service, None, None, t, kind="tool", tool="lookup")
        end = t + timedelta(milliseconds=rng.randint(5, 50))
        roots.append({
            "workflow_id": wf_id, "span_id": ids.hex(16), "workflow_name": name,
            "service": service, "source": "ai_service", "start_time": t0, "end_time": end,
            "duration_ms": (end - t0).total_seconds() * 1000, "error": runaway,
            "error_type": "LoopLimitExceeded" if runaway else None,
            "tag_keys": list(tags), "tag_values": list(tags.values()),
            "external_key": external_key, "conversation_id": None,
            "user_id": f"user-{rng.randint(1, 40)}", "received_at": end + timedelta(seconds=1),
        })
        total += wf_cost
        if "team" not in tags:
            untagged += wf_cost
        roll = rng.random()
        status = "failure" if runaway or roll < 0.12 else ("success" if roll < 0.90 else None)
        if status:
            reported = end + timedelta(minutes=rng.randint(1, 180))
            by_key = rng.random() < 0.2
            if rng.random() < 0.05:  # an earlier, superseded report: the latest one wins
                flip = "failure" if status == "success" else "success"
                outcomes.append(_outcome(ids, wf_id, external_key, flip, reported, by_key))
                reported += timedelta(minutes=5)
            outcomes.append(_outcome(ids, wf_id, external_key, status, reported, by_key))
        elif rng.random() < 0.05:  # reported after the 7-day horizon: stays unknown
            outcomes.append(_outcome(ids, wf_id, external_key, "success",
                                     end + timedelta(days=8), False))

    for d in range(days):
        day0 = datetime.combine(start + timedelta(days=d), datetime.min.time(),
                                tzinfo=timezone.utc)
        for h in range(24):
            hour0 = day0 + timedelta(hours=h)
            for intent in INTENTS:
                for _ in range(rng.randint(1, 3)):
                    t0 = hour0 + timedelta(seconds=rng.randint(0, 3300))
                    workflow(intent, t0, rng.randint(*intent[6]))
                if hour0 == spike_at and intent[0] == RUNAWAY_INTENT:
                    # 400 calls at ~8 s each stay inside the hour.
                    workflow(intent, hour0 + timedelta(minutes=2), RUNAWAY_CALLS, runaway=True)

    _write_facts(lake, calls, roots, outcomes)
    _write_snapshots(lake)
    spike_key = (RUNAWAY_INTENT, spike_at)
    return GroundTruth(
        lake=str(lake), start=start.isoformat(), days=days, workflows=len(roots),
        calls=len(calls), total_cost_usd=str(total), spike_intent=RUNAWAY_INTENT,
        spike_hour=spike_at.isoformat(), spike_hour_cost_usd=str(hourly[spike_key]),
        unallocated_cost_usd=str(untagged), unallocated_share=float(untagged / total))


def _outcome(ids, wf_id, external_key, status, reported, by_key):
    return {"outcome_id": ids.hex(32), "workflow_id": None if by_key else wf_id,
            "external_key": external_key if by_key else None, "status": status,
            "reason": None if status == "success" else "rejected", "value": None, "unit": None,
            "reported_at": reported, "received_at": reported + timedelta(seconds=1)}


def typed_select(con, table: str, source: str, where: str,
                 overrides: dict | None = None) -> str:
    """SELECT from ``source`` cast column by column to the schema of lake.sql's typed empty
    stand-in for ``table`` (the hive ``date`` column excluded), so files match docs/lake.md."""
    overrides = overrides or {}
    cols = con.execute(f"DESCRIBE flowcost_empty_{table}").fetchall()
    # A column the source lacks (one added to the schema after the generator was written, such
    # as provider_cost_usd) is written as a typed NULL, as the collector writes an absent value.
    have = {d[0] for d in con.execute(f"SELECT * FROM {source} LIMIT 0").description}
    exprs = []
    for name, col_type, *_ in cols:
        if name == "date":
            continue
        expr = overrides.get(name, f'"{name}"' if name in have else "NULL")
        exprs.append(f'CAST({expr} AS {col_type}) AS "{name}"')
    return f"SELECT {', '.join(exprs)} FROM {source} WHERE {where}"


def _copy(con, lake: Path, table: str, day: str, select: str, name: str,
          compacted: bool = False) -> None:
    out = lake / table / f"date={day}"
    out.mkdir(parents=True, exist_ok=True)
    path = str(out / f"{name}.parquet").replace("'", "''")
    # compacted: the day's only file, each key once, marked as `compact` marks its output, so the
    # views read it without their de-duplication window (docs/lake.md, "De-duplication")
    mark = ", 'flowcost.compacted_files': '1'" if compacted else ""
    con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet, COMPRESSION zstd, "
                f"KV_METADATA {{'flowcost.schema_version': '1', 'flowcost.table': '{table}'"
                f"{mark}}})")


def _write_facts(lake: Path, calls, roots, outcomes) -> None:
    # An empty directory gives a connection with lake.sql's typed empty tables and no data.
    con = flowcost_lake.connect(str(lake / "_none"), focus=False, require_lake=False)
    frames = {"calls_df": pd.DataFrame(calls), "roots_df": pd.DataFrame(roots),
              "outcomes_df": pd.DataFrame(outcomes)}
    # Columns that are all None need a type DuckDB can cast from.
    for df in frames.values():
        for col in df.columns:
            if df[col].isna().all():
                df[col] = df[col].astype("object")
    for name, df in frames.items():
        con.register(name, df)
    tags = {"tags": "map(tag_keys, tag_values)"}
    for table, frame, col, overrides in (("calls", "calls_df", "start_time", None),
                                         ("workflow_spans", "roots_df", "start_time", tags),
                                         ("outcomes", "outcomes_df", "reported_at", None)):
        days = [r[0] for r in con.execute(
            f"SELECT DISTINCT CAST({col} AS DATE)::VARCHAR FROM {frame} ORDER BY 1").fetchall()]
        for i, day in enumerate(days):
            stamp = int(datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp())
            where = f"CAST({col} AS DATE) = DATE '{day}'"
            select = typed_select(con, table, frame, where, overrides)
            # every other day of calls and workflow_spans as `compact` leaves a closed day, so
            # the views' two reading paths (compacted days, other files) both carry figures
            _copy(con, lake, table, day, select,
                  f"{stamp * 1000 + 86_400_000}-synthetic-{i:06d}",
                  compacted=table != "outcomes" and i % 2 == 0)
    con.close()


def _write_snapshots(lake: Path) -> None:
    con = flowcost_lake.connect(str(lake), focus=False)
    con.execute("CREATE TEMP TABLE wd AS SELECT * FROM workflows_derived")
    con.execute("CREATE TEMP TABLE cd AS SELECT * FROM cost_per_outcome_derived")
    days = [r[0] for r in con.execute(
        "SELECT DISTINCT day::VARCHAR FROM wd ORDER BY 1").fetchall()]
    for i, day in enumerate(days):
        end_ms = (int(datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp())
                  + 86_400) * 1000
        where = f"day = DATE '{day}'"
        snapshots = [(end_ms + 60_000, {}, {})]
        if i < 3:  # a stale earlier rollup with half the cost: the higher version must win
            snapshots.insert(0, (end_ms + 1, {"cost_usd": "cost_usd / 2"},
                                 {"total_cost_usd": "total_cost_usd / 2"}))
        for version, wf_over, cpo_over in snapshots:
            _copy(con, lake, "workflows", day,
                  typed_select(con, "workflows", "wd", where,
                               {"version": str(version), **wf_over}),
                  f"{version}-synthetic-rollup")
            _copy(con, lake, "cost_per_outcome", day,
                  typed_select(con, "cost_per_outcome", "cd", where,
                         {"version": str(version), **cpo_over}),
                  f"{version}-synthetic-rollup")
    con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lake", help="output directory (replaced)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--start", default="2026-10-01", help="first UTC day")
    args = parser.parse_args(argv)
    truth = generate(args.lake, seed=args.seed, start=date.fromisoformat(args.start),
                     days=args.days)
    print(json.dumps(asdict(truth), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
