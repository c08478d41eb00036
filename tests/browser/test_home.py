"""The home page on a phone: Chinese by default, switch language, large type, sign in."""

import re

from playwright.sync_api import expect


def test_home_language_and_large_type_on_a_phone(phone, live_server):
    phone.goto("/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(phone.locator("h1")).to_contain_text("科学")
    # Nothing wider than the phone screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.click("[data-test=lang-switch]")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("h1")).to_contain_text("Science literacy for everyone")

    phone.click("[data-test=large-type]")
    expect(phone.locator("body")).to_have_class(re.compile(r"\blarge-type\b"))
    # Waits for the stylesheet of the new page (read too early, the size is the default 16).
    phone.wait_for_function("parseFloat(getComputedStyle(document.body).fontSize) >= 20",
                            timeout=10_000)

    # Both choices are remembered on the next visit.
    phone.goto("/login")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("body")).to_have_class(re.compile(r"\blarge-type\b"))

    phone.click("[data-test=lang-switch]")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")


def test_admin_signs_in_on_a_phone(phone, live_server):
    phone.goto("/login")
    phone.fill("input[name=username]", "admin")
    phone.fill("input[name=password]", live_server.passwords["admin"])
    phone.click("button.primary")
    expect(phone.locator("[data-role=admin]")).to_be_visible()
    phone.goto("/admin/")
    expect(phone.locator("h1")).to_have_text("系统管理")
