"""The interviewer on a phone: their PSU and case pages fit a 360 px screen, in normal and
large type, and a visit is recorded with thumb-sized choices and no script."""

import re

from playwright.sync_api import expect


def _assign_a_demo_psu_to_the_demo_interviewer(app) -> int:
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import SurveyCase, User

    with app.app_context():
        case = db.session.scalar(select(SurveyCase).order_by(SurveyCase.id).limit(1))
        psu = case.sampled_psu
        if psu.interviewer_id is None:
            psu.interviewer_id = db.session.scalar(
                select(User.id).where(User.username == "interviewer"))
            db.session.commit()
        psu_id = psu.id
        db.session.remove()
        return psu_id


def _width(phone) -> int:
    return phone.evaluate("document.documentElement.scrollWidth")


def test_the_interviewer_pages_fit_a_phone(phone, live_server):
    psu_id = _assign_a_demo_psu_to_the_demo_interviewer(live_server.app)
    phone.goto("/login")
    phone.fill("input[name=username]", "interviewer")
    phone.fill("input[name=password]", live_server.passwords["interviewer"])
    phone.locator("form button.primary").last.click()
    phone.get_by_role("link", name="我负责的村（社区）").click()
    expect(phone.locator("[data-test=assigned-psu]").first).to_be_visible()
    pages = [phone.url]
    phone.locator(f"[data-test=assigned-psu] a[href$='/fieldwork/psu/{psu_id}']").first.click()
    expect(phone.locator("[data-test=cases]")).to_be_visible()
    pages.append(phone.url)
    phone.locator("[data-test=cases] a").last.click()  # the demo has not visited it yet
    expect(phone.locator("[data-test=visit-form]")).to_be_visible()
    pages.append(phone.url)

    # A visit: tap a choice (the whole row is the target), save; the disposition follows.
    choice = phone.locator("label.option", has_text="无人在家")
    assert choice.bounding_box()["height"] >= 44
    choice.click()
    phone.locator("[data-test=record-visit]").click()
    expect(phone.locator("[data-test=disposition]")).to_have_text("未接触到")
    expect(phone.locator("[data-test=visits] li").last).to_contain_text("无人在家")

    for url in pages:
        phone.goto(url)
        assert _width(phone) <= 360, f"{url} is {_width(phone)} px wide"
    phone.click("[data-test=large-type]")
    expect(phone.locator("body")).to_have_class(re.compile(r"\blarge-type\b"))
    phone.wait_for_function("parseFloat(getComputedStyle(document.body).fontSize) >= 20")
    for url in pages:
        phone.goto(url)
        assert _width(phone) <= 360, f"{url} in large type is {_width(phone)} px wide"


def test_the_assignment_page_fits_a_phone(phone, live_server):
    phone.goto("/login")
    phone.fill("input[name=username]", "statistician")
    phone.fill("input[name=password]", live_server.passwords["statistician"])
    phone.locator("form button.primary").last.click()
    phone.get_by_role("link", name="素质调查轮次").first.click()
    phone.get_by_role("link", name="2026 年度公民科学素质调查（演示）").click()
    phone.locator("[data-test=interviewers-link]").click()
    expect(phone.locator("[data-test=assignments]")).to_be_visible()
    assert _width(phone) <= 360, f"{phone.url} is {_width(phone)} px wide"
