"""An interviewer on a phone: opens the offline app once, loses the network, completes an
interview, reloads the page offline (it still works and shows the record queued), gets the
network back, and the server holds exactly one interview for the case."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import PHONE

USERNAME = "capi-browser"
PASSWORD = "offline interviewer 42"


@pytest.fixture
def assigned_case(live_server):
    """A new interviewer and a ready, uninterviewed case of the demo wave in a PSU assigned to
    them (listing one when the demo left none free); the PSU's interviewer is restored
    afterwards."""
    from quizapp.extensions import db
    from quizapp.models import SurveyInterview, SurveyWave, User
    from quizapp.surveys import design

    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.username == USERNAME))
        if user is None:
            user = User(username=USERNAME, display_name="离线调查员")
            user.set_password(PASSWORD)
            user.roles = {"interviewer"}
            db.session.add(user)
            db.session.commit()
        wave = db.session.scalar(select(SurveyWave).where(SurveyWave.status == "fieldwork"))
        interviewed = set(db.session.scalars(select(SurveyInterview.case_id)))
        chosen = None
        for psu in design.sampled_psus(wave):
            free = [c for c in design.cases_of(psu)
                    if c.status == "ready" and c.id not in interviewed]
            if free and psu.interviewer_id is None:
                chosen = psu, free[0]
                break
        if chosen is None:
            psu = next(p for p in design.sampled_psus(wave) if not p.households)
            design.list_households(wave, psu, [f"{k}号" for k in range(1, psu.take + 6)])
            case = design.cases_of(psu)[0]
            design.record_adults(wave, case, design.parse_adults("男 40\n女 38"))
            chosen = psu, case
        psu, case = chosen
        previous = psu.interviewer_id
        psu.interviewer_id = user.id
        db.session.commit()
        ids = psu.id, case.id
    yield ids[1]
    with live_server.app.app_context():
        from quizapp.models import SurveySampledPSU

        db.session.get(SurveySampledPSU, ids[0]).interviewer_id = previous
        db.session.commit()


def _interviews_of(live_server, case_id: int) -> list:
    from quizapp.extensions import db
    from quizapp.models import SurveyInterview

    with live_server.app.app_context():
        rows = db.session.scalars(
            select(SurveyInterview).where(SurveyInterview.case_id == case_id)).all()
        return [(r.mode, r.complete, r.items_presented, dict(r.paradata)) for r in rows]


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _answer_every_page(page) -> int:
    """Answer each item of each section page (the first shown option, "don't know" on every
    fifth item, and one answer changed), then Next, until the finish page."""
    pages = 0
    while True:
        # Pages: consent 1, personal 2, the sections 3-6, the finish page 7.
        expect(page.locator(".capi-where")).to_contain_text(f"第 {pages + 3} 页")
        if page.locator("[data-test=finish]").count():
            return pages
        items = page.locator("fieldset.capi-item")
        for k in range(items.count()):
            item = items.nth(k)
            if k % 5 == 4:
                item.locator("label.capi-dont-know").click()
            else:
                item.locator("label.option").first.click()
        if pages == 0:
            items.first.locator("label.option").nth(1).click()  # a change of mind
        assert _width(page) <= 360, "a section page is wider than the phone"
        page.click("[data-test=next]")
        pages += 1
        assert pages <= 4


def test_an_interview_done_offline_reaches_the_server_once(browser, live_server,
                                                           assigned_case):
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("input[name=username]", USERNAME)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button.primary, form button[type=submit]").last.click()
        page.wait_for_load_state()
        page.goto("/fieldwork/app")
        expect(page.locator("#capi[data-ready='1']")).to_be_attached()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        start = page.locator(f"[data-test=start-{assigned_case}]")
        expect(start).to_be_visible()
        assert _width(page) <= 360

        context.set_offline(True)
        expect(page.locator("[data-test=online-state]")).to_contain_text("离线")
        start.click()
        expect(page.locator("[data-test=consent]")).to_contain_text("新郑市统计局")
        assert _width(page) <= 360
        page.click("[data-test=consent-agree]")
        personal = page.locator("[data-test=personal]")
        personal.locator("#capi-sex label.option").nth(1).click()
        page.fill("#capi-birth_year", "1985")
        page.select_option("#capi-birth_month", "7")
        page.select_option("#capi-education", "junior_college")
        page.select_option("#capi-occupation", "service")
        assert _width(page) <= 360
        page.click("[data-test=next]")
        assert _answer_every_page(page) == 4  # K, M, S, A
        page.locator("[data-test=finish]").dblclick()  # a double tap stores it once
        expect(page.locator("[data-test=queue-count]")).to_have_text("1")

        page.reload()  # still offline: the service worker serves the app and its files
        expect(page.locator("#capi[data-ready='1']")).to_be_attached()
        expect(page.locator("[data-test=queue-count]")).to_have_text("1")
        page.click("[data-test=show-queue]")
        waiting = page.locator(f"[data-test=queue-waiting] li[data-case='{assigned_case}']")
        expect(waiting).to_have_attribute("data-state", "waiting")
        assert _width(page) <= 360
        assert _interviews_of(live_server, assigned_case) == []

        context.set_offline(False)  # the page's "online" event sends the queue
        expect(page.locator("[data-test=queue-count]")).to_have_text("0", timeout=20_000)
        expect(page.locator("[data-test=queue-waiting-empty]")).to_be_visible()
        expect(page.locator(f"[data-test=queue-sent] li[data-case='{assigned_case}']")
               ).to_have_attribute("data-state", "sent")
        page.click("[data-test=send-now]")  # a resend from this phone finds nothing to send
        page.evaluate("window.kexueCapiSync()")

        stored = _interviews_of(live_server, assigned_case)
        assert len(stored) == 1
        mode, complete, presented, paradata = stored[0]
        assert mode == "capi" and complete and presented == 50
        assert paradata["pages"] == ["consent", "personal", "K", "M", "S", "A", "finish"]
        assert len(paradata["page_ms"]) == 7 and paradata["answer_changes"] == 1
        assert "Chrome" in paradata["device"]
        assert all(ms is not None and ms >= 0 for ms in paradata["item_ms"].values())
    finally:
        context.close()


def test_the_queue_survives_being_signed_out(browser, live_server, assigned_case):
    """A visit queued while signed out stays queued with a message to sign in, and is sent
    once the interviewer signs in again."""
    from quizapp.extensions import db
    from quizapp.models import SurveyContactAttempt

    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        def sign_in():
            page.goto("/login")
            page.fill("input[name=username]", USERNAME)
            page.fill("input[name=password]", PASSWORD)
            page.locator("form button.primary, form button[type=submit]").last.click()
            page.wait_for_load_state()

        sign_in()
        page.goto("/fieldwork/app")
        expect(page.locator("#capi[data-ready='1']")).to_be_attached()
        context.clear_cookies()  # the session ends while the app stays open
        page.click(f"[data-test=start-{assigned_case}]")
        page.click("[data-test=consent-refuse]")
        expect(page.locator("[data-test=capi-notice]")).to_contain_text("登录")
        expect(page.locator("[data-test=queue-count]")).to_have_text("1")
        sign_in()
        page.goto("/fieldwork/app")
        page.click("[data-test=show-queue]")
        expect(page.locator(f"[data-test=queue-sent] li[data-case='{assigned_case}']")
               ).to_have_attribute("data-state", "sent", timeout=20_000)
        expect(page.locator("[data-test=queue-count]")).to_have_text("0")
        with live_server.app.app_context():
            outcomes = db.session.scalars(select(SurveyContactAttempt.outcome).where(
                SurveyContactAttempt.case_id == assigned_case)).all()
            assert outcomes == ["consent_refused"]
            assert db.session.scalar(select(func.count()).select_from(SurveyContactAttempt)
                                     .where(SurveyContactAttempt.case_id == assigned_case)) == 1
    finally:
        context.close()


def test_a_record_the_server_refuses_is_marked_and_not_sent_again(browser, live_server,
                                                                  assigned_case):
    """The case was interviewed by someone else after the phone downloaded its package: the
    phone's broken-off interview is refused ("already interviewed"), shown with the reason,
    and no longer counted as waiting."""
    from quizapp.extensions import db
    from quizapp.models import SurveyCase, SurveyInterview
    from quizapp.surveys.interviews import record_interview
    from tests.surveys_web.conftest import interview_submission

    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("input[name=username]", USERNAME)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button.primary, form button[type=submit]").last.click()
        page.wait_for_load_state()
        page.goto("/fieldwork/app")
        expect(page.locator("#capi[data-ready='1']")).to_be_attached()
        with live_server.app.app_context():
            case = db.session.get(SurveyCase, assigned_case)
            record_interview(case, interview_submission(case, f"other-{assigned_case:06d}"))
        page.click(f"[data-test=start-{assigned_case}]")
        page.click("[data-test=consent-agree]")
        page.locator("#capi-sex label.option").first.click()
        page.fill("#capi-birth_year", "1990")
        page.select_option("#capi-birth_month", "1")
        page.select_option("#capi-education", "bachelor")
        page.select_option("#capi-occupation", "professional")
        page.click("[data-test=next]")
        page.locator("fieldset.capi-item label.option").first.click()
        page.click("[data-test=stop]")
        page.click("[data-test=stop-yes]")
        page.click("[data-test=show-queue]")
        refused = page.locator(f"[data-test=queue-waiting] li[data-case='{assigned_case}']")
        expect(refused).to_have_attribute("data-state", "refused", timeout=20_000)
        expect(refused).to_contain_text("已有访问记录")
        expect(page.locator("[data-test=queue-count]")).to_have_text("0")
        with live_server.app.app_context():
            clients = db.session.scalars(select(SurveyInterview.client_id).where(
                SurveyInterview.case_id == assigned_case)).all()
            assert clients == [f"other-{assigned_case:06d}"]
    finally:
        context.close()
