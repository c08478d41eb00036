"""axe-core on every page a resident sees, in Chinese and English, in normal and large type:
no serious or critical violation.

axe-core comes bundled with the ``axe-playwright-python`` package (its ``axe.min.js``), so the
check needs no network. The walk is a resident's: home, practice (start, question, feedback,
summary), the competitions list, a competition's page before registering, the registration
refused with its errors, registered, a question, the result, the page after the day's attempt,
the boards, signing in and, where the app has one, 我的.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.answering import submit_answer
from tests.browser.conftest import PHONE

pytest.importorskip("axe_playwright_python")
from axe_playwright_python.sync_playwright import Axe  # noqa: E402

BLOCKING = ("serious", "critical")
MODES = {
    "zh": {"kx_lang": "zh_CN"},
    "en": {"kx_lang": "en"},
    "zh-large": {"kx_lang": "zh_CN", "kx_large": "1"},
    "en-large": {"kx_lang": "en", "kx_large": "1"},
}


class Checker:
    """Runs axe on each page visited and keeps the serious and critical violations."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.axe = Axe()
        self.found: list[str] = []
        self.pages: list[str] = []
        self.minor: list[str] = []  # moderate and minor: reported, not failed

    def check(self, name: str) -> None:
        self.page.wait_for_load_state()
        results = self.axe.run(self.page)
        self.pages.append(name)
        if self.page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
            self.found.append(f"{name} ({self.page.url}): wider than the screen")
        self.minor.extend(f"{name}: {v['id']} [{v['impact']}]"
                          for v in results.response["violations"]
                          if v["impact"] not in BLOCKING)
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = "; ".join(", ".join(n["target"]) for n in violation["nodes"][:4])
                self.found.append(f"{name} ({self.page.url}): {violation['id']} "
                                  f"[{violation['impact']}] {violation['help']} — {targets}")


def _answer_until(page: Page, stop: str, limit: int) -> int:
    """Tap the first option(s) and submit until the URL contains ``stop``."""
    answered = 0
    while stop not in page.url:
        expect(page.locator(".question")).to_be_visible()
        options = page.locator("label.option")
        options.nth(0).click()
        if page.locator("input[type=checkbox]").count():
            options.nth(1).click()
        submit_answer(page)
        if "/feedback/" in page.url and stop not in page.url:
            page.click("[data-test=next]")
        answered += 1
        assert answered <= limit
    return answered


@pytest.mark.parametrize("mode", list(MODES))
def test_every_resident_page_passes_axe(browser, live_server, mode):
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": name, "value": value, "url": live_server.url}
                         for name, value in MODES[mode].items()])
    page = context.new_page()
    checker = Checker(page)
    try:
        page.goto("/")
        checker.check("home")
        mine = page.get_by_role("link", name=re.compile(r"^\s*(我的|Mine|Me)\s*$"))
        if mine.count():
            mine.first.click()
            checker.check("mine")

        page.goto("/practice/")
        checker.check("practice start")
        page.locator(".groups button").first.click()
        checker.check("practice question")
        page.locator("label.option").nth(0).click()
        page.click("[data-test=submit-answer]")
        checker.check("practice feedback")
        page.click("[data-test=next]")
        _answer_until(page, "/summary", 10)
        checker.check("practice summary")

        page.goto("/competitions/")
        checker.check("competitions")
        page.locator("h2 a").first.click()
        checker.check("competition, not registered")
        page.click("[data-test=register]")  # nothing filled in: refused with its errors
        checker.check("registration refused")
        page.fill("input[name=name]", "无障碍测试")
        page.select_option("select[name=township_id]", index=3)
        page.click("[data-test=register]")
        checker.check("competition, registered")
        page.click("[data-test=start]")
        checker.check("competition question")
        _answer_until(page, "/result", 20)
        checker.check("result")
        page.get_by_role("link", name=re.compile("返回竞赛|Back to the competition")).click()
        checker.check("competition, attempt used")
        page.click("[data-test=board-link]")
        checker.check("board, people")
        page.click("[data-test=view-township]")
        checker.check("board, townships")

        page.goto("/login")
        checker.check("sign in")
    finally:
        context.close()
    print("\n".join(checker.minor))
    assert not checker.found, f"{len(checker.found)} serious/critical violations:\n" + \
        "\n".join(checker.found)
    assert len(checker.pages) >= 15
