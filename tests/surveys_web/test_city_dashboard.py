"""The city literacy dashboard: who sees which version, its figures against the stored run,
the small-cell rule at its boundaries, the trend, and the levers against their formula."""

from __future__ import annotations

import math

import pytest

from tests.surveys_web.dashboard_support import figures, points, publish_wave
from tests.surveys_web.weighting_support import build_weighting_wave

INTERNAL, PUBLIC = "/statistics/surveys/city", "/literacy/"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


def _boundaries(result: dict) -> None:
    """Rows at the small-cell rule's edges (the stored result of a draft, before publishing):
    male n=29 (small), female n=30 with a CV of exactly 30% (shown), urban a CV just above
    30% (flagged)."""
    rows = {r["level"]: r for r in result["reports"]["meets"]["by"]["sex"]}
    rows["male"].update(n=29, estimate=0.2, se=0.01, ci_low=0.18, ci_high=0.22)
    rows["female"].update(n=30, estimate=0.25, se=0.075, ci_low=0.12, ci_high=0.43)
    urban = {r["level"]: r for r in result["reports"]["meets"]["by"]["urban_rural"]}["urban"]
    urban.update(n=40, estimate=0.25, se=0.07500001, ci_low=0.12, ci_high=0.43)


@pytest.fixture
def published(pool, townships, make_wave):
    return publish_wave(build_weighting_wave(make_wave, plant_secrets=False), _boundaries)


def _expected_flag(row: dict) -> bool:
    """The rule written out here (issue 11): fewer than 30 respondents, or a coefficient of
    variation se/|estimate| above 30%."""
    if row["n"] < 30:
        return True
    if row["estimate"] is None or row["se"] is None:
        return True
    if row["estimate"] == 0:
        return row["se"] > 0
    return row["se"] / abs(row["estimate"]) > 0.30


@pytest.mark.parametrize("role, internal, public", [
    (None, 302, 200), ("resident", 403, 200), ("teacher", 403, 200), ("interviewer", 403, 200),
    ("statistician", 200, 200), ("admin", 200, 200)])
def test_who_sees_which_version(published, client, auth, make_user, role, internal, public):
    if role is not None:
        make_user("someone", role)
        auth.login("someone")
    assert client.get(INTERNAL).status_code == internal
    page = client.get(PUBLIC)
    assert page.status_code == public and 'data-test="public-view"' in page.text
    assert "report.pdf" not in page.text, "the public page links no report"


def test_the_figures_are_the_stored_runs(published, client, auth, make_user):
    make_user("stats", "statistician")
    auth.login("stats")
    page = client.get(INTERNAL)
    assert page.status_code == 200
    charts = figures(page.text)
    stored = published.result["reports"]["meets"]
    headline = charts["city-headline"]
    city = headline["data"][0]
    assert city["x"] == [round(100 * stored["estimate"], 3)]
    assert city["error_x"]["array"] == [round(100 * (stored["ci_high"] - stored["estimate"]), 3)]
    assert city["error_x"]["arrayminus"] == [
        round(100 * (stored["estimate"] - stored["ci_low"]), 3)]
    goal = [s for s in headline["layout"]["shapes"] if s["line"]["dash"] == "dash"]
    assert [(s["x0"], s["x1"]) for s in goal] == [(17.8, 17.8)]
    drawn = sorted(points(headline).values())
    assert 15.37 in drawn and 12.0 in drawn and 14.6 in drawn  # national, Henan, Zhengzhou
    for key, rows in stored["by"].items():
        values = sorted(v for v in points(charts[f"city-{key}"]).values() if v is not None)
        assert values == sorted(round(100 * r["estimate"], 3) for r in rows
                                if r["estimate"] is not None), key
    assert 'data-test="internal-view"' in page.text
    assert f'/estimates/{published.id}/report.pdf' in page.text


@pytest.mark.parametrize("url, public", [(INTERNAL, False), (PUBLIC, True)])
def test_small_or_unstable_domains_are_flagged_inside_and_suppressed_outside(
        published, client, auth, make_user, url, public):
    make_user("stats", "statistician")
    auth.login("stats")
    charts = figures(client.get(url).text)
    stored = published.result["reports"]["meets"]["by"]
    flagged_somewhere = shown_somewhere = 0
    for key, rows in stored.items():
        figure = charts[f"city-{key}"]
        drawn = [v for v in points(figure).values()]
        flagged = [r for r in rows if _expected_flag(r)]
        kept = [r for r in rows if not _expected_flag(r)]
        flagged_somewhere += len(flagged)
        shown_somewhere += len(kept)
        expected = sorted(round(100 * r["estimate"], 3) for r in (kept if public else rows))
        assert sorted(v for v in drawn if v is not None) == expected, key
        assert drawn.count(None) == (len(flagged) if public else 0), key
        hollow = [t for t in figure["data"] if t["marker"]["color"] == "#ffffff"]
        assert sum(len(t["x"]) for t in hollow) == (0 if public else len(flagged)), key
    assert flagged_somewhere and shown_somewhere
    sex = sorted(points(charts["city-sex"]).values(), key=lambda v: (v is None, v))
    # male (n=29) flagged; female (n=30, CV exactly 30%) shown; urban (CV above 30%) flagged
    assert sex == ([25.0, None] if public else [20.0, 25.0])
    urban_rural = points(charts["city-urban_rural"]).values()
    assert (None in urban_rural) is public and (25.0 in urban_rural) is not public


def test_no_published_run_says_so(pool, townships, client):
    page = client.get(PUBLIC)
    assert page.status_code == 200 and 'data-test="no-published-run"' in page.text
    assert "plotly" not in page.text.lower(), "no chart bundle without charts"


def test_the_trend_has_every_published_wave(pool, townships, make_wave, client, auth, make_user):
    first = publish_wave(build_weighting_wave(make_wave, plant_secrets=False))
    second = publish_wave(build_weighting_wave(make_wave, name="2029 年度调查", year=2029,
                                               seed=777, shift=3, plant_secrets=False))
    make_user("stats", "statistician")
    auth.login("stats")
    page = client.get(INTERNAL).text
    trend = figures(page)["city-trend"]
    city = trend["data"][0]
    assert city["x"] == ["2027", "2029"]
    assert city["y"] == [round(100 * r.result["reports"]["meets"]["estimate"], 3)
                         for r in (first, second)]
    national = trend["data"][1]
    assert national["x"][-1] == "2024" and national["y"][-1] == 15.37
    assert f"/estimates/{second.id}/report.html" in page, "the latest wave's run"


def test_the_city_share_is_the_population_weighted_average_of_its_domains(published, app):
    """W_d from the run's final weights: sum_d W_d p_d is the stored city share, for every
    breakdown (any other weights would not add up)."""
    from quizapp.surveys import city

    stored = published.result["reports"]["meets"]
    shares = city.population_shares(city.run_pages.estimate_page(
        city.db.session.get(city.SurveyWave, published.wave_id), published).weighting_run)
    for key, rows in stored["by"].items():
        if key in ("sex", "urban_rural"):
            continue  # edited by the fixture
        total = math.fsum(shares[key][r["level"]] * r["estimate"] for r in rows)
        assert total == pytest.approx(stored["estimate"], abs=1e-12), key
        assert math.fsum(shares[key].values()) == pytest.approx(1.0, abs=1e-12)


def test_the_levers_follow_the_formula(published, client, auth, make_user, app):
    from quizapp.surveys import city

    make_user("stats", "statistician")
    auth.login("stats")
    page = city.city_page(public=False)
    stored = published.result["reports"]["meets"]
    by_level = {(key, r["level"]): r["estimate"] for key, rows in stored["by"].items()
                for r in rows}
    shares = city.population_shares(page.estimate.weighting_run)
    assert page.levers, "the fixture has domains below 17.8%"
    for row in page.levers:
        lv = row.lever
        p, w = by_level[(lv.breakdown, lv.level)], shares[lv.breakdown][lv.level]
        assert (lv.p, lv.w) == (p, w)
        assert lv.to_goal == pytest.approx(w * max(0.0, 0.178 - p), abs=1e-15)
        assert lv.per_step == pytest.approx(0.05 * w, abs=1e-15)
    gains = [row.lever.to_goal for row in page.levers]
    assert gains == sorted(gains, reverse=True)
    public = city.city_page(public=True)
    assert {(r.lever.breakdown, r.lever.level) for r in public.levers} == {
        (r.lever.breakdown, r.lever.level) for r in page.levers if r.flag is None}
    text = client.get(INTERNAL).text
    assert 'data-test="lever-sentence"' in text and 'data-test="lever-rule"' in text
