"""svydesign: validation, nesting, degrees of freedom, immutability."""

from __future__ import annotations

import numpy as np
import pytest

import analysis as A
from analysis.design import Factor


def test_psu_ids_are_nested_within_strata() -> None:
    d = A.svydesign([1, 1, 1, 1], strata=["a", "a", "b", "b"], psu=[1, 2, 1, 2])
    assert d.n_psus == 4
    assert list(d.n_psu) == [2, 2]
    assert A.degrees_of_freedom(d) == 2


def test_without_psu_every_row_is_its_own_psu() -> None:
    d = A.svydesign([2.0, 3.0, 4.0], strata=["a", "a", "b"])
    assert d.n_psus == 3
    assert A.degrees_of_freedom(d) == 1


def test_zero_weight_rows_count_in_no_df() -> None:
    d = A.svydesign([1.0, 1.0, 0.0, 1.0], psu=[1, 2, 3, 4])
    assert A.degrees_of_freedom(d) == 2


def test_design_is_immutable() -> None:
    d = A.svydesign([1.0, 2.0], psu=[1, 2])
    with pytest.raises(ValueError):
        d.weights[0] = 5.0
    with pytest.raises(AttributeError):
        d.lonely_psu = "adjust"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": [1.0, -2.0, 1.0]}, r"weights.*negative in row 2"),
        ({"weights": [1.0, np.nan, 1.0]}, r"weights.*missing or not finite in row 2"),
        ({"weights": [0.0, 0.0, 0.0]}, r"no positive weight"),
        ({"weights": [1, 1, 1], "strata": ["a", None, "b"]}, r"strata.*missing in row 2"),
        ({"weights": [1, 1, 1], "psu": [1.0, 2.0, np.nan]}, r"psu.*missing in row 3"),
        (
            {"weights": [1, 1, 1], "strata": ["a", "a", "b"], "fpc": [10, 12, 5]},
            r"fpc.*varies within stratum 'a'.*row 2",
        ),
        (
            {"weights": [1, 1, 1], "strata": ["a", "b", "a"], "fpc": [10, 0.5, 10]},
            r"mixes population sizes",
        ),
        ({"weights": [1, 1, 1], "fpc": [2, 2, 2]}, r"more than 100% sampling"),
        ({"weights": [1, 1, 1], "fpc": [10, np.nan, 10]}, r"fpc.*row 2"),
    ],
)
def test_bad_design_input_is_named(kwargs: dict, message: str) -> None:
    w = kwargs.pop("weights")
    with pytest.raises(A.SurveyError, match=message):
        A.svydesign(w, **kwargs)


def test_error_names_the_column_when_given() -> None:
    with pytest.raises(A.SurveyError, match=r"column 'pw' is negative in row 1"):
        A.svydesign([-1.0, 1.0], names={"weights": "pw"})


def test_fpc_as_fraction_and_as_population_agree() -> None:
    y = np.array([1.0, 3.0, 2.0, 7.0])
    a = A.mean(A.svydesign([5.0] * 4, fpc=[20] * 4), y)
    b = A.mean(A.svydesign([5.0] * 4, fpc=[0.2] * 4), y)
    assert a.se == pytest.approx(b.se, rel=1e-12)


def test_factor_levels_are_text_and_sorted() -> None:
    f = Factor.from_values([3, 1, 2, 1])
    assert f.levels == ("1", "2", "3")
    assert list(f.codes) == [2, 0, 1, 0]
    g = Factor.from_values(["b", "", "a", None])
    assert g.levels == ("a", "b")
    assert list(g.codes) == [1, -1, 0, -1]


def test_unknown_lonely_rule_is_refused() -> None:
    with pytest.raises(A.SurveyError, match="lonely"):
        A.svydesign([1.0], lonely_psu="certainty")
