"""The question bank health page: admins only, and its figures are the bank's (pinned by hand
on the small bank below, never read from the code under test).

The bank (``_bank``):

====  ==========  =========  ==================  =========  ===========  ==========
name  topic       dimension  groups              status     survey       review by
====  ==========  =========  ==================  =========  ===========  ==========
A     health      K          youth, elder        active     no           2020-01-01
B     health      K          youth               active     yes          —
C     health      K          farmer              draft      no           —
D     method      M          all five            active     no           2099-01-01
E     health      K          youth               retired    no           2020-01-01
====  ==========  =========  ==================  =========  ===========  ==========

Four finished practice attempts answer A, D and B (1 right, 0 wrong) and C (always right):

=======  ==  ==  ==  ==
attempt  A   D   B   C
=======  ==  ==  ==  ==
1        1   1   1   1
2        1   0   1   1
3        0   0   0   1
4        1   1   0   1
=======  ==  ==  ==  ==

A: p = 3/4, rest (D+B+C) = 3, 2, 1, 2: r = 1/√1.5 = 0.8165.  D: p = 1/2, rest = 3, 3, 1, 2:
r = 0.5/√2.75 = 0.3015.  B: p = 1/2, rest = 3, 2, 1, 3: r = 0.3015.  C: everyone right, r
undefined (left out of the chart, counted).  All have fewer than 20 answers (hollow).
F's first version, answered in two more attempts, is no longer current: not drawn, not
counted.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, date, datetime

import pytest

from question_bank.schema import GROUPS
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, QuestionVersion
from quizapp.questions import health
from quizapp.shared.charts import to_plotly
from tests.competitions.conftest import add_question

URL = "/admin/questions/health"
HEALTH, METHOD = 2, 1  # rows of the heat maps (topics in the bank's order)


@pytest.fixture
def small_bank(app):
    a = add_question("single", "health", groups=["youth", "elder"], stem="甲题")
    b = add_question("single", "health", groups=["youth"], survey=True, stem="乙题")
    c = add_question("single", "health", groups=["farmer"], status="draft", stem="丙题")
    d = add_question("single", "method", groups=GROUPS, stem="丁题")
    e = add_question("single", "health", groups=["youth"], status="retired", stem="戊题")
    d.dimension = "M"
    a.question.review_by = date(2020, 1, 1)
    d.question.review_by = date(2099, 1, 1)
    e.question.review_by = date(2020, 1, 1)
    started = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    for a_right, d_right, b_right in ((1, 1, 1), (1, 0, 1), (0, 0, 0), (1, 1, 0)):
        attempt = Attempt(token=secrets.token_hex(8), kind="practice", status="finished",
                          started_at=started, finished_at=started, question_count=4)
        for position, (version, right) in enumerate(((a, a_right), (d, d_right),
                                                     (b, b_right), (c, 1))):
            attempt.items.append(AttemptItem(
                position=position, question_version_id=version.id,
                option_order=[0, 1, 2, 3], shown_at=started,
                choices=[1] if right else [0], correct=bool(right)))
        db.session.add(attempt)
    # F: answered twice in its first version, since edited (the draft version 2 is current):
    # the old wording is not the bank's any more, so it is not drawn.
    f = add_question("single", "environment", groups=["cadre"], status="retired", stem="己题")
    newer = QuestionVersion(version=2, status="draft", type="single", topic="environment",
                            stem="己题（新）", options=f.options, answer=f.answer,
                            explanation="解析", authority="教材", groups_mask=f.groups_mask,
                            dimension="K", difficulty=1, content_hash="f2" * 32)
    f.question.versions.append(newer)
    db.session.flush()
    f.question.current_version_id = newer.id
    for right in (1, 0):
        attempt = Attempt(token=secrets.token_hex(8), kind="practice", status="finished",
                          started_at=started, finished_at=started, question_count=1)
        attempt.items.append(AttemptItem(position=0, question_version_id=f.id,
                                         option_order=[0, 1, 2, 3], shown_at=started,
                                         choices=[1] if right else [0], correct=bool(right)))
        db.session.add(attempt)
    db.session.commit()
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f}


@pytest.mark.parametrize("role", ["teacher", "statistician", "interviewer", "resident"])
def test_only_admins(client, auth, make_user, role):
    make_user("someone", role)
    auth.login("someone")
    assert client.get(URL).status_code == 403


def test_admins_see_it_and_the_question_page_links_to_it(admin, small_bank):
    page = admin.get(URL)
    assert page.status_code == 200
    assert 'data-test="reviews-due"' in page.text and "plotly" in page.text
    assert 'href="/admin/questions/health"' in admin.get("/admin/questions/").text


def test_coverage_cells(app, small_bank):
    found = health.coverage()
    # Active: A, B, D (B is survey-reserved); C (draft) and E (retired) are not counted.
    assert (found.total, found.survey_reserved) == (3, 1)
    assert found.cells == {("health", "K", "youth"): 2, ("health", "K", "elder"): 1,
                           **{("method", "M", g): 1 for g in GROUPS}}
    assert found.empty_cells == 9 * 4 * 5 - 7


def _z(html: str, dimension: str) -> list[list[int]]:
    found = re.search(rf'data-for="bank-coverage-{dimension}">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))["data"][0]["z"]


def test_heat_map_figures(admin, small_bank):
    html = admin.get(URL).text
    z = {d: _z(html, d) for d in "KMSA"}
    assert all(len(grid) == 9 and all(len(row) == 5 for row in grid) for grid in z.values())
    # columns: youth, farmer, worker, elder, cadre
    assert z["K"][HEALTH] == [2, 0, 0, 1, 0]
    assert z["M"][METHOD] == [1, 1, 1, 1, 1]
    # 2 + 1 + 5: a question counts in each of its groups; nothing else anywhere
    assert {d: sum(map(sum, grid)) for d, grid in z.items()} == {"K": 3, "M": 5, "S": 0, "A": 0}


def test_difficulty_against_discrimination(app, small_bank):
    chart, plotted, undefined = health.items_chart()
    assert (plotted, undefined) == (3, 1)
    figure = to_plotly(chart)
    (trace,) = figure["data"]  # every item hollow: fewer than 20 answers
    drawn = dict(zip(trace["text"], zip(trace["x"], trace["y"], strict=True), strict=True))
    code = {name: v.question.code for name, v in small_bank.items()}
    assert drawn == {code["A"]: (75.0, 0.8165), code["D"]: (50.0, 0.3015),
                     code["B"]: (50.0, 0.3015)}
    assert trace["marker"]["color"] == "#ffffff"
    # the difficulty bands of quizapp.questions.difficulty: medium from 55%, easy from 80%
    assert [shape["x0"] for shape in figure["layout"]["shapes"]] == [55.0, 80.0]


def test_reviews_due(admin, small_bank):
    page = health.bank_health(date(2026, 1, 5))
    # A is due; D not yet; E is retired.
    assert [q.code for q, _v in page.due.rows] == [small_bank["A"].question.code]
    html = admin.get(URL).text
    assert small_bank["A"].question.code in html[html.index('data-test="reviews-due"'):]

