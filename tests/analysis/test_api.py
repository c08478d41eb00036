"""The one entry point: EstimateSpec -> estimate -> Report, the same from a file, a dict of
columns or a pyarrow table; the report survives JSON (stored runs); the command line is a
spec; options are enums, with xlogit another name for logit."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import analysis as A
from analysis.cli import arguments_for, build_parser, main, spec_from_args
from analysis.io import read_columns

FIXTURES = Path(__file__).parent / "fixtures"
SYN = str(FIXTURES / "synthetic.csv")
MARGINS = str(FIXTURES / "synthetic_margins.csv")
DESIGN = {"weight": "weight", "strata": "stratum", "psu": "psu", "lonely_psu": "adjust"}


def _spec(data: object = SYN, **changes: object) -> A.EstimateSpec:
    fields = {"data": data, "outcome": "meets", **DESIGN, "by": ("group", "sex:urban"),
              "margins": MARGINS, **changes}
    return A.EstimateSpec(**fields)  # type: ignore[arg-type]


def test_a_file_a_dict_and_an_arrow_table_give_the_same_report() -> None:
    from_file = A.estimate(_spec())
    table = pacsv.read_csv(SYN)
    as_dict = {name: table.column(name).to_numpy(zero_copy_only=False)
               for name in table.column_names}
    assert A.estimate(_spec(as_dict)) == from_file
    assert A.estimate(_spec(table)) == from_file
    # dictionary-encoded text columns, as the CSV reader makes them
    encoded = table.set_column(
        table.column_names.index("sex"), "sex", table.column("sex").dictionary_encode()
    )
    assert A.estimate(_spec(encoded)) == from_file
    assert from_file.breakdown("sex:urban").levels == (
        ("F", "rural"), ("F", "urban"), ("M", "rural"), ("M", "urban"))


def test_margins_may_be_a_mapping() -> None:
    from analysis.io import read_margins

    totals = read_margins(str(MARGINS))
    assert A.estimate(_spec(margins=totals)) == A.estimate(_spec())


@pytest.mark.parametrize("changes", [
    {},
    {"replicates": "bootstrap", "n_replicates": 20, "seed": 3, "margins": None},
    {"statistic": "quantile", "outcome": "score", "quantile": 0.25, "margins": None},
    {"statistic": "total", "outcome": "score", "goal": 3e6, "ci": "beta"},
])  # fmt: skip
def test_the_report_survives_json(changes: dict) -> None:
    report = A.estimate(_spec(**changes))
    text = report.to_json()
    assert A.Report.from_json(text) == report
    assert A.Report.from_dict(json.loads(text)).to_dict() == report.to_dict()


def test_placeholder_margins_survive_json(tmp_path: Path) -> None:
    marked = tmp_path / "m.csv"
    lines = Path(MARGINS).read_text().splitlines()
    marked.write_text("\n".join([lines[0] + ",placeholder,source"]
                                + [line + ",true,stand-in" for line in lines[1:]]) + "\n")
    with pytest.raises(A.SurveyError, match="--allow-placeholder-margins"):
        A.estimate(_spec(margins=marked))
    report = A.estimate(_spec(margins=marked, allow_placeholder_margins=True))
    assert len(report.method.placeholder_margins) == len(lines) - 1
    assert report.method.placeholder_margins[0] == A.PlaceholderMargin("sex", "F", "stand-in")
    assert A.Report.from_json(report.to_json()) == report


def test_the_command_line_prints_the_reports_json(capsys: pytest.CaptureFixture[str]) -> None:
    spec = _spec()
    argv = arguments_for(spec, SYN, MARGINS)
    assert spec_from_args(build_parser().parse_args(argv)) == spec
    assert main(argv) == 0
    assert A.Report.from_json(capsys.readouterr().out) == A.estimate(spec)


@pytest.mark.parametrize("changes", [
    {"ci": "wilson", "level": 0.9, "goal": 0.2},
    {"statistic": "mean", "outcome": "score", "by": (), "fpc": "fpc"},
    {"replicates": "jkn", "margins": None},
    {"replicates": "bootstrap", "n_replicates": 7, "seed": 11},
])  # fmt: skip
def test_a_spec_and_its_command_line_are_the_same(changes: dict) -> None:
    spec = _spec(**changes)
    argv = arguments_for(spec, SYN, MARGINS if spec.margins else None)
    assert spec_from_args(build_parser().parse_args(argv)) == spec


def test_xlogit_is_another_name_for_logit() -> None:
    logit = A.estimate(_spec(ci="logit"))
    xlogit = A.estimate(_spec(ci="xlogit"))
    assert xlogit == logit and xlogit.method.ci == "logit"
    assert _spec(ci="XLOGIT").ci is A.CIMethod.LOGIT


@pytest.mark.parametrize(("field", "value", "message"), [
    ("ci", "probit", r"interval method must be one of logit, beta, wald, wilson \(got 'probit'\)"),
    ("lonely_psu", "certainty", r"lonely-PSU rule must be one of fail, remove, adjust, average"),
    ("replicates", "brr", r"the replicate type must be one of jk1, jkn, bootstrap, other"),
    ("replicates", "other", r"replicates built from the design are jk1, jkn or bootstrap"),
    ("statistic", "median", r"the statistic must be one of mean, total, proportion, quantile"),
    ("by", ("a::b",), r"a breakdown must name one or more columns"),
])  # fmt: skip
def test_unknown_options_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(A.SurveyError, match=message):
        _spec(**{field: value})


@pytest.mark.parametrize(("changes", "message"), [
    ({"level": 1.5}, "the confidence level must be between 0 and 1"),
    ({"goal": 1.5}, "the goal for a share must be between 0 and 1"),
    ({"n_replicates": 1, "replicates": "bootstrap"}, "at least 2"),
    ({"outcome": "nope"}, "column 'nope' is not in 'synthetic.csv'"),
    ({"margins": {"sex": {"F": 1.0}}, "calibration": "poststratify", "by": ()},
     "level 'M' of column 'sex' is in the data but not in the margins"),
])  # fmt: skip
def test_bad_specs_are_one_line_errors(changes: dict, message: str) -> None:
    with pytest.raises(A.SurveyError, match=message):
        A.estimate(_spec(**changes))


def test_a_breakdown_over_the_level_cap_is_refused_before_estimating() -> None:
    with pytest.raises(A.TooManyLevelsError) as caught:
        A.estimate(_spec(max_levels=4, by=("sex", "group")))
    assert (caught.value.variable, caught.value.levels, caught.value.limit) == ("group", 5, 4)
    assert str(caught.value) == "the breakdown by 'group' has 5 levels; at most 4 are allowed"
    assert len(A.estimate(_spec(max_levels=5, by=("group",))).by[0]) == 5


def test_poststratification_and_rake_variance_through_the_spec() -> None:
    cols, _ = read_columns(str(SYN), numeric=["weight", "meets"],
                           categorical=["stratum", "psu", "sex"])
    design = A.svydesign(cols["weight"], strata=cols["stratum"], psu=cols["psu"],
                         lonely_psu="adjust")
    pop = {"F": 1591109.0, "M": 1559601.0}
    post = A.proportion(A.poststratify(design, cols["sex"], pop, name="sex"), cols["meets"])
    report = A.estimate(_spec(margins={"sex": pop}, calibration="poststratify", by=()))
    assert (report.estimate, report.se) == (post.estimate, post.se)
    assert report.method.calibration == "post-stratification"
    ipf = A.estimate(_spec(calibration="raking_ipf", by=()))
    exact = A.estimate(_spec(by=()))
    assert ipf.estimate == pytest.approx(exact.estimate, rel=1e-12)
    assert ipf.se != exact.se and ipf.se == pytest.approx(exact.se, rel=0.01)


def test_user_replicate_weights_through_the_spec() -> None:
    table = pacsv.read_csv(FIXTURES / "apistrat_bootstrap.csv")
    reps = tuple(c for c in table.column_names if c.startswith("rep"))
    spec = A.EstimateSpec(data=table, outcome="api00", weight="pw", statistic="mean",
                          strata="stype",
                          user_replicates=A.UserReplicates(reps, scale=0.020754064337599448))
    report = A.estimate(spec)
    # R: svrepdesign(repweights = rep1..rep50, combined.weights = TRUE, scale = m/((m-1)(R-1))
    # = 0.020754064337599448): the apistrat_bootrep_mean_api00 case of reference.json
    assert report.se == pytest.approx(8.366589228114478, rel=1e-9)
    assert report.method.replicates == 50 and report.method.variance == "other"


def test_replicate_weight_columns_are_checked() -> None:
    data = {"w": np.ones(4), "y": np.arange(4.0), "r1": [1.0, 1.0, 1e12, 1.0]}
    spec = A.EstimateSpec(data=data, outcome="y", weight="w", statistic="mean",
                          user_replicates=A.UserReplicates(("r1",), scale=1.0))
    with pytest.raises(A.WeightRangeError, match="replicate weight column 1 gives row 3"):
        A.estimate(spec)


def test_a_pyarrow_text_column_with_nulls_is_read_as_missing() -> None:
    table = pa.table({"w": ["1", "2", None, "1"], "y": [1.0, 0.0, 1.0, 0.0]})
    with pytest.raises(A.SurveyError, match="column 'w' is missing or not finite in row 3"):
        A.estimate(A.EstimateSpec(data=table, outcome="y", weight="w"))
    table = pa.table({"w": ["1", "2", "2", "1"], "y": ["1", None, "NA", "0"]})
    report = A.estimate(A.EstimateSpec(data=table, outcome="y", weight="w"))
    assert (report.n, report.estimate) == (2, 0.5)


def test_the_spec_is_immutable_and_copies_with_changes() -> None:
    spec = _spec()
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.level = 0.9  # type: ignore[misc]
    assert dataclasses.replace(spec, ci="beta").ci is A.CIMethod.BETA
