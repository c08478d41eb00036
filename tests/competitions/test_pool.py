"""The competition's own question pool, and practice kept away from it while it is open.

The issue: practice showed the key after each answer and drew from the same questions as the
competition, so a script harvested the competition's key through practice. Now a competition
draws only from its pool, and practice never draws (nor replays as a mistake) a question in
the pool of a competition that has not closed. Every draw here is seeded.
"""

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.competitions import services
from quizapp.competitions.pool import (
    PoolError,
    draw_pool,
    ensure_pool,
    pool_summary,
    scaled_quotas,
)
from quizapp.engine.attempts import current_item, record_answer
from quizapp.extensions import db
from quizapp.models import Attempt, Competition, CompetitionItem, Question
from quizapp.practice import services as practice
from quizapp.questions_pool import drawable_versions, pool_versions, practice_versions
from tests.competitions.conftest import POOL_SEED, add_question
from tests.support import csrf_token


def _pool(competition) -> set[int]:
    return set(db.session.scalars(select(CompetitionItem.question_id).where(
        CompetitionItem.competition_id == competition.id)))


def _other(now, slug, pool_size=12, **fields):
    contest = Competition(slug=slug, title=slug, starts_at=fields.pop("starts_at", now.value),
                          ends_at=fields.pop("ends_at", now.value + timedelta(days=3)),
                          question_count=6, quotas=fields.pop("quotas", {}), pool_size=pool_size,
                          **fields)
    db.session.add(contest)
    return contest


def test_drawable_versions_leave_out_survey_draft_and_other_groups(bank):
    elder_only = add_question("single", "health", groups=("elder",), stem="老年人专题")
    survey = db.session.scalar(select(Question).where(Question.survey_reserved.is_(True)))
    everyone = {v.id for v in bank}
    assert {v.id for v in drawable_versions()} == everyone | {elder_only.id}
    assert {v.id for v in drawable_versions(["youth"])} == everyone
    assert {v.id for v in drawable_versions(["elder"])} == everyone | {elder_only.id}
    assert survey.current_version_id not in {v.id for v in drawable_versions()}


def test_scaled_quotas_round_down():
    quotas = {"type": {"true_false": 7, "single": 7, "multiple": 6}, "difficulty": {"3": 4}}
    assert scaled_quotas(quotas, 20, 100) == {
        "type": {"true_false": 35, "single": 35, "multiple": 30}, "difficulty": {"3": 20}}
    assert scaled_quotas(quotas, 20, 50) == {
        "type": {"true_false": 17, "single": 17, "multiple": 15}, "difficulty": {"3": 10}}
    assert scaled_quotas({}, 20, 100) == {}


def test_the_pool_has_its_size_with_every_quota_scaled_up(competition, bank):
    summary = pool_summary(competition)
    assert (summary.size, summary.usable, summary.seed) == (30, 30, POOL_SEED)
    assert summary.by_type == {"multiple": 10, "single": 10, "true_false": 10}
    survey_and_draft = set(db.session.scalars(select(Question.id).where(
        Question.id.not_in([v.question_id for v in bank]))))
    assert len(survey_and_draft) == 2 and not _pool(competition) & survey_and_draft


def test_the_same_seed_draws_the_same_pool(competition, now):
    twin = _other(now, "twin", pool_size=30, quotas=competition.quotas)
    draw_pool(twin, POOL_SEED)
    assert _pool(twin) == _pool(competition)
    draw_pool(twin, POOL_SEED + 1)
    assert _pool(twin) != _pool(competition) and len(_pool(twin)) == 30


@pytest.mark.parametrize("size,code", [(5, "too_small"), (61, "too_large")])
def test_a_pool_the_bank_cannot_give_is_refused(bank, now, size, code):
    contest = _other(now, "big", pool_size=size)
    with pytest.raises(PoolError) as error:
        draw_pool(contest, 1)
    assert error.value.code == code
    if code == "too_large":
        assert error.value.available == 60


def test_quotas_the_pool_cannot_meet_are_refused(bank, now):
    contest = _other(now, "quota", pool_size=12,
                     quotas={"type": {"multiple": 6}, "difficulty": {"1": 6}})
    with pytest.raises(PoolError, match="quotas"):  # multiple choice is difficulty 3 here
        draw_pool(contest, 1)


def test_attempts_draw_only_from_the_pool(competition, now):
    pool = _pool(competition)
    drawn = set()
    for seed in range(6):
        participant = services.register(
            competition, user_id=None, device_id=f"d{seed}", name="甲", township_id=None,
            organisation_id=None, phone="", ip=None)
        attempt = services.start_attempt(competition, participant, ip=None, device_id=f"d{seed}",
                                         now=now.value, rng=random.Random(seed))
        drawn |= {i.question_version.question_id for i in attempt.items}
    assert drawn <= pool and len(drawn) > 12  # six attempts of 6 spread over the pool of 30


def test_pool_versions_are_the_drawable_ones_in_the_pool(competition, bank):
    assert {v.question_id for v in pool_versions(competition.id)} == _pool(competition)
    retired = db.session.get(Question, min(_pool(competition)))
    retired.current.status = "retired"
    db.session.commit()
    assert {v.question_id for v in pool_versions(competition.id)} == \
        _pool(competition) - {retired.id}
    assert pool_summary(competition).usable == 29


def test_practice_never_draws_from_a_competition_that_has_not_closed(competition, bank, now):
    everything = {v.question_id for v in bank}
    pool = _pool(competition)
    assert {v.question_id for v in practice_versions(None, now.value)} == everything - pool
    assert {v.question_id for v in practice_versions(["elder"], now.value)} == everything - pool
    upcoming = _other(now, "later", starts_at=now.value + timedelta(days=20),
                      ends_at=now.value + timedelta(days=30), published=False)
    draw_pool(upcoming, 3)
    db.session.commit()
    assert {v.question_id for v in practice_versions(None, now.value)} == \
        everything - pool - _pool(upcoming)
    now.move(days=10, seconds=1)  # the competition has closed; the upcoming one has not
    assert {v.question_id for v in practice_versions(None, now.value)} == \
        everything - _pool(upcoming)


@pytest.mark.parametrize("seed", range(5))
def test_practice_rounds_avoid_the_pool(competition, now, seed):
    attempt = practice.start_practice("youth", None, "dev", rng=random.Random(seed))
    assert attempt.question_count == 10
    assert not {i.question_version.question_id for i in attempt.items} & _pool(competition)


def test_mistakes_in_a_later_competitions_pool_are_not_replayed(bank, now):
    attempt = practice.start_practice("youth", None, "dev", rng=random.Random(1))
    wrong = set()
    while attempt.status == "open":
        item = current_item(attempt)
        version = item.question_version
        choice = next(k for k in range(version.choice_count) if k not in version.answer)
        record_answer(attempt, item.position, [item.option_order.index(choice)])
        wrong.add(version.question_id)
    contest = _other(now, "later-cup", pool_size=30)
    draw_pool(contest, 11)
    db.session.commit()
    assert wrong & _pool(contest), "the seeded pool overlaps the mistakes"
    assert {v.question_id for v in practice.mistake_versions(None, "dev")} == \
        wrong - _pool(contest)


def test_a_script_dropping_its_cookie_learns_nothing_of_the_pool(app, client, competition):
    """The issue's attack, through the pages: practice rounds from fresh devices, reading the
    key on every feedback page. Nothing it learns is in the open competition's pool."""
    stems = {v.stem: v.question_id for v in drawable_versions()}
    learned = set()
    for _ in range(8):
        script = app.test_client()  # no cookies: a new device each round
        page = script.get("/practice/")
        token = script.post("/practice/start", data={
            "csrf_token": csrf_token(page.text), "group": "youth"}).headers["Location"]
        token = token.rsplit("/", 1)[-1]
        for _ in range(10):
            html = script.get(f"/practice/{token}").text
            position = re.search(r'name="position" value="(\d+)"', html).group(1)
            script.post(f"/practice/{token}/answer", data={
                "csrf_token": csrf_token(html), "position": position, "choice": "0"})
            feedback = script.get(f"/practice/{token}/feedback/{position}").text
            learned |= {qid for stem, qid in stems.items() if f"<strong>{stem}</strong>" in
                        feedback}
    assert len(learned) >= 25, "the script saw nearly all of practice (30 questions)"
    assert not learned & _pool(competition)


def test_a_competition_saved_before_pools_gets_one_at_its_first_start(bank, now):
    legacy = _other(now, "legacy", pool_size=24, published=True,
                    quotas={"type": {"single": 2}})
    db.session.commit()
    assert legacy.pool_seed is None and _pool(legacy) == set()
    participant = services.register(legacy, user_id=None, device_id="d", name="", township_id=None,
                                    organisation_id=None, phone="", ip=None)
    attempt = services.start_attempt(legacy, participant, ip=None, device_id="d", now=now.value,
                                     rng=random.Random(1))
    pool = _pool(legacy)
    assert len(pool) == 24 and legacy.pool_seed is not None
    assert {i.question_version.question_id for i in attempt.items} <= pool
    ensure_pool(legacy)
    assert _pool(legacy) == pool, "drawn once"


def test_the_demo_competition_has_its_pool_and_practice_works_with_the_whole_bank(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    demo = db.session.scalar(select(Competition).where(Competition.slug == "xinzheng-2025"))
    summary = pool_summary(demo)
    assert (summary.size, summary.by_type) == (
        100, {"multiple": 30, "single": 35, "true_false": 35})
    assert demo.reveal == "after_window"
    pool = _pool(demo)
    attempts_items = {i.question_version.question_id for a in db.session.scalars(
        select(Attempt).where(Attempt.competition_id == demo.id)) for i in a.items}
    assert attempts_items <= pool, "the simulated residents answered from the pool"
    for group in ("youth", "farmer", "worker", "elder", "cadre"):
        available = practice_versions([group], demo.starts_at + timedelta(days=15))
        assert len(available) >= 250 and not {v.question_id for v in available} & pool
        attempt = practice.start_practice(group, None, f"dev-{group}", rng=random.Random(5))
        assert attempt.question_count == 10
        assert not {i.question_version.question_id for i in attempt.items} & pool
