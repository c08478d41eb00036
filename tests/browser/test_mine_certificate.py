"""A resident on a phone: finish the competition, find it under 我的 through the bottom bar,
open the certificate image, and check it as a stranger would through its link."""

import re

from playwright.sync_api import expect

from tests.browser.answering import submit_answer


def test_finish_then_mine_then_the_certificate_and_its_check(phone, browser, live_server):
    phone.goto("/")
    bar = phone.locator("nav.tabbar")
    expect(bar).to_be_visible()
    # The bar sits at the bottom of the phone's screen, with large targets.
    box = bar.bounding_box()
    assert abs(box["y"] + box["height"] - 740) <= 1 and box["width"] == 360
    assert all(phone.locator("nav.tabbar a").nth(k).bounding_box()["height"] >= 48
               for k in range(4))
    expect(phone.locator("[data-test=nav-home]")).to_have_attribute("aria-current", "page")

    phone.click("[data-test=join-competition]")
    phone.fill("input[name=name]", "王小花")
    phone.select_option("select[name=township_id]", label="薛店镇")
    phone.click("[data-test=register]")
    phone.click("[data-test=start]")
    while "/result" not in phone.url:
        expect(phone.locator(".question")).to_be_visible()
        phone.locator("label.option").nth(0).click()
        submit_answer(phone)

    phone.click("[data-test=nav-mine]")
    expect(phone.locator("h1")).to_have_text("我的")
    expect(phone.locator("[data-test=nav-mine]")).to_have_attribute("aria-current", "page")
    expect(phone.locator("[data-test=device-only]")).to_be_visible()
    expect(phone.locator("[data-test=attempt-link]")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.click("[data-test=certificate-link]")
    certificate = phone.locator("[data-test=certificate]")
    expect(certificate).to_contain_text("王小花")
    expect(certificate.locator("svg")).to_be_visible()  # its QR code
    code = certificate.get_attribute("data-code")
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    with phone.expect_download() as saving:
        phone.click("[data-test=save-certificate]")
    assert saving.value.suggested_filename == f"certificate-{code}.png"
    image = phone.request.get(phone.locator("[data-test=view-certificate]").get_attribute("href"))
    assert image.status == 200 and image.headers["content-type"] == "image/png"
    assert image.body()[:8] == b"\x89PNG\r\n\x1a\n" and len(image.body()) < 60_000
    verify_url = phone.locator("[data-test=verify-link]").get_attribute("href")
    assert verify_url.endswith(f"/c/{code}")

    stranger = browser.new_context(base_url=live_server.url, viewport={"width": 360,
                                                                       "height": 740})
    try:
        page = stranger.new_page()
        page.goto(verify_url)
        expect(page.locator("[data-test=verify-genuine]")).to_contain_text("真实有效")
        expect(page.locator("[data-test=masked-name]")).to_have_text("王*花")
        expect(page.locator("main")).not_to_contain_text("王小花")
        # The stranger cannot open the owner's certificate page.
        owner_page = phone.url
        assert page.goto(owner_page).status == 404
    finally:
        stranger.close()
