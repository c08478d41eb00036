"""The teacher's reports on a phone: a live game's, a homework contest's and a class's over
time fit 360 px (no sideways scrolling of the page) in Chinese, in English and in large type;
a student's answers open without JavaScript (``<details>``); the Excel download is offered."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 360.5
               && ![...e.children].some(c => c.getBoundingClientRect().right > 360.5))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(
      e.getBoundingClientRect().right) + ': ' + (e.textContent || '').trim().slice(0, 60))"""


def _fits(phone, what: str) -> None:
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{what} ({phone.url}) is {width} px wide: {phone.evaluate(WIDEST)}"


@pytest.fixture(scope="module")
def report_urls(live_server) -> list[tuple[str, str]]:
    """The hand-computed report data (tests/schools/reports_fixtures.py) in the live
    database, its school given to the demo teacher."""
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import User
    from tests.schools.reports_fixtures import build_report_data

    with live_server.app.app_context():
        data = build_report_data()
        teacher = db.session.scalar(select(User).where(User.username == "teacher"))
        teacher.schools.append(data.school)
        # A long nickname without spaces must wrap, not widen the page.
        data.game.players[1].nickname = "非常非常长的昵称ABCDEFGHIJKLMN"
        db.session.commit()
        urls = [("game", f"/schools/reports/games/{data.game.id}"),
                ("homework", f"/schools/reports/homework/{data.homework.id}"),
                ("class", f"/schools/reports/classes/{data.class1.id}"),
                ("index", "/schools/reports/")]
        db.session.remove()
    return urls


def test_the_teacher_reads_the_reports_on_a_phone(phone, live_server, report_urls):
    phone.goto("/login")
    phone.fill("input[name=username]", "teacher")
    phone.fill("input[name=password]", live_server.passwords["teacher"])
    phone.locator("form button.primary").last.click()

    game_url = report_urls[0][1]
    phone.goto(game_url)
    expect(phone.locator("h1")).to_have_text("光合作用小测")
    expect(phone.locator("[data-test=question-row] [data-test=share-correct]")).to_have_text(
        ["25.0%", "75.0%", "33.3%"])
    expect(phone.locator("[data-test=wrong-choice]")).to_have_text(["丙", "错误", "甲"])
    expect(phone.locator("[data-test=student-name]")).to_have_text(
        ["小明", "小丽", "非常非常长的昵称ABCDEFGHIJKLMN", "小刚"])
    # A student's answers: closed at first, opened by a tap (no script needed).
    first = phone.locator("[data-test=student-row]").first
    expect(first.locator("ol.answers")).to_be_hidden()
    first.locator("summary").click()
    expect(first.locator("ol.answers li")).to_have_count(3)
    expect(first.locator("ol.answers li").nth(2)).to_contain_text("甲；丙")
    _fits(phone, "game report with a student opened")
    with phone.expect_download() as download:
        phone.click("[data-test=xlsx]")
    assert download.value.suggested_filename.endswith(".xlsx")

    for what, url in report_urls:
        phone.goto(url)
        _fits(phone, what)
    phone.click("[data-test=large-type]")
    expect(phone.locator("body")).to_have_class(re.compile(r"\blarge-type\b"))
    for what, url in report_urls:
        phone.goto(url)
        for summary in phone.locator("details.student summary").all():
            summary.click()
        _fits(phone, f"{what} in large type")
    phone.click("[data-test=lang-switch]")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    for what, url in report_urls:
        phone.goto(url)
        _fits(phone, f"{what} in English, large type")
    phone.goto(game_url)
    expect(phone.locator("#reteach h2")).to_have_text("What to re-teach")
