"""The demo teacher on a phone, JavaScript off: builds a question set with the filters and the
up/down buttons, and every set page fits a 360 px screen in normal and large type."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_teacher_builds_a_set_on_a_phone_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **PHONE)
    context.set_default_timeout(10_000)
    phone = context.new_page()
    try:
        phone.goto("/login")
        phone.fill("input[name=username]", "teacher")
        phone.fill("input[name=password]", live_server.passwords["teacher"])
        phone.locator("form button.primary").last.click()
        phone.get_by_role("link", name="班级与题集").click()
        expect(phone.locator("h1")).to_have_text("学校")
        pages = [phone.url]

        phone.get_by_role("link", name="新建题集").first.click()
        phone.fill("input[name=title]", "手机上建的题集")
        phone.get_by_role("button", name="创建并选择题目").click()
        expect(phone.locator("h1")).to_have_text("编辑题集")

        phone.select_option("select[name=topic]", label="应急避险与防灾减灾")
        phone.get_by_role("button", name="筛选").click()
        expect(phone.locator("[data-test=candidate-count]")).to_contain_text("道题符合条件")
        first = phone.locator("[data-test=candidates] li.card").nth(0)
        second = phone.locator("[data-test=candidates] li.card").nth(1)
        stems = [first.locator(".stem").inner_text(), second.locator(".stem").inner_text()]
        first.get_by_role("button", name="加入题集").click()
        phone.locator("[data-test=candidates] li.card").nth(1).get_by_role(
            "button", name="加入题集").click()
        items = phone.locator("[data-test=set-items] > ol > li")
        expect(items).to_have_count(2)
        assert [items.nth(i).locator(".set-item-text").inner_text().splitlines()[0].strip()
                for i in range(2)] == stems
        assert "topic=emergency" in phone.url  # the filter survives each button
        items.nth(1).get_by_role("button", name="上移").click()
        assert [items.nth(i).locator(".set-item-text").inner_text().splitlines()[0].strip()
                for i in range(2)] == stems[::-1]
        pages.append(phone.url)

        phone.get_by_role("link", name="返回题集").click()
        expect(phone.locator("[data-test=set-title]")).to_have_text("手机上建的题集")
        expect(phone.locator("[data-test=set-questions] > li")).to_have_count(2)
        pages.append(phone.url)
        phone.goto("/schools/sets")
        pages.append(phone.url)

        for large in (False, True):
            if large:
                phone.click("[data-test=large-type]")
                expect(phone.locator("body")).to_have_class(re.compile(r"\blarge-type\b"))
            for url in pages:
                phone.goto(url)
                assert _width(phone) <= 360, f"{url} is {_width(phone)} px wide (large={large})"
    finally:
        context.close()
