"""Writes sample provider cost exports (CSV, day × model × project) from a Flowcost lake.

Real exports come from the providers' cost reports; these samples have their shapes so the
``reconcile`` notebook and its tests have a bill to reconcile against:

* ``openai_costs.csv`` — OpenAI's Costs API (``/v1/organization/costs``, ``group_by`` project_id
  and line_item) flattened: ``start_time``/``end_time`` (Unix seconds, 1-day buckets),
  ``amount_value`` (USD, decimal), ``amount_currency``, ``line_item`` (``<model>, input`` …),
  ``project_id``, ``organization_id``.
* ``anthropic_costs.csv`` — Anthropic's cost report (``/v1/organizations/cost_report``,
  ``group_by`` workspace_id and description) flattened: ``starting_at``/``ending_at`` (RFC 3339),
  ``workspace_id``, ``description``, ``cost_type``, ``context_window``, ``model``,
  ``service_tier``, ``token_type``, ``currency``, ``amount`` (in cents, decimal string).

The bill equals the lake's cost split into input and output line items, plus spend the lake did
not see (traffic that bypassed Flowcost), injected for one day and model and returned as ground
truth. Calls of any provider but ``anthropic`` go to the OpenAI-shaped file.

Usage: ``python provider_export.py LAKE OUT_DIR`` prints the ground truth as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flowcost_lake  # noqa: E402

NANO = Decimal("0.000000001")
INPUT_SHARE = Decimal("0.4")


def _lake_costs(lake: str):
    con = flowcost_lake.connect(lake, focus=False)
    rows = con.execute("""
        SELECT CAST(start_time AS DATE) AS day, coalesce(provider, 'unknown') AS provider,
               coalesce(response_model, request_model) AS model, service,
               CAST(sum(cost_usd) AS VARCHAR) AS cost
        FROM calls
        WHERE kind IN ('model', 'embedding') AND cost_usd IS NOT NULL
        GROUP BY ALL HAVING sum(cost_usd) > 0 ORDER BY ALL""").fetchall()
    con.close()
    return [(d, p, m, s or "default", Decimal(c)) for d, p, m, s, c in rows]


def write_sample(lake: str, out_dir: str | Path, uncovered_usd: str = "1.234567891",
                 uncovered_day: date | None = None, uncovered_model: str | None = None) -> dict:
    """Writes both CSVs under ``out_dir`` and returns their paths and the injected gap."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = _lake_costs(lake)
    if not rows:
        raise ValueError(f"no priced model calls in {lake}")
    extra = Decimal(uncovered_usd)
    # Default: the last day's most expensive model, billed for traffic the lake never saw.
    if uncovered_day is None or uncovered_model is None:
        last = max(r[0] for r in rows)
        top = max((r for r in rows if r[0] == last), key=lambda r: r[4])
        uncovered_day, uncovered_model = last, top[2]
    target = next((i for i, r in enumerate(rows)
                   if r[0] == uncovered_day and r[2] == uncovered_model), None)
    if target is None:
        raise ValueError(f"{uncovered_model} has no cost on {uncovered_day}")
    rows[target] = rows[target][:4] + (rows[target][4] + extra,)

    openai_path, anthropic_path = out / "openai_costs.csv", out / "anthropic_costs.csv"
    with open(openai_path, "w", newline="") as fo, open(anthropic_path, "w", newline="") as fa:
        wo, wa = csv.writer(fo), csv.writer(fa)
        wo.writerow(["start_time", "end_time", "amount_value", "amount_currency", "line_item",
                     "project_id", "organization_id"])
        wa.writerow(["starting_at", "ending_at", "workspace_id", "description", "cost_type",
                     "context_window", "model", "service_tier", "token_type", "currency",
                     "amount"])
        for day, provider, model, service, cost in rows:
            start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
            end = start + timedelta(days=1)
            inp = (cost * INPUT_SHARE).quantize(NANO, rounding=ROUND_HALF_EVEN)
            parts = (("input", "uncached_input_tokens", inp),
                     ("output", "output_tokens", cost - inp))
            for line, token_type, amount in parts:
                if provider == "anthropic":
                    wa.writerow([start.isoformat().replace("+00:00", "Z"),
                                 end.isoformat().replace("+00:00", "Z"), f"wrkspc_{service}",
                                 f"{model} {token_type}", "tokens", "0-200k", model, "standard",
                                 token_type, "USD", str(amount * 100)])
                else:
                    wo.writerow([int(start.timestamp()), int(end.timestamp()), str(amount),
                                 "usd", f"{model}, {line}", f"proj_{service}", "org-flowcost"])
    return {"paths": [str(openai_path), str(anthropic_path)],
            "uncovered_day": uncovered_day.isoformat(), "uncovered_model": uncovered_model,
            "uncovered_usd": str(extra)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lake")
    parser.add_argument("out_dir")
    parser.add_argument("--uncovered-usd", default="1.234567891")
    args = parser.parse_args(argv)
    print(json.dumps(write_sample(args.lake, args.out_dir, args.uncovered_usd), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
