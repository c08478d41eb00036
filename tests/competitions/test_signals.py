"""Cheating signals: every threshold pinned from both sides, the reasons the admin reads.

Timing rules (quizapp/engine/signals.py): an answer under 2 s is too fast; one under 25% of
the question's median time (five answers or more) is too fast for the question; either flags an
attempt when it covers at least half of its answers (three or more). Eight or more times whose
coefficient of variation (population standard deviation / mean) is under 0.15 are uniform.
"""

from datetime import timedelta

import pytest

from quizapp.engine.signals import all_signals, item_medians, judge_timing
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, Participant
from tests.support import csrf_token

TEN_SECONDS = {version: 10_000 for version in range(1, 13)}


def _kinds(times, medians=TEN_SECONDS):
    """The timing rules an attempt with these times (on versions 1, 2, ...) breaks."""
    return [kind for kind, _ in judge_timing(list(enumerate(times, start=1)), medians)]


@pytest.mark.parametrize("times,flagged", [
    ([1999] * 3 + [10_000] * 3, True),  # 3 of 6 under 2 s: half
    ([1999] * 2 + [10_000] * 4, False),  # 2 of 6: a third
    ([2000] * 3 + [10_000] * 3, False),  # 2 s is not under 2 s
    ([1000] * 2, False),  # fewer than three answers
    ([1000] * 3, True),
])
def test_answers_under_two_seconds(times, flagged):
    assert ("fast" in _kinds(times)) is flagged


@pytest.mark.parametrize("times,flagged", [
    ([2499] * 3 + [10_000] * 3, True),  # under a quarter of the 10 s median, half of them
    ([2500] * 3 + [10_000] * 3, False),  # a quarter is not under a quarter
    ([2499] * 2 + [10_000] * 4, False),  # a third of them
])
def test_answers_far_quicker_than_the_questions_median(times, flagged):
    assert ("fast_relative" in _kinds(times)) is flagged
    assert "fast" not in _kinds(times)


def test_questions_without_a_known_median_do_not_count_towards_the_relative_rule():
    medians = {4: 10_000, 5: 10_000, 6: 10_000}  # versions 1-3 have too few answers
    assert "fast_relative" not in _kinds([2000] * 3 + [10_000] * 3, medians)
    assert "fast_relative" in _kinds([10_000] * 3 + [2000] * 3, medians)
    assert "fast_relative" not in _kinds([2000, 2000, 10_000], {1: 10_000, 2: 10_000})


@pytest.mark.parametrize("spread,count,flagged", [
    (1450, 8, True),  # coefficient of variation 0.145
    (1550, 8, False),  # 0.155
    (0, 7, False),  # seven answers are too few to judge
    (0, 8, True),
])
def test_uniformly_timed_answers(spread, count, flagged):
    times = [10_000 + (spread if k % 2 else -spread) for k in range(count)]
    assert ("uniform" in _kinds(times)) is flagged


def test_item_medians_need_five_answers():
    answers = {1: [(7, 1000), (8, 500)], 2: [(7, 2000), (8, 500)], 3: [(7, 3000), (8, 500)],
               4: [(7, 4000), (8, 500)], 5: [(7, 100_000)], 6: [(9, 1)]}
    assert item_medians(answers) == {7: 3000}
    answers[6].append((8, 700))
    assert item_medians(answers) == {7: 3000, 8: 500}


def _attempt(competition, name, answers, device=None):
    """A finished attempt: ``answers`` are (version, original choices, correct, ms)."""
    participant = Participant(competition_id=competition.id, device_id=device or name, name=name)
    db.session.add(participant)
    db.session.flush()
    start = competition.starts_at + timedelta(hours=1)
    attempt = Attempt(kind="competition", token=f"tok-{name}", competition_id=competition.id,
                      participant_id=participant.id, status="finished", started_at=start,
                      finished_at=start + timedelta(minutes=5), duration_ms=300_000,
                      question_count=len(answers), device_id=device or name)
    shown = start
    for position, (version, choices, correct, ms) in enumerate(answers):
        attempt.items.append(AttemptItem(
            position=position, question_version_id=version.id, option_order=[0, 1, 2, 3],
            choices=choices, correct=correct, shown_at=shown,
            answered_at=shown + timedelta(milliseconds=ms), elapsed_ms=ms))
        shown += timedelta(milliseconds=ms + 500)
    db.session.add(attempt)
    db.session.commit()
    return attempt


def _signals(competition):
    return [(s.kind, s.attempt_ids, s.detail) for s in all_signals(competition.id)]


def test_identical_right_answers_are_not_copying_identical_wrong_ones_are(competition, bank):
    singles = [v for v in bank if v.type == "single"][:5]  # right answer: [1]
    both = [(v, [1], True, 10_000) for v in singles[:3]] + \
        [(v, [2], False, 10_000) for v in singles[3:]]
    _attempt(competition, "A", both)
    _attempt(competition, "B", both)  # 3 identical right, 2 identical wrong
    copier = [(v, [3], False, 10_000) for v in singles[:3]]
    c = _attempt(competition, "C", copier)
    d = _attempt(competition, "D", copier)  # 3 identical wrong
    _attempt(competition, "E", copier[:2] + [(singles[2], [2], False, 10_000)])  # 2 with C, D
    assert [s for s in _signals(competition) if s[0] == "copied"] == [
        ("copied", (c.id, d.id), {"count": 3})]


@pytest.mark.parametrize("quick,flagged", [(3, True), (2, False)])
def test_the_too_fast_share_on_both_sides(competition, bank, quick, flagged):
    singles = [v for v in bank if v.type == "single"][:6]
    answers = [(v, [1] if k % 2 else [2], k % 2 == 1, 1500 if k < quick else 12_000)
               for k, v in enumerate(singles)]
    attempt = _attempt(competition, "P", answers)
    expected = [("fast", (attempt.id,), {"count": 3, "total": 6, "seconds": 2.0})]
    assert [s for s in _signals(competition) if s[0] == "fast"] == (expected if flagged else [])


def _human_times(person: int) -> list[int]:
    """Reading times of a person, 9 to 25 s, varying with the question."""
    return [9000 + 1600 * ((7 * question + 3 * person) % 11) for question in range(10)]


def _timing_fixture(competition, bank):
    versions = bank[:10]
    for person in range(5):
        _attempt(competition, f"居民{person}", [
            (v, list(v.answer), True, ms) for v, ms in zip(versions, _human_times(person),
                                                            strict=True)])
    return _attempt(competition, "脚本", [
        (v, list(v.answer), True, 2000 + (37 * k) % 200) for k, v in enumerate(versions)])


def test_a_script_pausing_two_seconds_a_question_is_flagged(competition, bank):
    """The issue: a script pausing about 2 s per question was not flagged."""
    script = _timing_fixture(competition, bank)
    found = _signals(competition)
    assert [(kind, ids) for kind, ids, _ in found] == [
        ("fast_relative", (script.id,)), ("uniform", (script.id,))]
    assert found[0][2] == {"count": 10, "total": 10, "percent": 25}
    assert found[1][2] == {"total": 10, "cv": 0.03, "seconds": 2.1}


@pytest.fixture
def admin(client, auth, make_user):
    make_user("root", "admin")
    auth.login("root")
    return client


def test_the_signals_page_says_who_was_flagged_and_why_in_both_languages(admin, competition,
                                                                         bank):
    script = _timing_fixture(competition, bank)
    page = admin.get(f"/admin/competitions/{competition.id}/attempts").text
    assert f"脚本 (#{script.id})" in page
    assert "10 个回答中有 10 个用时不到其他参赛者答同一道题所用时间中位数的 25%" in page
    assert "10 个回答每个都用了约 2.1 秒，几乎没有变化（变异系数 0.03）" in page
    admin.set_cookie("kx_lang", "en")
    english = admin.get(f"/admin/competitions/{competition.id}/attempts").text
    assert ("10 of 10 answers took less than 25% of the median time other participants "
            "needed for the same question.") in english
    assert "All 10 answers took about 2.1 seconds each, with almost no variation" in english
    voided = admin.post(f"/admin/competitions/attempts/{script.id}/void", data={
        "csrf_token": csrf_token(page), "reason": "脚本"})
    assert voided.status_code == 302
    assert 'data-kind="uniform"' not in admin.get(
        f"/admin/competitions/{competition.id}/attempts").text
