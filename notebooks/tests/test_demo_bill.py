"""The notebooks' figures on the demo's lake, checked against the fake provider's own log.

The demo writes every response the fake provider sent (with the exact usage numbers) to
``FLOWCOST_TEST_EXCHANGES``. Here that usage is normalised and priced by hand, with list prices
written down in this file, so the notebooks are checked against the provider's bill rather than
against Flowcost's own numbers.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

EXCHANGES = os.environ.get("FLOWCOST_TEST_EXCHANGES")
pytestmark = pytest.mark.skipif(
    not EXCHANGES, reason="only with the demo's lake (scripts/test.sh sets FLOWCOST_TEST_EXCHANGES)")

# USD per million tokens: input, cache read, 5-minute cache write, 1-hour cache write, output.
# Sources: openai.com/api/pricing and anthropic.com/pricing, checked 2026-11-24.
PRICES = {
    "gpt-4o-mini": ("0.15", "0.075", "0", "0", "0.60"),
    "gpt-4.1": ("2.00", "0.50", "0", "0", "8.00"),
    "claude-sonnet-4-5": ("3.00", "0.30", "3.75", "6.00", "15.00"),
    "text-embedding-3-small": ("0.02", "0", "0", "0", "0"),
}
# The demo's outcomes (examples/README.md): 6 successes, 3 failures, 3 unknown among its twelve
# workflows, and (scripts/demo.sh --runaway) the capped runaway, a failure.
DEMO_SUCCESSES = 6


def hand_bill() -> dict[str, Decimal]:
    """Cost per model from the exchange log, each call rounded once HALF_EVEN to 9 decimals."""
    with open(EXCHANGES, encoding="utf-8") as f:
        exchanges = json.load(f)
    bill: dict[str, Decimal] = defaultdict(Decimal)
    for e in exchanges:
        u = e.get("usage") or {}
        if not e.get("usage_sent") or not u:
            continue  # a 429/500 without usage is billed nothing
        g = lambda k: int(u.get(k) or 0)  # noqa: E731
        if e["protocol"].startswith("anthropic"):
            read, write = g("cache_read_input_tokens"), g("cache_creation_input_tokens")
            write_1h = g("cache_creation.ephemeral_1h_input_tokens")
            inp, out = g("input_tokens") + read + write, g("output_tokens")
        else:
            inp = g("prompt_tokens")
            read, write, write_1h = g("prompt_tokens_details.cached_tokens"), 0, 0
            out = g("completion_tokens")
        p = [Decimal(x) for x in PRICES[e["model"]]]
        cost = ((inp - read - write) * p[0] + read * p[1] + (write - write_1h) * p[2]
                + write_1h * p[3] + out * p[4]) / Decimal(1_000_000)
        bill[e["model"]] += cost.quantize(Decimal("0.000000001"), rounding=ROUND_HALF_EVEN)
    return bill


def test_model_mix_spend_equals_the_providers_bill(run_notebook, test_lake):
    bill = hand_bill()
    assert len(bill) == 4
    run = run_notebook("model_mix_and_savings.ipynb", test_lake, ["by_model"])
    got = run["by_model"].groupby("model")["cost_usd"].sum()
    for model, cost in bill.items():
        assert got[model] == pytest.approx(float(cost), abs=1e-9), model


def test_month_level_cost_per_success_equals_the_bill_over_the_successes(run_notebook, test_lake):
    total = sum(hand_bill().values())
    run = run_notebook("cost_per_outcome.ipynb", test_lake, ["summary"])
    month = run["summary"]
    assert len(month) == 1
    row = month.iloc[0]
    assert row["successes"] == DEMO_SUCCESSES
    assert row["total_cost_usd"] == pytest.approx(float(total), abs=1e-9)
    assert row["cost_per_success_usd"] == pytest.approx(float(total / DEMO_SUCCESSES), abs=1e-9)
