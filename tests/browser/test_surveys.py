"""A statistician on a phone: every page of the demo survey wave fits a 360 px screen."""

from playwright.sync_api import expect


def test_the_survey_pages_fit_a_phone(phone, live_server):
    phone.goto("/login")
    phone.fill("input[name=username]", "statistician")
    phone.fill("input[name=password]", live_server.passwords["statistician"])
    phone.locator("form button.primary, form button[type=submit]").last.click()
    phone.get_by_role("link", name="素质调查轮次").first.click()
    expect(phone.locator("h1")).to_contain_text("素质调查轮次")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_role("link", name="2026 年度公民科学素质调查（演示）").click()
    expect(phone.locator("[data-test=form-comparison]")).to_be_visible()
    expect(phone.locator("[data-test=made-up]")).to_be_visible()
    wave_url = phone.url
    pages = [wave_url, wave_url.rstrip("/") + "/summary", wave_url.rstrip("/") + "/design",
             wave_url.rstrip("/") + "/frame"]
    phone.locator("[data-test=sampled-psus] a").first.click()
    expect(phone.locator("[data-test=cases]")).to_be_visible()
    pages.append(phone.url)
    # A screened household: one whose adults are not recorded yet has no base weight.
    screened = phone.locator("[data-test=cases] tbody tr").filter(has_not_text="—")
    screened.first.locator("a").click()
    expect(phone.locator("[data-test=base-weight]")).to_be_visible()
    pages.append(phone.url)
    for url in pages:
        phone.goto(url)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{url} is {width} px wide"
