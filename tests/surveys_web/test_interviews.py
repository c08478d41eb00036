"""Interviews and visits stored exactly once, scored by the one rule, with the case's AAPOR
disposition following them (``quizapp.surveys.interviews``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, SurveyContactAttempt, SurveyInterview
from quizapp.surveys import design
from quizapp.surveys.interviews import (
    ContactRecord,
    FieldworkRefused,
    record_contact,
    record_interview,
)
from tests.surveys_web.conftest import interview_submission

pytestmark = pytest.mark.db


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _ready_case(wave):
    return design.cases_of(design.sampled_psus(wave)[0])[0]


def test_a_full_interview_is_scored_complete_and_accepted(fieldwork_wave):
    case = _ready_case(fieldwork_wave)
    interview, created = record_interview(case, interview_submission(case, right=35))
    # 35 right of 50 in listing order (20 K, 10 M, 10 S, 10 A): K 20/20 = 40, M 10/10 = 20,
    # S 5/10 = 10, A 0/10 = 0: total 70, exactly the cut, "meets" under the inclusive rule.
    assert created and interview.complete and interview.total == 70.0
    assert interview.level == "meets" and case.disposition == "complete"
    assert interview.review_status == "accepted" and interview.flags == []
    assert interview.profile["age"] == 47 and interview.profile["group"] == "farmer"
    assert "name" not in interview.profile
    attempt = db.session.get(Attempt, interview.attempt_id)
    assert attempt.kind == "survey" and len(attempt.items) == 50 and attempt.correct_count == 35


def test_exactly_seventy_is_basic_under_the_exclusive_boundary(pool, townships, make_wave,
                                                               fieldwork_wave):
    fieldwork_wave.boundary = "exclusive"
    case = _ready_case(fieldwork_wave)
    interview, _ = record_interview(case, interview_submission(case, right=35))
    assert interview.total == 70.0 and interview.level == "basic"


def test_a_resend_returns_the_stored_interview(fieldwork_wave):
    case = _ready_case(fieldwork_wave)
    first, created = record_interview(case, interview_submission(case))
    again, created_again = record_interview(case, interview_submission(case))
    assert created and not created_again and again.id == first.id
    assert _count(SurveyInterview) == 1 and _count(Attempt) == 1


def test_a_second_interview_of_the_same_case_is_refused(fieldwork_wave):
    case = _ready_case(fieldwork_wave)
    record_interview(case, interview_submission(case, "client-0001"))
    with pytest.raises(FieldworkRefused) as refused:
        record_interview(case, interview_submission(case, "client-0002"))
    assert refused.value.code == "already_interviewed"
    assert _count(SurveyInterview) == 1


def test_a_broken_off_interview_is_partial_or_break_off(fieldwork_wave):
    cases = [design.cases_of(p)[0] for p in design.sampled_psus(fieldwork_wave)]
    partial, _ = record_interview(cases[0], interview_submission(
        cases[0], "client-0001", presented=30, broken_off=True))
    assert not partial.complete and cases[0].disposition == "partial"
    # 30 of 50 in listing order: no A item was presented, so there is no total (0/0).
    assert partial.review_status == "accepted" and partial.total is None
    short, _ = record_interview(cases[1], interview_submission(
        cases[1], "client-0002", presented=10, broken_off=True))
    assert not short.complete and cases[1].disposition == "break_off"


def test_an_interview_broken_off_before_the_first_item_is_a_break_off(fieldwork_wave):
    case = _ready_case(fieldwork_wave)
    interview, _ = record_interview(case, interview_submission(case, presented=0,
                                                               broken_off=True))
    assert interview.items_presented == 0 and interview.flags == []
    assert case.disposition == "break_off" and not interview.complete


def test_a_too_fast_interview_waits_for_review(fieldwork_wave):
    case = _ready_case(fieldwork_wave)
    interview, _ = record_interview(case, interview_submission(case, seconds=100))
    assert [f["code"] for f in interview.flags] == ["too_fast"]
    assert interview.review_status == "pending"


def test_an_unscreened_case_or_an_ineligible_respondent_is_refused(fieldwork_wave):
    psu = design.sampled_psus(fieldwork_wave)[0]
    unscreened = design.cases_of(psu)[1]
    with pytest.raises(FieldworkRefused) as refused:
        record_interview(unscreened, interview_submission(unscreened))
    assert refused.value.code == "not_screened"
    case = design.cases_of(psu)[0]
    with pytest.raises(FieldworkRefused) as refused:
        record_interview(case, interview_submission(case, birth_year=1950))
    assert refused.value.code == "not_eligible"
    assert _count(SurveyInterview) == 0 and _count(Attempt) == 0


def test_answers_outside_the_form_are_refused(fieldwork_wave):
    from dataclasses import replace

    case = _ready_case(fieldwork_wave)
    good = interview_submission(case)
    bad_choice = replace(good.answers[0], answer=(7,))
    with pytest.raises(FieldworkRefused):
        record_interview(case, replace(good, answers=(bad_choice, *good.answers[1:])))
    with pytest.raises(FieldworkRefused):
        record_interview(case, replace(good, answers=(good.answers[0], good.answers[0])))
    assert _count(SurveyInterview) == 0


def test_the_latest_visit_sets_the_disposition_even_when_synced_late(fieldwork_wave):
    case = _ready_case(fieldwork_wave)
    day = datetime(2027, 6, 10, 9, 0, tzinfo=UTC)
    record_contact(case, ContactRecord("visit-0002", "refusal", day + timedelta(days=1)))
    record_contact(case, ContactRecord("visit-0001", "no_contact", day))
    assert case.disposition == "refusal"
    _, created = record_contact(case, ContactRecord("visit-0001", "no_contact", day))
    assert not created and _count(SurveyContactAttempt) == 2
    record_interview(case, interview_submission(case))
    record_contact(case, ContactRecord("visit-0003", "refusal", day + timedelta(days=2)))
    assert case.disposition == "complete"


def test_a_bad_outcome_or_client_id_is_refused(fieldwork_wave):
    case = _ready_case(fieldwork_wave)
    day = datetime(2027, 6, 10, tzinfo=UTC)
    for record in (ContactRecord("visit-0001", "gone fishing", day),
                   ContactRecord("short", "refusal", day),
                   ContactRecord("visit-0001", "refusal", day, note="a\x00b")):
        with pytest.raises(FieldworkRefused):
            record_contact(case, record)
    assert _count(SurveyContactAttempt) == 0


def test_right_answers_in_one_position_are_not_straight_lining(fieldwork_wave):
    from dataclasses import replace

    cases = [design.cases_of(p)[0] for p in design.sampled_psus(fieldwork_wave)]
    # Every fixture item is true/false keyed "true": shown in the original order, all right
    # answers sit in position 0 for 50 items; all wrong ones in position 1.
    knows = interview_submission(cases[0], "client-0001")
    knows = replace(knows, answers=tuple(replace(a, option_order=(0, 1), answer=(0,))
                                         for a in knows.answers))
    interview, _ = record_interview(cases[0], knows)
    assert interview.flags == [] and interview.review_status == "accepted"
    ticks = interview_submission(cases[1], "client-0002")
    ticks = replace(ticks, answers=tuple(replace(a, option_order=(0, 1), answer=(1,))
                                         for a in ticks.answers))
    interview, _ = record_interview(cases[1], ticks)
    assert [f["code"] for f in interview.flags] == ["straight_lining"]
