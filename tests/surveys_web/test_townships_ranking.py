"""The townships ranking: who may see it, the estimates are the stored run's township domains
(flagged where the run flags them, ranked after the supported ones), and participation per
10,000 residents worked out by hand.

The stored run is edited before publishing: 龙湖街道 n=40, 25% (SE 2%: supported), 新村镇
n=25, 30% (fewer than 30 respondents: flagged).  Participation: 龙湖街道 (population 20,000)
12 people, 新村镇 (5,000) 9 people, 新建路街道 (population unknown) 10 people, one attempt
each; so 6.0 and 18.0 per 10,000, and none.
"""

from __future__ import annotations

import pytest

from tests import participation_support as data
from tests.surveys_web.dashboard_support import figures, points, publish_wave
from tests.surveys_web.weighting_support import build_weighting_wave

URL = "/statistics/surveys/townships"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


def _townships(result: dict) -> None:
    rows = {r["level"]: r for r in result["reports"]["meets"]["by"]["township"]}
    rows["longhu"].update(n=40, estimate=0.25, se=0.02, ci_low=0.21, ci_high=0.29)
    rows["xincun"].update(n=25, estimate=0.30, se=0.05, ci_low=0.20, ci_high=0.40)


@pytest.fixture
def ranking(pool, townships, make_wave):
    run = publish_wave(build_weighting_wave(make_wave, plant_secrets=False), _townships)
    longhu = data.township("longhu", "龙湖街道", 20000)
    xincun = data.township("xincun", "新村镇", 5000)
    xinjianlu = data.township("xinjianlu", "新建路街道", None)
    competition, rounds = data.competition()
    versions = data.questions()
    for town, count in ((longhu, 12), (xincun, 9), (xinjianlu, 10)):
        for k in range(count):
            data.attempt(data.participant(competition, data.name(k), town), rounds[0],
                         versions, 2, data.ROUND_1_FINISH)
    return run


@pytest.mark.parametrize("role, status", [
    (None, 302), ("resident", 403), ("teacher", 403), ("interviewer", 403),
    ("statistician", 200), ("admin", 200)])
def test_who_may_see_it(ranking, client, auth, make_user, role, status):
    if role is not None:
        make_user("someone", role)
        auth.login("someone")
    assert client.get(URL).status_code == status


def test_figures_are_the_stored_run_and_the_attempts(ranking, client, auth, make_user):
    make_user("stats", "statistician")
    auth.login("stats")
    page = client.get(URL)
    assert page.status_code == 200
    charts = figures(page.text)
    estimate, rate = charts["townships-estimate"], charts["townships-participation"]
    # One township axis, in the same order on both charts: supported first, flagged next.
    order = estimate["layout"]["yaxis"]["categoryarray"][::-1]
    assert order == rate["layout"]["yaxis"]["categoryarray"][::-1]
    assert order[:2] == ["龙湖街道", "新村镇"]
    drawn = points(estimate)
    assert drawn["龙湖街道"] == 25.0 and drawn["新村镇"] == 30.0
    assert drawn["新建路街道"] is None
    hollow = [t for t in estimate["data"] if t["marker"]["color"] == "#ffffff"]
    assert [t["y"] for t in hollow] == [["新村镇"]], "only the small domain is flagged"
    supported = [t for t in estimate["data"] if "龙湖街道" in t["y"]][0]
    at = supported["y"].index("龙湖街道")
    assert supported["error_x"]["array"][at] == 4.0
    assert supported["error_x"]["arrayminus"][at] == 4.0
    assert points(rate)["龙湖街道"] == 6.0
    assert points(rate)["新村镇"] == 18.0
    assert points(rate)["新建路街道"] is None
    assert "人口数未知" in page.text
    goal = [s for s in estimate["layout"]["shapes"] if s["line"]["dash"] == "dash"]
    assert [(s["x0"], s["x1"]) for s in goal] == [(17.8, 17.8)]


def test_ranks_by_participation_in_the_table(ranking, client, auth, make_user):
    from quizapp.surveys import townships

    make_user("stats", "statistician")
    auth.login("stats")
    client.get(URL)
    with client.application.test_request_context():
        page = townships.townships_page()
    ranks = {r.name: (r.participants, r.per_10000, r.participation_rank) for r in page.rows}
    assert ranks["新村镇"] == (9, 18.0, 1)
    assert ranks["龙湖街道"] == (12, 6.0, 2)
    assert ranks["新建路街道"] == (10, None, None)


def test_without_a_published_run_participation_is_shown(townships, client, auth, make_user):
    make_user("stats", "statistician")
    auth.login("stats")
    page = client.get(URL)
    assert page.status_code == 200 and 'data-test="no-published-run"' in page.text
