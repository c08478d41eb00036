"""Rough edges of the residents' flows, in a real browser on a phone: a double tap ticks a box
once, the countdown bar turns urgent and says 时间到 before going on (with and without
JavaScript), the start button keeps its distance from the card below it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

RED = "rgb(198, 40, 40)"  # --bad
GREEN = "rgb(26, 127, 55)"  # --ok


@pytest.fixture(scope="module")
def contests(live_server):
    """Three small competitions of two questions each beside the demo one: timed at 12 s and
    at 5 s a question, and one of multiple-choice questions without a clock. Listed after the
    demo (they opened earlier), and unpublished again afterwards."""
    from quizapp.competitions.pool import draw_pool
    from quizapp.engine import clock
    from quizapp.extensions import db
    from quizapp.models import Competition

    settings = {"flows-timed": (12, "single"), "flows-nojs": (5, "true_false"),
                "flows-multi": (None, "multiple")}
    with live_server.app.app_context():
        now = clock.now()
        for slug, (seconds, kind) in settings.items():
            contest = Competition(
                slug=slug, title=f"测试 {slug}", starts_at=now - timedelta(days=30),
                ends_at=now + timedelta(days=400),
                registration={"name": "required", "township": "off", "organisation": "off",
                              "phone": "off"},
                question_count=2, quotas={"type": {kind: 2}}, seconds_per_question=seconds,
                attempts_per_day=None, counting="best", points_per_correct=5.0,
                reveal="after_attempt", pool_size=6, published=True)
            db.session.add(contest)
            draw_pool(contest, 20251)
        db.session.commit()
    yield list(settings)
    with live_server.app.app_context():
        for contest in db.session.scalars(db.select(Competition).where(
                Competition.slug.in_(list(settings)))):
            contest.published = False
        db.session.commit()


def _register_and_start(page, slug):
    page.goto(f"/competitions/{slug}")
    page.fill("input[name=name]", "测试居民")
    page.click("[data-test=register]")
    page.click("[data-test=start]")
    expect(page.locator(".question")).to_be_visible()


def test_a_double_tap_ticks_once_and_a_later_tap_unticks(phone, contests):
    _register_and_start(phone, "flows-multi")
    option = phone.locator("label.option").nth(0)
    box = option.locator("input[type=checkbox]")
    option.dblclick()
    expect(box).to_be_checked()
    phone.wait_for_timeout(700)
    option.click()
    expect(box).not_to_be_checked()
    # Two taps of a finger, as quickly as a double tap.
    second = phone.locator("label.option").nth(1)
    second.tap()
    second.tap()
    expect(second.locator("input")).to_be_checked()
    phone.wait_for_timeout(700)
    second.tap()
    expect(second.locator("input")).not_to_be_checked()


def test_the_countdown_bar_turns_urgent_and_time_up_is_a_clear_step(phone, contests):
    _register_and_start(phone, "flows-timed")
    phone.evaluate("""() => {
        window.announced = [];
        const live = document.querySelector('[data-announce]');
        new MutationObserver(() => window.announced.push(live.textContent))
            .observe(live, {childList: true, characterData: true, subtree: true});
    }""")
    timer = phone.locator("[data-test=timer]")
    bar = timer.locator(".timer-bar > span")
    expect(timer).not_to_have_class("timer urgent")
    assert bar.evaluate("e => getComputedStyle(e).backgroundColor") == GREEN
    start_width = bar.evaluate("e => e.getBoundingClientRect().width")
    expect(timer).to_have_class("timer urgent", timeout=5_000)
    assert bar.evaluate("e => getComputedStyle(e).backgroundColor") == RED
    assert bar.evaluate("e => e.getBoundingClientRect().width") < start_width
    expect(timer.locator(".timer-text")).to_contain_text("秒")

    step = phone.locator("[data-test=time-up]")
    expect(step).to_be_visible(timeout=15_000)
    expect(step).to_contain_text("时间到")
    expect(step).to_contain_text("第 1 题未在限时内作答，不得分。")
    expect(step).to_contain_text("接下来：第 2 题（共 2 题）。")
    assert phone.locator("label.option input").first.is_disabled()
    assert phone.locator("[data-test=submit-answer]").is_disabled()
    from tests.browser.test_accessibility import Checker

    checker = Checker(phone)
    checker.check("time up")
    assert not checker.found, checker.found
    announced = phone.evaluate("window.announced")
    assert announced and len(announced) <= 2, f"read out at a few moments only: {announced}"
    assert any("10" in text for text in announced), announced
    # It goes on by itself to the next question.
    expect(phone.locator("input[name=position]")).to_have_value("1", timeout=10_000)
    expect(phone.locator("[data-test=time-up]")).to_be_hidden()


def test_without_javascript_time_up_is_a_page_and_then_the_next_question(browser, live_server,
                                                                         contests):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        _register_and_start(page, "flows-nojs")
        expect(page.locator("input[name=position]")).to_have_value("0")
        expect(page.locator("[data-test=time-up]")).to_be_hidden()
        # The page reloads itself after the time and the server's grace: 时间到, then on.
        expect(page.locator("[data-test=time-up]")).to_be_visible(timeout=15_000)
        expect(page.locator("[data-test=time-up]")).to_contain_text("第 1 题未在限时内作答")
        expect(page.locator("input[name=position]")).to_have_value("1", timeout=15_000)
    finally:
        context.close()


def test_the_start_button_does_not_touch_the_card_below(phone, contests):
    phone.goto("/competitions/flows-multi")
    phone.fill("input[name=name]", "测试居民")
    phone.click("[data-test=register]")
    button = phone.locator("[data-test=start]").bounding_box()
    below = phone.locator("[data-test=start]").evaluate(
        "b => b.closest('form').nextElementSibling.getBoundingClientRect().top")
    assert below - (button["y"] + button["height"]) >= 12
