"""A respondent on a 360 px phone: types the code from the letter, agrees, answers the personal
section and a page of items, leaves, comes back on another phone with the code, finishes; the
code then only says thank you, and the server holds exactly one interview."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import func, select


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide"


def _issue_code(live_server) -> tuple[str, int]:
    """A fresh invitation for a case of the demo wave (no interview, no invitation yet)."""
    from quizapp.demo.survey import DEMO_WAVE_NAME
    from quizapp.extensions import db
    from quizapp.models import SurveyInvitation
    from quizapp.surveys import design, invitations, services

    with live_server.app.app_context():
        wave = services.wave_by_name(DEMO_WAVE_NAME)
        psu = next(p for p in design.sampled_psus(wave) if p.households)
        invitations.issue_invitations(wave, sampled_psu_id=psu.id)
        invitation = db.session.scalar(
            select(SurveyInvitation).where(SurveyInvitation.used_at.is_(None))
            .order_by(SurveyInvitation.id.desc()).limit(1))
        result = invitations.format_code(invitation.code), invitation.case_id
        db.session.remove()
        return result


def _interviews(live_server, case_id: int) -> int:
    from quizapp.extensions import db
    from quizapp.models import SurveyInterview

    with live_server.app.app_context():
        count = db.session.scalar(select(func.count()).select_from(SurveyInterview).where(
            SurveyInterview.case_id == case_id))
        db.session.remove()
        return count


def _enter(page, code: str) -> None:
    page.goto("/survey/")
    _fits(page)
    page.fill("input[name=code]", code.lower().replace("-", " "))
    page.click("[data-test=enter-code]")


def _answer_section(page, expected_page: int) -> None:
    expect(page.locator("p.muted").first).to_contain_text(f"第 {expected_page} 页，共 5 页")
    _fits(page)
    items = page.locator("[data-test=item]")
    for k in range(items.count()):
        items.nth(k).locator("label.option").first.click()
    page.click("[data-test=next]")


def test_a_respondent_answers_stops_and_resumes_on_a_phone(browser, live_server):
    from tests.browser.conftest import PHONE

    code, case_id = _issue_code(live_server)

    first = browser.new_context(base_url=live_server.url, **PHONE)
    first.set_default_timeout(10_000)
    phone = first.new_page()
    _enter(phone, code)
    expect(phone.locator("[data-test=consent]")).to_be_visible()
    expect(phone.locator("[data-test=consent]")).to_contain_text("新郑市统计局")
    _fits(phone)
    phone.click("[data-test=consent-accept]")

    expect(phone.locator("[data-test=profile]")).to_be_visible()
    _fits(phone)
    phone.locator("input[name=sex]").first.check()
    phone.fill("input[name=birth_year]", "1985")
    phone.select_option("select[name=birth_month]", "3")
    phone.select_option("select[name=education]", "junior_college")
    phone.select_option("select[name=occupation]", "service")
    phone.select_option("select[name=township]", index=1)
    phone.locator("input[name=urban_rural]").first.check()
    phone.fill("input[name=household_adults]", "2")
    phone.click("[data-test=next]")

    _answer_section(phone, 2)  # knowledge: 20 items
    expect(phone.locator("p.muted").first).to_contain_text("第 3 页，共 5 页")
    first.close()  # the phone is put away mid-questionnaire

    second = browser.new_context(base_url=live_server.url, **PHONE)
    second.set_default_timeout(10_000)
    phone = second.new_page()
    _enter(phone, code)  # another phone: only the code
    _answer_section(phone, 3)
    _answer_section(phone, 4)
    _answer_section(phone, 5)
    expect(phone.locator("[data-test=message-used]")).to_contain_text("这份问卷已经填写完成")
    _fits(phone)
    _enter(phone, code)
    expect(phone.locator("[data-test=message-used]")).to_be_visible()
    assert phone.locator("[data-test=item]").count() == 0
    second.close()
    assert _interviews(live_server, case_id) == 1


def test_the_invitation_pages_fit_a_phone(phone, live_server):
    _issue_code(live_server)
    phone.goto("/login")
    phone.fill("input[name=username]", "statistician")
    phone.fill("input[name=password]", live_server.passwords["statistician"])
    phone.locator("form button.primary, form button[type=submit]").last.click()
    phone.get_by_role("link", name="素质调查轮次").first.click()
    phone.get_by_role("link", name="2026 年度公民科学素质调查（演示）").click()
    phone.click("[data-test=invitations-link]")
    expect(phone.locator("[data-test=invitation-rows]")).to_be_visible()
    _fits(phone)
    phone.click("[data-test=letters-link]")
    expect(phone.locator("[data-test=letter]").first).to_be_visible()
    _fits(phone)
