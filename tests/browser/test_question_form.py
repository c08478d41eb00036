"""The new-question form on a phone: with script, only the chosen type's fields show."""

from playwright.sync_api import expect


def test_the_form_shows_only_the_chosen_types_fields(phone, live_server):
    phone.goto("/login")
    phone.fill("input[name=username]", "admin")
    phone.fill("input[name=password]", live_server.passwords["admin"])
    phone.click("button.primary")
    phone.goto("/admin/questions/new")
    choice, true_false = (phone.locator("[data-test=choice-fields]"),
                          phone.locator("[data-test=true-false-fields]"))
    phone.select_option("select[name=type]", "single")
    expect(choice).to_be_visible()
    expect(true_false).to_be_hidden()
    expect(phone.locator("input[name=option_a]")).to_be_visible()
    phone.select_option("select[name=type]", "true_false")
    expect(choice).to_be_hidden()
    expect(true_false).to_be_visible()
    expect(phone.locator("select[name=answer_tf]")).to_be_visible()
    phone.select_option("select[name=type]", "multiple")
    expect(choice).to_be_visible()
    expect(true_false).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
