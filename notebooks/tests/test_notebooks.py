"""Executes every notebook headless and checks its key figures against reference SQL over the
raw Parquet files (see conftest.raw_connection), and against the synthetic lake's ground truth.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import provider_export
from conftest import NOTEBOOKS

NOTEBOOK_NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
EPS = 1e-6  # money compared as float after DuckDB's DECIMAL -> DOUBLE conversion


def test_the_six_notebooks_exist_and_are_saved_without_outputs():
    assert set(NOTEBOOK_NAMES) >= {
        "cost_per_outcome.ipynb", "failure_waste.ipynb", "showback.ipynb",
        "model_mix_and_savings.ipynb", "burn_anomalies.ipynb", "reconcile.ipynb"}
    for name in NOTEBOOK_NAMES:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), name
        assert "FLOWCOST_LAKE" in code[0].source, f"{name}: the lake is not the first parameter"
        assert "parameters" in code[0].metadata.get("tags", []), name


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_every_notebook_runs_and_draws(name, run_notebook, test_lake):
    run = run_notebook(name, test_lake, ["summary"])
    assert not run.errors()
    assert not run.warnings(), f"{name} printed warnings: {run.warnings()}"
    assert run.png_count() >= 1, f"{name} drew no chart"
    assert isinstance(run["summary"], pd.DataFrame) and len(run["summary"]) > 0


def test_cost_per_success_at_month_level_is_sum_over_sum(run_notebook, test_lake, raw):
    run = run_notebook("cost_per_outcome.ipynb", test_lake, ["summary", "by_intent"])
    expected = raw.sql("""
        SELECT month, count(*) AS workflows,
               count(*) FILTER (WHERE outcome = 'success') AS successes,
               CAST(sum(cost) AS DOUBLE) AS total_cost_usd
        FROM r_workflows GROUP BY month ORDER BY month""").df()
    got = run["summary"].sort_values("month").reset_index(drop=True)
    assert [pd.Timestamp(m).date() for m in got["month"]] == \
        [pd.Timestamp(m).date() for m in expected["month"]]
    assert got["workflows"].tolist() == expected["workflows"].tolist()
    assert got["successes"].tolist() == expected["successes"].tolist()
    assert got["total_cost_usd"].tolist() == pytest.approx(expected["total_cost_usd"].tolist(),
                                                           abs=EPS)
    for g, e in zip(got.itertuples(), expected.itertuples()):
        if e.successes:
            assert g.cost_per_success_usd == pytest.approx(e.total_cost_usd / e.successes,
                                                           abs=1e-8)
        else:
            assert pd.isna(g.cost_per_success_usd)
    by_intent = raw.sql("""
        SELECT coalesce(name, '(unnamed)') AS intent, CAST(sum(cost) AS DOUBLE) AS cost,
               count(*) FILTER (WHERE outcome = 'success') AS successes
        FROM r_workflows GROUP BY ALL""").df().set_index("intent")
    nb_intent = run["by_intent"].set_index("intent")
    assert sorted(nb_intent.index) == sorted(by_intent.index)
    for intent, row in by_intent.iterrows():
        assert nb_intent.loc[intent, "total_cost_usd"] == pytest.approx(row.cost, abs=EPS)
        assert nb_intent.loc[intent, "successes"] == row.successes
    # ranked by total cost
    assert list(run["by_intent"]["total_cost_usd"]) == sorted(
        run["by_intent"]["total_cost_usd"], reverse=True)


def test_failure_waste_matches_raw_calls_and_outcomes(run_notebook, test_lake, raw):
    run = run_notebook("failure_waste.ipynb", test_lake, ["summary", "by_cause", "top"])
    waste, cost = raw.sql(
        "SELECT CAST(sum(waste) AS DOUBLE), CAST(sum(cost) AS DOUBLE) FROM r_workflows"
    ).fetchone()
    summary = run["summary"].iloc[0]
    assert summary["failure_waste_usd"] == pytest.approx(waste, abs=EPS)
    assert summary["total_cost_usd"] == pytest.approx(cost, abs=EPS)
    assert run["by_cause"]["waste_usd"].sum() == pytest.approx(waste, abs=EPS)
    assert 0 <= summary["failure_waste_usd"] <= summary["total_cost_usd"] + EPS
    top = run["top"]
    if waste > 0:
        best = raw.sql("SELECT max(waste) FROM r_workflows").fetchone()[0]
        assert top["waste_usd"].iloc[0] == pytest.approx(float(best), abs=EPS)


def test_showback_totals_and_chargeback_csv(run_notebook, test_lake, raw):
    run = run_notebook("showback.ipynb", test_lake,
                       ["summary", "unallocated_share", "chargeback_path", "showback_team"])
    total, untagged = raw.sql("""
        SELECT CAST(sum(cost) AS DOUBLE),
               CAST(coalesce(sum(cost) FILTER (WHERE nullif(tags['team'], '') IS NULL), 0)
                    AS DOUBLE)
        FROM r_workflows""").fetchone()
    assert run["summary"]["total_usd"].iloc[0] == pytest.approx(total, abs=EPS)
    assert run["unallocated_share"] == pytest.approx(untagged / total if total else 0, abs=1e-9)
    path = Path(run["chargeback_path"])
    assert path.is_file() and path.parent == run.out_dir
    with open(path) as f:
        rows = list(csv.DictReader(f))
    assert sum(Decimal(r["cost_usd"]) for r in rows) == pytest.approx(Decimal(str(total)),
                                                                      abs=Decimal("1e-6"))
    assert run["showback_team"]["cost_usd"].sum() == pytest.approx(total, abs=EPS)


def test_showback_unallocated_share_on_synthetic_lake(run_notebook, synthetic):
    run = run_notebook("showback.ipynb", synthetic.lake,
                       ["unallocated_share", "chargeback_path"])
    assert run["unallocated_share"] == pytest.approx(synthetic.unallocated_share, rel=1e-9)
    with open(run["chargeback_path"]) as f:
        rows = {r["team"]: r for r in csv.DictReader(f)}
    # The chargeback keeps untagged spend in its own bucket, to the nano-dollar.
    assert Decimal(rows["(unallocated)"]["cost_usd"]) == Decimal(synthetic.unallocated_cost_usd)
    assert sum(Decimal(r["cost_usd"]) for r in rows.values()) == \
        Decimal(synthetic.total_cost_usd)


def test_burn_anomalies_flags_exactly_the_runaway_hour(run_notebook, synthetic):
    run = run_notebook("burn_anomalies.ipynb", synthetic.lake, ["flagged", "burn"])
    flagged = run["flagged"]
    assert len(flagged) == 1, flagged
    assert flagged["intent"].iloc[0] == synthetic.spike_intent
    assert pd.Timestamp(flagged["hour"].iloc[0]) == pd.Timestamp(synthetic.spike_hour)
    assert flagged["burn_usd"].iloc[0] == pytest.approx(float(synthetic.spike_hour_cost_usd),
                                                        abs=EPS)
    assert len(run["burn"]) == synthetic.days * 24


def test_burn_sums_to_the_lake_cost(run_notebook, test_lake, raw):
    run = run_notebook("burn_anomalies.ipynb", test_lake, ["burn"])
    total = raw.sql("SELECT CAST(coalesce(sum(cost_usd), 0) AS DOUBLE) FROM r_calls").fetchone()[0]
    assert float(run["burn"].to_numpy().sum()) == pytest.approx(total, abs=EPS)


def test_model_mix_spend_and_cache_savings(run_notebook, test_lake, raw):
    run = run_notebook("model_mix_and_savings.ipynb", test_lake, ["by_model", "summary", "whatif"])
    expected = raw.sql("""
        SELECT coalesce(response_model, request_model) AS model,
               CAST(sum(cost_usd) AS DOUBLE) AS cost,
               CAST(sum(cache_savings_gross_usd) AS DOUBLE) AS gross,
               CAST(sum(cache_savings_net_usd) AS DOUBLE) AS net
        FROM r_calls WHERE kind IN ('model', 'embedding') GROUP BY ALL""").df()
    got = run["by_model"].groupby("model")[["cost_usd", "cache_savings_gross_usd",
                                            "cache_savings_net_usd"]].sum()
    for row in expected.itertuples():
        cost = 0 if pd.isna(row.cost) else row.cost  # an unpriced model sums to NULL
        assert got.loc[row.model, "cost_usd"] == pytest.approx(cost, abs=EPS)
    s = run["summary"].iloc[0]
    assert s["cache_savings_gross_usd"] == pytest.approx(expected["gross"].sum(), abs=EPS)
    assert s["cache_savings_net_usd"] == pytest.approx(expected["net"].sum(), abs=EPS)
    assert s["cost_usd"] == pytest.approx(expected["cost"].sum(), abs=EPS)


def test_repricing_reproduces_the_lake_cost_on_synthetic_lake(run_notebook, synthetic):
    run = run_notebook("model_mix_and_savings.ipynb", synthetic.lake, ["whatif"])
    w = run["whatif"].set_index("model")
    # Re-pricing each model's tokens on its own catalog entry gives back what was billed
    # (up to per-call rounding); routing to a cheaper model costs less.
    for model, row in w.iterrows():
        assert row["list_recomputed_usd"] == pytest.approx(row["cost_usd"], abs=1e-5), model
    assert w.loc["gpt-4o", "target_model"] == "gpt-4o-mini"
    assert w.loc["gpt-4o", "whatif_cost_usd"] < w.loc["gpt-4o", "cost_usd"] / 5
    assert w.loc["gpt-4o-mini", "whatif_cost_usd"] == pytest.approx(
        w.loc["gpt-4o-mini", "cost_usd"], abs=1e-5)


def test_reconcile_finds_the_injected_gap(run_notebook, test_lake, tmp_path_factory):
    exports = tmp_path_factory.mktemp("exports")
    truth = provider_export.write_sample(test_lake, exports, uncovered_usd="0.987654321")
    run = run_notebook("reconcile.ipynb", test_lake, ["recon", "summary"],
                       env={"FLOWCOST_PROVIDER_EXPORTS": ":".join(truth["paths"])})
    recon = run["recon"]
    extra = float(truth["uncovered_usd"])
    worst = recon.loc[recon["gap_usd"].abs().idxmax()]
    assert pd.Timestamp(worst["day"]).date() == dt.date.fromisoformat(truth["uncovered_day"])
    assert worst["gap_usd"] == pytest.approx(extra, abs=1e-8)
    assert worst["coverage_pct"] < 100
    others = recon.drop(index=worst.name)
    assert others["gap_usd"].abs().max() == pytest.approx(0, abs=1e-8)
    s = run["summary"].iloc[0]
    assert s["gap_usd"] == pytest.approx(extra, abs=1e-8)
    assert s["coverage_pct"] == pytest.approx(100 * s["lake_usd"] / (s["lake_usd"] + extra),
                                              rel=1e-9)
