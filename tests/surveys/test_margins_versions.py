"""Margins versions: the shipped files by name, any file by path, the hash of the bytes."""

from __future__ import annotations

import hashlib

import pytest

from surveys import SurveyInputError, list_versions, load_version
from surveys.margins import MARGINS_DIR


def test_shipped_versions_by_name_and_by_path():
    versions = list_versions()
    assert [v.name for v in versions] == ["xinzheng_adults_18_69"]
    v = load_version("xinzheng_adults_18_69")
    assert v.path == MARGINS_DIR / "xinzheng_adults_18_69.csv"
    assert v.sha256 == hashlib.sha256(v.path.read_bytes()).hexdigest()
    assert load_version(str(v.path)) == v
    assert len(v.placeholders) == 14 and v.placeholders[:2] == ("sex=male", "sex=female")
    totals = v.totals()
    assert list(totals) == ["sex", "urban_rural", "age_band", "education"]
    assert totals["sex"] == {"male": 376125.0, "female": 373875.0}
    assert {k: sum(t.values()) for k, t in totals.items()} == dict.fromkeys(totals, 750000.0)


def test_unknown_names_and_bad_files_are_survey_input_errors(tmp_path):
    with pytest.raises(SurveyInputError, match="unknown margins version 'nope' \\(shipped: "
                                               "xinzheng_adults_18_69"):
        load_version("nope")
    with pytest.raises(SurveyInputError, match="does not exist"):
        load_version(str(tmp_path / "missing.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("variable,level,population_total\nsex,male,-3\n", encoding="utf-8")
    with pytest.raises(SurveyInputError, match="row 1: population_total of 'sex' level 'male' "
                                               "must be positive"):
        load_version(str(bad))
