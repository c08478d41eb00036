"""The home page: what is on now, today's practice, where the city stands (a server-drawn chart,
no chart script), each role's links, no sign-in pushed on residents; the admin index."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import make_app

PRACTICE, COMPETITIONS = "/practice/", "/competitions/"
ESTIMATE, ITEM_STATS = "/statistics/estimates/", "/admin/questions/items"
SURVEYS = "/statistics/surveys/"
FIELDWORK = "/fieldwork/"
SCHOOLS = "/schools/"
CITY, LITERACY = "/statistics/surveys/city", "/literacy/"  # the office's and the public's
SCHOOLS_DASHBOARD, BANK_HEALTH = "/schools/dashboard", "/admin/questions/health"
TOWNSHIPS = "/statistics/surveys/townships"
ADMIN_TOOLS = ["/admin/users", "/admin/townships", "/admin/organisations", "/admin/questions/",
               "/admin/questions/import", "/admin/competitions/", "/admin/plan/",
               "/admin/competitions/dashboard", CITY, TOWNSHIPS, ESTIMATE, SURVEYS,
               SCHOOLS_DASHBOARD, BANK_HEALTH]
# Role sections shown to each visitor, with their links in order; admins see every section.
# Residents have none: the page itself is theirs.
SECTIONS = {
    None: {},
    "resident": {},
    "teacher": {"teacher": [SCHOOLS, SCHOOLS_DASHBOARD]},
    "interviewer": {"interviewer": [FIELDWORK]},
    "statistician": {"statistician": [CITY, TOWNSHIPS, ESTIMATE, SURVEYS, ITEM_STATS]},
    "admin": {"teacher": [SCHOOLS, SCHOOLS_DASHBOARD], "interviewer": [FIELDWORK],
              "statistician": [CITY, TOWNSHIPS, ESTIMATE, SURVEYS, ITEM_STATS],
              "admin": ADMIN_TOOLS},
}
NOW = datetime(2025, 5, 1, 2, 0, tzinfo=UTC)  # 10:00 in Xinzheng


def _sections(html: str) -> dict[str, list[str]]:
    found = {}
    for role, body in re.findall(r'<section class="card[^"]*" data-role="(\w+)">(.*?)</section>',
                                 html, re.S):
        found[role] = re.findall(r'<a href="([^"]+)"', body)
    return found


def _part(html: str, test_id: str) -> str:
    """The element marked ``data-test=test_id`` (a section), as text."""
    match = re.search(rf'<section[^>]*data-test="{test_id}">(.*?)</section>', html, re.S)
    assert match, f"no {test_id} on the page"
    return match.group(1)


@pytest.mark.parametrize("role", SECTIONS)
def test_each_role_sees_its_sections_and_links(app, client, auth, role):
    from quizapp.demo import load_demo

    passwords = load_demo()
    if role is not None:
        assert auth.login(role, passwords[role]).status_code == 302
    html = client.get("/").text
    assert _sections(html) == SECTIONS[role]
    # An admin holds no school or township: no "ask an administrator" told to the admin.
    assert ("Ask an administrator" in html) is False and ("请联系管理员" in html) is False


def test_admin_index_lists_the_admin_tools(admin):
    body = admin.get("/admin/").text.split("</header>")[1].split("<footer")[0]
    assert re.findall(r'href="([^"]+)"', body) == ADMIN_TOOLS


def test_a_second_app_does_not_repeat_the_links(app, client, tmp_path, migrated_database):
    make_app(migrated_database, str(tmp_path / "second"))
    nav = re.search(r'<nav class="tabbar".*?</nav>', client.get("/").text, re.S).group(0)
    assert re.findall(r'href="([^"]+)"', nav) == ["/", PRACTICE, COMPETITIONS, "/me/"]


# --- what is on now -------------------------------------------------------------------------

@pytest.fixture
def frozen(monkeypatch):
    from quizapp.engine import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


def _competition(slug: str, starts: datetime, ends: datetime, **fields):
    from quizapp.extensions import db
    from quizapp.models import Competition

    contest = Competition(slug=slug, title=fields.pop("title", slug), starts_at=starts,
                          ends_at=ends, published=fields.pop("published", True), **fields)
    db.session.add(contest)
    db.session.commit()
    return contest


def test_home_puts_forward_the_open_competition_closing_soonest(client, frozen):
    _competition("later", NOW - timedelta(days=3), NOW + timedelta(days=20), title="晚结束的竞赛")
    _competition("sooner", NOW - timedelta(days=1), NOW + timedelta(days=2, hours=6),
                 title="先结束的竞赛")
    _competition("hidden", NOW - timedelta(days=1), NOW + timedelta(days=1), title="未发布",
                 published=False)
    _competition("homework", NOW - timedelta(days=1), NOW + timedelta(hours=1), title="作业",
                 kind="homework")
    _competition("over", NOW - timedelta(days=9), NOW - timedelta(days=1), title="已结束")
    now_on = _part(client.get("/").text, "now-competition")
    featured = re.search(r'<p class="featured">(.*?)</p>', now_on).group(1)
    assert featured == "先结束的竞赛"
    # Closes 2025-05-03 08:00 UTC = 16:00 in Xinzheng, in 2 days.
    closing = re.search(r'data-test="closing">(.*?)</p>', now_on, re.S).group(1)
    assert "2025-05-03 16:00" in closing and "2" in closing and "天" in closing
    # One big button to it; the other open one listed; nothing unpublished, homework or closed.
    assert re.findall(r'href="([^"]+)"[^>]*data-test="join-competition"', now_on) == [
        "/competitions/sooner"]
    assert "/competitions/later" in now_on
    for absent in ("未发布", "作业", "已结束"):
        assert absent not in now_on


def test_home_says_when_nothing_is_open_and_what_comes_next(client, frozen):
    _competition("next", NOW + timedelta(days=3), NOW + timedelta(days=30), title="下一场竞赛")
    now_on = _part(client.get("/").text, "now-competition")
    assert "现在没有进行中的竞赛" in now_on and "下一场竞赛" in now_on
    assert "2025-05-04 10:00" in now_on
    assert "join-competition" not in now_on


def test_todays_practice_offers_to_continue_an_unfinished_round(client, frozen):
    from tests.competitions.conftest import add_question

    for index in range(12):
        add_question(("true_false", "single", "multiple")[index % 3])
    today = _part(client.get("/").text, "today-practice")
    assert 'href="/practice/"' in today and "continue-practice" not in today
    page = client.get("/practice/")
    token_field = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    started = client.post("/practice/start", data={"csrf_token": token_field, "group": "elder"})
    question_url = started.headers["Location"]
    today = _part(client.get("/").text, "today-practice")
    assert f'href="{question_url}"' in today and "continue-practice" in today
    # Another device has no round to continue.
    other = client.application.test_client()
    assert "continue-practice" not in _part(other.get("/").text, "today-practice")


# --- where the city stands ------------------------------------------------------------------

def test_the_goal_chart_is_server_drawn_svg_with_a_text_alternative(client):
    html = client.get("/").text
    standing = _part(html, "city-chart")
    svg = re.search(r'<svg class="rate-chart"[^>]*>(.*?)</svg>', standing, re.S)
    assert svg, "an inline SVG chart"
    assert 'role="img"' in standing and 'aria-labelledby="rate-summary"' in standing
    # Six national bars with their published values, the goal line labelled 17.8%.
    assert re.findall(r'<rect class="national"', svg.group(1)).__len__() == 6
    labels = re.findall(r'text-anchor="middle">([\d.]+%)</text>', svg.group(1))
    assert labels == ["3.3%", "6.2%", "10.6%", "12.9%", "14.1%", "15.4%"]
    assert re.search(r'<line class="goal"', svg.group(1)) and "17.8%" in svg.group(1)
    # The sentence the chart is labelled by, and the figures as a table.
    summary = re.search(r'<p id="rate-summary">(.*?)</p>', standing, re.S).group(1)
    assert "3.27%" in summary and "15.37%" in summary and "17.8%" in summary
    table = re.search(r'<table class="list" data-test="rate-table">(.*?)</table>', standing,
                      re.S).group(1)
    for year, share in (("2010", "3.27%"), ("2020", "10.56%"), ("2024", "15.37%")):
        assert re.search(rf"<td>{year}</td><td>全国</td><td class=\"num\">{share}</td>", table)
    # No city bar without a published estimate.
    assert 'class="city"' not in svg.group(1)
    # The public literacy page is one tap away.
    assert f'href="{LITERACY}" data-test="literacy-link"' in standing


def test_no_chart_script_on_the_home_page(client):
    html = client.get("/").text
    assert "plotly" not in html.lower()
    scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"", html)
    assert all("plotly" not in src for src in scripts)


def test_the_city_estimate_is_drawn_and_its_caveats_said(app, client):
    from quizapp.shared.city_estimate import CityEstimate, register_provider

    register_provider(app, lambda: CityEstimate(
        year=2024, wave_name="2024 年度", share=0.189, ci_low=0.161, ci_high=0.221,
        simulated=True, placeholder_margins=True, interim=False))
    standing = _part(client.get("/").text, "city-chart")
    svg = re.search(r"<svg.*?</svg>", standing, re.S).group(0)
    assert len(re.findall(r'<rect class="city"', svg)) == 1
    assert '<line class="whisker"' in svg and "18.9%" in svg
    # The axis goes up to 25% to hold the interval (22.1%).
    assert ">25%</text>" in svg and ">30%</text>" not in svg
    assert "18.9%" in standing and "16.1%" in standing and "22.1%" in standing
    assert 'data-test="city-simulated"' in standing
    assert "占位人口数据" in standing and "中期估计" not in standing


def test_a_suppressed_city_estimate_is_said_not_drawn(app, client):
    from quizapp.shared.city_estimate import CityEstimate, register_provider

    register_provider(app, lambda: CityEstimate(
        year=2026, wave_name="2026", share=None, ci_low=None, ci_high=None, simulated=False,
        placeholder_margins=False, interim=True))
    standing = _part(client.get("/").text, "city-chart")
    assert '<rect class="city"' not in standing
    assert "样本太少" in standing and "中期估计" in standing


# --- signing in -----------------------------------------------------------------------------

def test_residents_are_not_pushed_to_sign_in(client):
    html = client.get("/").text
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    assert "/login" not in header, "no sign-in button in the header"
    footer = html.split("<footer", 1)[1]
    assert re.search(r'<a href="/login"[^>]*data-test="sign-in"', footer)


def test_signed_in_people_can_sign_out_from_the_header(client, auth, make_user):
    make_user("worker", "teacher")
    auth.login("worker")
    html = client.get("/").text
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    assert 'action="/logout"' in header
    assert 'data-test="sign-in"' not in html
