"""Estimate runs (surveys.estimation): the specs, the figures equal analysis.estimate and the
command line, the small-cell flags and suppression, comparison between waves, the trend and
the stored JSON.  Expected figures are worked by hand in the comments, never taken from the
code under test."""

from __future__ import annotations

import dataclasses
import json
import math
import shlex
from pathlib import Path
from types import SimpleNamespace

import pytest

import analysis
import surveys
from analysis.cli import main as analysis_main
from surveys.estimation import (
    BREAKDOWNS,
    SCORES,
    EstimateResult,
    EstimateSettings,
    compare,
    estimate_specs,
    estimate_wave,
    trend,
    verdict_text,
)
from tests.surveys import weighted_fixture as F

SHIPPED_MARGINS = Path(surveys.__file__).parent / "margins" / "xinzheng_adults_18_69.csv"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return F.write(tmp_path / "weighted.csv", F.small_rows())


@pytest.fixture
def big(tmp_path: Path) -> Path:
    return F.write(tmp_path / "weighted.csv", F.synthetic_rows())


@pytest.fixture
def margins(tmp_path: Path) -> Path:
    path = tmp_path / "margins.csv"
    path.write_text(F.margins_csv())
    return path


# --- specs -----------------------------------------------------------------------------------


def test_specs_are_the_share_and_five_means_by_every_breakdown(big: Path, margins: Path):
    version = SimpleNamespace(name="test", path=margins, sha256="x")  # a MarginsVersion
    specs = estimate_specs(big, version, EstimateSettings())
    assert list(specs) == ["meets", "total", "score_K", "score_M", "score_S", "score_A"]
    p = specs["meets"]
    assert (p.outcome, p.statistic, p.goal, p.ci, p.level) == (
        "meets", analysis.Statistic.PROPORTION, 0.178, analysis.CIMethod.LOGIT, 0.95)
    assert (p.weight, p.strata, p.psu, p.fpc) == ("final_weight", "stratum", "psu", None)
    assert p.by == (("group",), ("township",), ("sex",), ("age_band",), ("urban_rural",),
                    ("education",))
    assert p.margins == str(margins) and p.calibration == analysis.Calibration.RAKING
    assert p.lonely_psu == analysis.LonelyPSU.ADJUST and p.replicates is None
    assert p.data == str(big) and p.allow_placeholder_margins is False
    for score in ("total", "score_K", "score_M", "score_S", "score_A"):
        s = specs[score]
        assert (s.outcome, s.statistic, s.goal) == (score, analysis.Statistic.MEAN, None)
        assert s.by == p.by and s.margins == p.margins and s.weight == "final_weight"
    assert estimate_specs(big, None, EstimateSettings())["meets"].margins is None
    assert estimate_specs(big, margins, EstimateSettings())["meets"].margins == str(margins)
    assert BREAKDOWNS == ("group", "township", "sex", "age_band", "urban_rural", "education")
    assert SCORES == ("total", "score_K", "score_M", "score_S", "score_A")


def test_absent_breakdowns_are_skipped_and_recorded(tmp_path: Path):
    columns = tuple(c for c in F.WEIGHTED_COLUMNS if c not in ("group", "education"))
    path = F.write(tmp_path / "weighted.csv", F.synthetic_rows(), columns)
    specs = estimate_specs(path, None, EstimateSettings())
    assert specs["meets"].by == (("township",), ("sex",), ("age_band",), ("urban_rural",))
    result = estimate_wave(path, None)
    assert result.skipped_breakdowns == ("group", "education")
    assert [b.key for b in result.headline.by] == ["township", "sex", "age_band", "urban_rural"]
    assert "--by=group" not in result.commands["meets"]


def test_a_missing_required_column_is_one_line(tmp_path: Path):
    columns = tuple(c for c in F.WEIGHTED_COLUMNS if c != "final_weight")
    path = F.write(tmp_path / "weighted.csv", F.small_rows(), columns)
    with pytest.raises(surveys.SurveyInputError, match="no column final_weight"):
        estimate_wave(path, None)
    with pytest.raises(surveys.SurveyInputError, match="cannot read"):
        estimate_wave(tmp_path / "nope.csv", None)


@pytest.mark.parametrize(
    "kwargs, words",
    [({"goal": 1.5}, "goal"), ({"level": 1.0}, "level"), ({"ci": "magic"}, "interval"),
     ({"lonely_psu": "x"}, "lonely"), ({"min_n": 0}, "min_n"), ({"min_n": 2.5}, "min_n"),
     ({"max_cv": 0}, "max_cv"), ({"max_cv": float("nan")}, "max_cv")],
)
def test_bad_settings_are_refused(kwargs, words):
    with pytest.raises(surveys.SurveyInputError, match=words):
        EstimateSettings(**kwargs)


def test_settings_round_trip_and_refuse_unknown_keys():
    s = EstimateSettings(goal=0.2, level=0.9, ci="xlogit", min_n=50, max_cv=0.25)
    assert s.ci == "logit"  # the alias is stored by its one name
    assert EstimateSettings.from_dict(s.to_dict()) == s
    assert json.loads(json.dumps(s.to_dict())) == s.to_dict()
    with pytest.raises(surveys.SurveyInputError, match="unknown estimate setting"):
        EstimateSettings.from_dict({**s.to_dict(), "bogus": 1})


# --- the figures are analysis.estimate's ---------------------------------------------------


def test_the_small_file_share_by_hand(small: Path):
    result = estimate_wave(small, None)
    # meets = 1 on cases 1, 3, 6, 9, 10, 14: weights 100 + 90 + 130 + 80 + 95 + 125 = 620;
    # all weights: T01 1000 + T02 995 = 1995; share 620 / 1995
    assert result.headline.estimate == pytest.approx(620 / 1995, rel=1e-14)
    assert result.headline.n == 16 and result.headline.df == 4 - 2
    assert result.headline.population == pytest.approx(1995.0, rel=1e-14)
    # total score: sum(w * total) / 1995; T01 8000 + 7200 + 6480 + 4400 + 7500 + 9750 + 7700
    # + 7200 = 58,230, T02 7200 + 6650 + 3675 + 5525 + 9860 + 9750 + 7350 + 4800 = 54,810
    assert result.reports["total"].estimate == pytest.approx(113_040 / 1995, rel=1e-14)


def test_estimate_wave_equals_analysis_estimate_called_directly(big: Path, margins: Path):
    result = estimate_wave(big, margins)
    by = ("group", "township", "sex", "age_band", "urban_rural", "education")
    common = dict(data=str(big), weight="final_weight", strata="stratum", psu="psu", by=by,
                  margins=str(margins), lonely_psu="adjust", ci="logit", level=0.95)
    direct = analysis.estimate(analysis.EstimateSpec(outcome="meets", goal=0.178, **common))
    assert result.headline == direct
    assert direct.method.calibration is not None  # raked: the SE accounts for calibration
    for score in SCORES:
        want = analysis.estimate(analysis.EstimateSpec(outcome=score, statistic="mean",
                                                       **common))
        assert result.reports[score] == want
    unraked = analysis.estimate(analysis.EstimateSpec(
        outcome="meets", goal=0.178, **{**common, "margins": None}))
    assert estimate_wave(big, None).headline == unraked
    assert unraked.se != direct.se  # the margins changed something


def test_in_memory_columns_give_the_same_figures(big: Path):
    rows = F.synthetic_rows()
    table = {c: [r[c] for r in rows] for c in F.WEIGHTED_COLUMNS}
    mem = estimate_wave(table, None)
    disk = estimate_wave(big, None)
    for key in disk.reports:
        a, b = mem.reports[key].to_dict(), disk.reports[key].to_dict()
        assert a == b
    assert mem.commands["meets"].startswith("python -m analysis estimate weighted.csv ")


def _run_cli(command: str, capsys) -> dict:
    argv = shlex.split(command)
    assert argv[:3] == ["python", "-m", "analysis"]
    assert analysis_main(argv[3:]) == 0
    return json.loads(capsys.readouterr().out)


def test_each_command_reproduces_its_report(big: Path, margins: Path, capsys):
    result = estimate_wave(big, margins)
    assert set(result.commands) == set(result.reports)
    for key, command in result.commands.items():
        assert command.endswith("--format=json")
        assert analysis.Report.from_dict(_run_cli(command, capsys)) == result.reports[key]


def test_commands_show_the_names_given(big: Path, margins: Path):
    result = estimate_wave(big, margins, data_name="weighted.csv",
                           margins_name="surveys/margins/test.csv")
    cmd = result.commands["meets"]
    assert cmd.startswith("python -m analysis estimate weighted.csv --indicator=meets "
                          "--weight=final_weight --strata=stratum --psu=psu "
                          "--rake=surveys/margins/test.csv --by=group ")
    assert "--goal=0.178" in cmd and "--lonely-psu=adjust" in cmd and "--ci=logit" in cmd
    assert result.commands["total"].startswith(
        "python -m analysis estimate weighted.csv --mean=total ")
    assert "--goal" not in result.commands["total"]
    assert "--rake" not in estimate_wave(big, None, margins_name="x.csv").commands["meets"]


def test_placeholder_margins_are_refused_unless_allowed(big: Path, capsys):
    with pytest.raises(analysis.SurveyError, match="placeholder"):
        estimate_wave(big, SHIPPED_MARGINS)
    allowed = estimate_wave(big, SHIPPED_MARGINS, EstimateSettings(allow_placeholder_margins=True))
    assert len(allowed.headline.method.placeholder_margins) == 14
    assert allowed.headline.population == pytest.approx(750_000, rel=1e-9)
    assert "--allow-placeholder-margins" in allowed.commands["meets"]
    again = analysis.Report.from_dict(_run_cli(allowed.commands["meets"], capsys))
    assert again == allowed.headline


# --- small cells ---------------------------------------------------------------------------


def _with_rows(result: EstimateResult, key: str, rows: list[tuple], overall=None
               ) -> EstimateResult:
    """``result`` with report ``key``'s breakdowns replaced by one hand-made breakdown
    ``test`` of rows (level, estimate, se, n), and optionally its overall (estimate, se, n)."""
    levels, est, se, n = zip(*rows, strict=True)
    b = analysis.Breakdown(("test",), tuple((lv,) for lv in levels), est, se, est, est,
                           tuple(10 for _ in rows), n, tuple(1.0 for _ in rows))
    rep = dataclasses.replace(result.reports[key], by=(b,))
    if overall is not None:
        e, s, k = overall
        rep = dataclasses.replace(rep, estimate=e, se=s, n=k)
    return dataclasses.replace(result, reports={**result.reports, key: rep})


HAND_ROWS = [
    # level, estimate, se, n            flag (min_n 30, max_cv 0.30)
    ("n29", 0.5, 0.01, 29),             # small_n: 29 < 30
    ("n30", 0.5, 0.01, 30),             # fine: 30 is not < 30, CV 0.02
    ("cv_above", 0.2, 0.0601, 100),     # CV 0.3005 > 0.30 -> high_cv
    ("cv_below", 0.2, 0.0599, 100),     # CV 0.2995 -> fine
    ("cv_equal", 10.0, 3.0, 100),       # CV exactly 0.30 is not above -> fine
    ("zero_no_se", 0.0, 0.0, 100),      # 0 with se 0: no CV, fine
    ("zero_se", 0.0, 0.01, 100),        # 0 with se > 0: high_cv
    ("n29_cv", 0.2, 0.1, 29),           # both: small_n comes first
    ("none", None, None, 40),           # nothing to show: high_cv
]
HAND_FLAGS = {
    ("test", "n29"): "small_n", ("test", "n30"): None, ("test", "cv_above"): "high_cv",
    ("test", "cv_below"): None, ("test", "cv_equal"): None, ("test", "zero_no_se"): None,
    ("test", "zero_se"): "high_cv", ("test", "n29_cv"): "small_n", ("test", "none"): "high_cv",
}  # fmt: skip


@pytest.fixture(scope="module")
def base_result(tmp_path_factory) -> EstimateResult:
    path = F.write(tmp_path_factory.mktemp("w") / "weighted.csv", F.synthetic_rows())
    return estimate_wave(path, None)


def test_flags_on_a_hand_made_table(base_result: EstimateResult):
    result = _with_rows(base_result, "total", HAND_ROWS)
    assert result.flags("total") == HAND_FLAGS


def test_flags_follow_the_settings(base_result: EstimateResult):
    strict = dataclasses.replace(base_result, settings=EstimateSettings(min_n=31, max_cv=0.2))
    result = _with_rows(strict, "meets", HAND_ROWS)
    flags = result.flags()
    assert flags[("test", "n30")] == "small_n"     # 30 < 31
    assert flags[("test", "cv_below")] == "high_cv"  # 0.2995 > 0.2


def test_public_suppresses_exactly_the_flagged_rows(base_result: EstimateResult):
    result = _with_rows(base_result, "meets", HAND_ROWS)
    full, public = result.to_dict(), result.public()
    assert "commands" not in public
    rows = public["reports"]["meets"]["by"]["test"]
    originals = full["reports"]["meets"]["by"]["test"]
    for row, orig in zip(rows, originals, strict=True):
        reason = HAND_FLAGS[("test", row["level"])]
        assert row["suppressed"] == reason
        if reason:
            assert [row[k] for k in ("estimate", "se", "ci_low", "ci_high", "deff")] == [None] * 5
            assert (row["n"], row["level"], row["df"]) == (orig["n"], orig["level"], orig["df"])
        else:
            assert {k: v for k, v in row.items() if k != "suppressed"} == orig
    head = public["reports"]["meets"]
    assert head["suppressed"] is None  # the headline (n 300, CV ~0.09) stays
    for k in ("estimate", "se", "ci_low", "ci_high", "verdict", "p_value"):
        assert head[k] == full["reports"]["meets"][k]
    for key in SCORES:  # the other reports are untouched but for the markers
        assert public["reports"][key]["suppressed"] is None
    json.dumps(public, allow_nan=False)


def test_a_flagged_headline_is_suppressed(small: Path):
    result = estimate_wave(small, None)  # 16 respondents: everything is small_n
    assert result.headline_flag() == "small_n"
    head = result.public()["reports"]["meets"]
    assert head["suppressed"] == "small_n"
    assert [head[k] for k in ("estimate", "se", "ci_low", "ci_high", "statistic", "p_value",
                              "verdict")] == [None] * 7
    assert head["n"] == 16
    assert set(result.flags().values()) == {"small_n"}


def test_synthetic_flags_match_the_rule(base_result: EstimateResult):
    # the rule restated on the real breakdowns (n and CV read off each row)
    assert "high_cv" in base_result.flags().values()  # not vacuous: some domain is flagged
    for key in base_result.reports:
        for b in base_result.reports[key].by:
            for row in b.rows:
                want = ("small_n" if row.n < 30 else
                        "high_cv" if row.se / abs(row.estimate) > 0.30 else None)
                assert base_result.flags(key)[(b.key, row.level)] == want


# --- between waves -------------------------------------------------------------------------


def _headline(result: EstimateResult, estimate: float, se: float, df: int) -> EstimateResult:
    rep = dataclasses.replace(result.headline, estimate=estimate, se=se, df=df)
    return dataclasses.replace(result, reports={**result.reports, "meets": rep})


def test_compare_by_hand(base_result: EstimateResult):
    a = _headline(base_result, 0.25, 0.02, 40)
    b = _headline(base_result, 0.20, 0.015, 30)
    c = compare(a, b, label_a="2025", label_b="2024")
    # difference 0.05; se = sqrt(0.02^2 + 0.015^2) = sqrt(0.000625) = 0.025; df = 40 + 30 = 70;
    # t = scipy.stats.t.ppf(0.975, 70) = 1.994437111771186, so the interval is
    # 0.05 -/+ 0.025 * 1.994437111771186 = 0.0001390722057203 to 0.0998609277942797
    assert (c.label_a, c.label_b, c.share_a, c.share_b) == ("2025", "2024", 0.25, 0.20)
    assert c.estimate == pytest.approx(0.05, abs=1e-15)
    assert c.se == pytest.approx(0.025, rel=1e-14)
    assert c.df == 70
    assert c.ci_low == pytest.approx(0.0001390722057203475, rel=1e-9)
    assert c.ci_high == pytest.approx(0.09986092779427966, rel=1e-12)
    d = c.to_dict()
    assert d["se"] == c.se and d["df"] == 70 and d["level"] == 0.95
    back = compare(b, a)
    assert back.estimate == pytest.approx(-0.05, abs=1e-15) and back.se == c.se


def test_compare_at_another_level(base_result: EstimateResult):
    a = _headline(base_result, 0.30, 0.03, 20)
    b = _headline(base_result, 0.30, 0.04, 20)
    c = compare(a, b, 0.90)
    # se = sqrt(0.0009 + 0.0016) = 0.05; df 40; scipy.stats.t.ppf(0.95, 40) = 1.683851013335652
    assert c.se == pytest.approx(0.05, rel=1e-14) and c.df == 40
    assert c.ci_high == pytest.approx(0.05 * 1.683851013335652, rel=1e-12)
    assert c.ci_low == pytest.approx(-0.05 * 1.683851013335652, rel=1e-12)


def test_trend_over_three_waves(base_result: EstimateResult):
    w1 = _headline(base_result, 0.15, 0.02, 30)
    w2 = _headline(base_result, 0.18, 0.02, 30)
    w3 = _headline(base_result, 0.24, 0.015, 30)
    rows = trend([("2023", w1), ("2024", w2), ("2025", w3)])
    assert [r.label for r in rows] == ["2023", "2024", "2025"]
    assert [r.share for r in rows] == [0.15, 0.18, 0.24]
    first = rows[0]
    assert (first.diff, first.diff_se, first.diff_ci_low, first.diff_ci_high, first.diff_df) == (
        None, None, None, None, None)
    # 2024 - 2023: 0.03, se sqrt(0.0004 + 0.0004) = 0.0282842712474619, df 60;
    # scipy.stats.t.ppf(0.975, 60) = 2.0002978220142604
    assert rows[1].diff == pytest.approx(0.03, abs=1e-15)
    assert rows[1].diff_se == pytest.approx(math.sqrt(0.0008), rel=1e-14)
    assert rows[1].diff_df == 60
    assert rows[1].diff_ci_low == pytest.approx(0.03 - 2.0002978220142604 * math.sqrt(0.0008),
                                                rel=1e-12)
    # 2025 - 2024: 0.06, se sqrt(0.000225 + 0.0004) = 0.025
    assert rows[2].diff == pytest.approx(0.06, abs=1e-15)
    assert rows[2].diff_se == pytest.approx(0.025, rel=1e-14)
    assert rows[2].n == base_result.headline.n and rows[2].se == 0.015
    assert rows[2].to_dict()["diff_df"] == 60
    assert trend([]) == []


# --- stored JSON and the verdict -----------------------------------------------------------


def test_to_dict_from_dict_round_trip_is_exact(big: Path, margins: Path):
    result = estimate_wave(big, margins, EstimateSettings(goal=0.25, min_n=40))
    assert EstimateResult.from_dict(result.to_dict()) == result
    again = EstimateResult.from_json(result.to_json())
    assert again == result
    assert again.headline.se == result.headline.se  # bit for bit
    assert again.to_json() == result.to_json()
    assert json.loads(result.to_json())["reports"]["meets"]["estimate"] == result.headline.estimate
    with pytest.raises(surveys.SurveyInputError, match="not a stored estimate result"):
        EstimateResult.from_dict({"settings": {}})


def test_verdict_text(base_result: EstimateResult):
    h = base_result.headline
    above = dataclasses.replace(h, estimate=0.286, ci_low=0.233, ci_high=0.346,
                                verdict="above", p_value=0.000994)
    assert verdict_text(above) == (
        "The share meeting the standard is 28.6% (95% CI 23.3% to 34.6%): significantly "
        "above the goal of 17.8% (one-sided test at the 5% level, p < 0.001).")
    below = dataclasses.replace(above, estimate=0.12, ci_low=0.1, ci_high=0.14,
                                verdict="below", p_value=0.996)
    assert verdict_text(below) == (  # the mirror test's p: 1 - 0.996
        "The share meeting the standard is 12.0% (95% CI 10.0% to 14.0%): significantly "
        "below the goal of 17.8% (one-sided test at the 5% level, p = 0.004).")
    same = dataclasses.replace(above, verdict="not distinguishable", p_value=0.2)
    assert verdict_text(same).endswith(
        ": not distinguishable from the goal of 17.8% at the 5% level (one-sided p = 0.200).")
    no_se = dataclasses.replace(above, verdict="above", p_value=None)
    assert verdict_text(no_se).endswith("above the goal of 17.8% (one-sided test at the 5% level).")
    total = base_result.reports["total"]
    assert verdict_text(total).startswith(f"The mean of total is {total.estimate:.1f} (95% CI ")
    assert verdict_text(dataclasses.replace(h, estimate=None)).endswith("cannot be estimated "
                                                                        "from these data.")
