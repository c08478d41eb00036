"""Fixtures for the live-game pages: a teacher of the school, a set, a game, phones.

Import them in a test module: ``from tests.schools.liveweb_fixtures import *  # noqa``.
They build on tests/schools/live_fixtures.py (the school, its questions, the frozen clock).
"""

from __future__ import annotations

import re

import pytest

from quizapp.extensions import db
from tests.schools.live_fixtures import (  # noqa: F401
    FrozenClock,
    now,
    other_school,
    questions,
    right_choices,
    school,
    wrong_choices,
)
from tests.support import AuthActions, csrf_token

__all__ = ["school", "other_school", "questions", "now", "FrozenClock", "right_choices",
           "wrong_choices", "teacher", "qset", "game", "phone_client", "join",
           "post_action", "csrf_token"]


@pytest.fixture
def teacher(client, make_user, school):
    """The test client signed in as a teacher of the school."""
    user = make_user("teacher1", "teacher")
    user.schools = [school]
    db.session.commit()
    AuthActions(client).login("teacher1")
    return client


@pytest.fixture
def qset(school, questions):
    """The teacher's four-question set (single, multiple, true/false, single)."""
    from quizapp.models import QuestionSet, QuestionSetItem, User

    owner = db.session.query(User).filter_by(username="teacher1").one_or_none()
    qs = QuestionSet(school_id=school.id, owner_id=owner.id if owner else None,
                     title="光与影", shared=True)
    qs.items = [QuestionSetItem(position=k, question_id=v.question_id)
                for k, v in enumerate(questions)]
    db.session.add(qs)
    db.session.commit()
    return qs


@pytest.fixture
def game(teacher, qset, questions, school, now):
    """A game of the set, in the lobby, opened through the teacher's page (20 s a question,
    speed points on)."""
    from quizapp.models import LiveGame

    page = teacher.get(f"/schools/live/new?set_id={qset.id}")
    response = teacher.post(f"/schools/live/new?set_id={qset.id}", data={
        "csrf_token": csrf_token(page.text), "title": "课堂竞赛", "seconds_per_question": "20",
        "speed_points": "y", "team_count": "0"})
    assert response.status_code == 302, response.text
    return db.session.query(LiveGame).order_by(LiveGame.id.desc()).first()


@pytest.fixture
def phone_client(app):
    """``phone_client()``: a new phone (its own cookies)."""
    from tests.conftest import IsolatedClient

    def factory():
        app.test_client_class = IsolatedClient
        return app.test_client()

    return factory


def join(phone, game, nickname: str, class_id: int | None = None):
    """Join ``game`` on ``phone`` through the pages; returns the last response."""
    page = phone.get(f"/join?code={game.code}", follow_redirects=True)
    data = {"csrf_token": csrf_token(page.text), "code": game.code, "nickname": nickname}
    if class_id is not None:
        data["school_class_id"] = str(class_id)
    else:
        ids = re.findall(r'<option value="(\d+)"', page.text)
        data["school_class_id"] = next(i for i in ids if i != "0")
    return phone.post("/join", data=data)


def post_action(teacher, game, action: str, **extra):
    """Press one of the game's control buttons on the projector page."""
    page = teacher.get(f"/schools/live/{game.id}")
    return teacher.post(f"/schools/live/{game.id}/action",
                        data={"csrf_token": csrf_token(page.text), "action": action, **extra})
