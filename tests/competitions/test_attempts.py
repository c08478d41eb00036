"""The attempt engine through the real database: draw, timing, scoring, exactly-once, voiding."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quizapp.competitions import services
from quizapp.engine.attempts import (
    AttemptError,
    close_overdue,
    current_item,
    item_deadline,
    record_answer,
    void_attempt,
)
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, Participant, Round

RIGHT = {"single": [1], "multiple": [0, 2], "true_false": [0]}


def _register(competition, device="dev-1", name="小明", township_id=None):
    return services.register(competition, user_id=None, device_id=device, name=name,
                             township_id=township_id, organisation_id=None, phone="", ip="1.2.3.4")


def _displayed(item, original_choices):
    """The display positions a person taps to choose these original options."""
    return [item.option_order.index(c) for c in original_choices]


def _answer(attempt, item, right=True, **kwargs):
    version = item.question_version
    originals = RIGHT[version.type] if right else (
        [2] if version.type == "single" else [0] if version.type == "multiple" else [1])
    return record_answer(attempt, item.position, _displayed(item, originals),
                         points_per_correct=5.0, **kwargs)


def _start(competition, participant, now):
    return services.start_attempt(competition, participant, ip="1.2.3.4",
                                  device_id=participant.device_id, now=now.value,
                                  rng=random.Random(7))


def _show(attempt, now, seconds_per_question=30):
    """The current item, as the attempt page shows it (which starts its timer)."""
    return current_item(attempt, seconds_per_question, now.value)


def _finish(attempt, now, right=True):
    """Answer every item in order, each shown first, as a person does."""
    while attempt.status == "open":
        _answer(attempt, _show(attempt, now), right=right, now=now.value)


def test_draw_follows_the_quotas_and_never_uses_survey_or_draft_items(competition, now):
    attempt = _start(competition, _register(competition), now)
    types = sorted(i.question_version.type for i in attempt.items)
    assert types == ["multiple"] * 2 + ["single"] * 2 + ["true_false"] * 2
    stems = {i.question_version.stem for i in attempt.items}
    assert not stems & {"调查专用题", "草稿题"}
    assert attempt.deadline == now.value + timedelta(seconds=6 * (30 + 10))


def test_scoring_is_all_or_nothing(competition, now):
    attempt = _start(competition, _register(competition), now)
    for _ in range(attempt.question_count):
        item = _show(attempt, now)
        if item.question_version.type == "multiple":  # one of the two right options: wrong
            result = record_answer(attempt, item.position, _displayed(item, [0]),
                                   points_per_correct=5.0, now=now.value)
            assert result.correct is False
        else:
            assert _answer(attempt, item, now=now.value).correct is True
    assert attempt.score == 20.0 and attempt.correct_count == 4


def test_the_same_answer_twice_counts_once(competition, now):
    attempt = _start(competition, _register(competition), now)
    item = _show(attempt, now)
    first = _answer(attempt, item, now=now.value)
    second = _answer(attempt, item, now=now.value)
    changed = _answer(attempt, item, right=False, now=now.value)
    assert first.recorded and not second.recorded and not changed.recorded
    db.session.refresh(attempt)
    assert attempt.score == 5.0 and attempt.correct_count == 1
    assert item.correct is True


@pytest.mark.parametrize("choices,code", [([9], "bad_choice"), ([-1], "bad_choice"),
                                          ([], "bad_choice"), ([0, 0], "bad_choice")])
def test_bad_choices_are_refused_without_changing_the_score(competition, now, choices, code):
    attempt = _start(competition, _register(competition), now)
    with pytest.raises(AttemptError) as error:
        record_answer(attempt, attempt.items[0].position, choices)
    assert error.value.code == code
    assert attempt.score == 0 and attempt.items[0].answered_at is None


def test_two_choices_on_a_single_choice_question_are_refused(competition, now):
    attempt = _start(competition, _register(competition), now)
    single = next(i for i in attempt.items if i.question_version.type == "single")
    with pytest.raises(AttemptError, match="bad_choice"):
        record_answer(attempt, single.position, [0, 1])


def test_an_item_not_in_the_attempt_is_refused(competition, now):
    attempt = _start(competition, _register(competition), now)
    with pytest.raises(AttemptError, match="unknown_item"):
        record_answer(attempt, 99, [0])


def test_per_question_limit(competition, now):
    attempt = _start(competition, _register(competition), now)
    first = current_item(attempt, competition.seconds_per_question, now.value)
    now.move(seconds=33)  # past 30 s + 2 s grace
    with pytest.raises(AttemptError, match="time_up"):
        _answer(attempt, first, seconds_per_question=competition.seconds_per_question,
                now=now.value)
    following = current_item(attempt, competition.seconds_per_question, now.value)
    assert following.position != first.position
    assert first.answered_at is None


def test_answers_within_the_grace_still_count(competition, now):
    attempt = _start(competition, _register(competition), now)
    item = current_item(attempt, competition.seconds_per_question, now.value)
    now.move(seconds=31)
    assert _answer(attempt, item, seconds_per_question=30, now=now.value).recorded
    assert item.elapsed_ms == 31_000


def test_unfinished_attempt_closes_at_its_deadline_without_anyone_present(competition, now):
    attempt = _start(competition, _register(competition), now)
    _answer(attempt, _show(attempt, now), now=now.value)
    deadline = attempt.deadline
    now.move(hours=5)
    assert close_overdue(now.value) == 1
    db.session.refresh(attempt)
    assert attempt.status == "expired"
    assert attempt.finished_at == deadline
    assert attempt.duration_ms == 240_000  # 6 × (30 s + 10 s between)
    assert attempt.score == 5.0
    assert close_overdue(now.value) == 0


def test_answer_after_the_attempt_deadline_closes_it(competition, now):
    attempt = _start(competition, _register(competition), now)
    now.move(seconds=260)  # the deadline: 6 × (30 s + 10 s between) = 240 s, then the grace
    with pytest.raises(AttemptError, match="time_up"):
        _answer(attempt, attempt.items[0], now=now.value)
    assert attempt.status == "expired"


def test_finishing_every_item_closes_the_attempt(competition, now):
    attempt = _start(competition, _register(competition), now)
    for _ in attempt.items:
        item = _show(attempt, now)
        now.move(seconds=3)
        _answer(attempt, item, now=now.value)
    assert attempt.status == "finished" and attempt.score == 30.0
    assert attempt.duration_ms == 18_000
    with pytest.raises(AttemptError, match="closed"):
        _answer(attempt, attempt.items[0], now=now.value)


def test_a_reload_or_second_tab_resumes_the_same_attempt(competition, now):
    participant = _register(competition)
    first = _start(competition, participant, now)
    now.move(seconds=10)
    assert _start(competition, participant, now).id == first.id


def test_the_database_refuses_a_second_open_attempt(competition, now):
    participant = _register(competition)
    _start(competition, participant, now)
    db.session.add(Attempt(kind="competition", token="x" * 20, competition_id=competition.id,
                           participant_id=participant.id, started_at=now.value))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_daily_limit_in_the_city_time_zone(competition, now):
    participant = _register(competition)
    for _ in range(2):
        _finish(_start(competition, participant, now), now)
    with pytest.raises(AttemptError, match="daily_limit"):
        _start(competition, participant, now)
    now.move(hours=22)  # 02:00 UTC + 22 h = 08:00 next day in Beijing
    assert _start(competition, participant, now).status == "open"


def test_no_start_outside_the_window_or_rounds(competition, now):
    participant = _register(competition)
    now.move(days=20)
    with pytest.raises(AttemptError, match="not_open"):
        _start(competition, participant, now)


def test_registration_enforces_required_fields_and_stores_only_asked_ones(competition):
    with pytest.raises(services.RegistrationError) as error:
        _register(competition, name="  ")
    assert error.value.field == "name"
    assert db.session.scalar(select(Participant)) is None
    participant = services.register(competition, user_id=None, device_id="d", name="小红",
                                    township_id=None, organisation_id=None,
                                    phone="13800000000", ip=None)
    assert participant.phone is None  # the competition does not ask for a phone


def test_voided_attempt_is_kept_but_leaves_the_board(competition, now, make_user):
    from quizapp.engine import boards

    admin = make_user("boss", "admin")
    attempt = _start(competition, _register(competition), now)
    _finish(attempt, now)
    assert [r.score for r in boards.individual_board(competition)] == [30.0]
    void_attempt(attempt, "脚本答题", admin.id, now.value)
    assert boards.individual_board(competition) == []
    kept = db.session.get(Attempt, attempt.id)
    assert kept.status == "voided" and kept.void_reason == "脚本答题"
    assert db.session.scalar(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id))


def test_registration_is_closed_with_the_competition(competition, now):
    _register(competition)
    now.move(days=30)
    with pytest.raises(services.RegistrationError, match="closed"):
        _register(competition, name="改名")


def test_township_is_frozen_once_there_is_a_score(competition, township, now):
    participant = _register(competition, township_id=township.id)
    attempt = _start(competition, participant, now)
    now.move(hours=1)
    close_overdue(now.value)
    with pytest.raises(services.RegistrationError) as error:
        _register(competition, township_id=None)
    assert error.value.code == "locked"
    renamed = _register(competition, name="新名字", township_id=township.id)
    assert renamed.id == participant.id and renamed.name == "新名字"
    assert attempt.status == "expired"


def test_a_start_after_an_abandoned_attempt_opens_a_new_one(competition, now):
    participant = _register(competition)
    first = _start(competition, participant, now)
    now.move(hours=2)
    second = _start(competition, participant, now)
    assert second.id != first.id and second.status == "open"
    db.session.refresh(first)
    assert first.status == "expired" and first.finished_at == first.deadline


def test_answering_the_last_open_item_finishes_even_if_one_timed_out(competition, now):
    attempt = _start(competition, _register(competition), now)
    first = current_item(attempt, 30, now.value)
    now.move(seconds=40)  # the first question times out unanswered
    for _ in range(attempt.question_count - 1):
        item = current_item(attempt, 30, now.value)
        assert item.position != first.position
        _answer(attempt, item, seconds_per_question=30, now=now.value)
        now.move(seconds=1)
    assert attempt.status == "finished"
    assert attempt.correct_count == attempt.question_count - 1


def test_an_item_not_yet_shown_cannot_be_answered(competition, now):
    """The issue: while question 1 was on screen, an answer to question 6 was recorded, and
    question 6 was then never shown, so its timer never started."""
    attempt = _start(competition, _register(competition), now)
    first = _show(attempt, now)
    assert first.position == 0
    ahead = attempt.items[5]
    with pytest.raises(AttemptError, match="not_current"):
        _answer(attempt, ahead, now=now.value)
    db.session.refresh(ahead)
    assert (ahead.answered_at, ahead.shown_at, attempt.score) == (None, None, 0)
    shown = []
    while attempt.status == "open":
        item = _show(attempt, now)
        shown.append(item.position)
        now.move(seconds=4)
        _answer(attempt, item, now=now.value)
    assert shown == [0, 1, 2, 3, 4, 5], "every question is shown in its turn"
    assert [i.elapsed_ms for i in attempt.items] == [4000] * 6


def test_the_current_item_cannot_be_answered_before_it_is_shown(competition, now):
    attempt = _start(competition, _register(competition), now)
    with pytest.raises(AttemptError, match="not_current"):
        _answer(attempt, attempt.items[0], now=now.value)
    item = _show(attempt, now)
    assert _answer(attempt, item, now=now.value).recorded


def test_a_timed_out_item_gives_way_to_the_next_only_once_that_is_shown(competition, now):
    attempt = _start(competition, _register(competition), now)
    _show(attempt, now)
    now.move(seconds=40)  # question 1 timed out unanswered; question 2 not shown yet
    with pytest.raises(AttemptError, match="not_current"):
        _answer(attempt, attempt.items[1], seconds_per_question=30, now=now.value)
    assert _show(attempt, now).position == 1
    assert _answer(attempt, attempt.items[1], seconds_per_question=30, now=now.value).recorded


def test_practice_answers_only_the_item_shown_too(bank):
    from quizapp.practice import services as practice

    attempt = practice.start_practice("youth", None, "dev", rng=random.Random(3))
    with pytest.raises(AttemptError, match="not_current"):
        record_answer(attempt, 6, [0])
    item = current_item(attempt)
    with pytest.raises(AttemptError, match="not_current"):
        record_answer(attempt, item.position + 1, [0])
    assert record_answer(attempt, item.position, [0]).recorded


def test_the_attempt_deadline_is_capped_by_the_round_end_and_the_window_end(competition, now):
    t = now.value
    competition.seconds_per_attempt = 600
    week = Round(number=1, starts_at=t - timedelta(days=1), ends_at=t + timedelta(seconds=60))
    assert services.attempt_deadline(competition, t, None) == t + timedelta(seconds=600)
    assert services.attempt_deadline(competition, t, week) == t + timedelta(seconds=60)
    competition.ends_at = t + timedelta(seconds=30)
    assert services.attempt_deadline(competition, t, week) == t + timedelta(seconds=30)
    assert services.attempt_deadline(competition, t, None) == t + timedelta(seconds=30)


def test_a_started_attempt_ends_with_its_round(competition, now):
    t = now.value
    db.session.add(Round(competition=competition, number=1, starts_at=t - timedelta(days=1),
                         ends_at=t + timedelta(seconds=100)))
    db.session.commit()
    attempt = _start(competition, _register(competition), now)
    assert attempt.deadline == t + timedelta(seconds=100)  # not 6 × (30 + 10) s = 240 s


def test_an_items_limit_is_capped_by_the_attempts_deadline(competition, now):
    attempt = _start(competition, _register(competition), now)
    assert attempt.deadline == now.value + timedelta(seconds=240)  # 6 × (30 s + 10 s between)
    now.move(seconds=230)
    item = _show(attempt, now)  # its own 30 s would run to 260 s
    assert item_deadline(attempt, item, 30) == attempt.deadline
    assert item_deadline(attempt, item, None) == attempt.deadline
    attempt.deadline = None
    assert item_deadline(attempt, item, 30) == now.value + timedelta(seconds=30)
    db.session.rollback()


def test_the_daily_limit_turns_at_beijing_midnight_not_utc_midnight(competition, now):
    competition.attempts_per_day = 1
    db.session.commit()
    participant = _register(competition)
    now.value = datetime(2025, 5, 1, 15, 59, tzinfo=UTC)  # 23:59 on 1 May in Beijing
    _finish(_start(competition, participant, now), now)
    now.value = datetime(2025, 5, 1, 16, 1, tzinfo=UTC)  # 00:01 on 2 May in Beijing, same UTC day
    _finish(_start(competition, participant, now), now)
    now.value = datetime(2025, 5, 2, 15, 58, tzinfo=UTC)  # 23:58 on 2 May, the next UTC day
    with pytest.raises(AttemptError, match="daily_limit"):
        _start(competition, participant, now)
    now.value = datetime(2025, 5, 2, 16, 0, tzinfo=UTC)  # 00:00 on 3 May in Beijing
    assert _start(competition, participant, now).status == "open"
