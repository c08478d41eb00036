"""The data-quality review: flagged interviews wait, the statistician accepts or rejects each
with a reason (who and when recorded, the last decision wins), and only accepted complete
interviews go on (``quizapp.surveys.review``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import SurveyInterview
from quizapp.surveys import design, review
from quizapp.surveys.interviews import record_interview
from tests.support import csrf_token
from tests.surveys_web.conftest import interview_submission
from tests.surveys_web.monitor_support import build_worked_wave

pytestmark = pytest.mark.db


@pytest.fixture
def worked(pool, townships, make_wave, make_user):
    return build_worked_wave(make_wave, make_user)


@pytest.fixture
def stats(make_user):
    return make_user("stats", "statistician")


@pytest.fixture
def statistician(client, auth, stats):
    auth.login("stats")
    return client


def _interview(case) -> SurveyInterview:
    return db.session.scalar(select(SurveyInterview).where(SurveyInterview.case_id == case.id))


def _cases(wave):
    return [design.cases_of(p)[0] for p in design.sampled_psus(wave)]


def test_the_queue_holds_the_flagged_complete_interview_with_its_reason(worked):
    queue = review.review_queue(worked.wave)
    assert [e.interview.case_id for e in queue] == [worked.cases[3].id]
    entry = queue[0]
    assert entry.interviewer == "ivan" and entry.township == "龙湖街道"
    assert entry.minutes == pytest.approx(100 / 60) and entry.interview.total == 100.0
    assert [(f.code, f.name) for f in entry.flags] == [("too_fast", "答题过快")]
    assert entry.flags[0].reason == "每题平均用时 2.00 秒，少于 5 秒"


def test_flag_reasons_in_english_and_from_odd_stored_evidence(app):
    stored = [{"code": "too_fast", "evidence": {"seconds_per_item": 2.0, "threshold": 5.0}},
              {"code": "duplicate", "evidence": {"others": ["7", "9"]}},
              {"code": "many_changes", "evidence": {}},  # missing numbers: name only
              {"code": "no_such_flag", "evidence": {}}, "not a dict"]
    lines = review.flag_lines(stored, 3, "en")
    assert [(f.name, f.reason) for f in lines] == [
        ("Too fast", "2.00 seconds per item, under 5"),
        ("Possible duplicate respondent",
         "same sex, birth year-month, education, township and PSU as 7, 9"),
        ("Many answer changes", ""), ("数据质量标记", "")]


def test_accept_with_a_reason_records_who_and_when(worked, stats):
    interview = _interview(worked.cases[3])
    review.review_interview(interview, "accepted", "  回访核实：受访者确实答得很快  ", stats.id)
    db.session.expire_all()
    stored = _interview(worked.cases[3])
    assert stored.review_status == "accepted" and stored.reviewed_by_id == stats.id
    assert stored.review_reason == "回访核实：受访者确实答得很快"
    assert stored.reviewed_at is not None
    assert review.review_queue(worked.wave) == []


def test_the_last_decision_wins(worked, stats, make_user):
    other = make_user("stats2", "statistician")
    interview = _interview(worked.cases[3])
    review.review_interview(interview, "accepted", "first look", stats.id)
    review.review_interview(interview, "rejected", "back-check failed", other.id)
    db.session.expire_all()
    stored = _interview(worked.cases[3])
    assert (stored.review_status, stored.review_reason, stored.reviewed_by_id) == (
        "rejected", "back-check failed", other.id)
    assert [e.interview.id for e in review.recent_decisions(worked.wave)] == [stored.id]


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 301, "line\nbreak", "tab\there",
                                    "nul\x00byte", "bell\x07"])
def test_a_decision_without_a_proper_reason_is_refused(worked, stats, reason):
    interview = _interview(worked.cases[3])
    with pytest.raises(review.ReviewRefused):
        review.review_interview(interview, "rejected", reason, stats.id)
    db.session.rollback()
    assert _interview(worked.cases[3]).review_status == "pending"


def test_an_unknown_decision_is_refused(worked, stats):
    with pytest.raises(review.ReviewRefused):
        review.review_interview(_interview(worked.cases[3]), "pending", "why", stats.id)


def test_three_hundred_characters_are_allowed(worked, stats):
    review.review_interview(_interview(worked.cases[3]), "rejected", "理" * 300, stats.id)
    assert _interview(worked.cases[3]).review_reason == "理" * 300


def test_accepted_complete_cases_go_on(worked, stats):
    c = worked.cases
    # c1 and c7 complete and unflagged (accepted automatically); c4 complete but too fast
    # (pending); c3 partial.
    assert [case.id for case in review.accepted_complete_cases(worked.wave)] == [c[0].id,
                                                                                 c[6].id]
    review.review_interview(_interview(c[3]), "accepted", "checked by phone", stats.id)
    review.review_interview(_interview(c[6]), "rejected", "fabricated: nobody lives there",
                            stats.id)
    review.review_interview(_interview(c[2]), "accepted", "a partial never goes on", stats.id)
    assert [case.id for case in review.accepted_complete_cases(worked.wave)] == [c[0].id,
                                                                                 c[3].id]


def test_duplicates_in_a_psu_both_wait(fieldwork_wave, stats):
    first, second = _cases(fieldwork_wave)[0], design.cases_of(
        design.sampled_psus(fieldwork_wave)[0])[1]
    design.record_adults(fieldwork_wave, second, design.parse_adults("女 40"))
    record_interview(first, interview_submission(first, "dup-client-1"))
    record_interview(second, interview_submission(second, "dup-client-2"))
    queue = review.review_queue(fieldwork_wave)
    assert sorted(e.interview.case_id for e in queue) == sorted([first.id, second.id])
    assert queue[0].flags[0].code == "duplicate"
    assert "性别、出生年月、文化程度、乡镇和村居相同" in queue[0].flags[0].reason


def test_the_queue_page_shows_the_longest_waiting_first(fieldwork_wave, client, auth,
                                                        make_user, monkeypatch):
    first, second = _cases(fieldwork_wave)[0], design.cases_of(
        design.sampled_psus(fieldwork_wave)[0])[1]
    design.record_adults(fieldwork_wave, second, design.parse_adults("女 40"))
    record_interview(first, interview_submission(first, "dup-client-1"))
    record_interview(second, interview_submission(second, "dup-client-2"))
    monkeypatch.setattr(review, "QUEUE_PAGE", 1)
    make_user("stats", "statistician")
    auth.login("stats")
    page = client.get(f"/statistics/surveys/{fieldwork_wave.id}/review").text
    assert page.count('data-test="queue-entry"') == 1 and 'data-test="waiting">2<' in page
    assert "等待最久的 1 份" in page


# --- pages ------------------------------------------------------------------------------------

def _url(wave, interview=None) -> str:
    base = f"/statistics/surveys/{wave.id}/review"
    return base if interview is None else f"{base}/{interview.id}"


def test_the_queue_page_and_a_decision_through_the_form(worked, statistician, stats):
    page = statistician.get(_url(worked.wave))
    assert page.status_code == 200
    assert "答题过快" in page.text and "每题平均用时 2.00 秒" in page.text
    assert "too_fast" not in page.text
    interview = _interview(worked.cases[3])
    url = _url(worked.wave, interview)
    form = statistician.get(url)
    assert form.status_code == 200 and "审核样本" in form.text
    response = statistician.post(url, data={"csrf_token": csrf_token(form.text),
                                            "decision": "rejected",
                                            "reason": "电话回访：未接受过访问"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = _interview(worked.cases[3])
    assert (stored.review_status, stored.reviewed_by_id) == ("rejected", stats.id)
    assert "电话回访：未接受过访问" in statistician.get(_url(worked.wave)).text


@pytest.mark.parametrize("data", [
    {"decision": "rejected", "reason": ""},
    {"decision": "rejected", "reason": "x" * 301},
    {"decision": "maybe", "reason": "why not"},
    {"reason": "no decision"},
    {"decision": "rejected", "reason": "\x01\x02\x03"},  # only control characters: empty
])
def test_bad_decisions_through_the_form_change_nothing(worked, statistician, data):
    interview = _interview(worked.cases[3])
    url = _url(worked.wave, interview)
    token = csrf_token(statistician.get(url).text)
    response = statistician.post(url, data={"csrf_token": token, **data})
    assert response.status_code == 400
    db.session.expire_all()
    assert _interview(worked.cases[3]).review_status == "pending"


def test_no_csrf_token_no_decision(worked, statistician):
    interview = _interview(worked.cases[3])
    response = statistician.post(_url(worked.wave, interview),
                                 data={"decision": "accepted", "reason": "ok"})
    assert response.status_code == 400
    assert _interview(worked.cases[3]).review_status == "pending"


def test_nul_bytes_and_huge_ids_are_not_500(worked, statistician):
    interview = _interview(worked.cases[3])
    url = _url(worked.wave, interview)
    token = csrf_token(statistician.get(url).text)
    assert statistician.post(url, data={"csrf_token": token, "decision": "accepted",
                                        "reason": "a\x00b"}).status_code == 400
    assert statistician.get(f"{_url(worked.wave)}/{2**31}").status_code == 404
    assert statistician.get(f"{_url(worked.wave)}/{10**40}").status_code == 404
    for value in ("abc", str(10**40), "-5", "1e9", "", "99999"):
        response = statistician.get(_url(worked.wave), query_string={"case": value})
        assert response.status_code == 200, value
        assert "该样本编号没有已保存的访问" in response.text
    assert statistician.get(_url(worked.wave) + "?case=%00").status_code == 400


def test_an_interview_of_another_wave_is_404(worked, statistician, make_wave):
    other = make_wave(name="另一轮")
    interview = _interview(worked.cases[3])
    assert statistician.get(f"/statistics/surveys/{other.id}/review/{interview.id}"
                            ).status_code == 404


def test_an_unflagged_accepted_interview_can_be_found_and_rejected(worked, statistician):
    case = worked.cases[0]
    found = statistician.get(_url(worked.wave), query_string={"case": case.id})
    assert found.status_code == 302
    url = found.headers["Location"]
    page = statistician.get(url)
    assert "自动接受" in page.text
    response = statistician.post(url, data={"csrf_token": csrf_token(page.text),
                                            "decision": "rejected",
                                            "reason": "回访核查未通过"})
    assert response.status_code == 302
    assert _interview(case).review_status == "rejected"
    assert case.id not in [c.id for c in review.accepted_complete_cases(worked.wave)]
