"""A homework contest taken through the competition pages: registration with name and class
(the school's own classes only), the whole set once, one attempt per student, not listed with
the network competitions, no public board, a pool never drawn again."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.competitions import pool, services
from quizapp.engine.attempts import AttemptError
from quizapp.extensions import db
from quizapp.models import Attempt, CompetitionItem, Participant
from quizapp.schools import homework_services
from tests.competitions.conftest import competition  # noqa: F401
from tests.schools.homework_fixtures import (  # noqa: F401
    bank,
    class_of,
    homework,
    make_set,
    now,
    qset,
    schools,
    seeded_draws,
    teachers,
)
from tests.support import csrf_token, field_errors


def _register(client, contest, data):
    page = client.get(f"/competitions/{contest.slug}")
    return client.post(f"/competitions/{contest.slug}/register",
                       data={"csrf_token": csrf_token(page.text), **data})


def _start(client, contest):
    page = client.get(f"/competitions/{contest.slug}")
    return client.post(f"/competitions/{contest.slug}/start",
                       data={"csrf_token": csrf_token(page.text)})


def _answer_all(client, attempt_path):
    while True:
        page = client.get(attempt_path)
        if page.status_code == 302:
            return page
        position = re.search(r'name="position" value="(\d+)"', page.text).group(1)
        client.post(f"{attempt_path}/answer", data={
            "csrf_token": csrf_token(page.text), "position": position, "choice": "0"})


def test_open_homework_holds_the_set_and_one_attempt_rule(homework, qset, bank):
    assert (homework.kind, homework.published, homework.attempts_total) == ("homework", True, 1)
    assert homework.registration == {"name": "required", "school_class": "required"}
    assert homework.reveal == "after_attempt"
    assert homework.question_count == 5  # the reserved and the draft item are left out
    items = set(db.session.scalars(select(CompetitionItem.question_id).where(
        CompetitionItem.competition_id == homework.id)))
    assert items == {v.question_id for v in bank[:5]}
    assert homework.pool_seed is not None


def test_open_homework_refusals(qset, schools, teachers, now):
    def opening(qs, starts, ends):
        return homework_services.open_homework(
            qs, teacher_id=teachers[0].id, school_id=schools[0].id, title="x",
            starts_at=starts, ends_at=ends)

    with pytest.raises(homework_services.HomeworkError) as error:
        opening(qset, now.value, now.value)
    assert error.value.code == "window"
    with pytest.raises(homework_services.HomeworkError) as error:
        opening(qset, now.value - timedelta(days=2), now.value - timedelta(days=1))
    assert error.value.code == "past"
    empty = make_set(schools[0], teachers[0], [], title="空")
    with pytest.raises(homework_services.HomeworkError) as error:
        opening(empty, now.value, now.value + timedelta(days=1))
    assert error.value.code == "empty"


def test_the_pool_code_never_draws_a_homework_pool(homework):
    before = set(db.session.scalars(select(CompetitionItem.question_id).where(
        CompetitionItem.competition_id == homework.id)))
    with pytest.raises(pool.PoolError):
        pool.draw_pool(homework, 1)
    homework.question_count = 3  # a setting a network pool depends on
    pool.save_pool(homework, None)
    homework.pool_seed = None
    pool.ensure_pool(homework)
    db.session.rollback()
    after = set(db.session.scalars(select(CompetitionItem.question_id).where(
        CompetitionItem.competition_id == homework.id)))
    assert after == before


def test_not_listed_with_network_competitions(client, homework, competition):
    page = client.get("/competitions/")
    assert competition.title in page.text
    assert homework.title not in page.text and homework.slug not in page.text
    assert [c.id for c in services.visible_competitions()] == [competition.id]
    assert client.get(f"/competitions/{homework.slug}/board").status_code == 404
    assert client.get(f"/competitions/{competition.slug}/board").status_code == 200


def test_register_needs_a_class_of_the_school(client, homework, schools):
    first, second = schools
    page = client.get(f"/competitions/{homework.slug}")
    options = re.findall(r'<option value="(\d+)"', page.text.split('name="school_class_id"')[1]
                         .split("</select>")[0])
    assert sorted(int(o) for o in options if o != "0") == sorted(c.id for c in first.classes)
    assert 'name="township_id"' not in page.text  # fields the homework does not ask

    missing = _register(client, homework, {"name": "小明", "school_class_id": "0"})
    assert missing.status_code == 400
    assert "此项为必填项。" in field_errors(missing.text)
    other = second.classes[0].id
    for forged in (str(other), "abc", "99999999999999999999", "-1", "1\x00"):
        response = _register(client, homework, {"name": "小明", "school_class_id": forged})
        assert response.status_code == 400, forged
    assert db.session.scalar(select(func.count(Participant.id))) == 0

    with pytest.raises(services.RegistrationError) as error:
        services.register(homework, user_id=None, device_id="d1", name="小明",
                          township_id=None, organisation_id=None, phone="", ip=None,
                          school_class_id=other)
    assert (error.value.field, error.value.code) == ("school_class", "invalid")
    with pytest.raises(services.RegistrationError) as error:
        services.register(homework, user_id=None, device_id="d1", name="", township_id=None,
                          organisation_id=None, phone="", ip=None,
                          school_class_id=first.classes[0].id)
    assert (error.value.field, error.value.code) == ("name", "required")


def test_one_attempt_per_student_through_the_pages(client, homework, schools, bank):
    seven_one = class_of(schools[0], 7, "1班")
    assert _register(client, homework, {"name": "小明", "school_class_id": seven_one.id}
                     ).status_code == 302
    participant = db.session.scalar(select(Participant))
    assert (participant.name, participant.school_class_id) == ("小明", seven_one.id)

    started = _start(client, homework)
    attempt_path = started.headers["Location"]
    assert "/competitions/attempt/" in attempt_path
    attempt = db.session.scalar(select(Attempt))
    assert attempt.question_count == 5
    assert {i.question_version_id for i in attempt.items} == {v.id for v in bank[:5]}
    assert _start(client, homework).headers["Location"] == attempt_path  # a reload: same one

    assert "/result" in _answer_all(client, attempt_path).headers["Location"]
    db.session.refresh(attempt)
    assert attempt.status == "finished"

    again = _start(client, homework)
    assert again.headers["Location"].endswith(f"/competitions/{homework.slug}")
    page = client.get(f"/competitions/{homework.slug}")
    assert "你已经参加过了：每人只能答一次。" in page.text
    assert 'data-test="start"' not in page.text
    assert db.session.scalar(select(func.count(Attempt.id))) == 1

    with pytest.raises(AttemptError) as error:
        services.start_attempt(homework, participant, ip=None, device_id=None)
    assert error.value.code == "already_done"

    moved = _register(client, homework, {"name": "小明",
                                         "school_class_id": class_of(schools[0], 7, "2班").id})
    assert moved.status_code == 400
    assert "有成绩后不能再更改班级。" in field_errors(moved.text)
    rows = {f"{r.grade}/{r.name}": r for r in homework_services.class_board(homework)}
    assert rows["7/1班"].participants == 1 and rows["7/2班"].participants == 0


def test_an_expired_attempt_uses_the_one_attempt(client, homework, schools, now):
    _register(client, homework, {"name": "小红", "school_class_id": schools[0].classes[0].id})
    _start(client, homework)
    now.move(minutes=10)  # 5 questions × 60 s: the attempt closes at its deadline
    again = _start(client, homework)
    assert again.headers["Location"].endswith(f"/competitions/{homework.slug}")
    assert db.session.scalar(select(func.count(Attempt.id))) == 1
    assert db.session.scalar(select(Attempt.status)) == "expired"
    assert "你已经参加过了" in client.get(f"/competitions/{homework.slug}").text


def test_a_retired_question_drops_out_instead_of_stopping_everyone(
        client, homework, schools, bank):
    bank[0].status = "retired"
    db.session.commit()
    _register(client, homework, {"name": "小刚", "school_class_id": schools[0].classes[0].id})
    assert "/competitions/attempt/" in _start(client, homework).headers["Location"]
    assert db.session.scalar(select(Attempt.question_count)) == 4


def test_network_competitions_keep_no_overall_limit(competition, now):
    participant = services.register(
        competition, user_id=None, device_id="dev", name="张三", township_id=None,
        organisation_id=None, phone="", ip=None, school_class_id=12345)
    assert participant.school_class_id is None  # the field is not asked: nothing stored
    assert services.attempts_left(competition, participant) is None
