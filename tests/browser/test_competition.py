"""A resident on a phone: register for the demo competition, answer every question by tapping,
see the score, find themselves and their township on the boards."""

import re

from playwright.sync_api import expect

from tests.browser.answering import submit_answer


def test_complete_a_competition_attempt_on_a_phone(phone, live_server):
    phone.goto("/")
    phone.get_by_role("link", name="竞赛").first.click()
    # The demo's competition (other browser tests add competitions to the shared server).
    phone.locator("h2 a", has_text="网络竞赛").first.click()
    expect(phone.locator("h1")).to_contain_text("网络竞赛")

    phone.fill("input[name=name]", "测试居民")
    phone.select_option("select[name=township_id]", label="薛店镇")
    phone.click("[data-test=register]")
    expect(phone.locator(".flash")).to_contain_text("报名成功")
    phone.click("[data-test=start]")

    answered = 0
    while "/result" not in phone.url:
        expect(phone.locator(".question")).to_be_visible()
        html = phone.content()
        assert "解析" not in html, "no explanation before the answer"
        options = phone.locator("label.option")
        options.nth(0).click()
        if phone.locator("input[type=checkbox]").count():
            options.nth(1).click()
        submit_answer(phone)
        answered += 1
        assert answered <= 20, "more questions than the rules allow"
    assert answered == 20

    score = float(phone.locator("[data-test=score]").inner_text())
    assert 0 <= score <= 100 and score % 5 == 0
    expect(phone.locator("[data-test=rank]")).to_contain_text("第")
    # The demo shows right answers only after it closes (they would give its pool away).
    expect(phone.locator("main")).to_contain_text("正确答案将在竞赛结束后公布")
    assert phone.locator(".review-options").count() == 0

    phone.click("[data-test=board-link]")
    expect(phone.locator("[data-test=my-rank]")).to_be_visible()
    expect(phone.locator("tr.me")).to_contain_text("测**民")  # published masked
    phone.click("[data-test=view-township]")
    expect(phone.locator("table.board")).to_contain_text("薛店镇")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_practice_with_feedback_on_a_phone(phone, live_server):
    phone.goto("/practice/")
    phone.click("[data-test=group-elder]")
    for _ in range(10):
        expect(phone.locator(".question")).to_be_visible()
        phone.locator("label.option").nth(0).click()
        phone.click("[data-test=submit-answer]")
        expect(phone.locator("[data-test=verdict]")).to_have_text(re.compile("答对了|答错了"))
        expect(phone.locator(".explanation")).to_be_visible()
        phone.click("[data-test=next]")
    expect(phone.locator("[data-test=summary-score]")).to_contain_text("/ 10")
