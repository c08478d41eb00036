"""The README's walk-through runs on the shipped simulated survey and margins."""

import csv
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "surveys/demo/simulated_survey.csv"
MARGINS = ROOT / "surveys/margins/xinzheng_adults_18_69.csv"


def _estimate(*extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis", "estimate", str(SURVEY), "--indicator", "meets",
         "--weight", "weight", "--strata", "stratum", "--psu", "psu", "--rake", str(MARGINS),
         "--by", "sex", "--by", "urban_rural", *extra],
        capture_output=True, text=True, cwd=ROOT, check=False)


def test_walkthrough_gives_a_verdict_marked_as_placeholder_based():
    result = _estimate("--allow-placeholder-margins", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] in ("above", "below", "not distinguishable")
    assert report["ci_low"] < report["estimate"] < report["ci_high"]
    assert abs(report["population"] - 750_000) < 1e-6
    assert {row["level"] for row in report["by"]["urban_rural"]} == {"urban", "rural"}
    assert len(report["method"]["placeholder_margins"]) == 14


def test_walkthrough_refuses_placeholders_without_the_override():
    result = _estimate("--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    assert "--allow-placeholder-margins" in result.stderr


def test_simulated_survey_file_matches_its_generator():
    sys.path.insert(0, str(SURVEY.parent))
    try:
        from make_simulated_survey import simulate
    finally:
        sys.path.pop(0)
    with SURVEY.open(encoding="utf-8") as handle:
        shipped = list(csv.DictReader(handle))
    expected = [{key: str(value) for key, value in row.items()} for row in simulate()]
    assert shipped == expected
