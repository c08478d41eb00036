"""Fixtures for the live game engine tests: a school with classes, questions, a game.

Import them in a test module: ``from tests.schools.live_fixtures import *  # noqa``.
The questions come from tests/competitions/conftest.py's ``add_question``: single-choice
keyed on option 1, multiple on 0 and 2, true/false on 0.
"""

from __future__ import annotations

import pytest

from quizapp.extensions import db
from tests.competitions.conftest import FrozenClock, add_question, now  # noqa: F401

__all__ = ["school", "other_school", "questions", "make_game", "now", "FrozenClock",
           "right_choices", "wrong_choices"]


def _school(name: str):
    from quizapp.models import Organisation, SchoolClass, Township

    town = db.session.query(Township).filter_by(code="live-town").one_or_none()
    if town is None:
        town = Township(code="live-town", name="实验镇", kind="town")
        db.session.add(town)
    school = Organisation(name=name, kind="school", township=town)
    school.classes = [SchoolClass(grade=7, name="1班", size=30),
                      SchoolClass(grade=7, name="2班", size=55)]
    db.session.add(school)
    db.session.commit()
    return school


@pytest.fixture
def school(app):
    """A school with two classes (7年级1班 of 30, 7年级2班 of 55)."""
    return _school("实验中学")


@pytest.fixture
def other_school(app):
    return _school("第二中学")


@pytest.fixture
def questions(app):
    """Four questions in playing order: single, multiple, true/false, single."""
    return [add_question("single"), add_question("multiple"), add_question("true_false"),
            add_question("single")]


@pytest.fixture
def make_game(school, questions, now):
    """``make_game(**options)``: a game of the four questions in the lobby."""
    from quizapp.schools import live_state

    def factory(**options):
        options.setdefault("title", "课堂竞赛")
        return live_state.create_game(questions, school_id=school.id, teacher_id=None,
                                      question_set_id=None, **options)

    return factory


def right_choices(player, position: int) -> list[int]:
    """The displayed indexes of the keyed options of this player's item at ``position``."""
    item = next(i for i in player.attempt.items if i.position == position)
    return sorted(item.option_order.index(c) for c in item.question_version.answer)


def wrong_choices(player, position: int) -> list[int]:
    """One displayed index of an option that is not keyed."""
    item = next(i for i in player.attempt.items if i.position == position)
    key = set(item.question_version.answer)
    wrong = next(k for k, original in enumerate(item.option_order) if original not in key)
    return [wrong]
