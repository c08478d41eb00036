"""Smoke test of benchmarks/coverage.py (the pipeline's coverage benchmark): a small synthetic
city, 50 replications (``--quick``) on two workers, in a few seconds.  The full run (1,000,000
adults, 1,000 replications) is the benchmark itself, not a test."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("coverage_benchmark",
                                                  ROOT / "benchmarks" / "coverage.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # the worker processes (fork) find it by name
    spec.loader.exec_module(module)
    return module


bench = _load()
SMALL = ["--population", "60000", "--psus", "40", "--take", "15", "--workers", "2"]


def test_townships_are_the_shipped_reference_list() -> None:
    from quizapp.reference_data import XINZHENG_TOWNSHIPS

    assert tuple((code, kind) for code, _, kind, _ in XINZHENG_TOWNSHIPS) == bench.TOWNSHIPS


def test_population_is_seeded_and_consistent() -> None:
    a = bench.build_population(60_000, seed=7)
    b = bench.build_population(60_000, seed=7)
    assert np.array_equal(a.meets, b.meets) and a.psu_code == b.psu_code
    assert 55_000 <= a.adults <= 66_000
    margins = a.margins()
    assert set(margins) == {"sex", "age_band", "education", "urban_rural"}
    for levels in margins.values():
        assert sum(levels.values()) == a.adults  # every margin adds up to the population
    assert 0.15 <= a.truth()["all"] <= 0.20  # the city's share (issue: about 15-20%)
    # the four city-centre subdistricts are all urban; every other township is mostly rural
    subdistrict = np.isin(a.psu_township, [0, 1, 2, 3])
    assert a.psu_urban[subdistrict].all()
    assert not a.psu_urban[~subdistrict].all()
    sizes = np.diff(a.hh_start)
    assert sizes.min() == 1 and sizes.max() == 5
    assert (a.listing == -1).any()  # vacant dwellings on the listings (ineligible cases)


def test_cases_table_follows_the_contract() -> None:
    import surveys

    pop = bench.build_population(60_000, seed=7)
    design = bench.DesignSpec(interviews=600, take=15, min_psus=2)
    frame = pop.frame()
    rows = bench.draw_cases(pop, frame, design, bench.plan_design(frame, design),
                            np.random.default_rng(3),
                            {c: j for j, c in enumerate(pop.psu_code)})
    assert tuple(rows) == surveys.CASE_COLUMNS
    table = surveys.CaseTable.from_columns(rows)  # the contract's checks pass
    assert len(table) == 600
    eligibility = set(rows["eligibility"])
    assert eligibility == {"eligible", "ineligible", "unknown"}
    for i, r in enumerate(rows["respondent"]):
        if r == 1:
            assert rows["eligibility"][i] == "eligible"
            assert rows["base_weight"][i] == pytest.approx(
                rows["household_weight"][i] * rows["eligible_adults"][i])
            assert rows["household_weight"][i] == pytest.approx(
                1 / (rows["pi1"][i] * rows["pi2"][i]))
            assert (rows["meets"][i] == 1) == (rows["total"][i] >= 70)


def test_quick_run_prints_the_table_and_the_full_pipeline_is_nearly_unbiased(capsys) -> None:
    assert bench.main(["--quick", "--json", *SMALL]) == 0
    out = capsys.readouterr().out
    result = json.loads(out.strip().splitlines()[-1])
    rows = result["rows"]
    assert result["reps"] == 50
    assert [(r["weighting"], r["domain"]) for r in rows] == [
        (w, d) for w in ("base", "nr", "raked", "final") for d in ("all", "age_60_69", "rural")]
    for r in rows:
        assert r["weighting_label"] in out and r["reps"] == 50
        assert 0 <= r["coverage"] <= 1 and r["mean_se"] > 0
    final = rows[9]
    assert final["weighting"] == "final" and final["domain"] == "all"
    # the full pipeline: bias within 1 percentage point (and 3 Monte-Carlo SEs + 0.5 point)
    assert abs(final["bias"]) < min(0.01, 3 * final["bias_mcse"] + 0.005)
    # base weights alone under-represent the young urban adults, who read better
    assert rows[0]["bias"] < final["bias"]
    assert "elapsed" in out and "peak memory" in out


def test_bad_options_are_one_line_errors(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--psus", "10"])
    assert exit_.value.code == 2
    assert "--psus >= 34" in capsys.readouterr().err


def test_summary_figures_by_hand() -> None:
    # four replications of (estimate, SE, CI low, CI high); truth 0.2.  Hand-computed:
    # mean (0.18 + 0.25 + 0.19 + 0) / 4 = 0.155, bias -0.045; deviations 0.025, 0.095, 0.035,
    # -0.155 -> sum of squares 0.0349, / 3 = 0.0116333, sd 0.107858; mean SE 0.01;
    # covered: reps 1 (upper end 0.20 counts) and 3; rep 2 misses below (0.2 < 0.21);
    # rep 4 has no interval (no one meets: SE 0) and counts as a miss -> coverage 2/4.
    reps = [(0.18, 0.01, 0.16, 0.20), (0.25, 0.02, 0.21, 0.29), (0.19, 0.01, 0.17, 0.21),
            (0.0, 0.0, np.nan, np.nan)]
    figures = np.empty((4, len(bench.WEIGHTINGS), len(bench.DOMAINS), 4))
    figures[:] = np.array(reps)[:, None, None, :]
    rows = bench.summarise(figures, {"all": 0.2, "age_60_69": 0.2, "rural": 0.2})
    assert len(rows) == 12
    r = rows[0]
    assert r["reps"] == 4 and r["with_estimate"] == 4 and r["no_interval"] == 1
    assert r["mean_estimate"] == pytest.approx(0.155)
    assert r["bias"] == pytest.approx(-0.045)
    assert r["relative_bias"] == pytest.approx(-0.225)
    assert r["empirical_se"] == pytest.approx(0.107858, abs=1e-6)
    assert r["mean_se"] == pytest.approx(0.01)
    assert r["coverage"] == 0.5 and r["coverage_mcse"] == pytest.approx(0.25)
    assert r["below"] == 0.25 and r["above"] == 0.0
