"""Extreme uploads on the estimates page: a clear form error in the page's language, never a
500 — weights outside the sane range, absurd margins, too many groups, NaN and inf written as
text, empty files, and a seeded fuzz of all of them together."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest

from quizapp.extensions import LANGUAGE_COOKIE
from tests.estimates.support import post_form

HEADER = "stratum,psu,weight,meets,sex,village\n"


def _survey(weight: str = "1", rows: int = 12, villages: int = 3) -> bytes:
    lines = [
        f"S{i % 2},{i % 3},{weight if i == 2 else 1.5 + i % 4},{i % 2},{'FM'[i % 3 == 0]},"
        f"v{i % villages}"
        for i in range(rows)
    ]
    return (HEADER + "\n".join(lines) + "\n").encode()


def _errors(text: str) -> list[str]:
    """The field errors on the page, as text."""
    found = re.findall(r'<p class="error" role="alert">(.*?)</p>', text, re.S)
    return [" ".join(html.unescape(e).split()) for e in found]


def _refused(text: str) -> str | None:
    match = re.search(r'data-test="estimator-error".*?<code>(.*?)</code>', text, re.S)
    return html.unescape(match.group(1)) if match else None


def _no_result(page) -> None:  # noqa: ANN001
    assert page.status_code == 200
    assert "Traceback" not in page.text and 'data-test="share"' not in page.text


@pytest.mark.parametrize(("weight", "shown"), [("1e308", "1e+308"), ("1e-320", "9.99989e-321"),
                                               ("2e9", "2e+09")])
def test_a_weight_outside_the_range_is_a_form_error(statistician, weight: str, shown: str):
    page = post_form(statistician, files={"survey_file": (_survey(weight), "s.csv")})
    _no_result(page)
    assert _errors(page.text) == [
        f"Row 3 has a weight of {shown}, outside the range the estimator accepts (0, or 1e-06 "
        "to 1e+09). Check the weight column."]
    assert _refused(page.text) is None


def test_the_weight_error_is_in_chinese_on_the_chinese_page(statistician):
    statistician.set_cookie(LANGUAGE_COOKIE, "zh")
    page = post_form(statistician, files={"survey_file": (_survey("1e308"), "s.csv")})
    _no_result(page)
    assert _errors(page.text) == [
        "第 3 行的权重为 1e+308，超出估计程序接受的范围（0，或 1e-06 至 1e+09）。请检查权重列。"]


@pytest.mark.parametrize(("total", "message"), [
    ("1e308", "The population total of Sex: F is 1e+308; a total must be positive and at most "
              "1e+10."),
    # women (rows 1, 4, 7, 10) weigh 1.5 + 4.5 + 3.5 + 2.5 = 12, raked to 4e9: row 4's 4.5
    # becomes 4.5 * 4e9 / 12 = 1.5e9
    ("4e9", "Raking to these margins gives row 4 a weight of 1.5e+09, outside the range the "
            "estimator accepts (0, or 1e-06 to 1e+09): the population totals are out of "
            "proportion to the survey."),
])  # fmt: skip
def test_absurd_margins_are_a_form_error(statistician, total: str, message: str):
    margins = f"variable,level,population_total\nsex,F,{total}\nsex,M,{total}\n".encode()
    files = {"survey_file": (_survey(), "s.csv"), "margins_file": (margins, "m.csv")}
    page = post_form(statistician, margins="upload", files=files)
    _no_result(page)
    assert _errors(page.text) == [message]


def test_more_than_200_groups_is_a_form_error_and_200_are_shown(statistician):
    page = post_form(statistician, by_other="village",
                     files={"survey_file": (_survey(rows=600, villages=250), "s.csv")})
    _no_result(page)
    assert _errors(page.text) == [
        "The breakdown by village has 250 groups; this page shows at most 200 per breakdown "
        "(the command line has no limit)."]
    page = post_form(statistician, by_other="village",
                     files={"survey_file": (_survey(rows=600, villages=200), "s.csv")})
    assert page.status_code == 200 and 'data-test="by-village"' in page.text
    assert page.text.count('<td class="level">v') == 200


def test_too_many_groups_in_chinese(statistician):
    statistician.set_cookie(LANGUAGE_COOKIE, "zh")
    page = post_form(statistician, by_other="village",
                     files={"survey_file": (_survey(rows=600, villages=250), "s.csv")})
    _no_result(page)
    assert _errors(page.text) == [
        "按village分组共有 250 组；本页每种分组最多显示 200 组（命令行没有此限制）。"]


@pytest.mark.parametrize(("weight", "line"), [
    ("inf", "column 'weight' is missing or not finite in row 3"),
    ("-inf", "column 'weight' is missing or not finite in row 3"),
    ("NaN", "column 'weight' is missing or not finite in row 3"),
    ("nan", "column 'weight' is missing or not finite in row 3"),
    ("lots", "column 'weight' is not numeric in row 3 ('lots')"),
])  # fmt: skip
def test_nan_and_inf_text_get_the_estimators_line(statistician, weight: str, line: str):
    page = post_form(statistician, files={"survey_file": (_survey(weight), "s.csv")})
    _no_result(page)
    assert _refused(page.text) == line


@pytest.mark.parametrize(("content", "shown"), [
    (HEADER.encode(), ("refused", "'s.csv' has no data rows")),
    (b"\n\n", ("error", "The file is empty.")),
    (b"", ("error", "The file is empty.")),
])  # fmt: skip
def test_empty_files(statistician, content: bytes, shown: tuple[str, str]):
    page = post_form(statistician, files={"survey_file": (content, "s.csv")})
    _no_result(page)
    kind, text = shown
    assert (_refused(page.text) if kind == "refused" else " ".join(_errors(page.text))) == text


TOKENS = ["1e308", "-1e308", "1.7976931348623157e308", "1e-320", "5e-324", "0", "-0", "nan",
          "NaN", "inf", "-inf", "Infinity", "", "NA", "null", "1", "0.5", "2", "abc", "1e9",
          "1e-6", "999999999999999999999", '"1,5"', "中文", " ", "0x10", "1_000"]


def test_fuzzed_uploads_never_fail_the_page(statistician):
    rng = np.random.default_rng(20250611)
    outcomes = {"result": 0, "form error": 0, "refused": 0}
    for _ in range(40):
        rows = int(rng.integers(0, 40))
        villages = int(rng.choice([2, 50, 300]))
        table = [[f"S{i % 2}", str(i % 3), f"{rng.uniform(0.5, 3):.3f}",
                  str(int(rng.random() < 0.3)), "FM"[i % 2], f"v{rng.integers(0, villages)}"]
                 for i in range(rows)]
        for _ in range(int(rng.integers(0, 4)) if rows else 0):  # a few extreme cells
            table[rng.integers(0, rows)][rng.integers(0, 6)] = str(rng.choice(TOKENS))
        lines = [",".join(cells) for cells in table]
        files = {"survey_file": ((HEADER + "\n".join(lines) + "\n").encode(), "f.csv")}
        fields = {"by_other": "village" if rng.random() < 0.5 else ""}
        if rng.random() < 0.4:
            total = str(rng.choice(["1e308", "100", "1e-300", "4e9", "nan", "-5", "abc"]))
            files["margins_file"] = (
                f"variable,level,population_total\nsex,F,{total}\nsex,M,100\n".encode(), "m.csv")
            fields["margins"] = "upload"
        page = post_form(statistician, files=files, **fields)
        assert page.status_code == 200, page.status_code
        assert "Traceback" not in page.text
        if 'data-test="share"' in page.text:
            outcomes["result"] += 1
        elif _errors(page.text):
            outcomes["form error"] += 1
        else:
            assert _refused(page.text), "neither a result nor a reason"
            outcomes["refused"] += 1
    assert all(outcomes.values()), outcomes  # the fuzz reached every kind of answer
