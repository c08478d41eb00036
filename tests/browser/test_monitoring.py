"""A statistician on a phone: monitoring, the review queue and a review fit a 360 px screen.

The module serves its own copy of the demo (so the interviews it records do not reach other
browser tests) with three interviews recorded through the same service the interviewers'
pages use, one of them too fast and so waiting for review.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.server import LiveServer, demo_server


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import SurveyCase
    from quizapp.surveys.interviews import interview_of, record_interview
    from tests.surveys_web.conftest import interview_submission

    def record_three_interviews() -> None:
        ready = db.session.scalars(select(SurveyCase).where(SurveyCase.status == "ready")
                                   .order_by(SurveyCase.id))
        cases = [case for case in ready if interview_of(case) is None][:3]
        for k, case in enumerate(cases):
            record_interview(case, interview_submission(
                case, f"phone-width-{k:03d}", seconds=100 if k == 0 else 1500,
                birth_year=1970 + k))
        db.session.remove()

    # One worked demo PSU (小李's, half done, none of its interviews flagged): the queue below
    # holds only the too-fast interview recorded here.
    with demo_server(tmp_path_factory.mktemp("live-monitoring"), record_three_interviews,
                     DEMO_SURVEY_LISTED_PSUS=1) as server:
        yield server


def _width(phone) -> int:
    return phone.evaluate("document.documentElement.scrollWidth")


def test_monitoring_and_review_fit_a_phone(phone, live_server):
    phone.goto("/login")
    phone.fill("input[name=username]", "statistician")
    phone.fill("input[name=password]", live_server.passwords["statistician"])
    phone.locator("form button.primary, form button[type=submit]").last.click()
    phone.get_by_role("link", name="素质调查轮次").first.click()
    phone.get_by_role("link", name="2026 年度公民科学素质调查（演示）").click()
    phone.locator("[data-test=close-wave] summary").click()
    expect(phone.locator("[data-test=close-wave] input[name=confirm]")).to_be_visible()
    assert _width(phone) <= 360, f"the wave page is {_width(phone)} px wide"
    phone.locator("[data-test=monitoring-link]").click()
    expect(phone.locator("h1")).to_contain_text("实地调查监控")
    expect(phone.locator("[data-test=rr1]")).to_be_visible()
    phone.locator("[data-test=psu-progress]").locator("xpath=ancestor::details").locator(
        "summary").click()
    assert _width(phone) <= 360, f"monitoring is {_width(phone)} px wide"
    phone.get_by_role("link", name="审核队列").first.click()
    expect(phone.locator("[data-test=queue-entry]")).to_have_count(1)
    assert _width(phone) <= 360, f"the review queue is {_width(phone)} px wide"
    phone.get_by_role("link", name="审核").last.click()
    expect(phone.locator("[data-test=flags]")).to_contain_text("答题过快")
    assert _width(phone) <= 360, f"the review page is {_width(phone)} px wide"
    phone.locator("input[value=accepted]").check()
    phone.fill("input[name=reason]", "电话回访核实")
    phone.get_by_role("button", name="记录决定").click()
    expect(phone.locator("[data-test=queue-empty]")).to_be_visible()
    expect(phone.locator("[data-test=decided]")).to_contain_text("电话回访核实")
    assert _width(phone) <= 360
