"""Fixtures for the question-set tests: two schools, their teachers, a small known bank.

Import them in a test module: ``from tests.schools.sets_fixtures import *  # noqa``.
"""

from __future__ import annotations

import pytest

from quizapp.extensions import db
from tests.competitions.conftest import add_question

__all__ = ["schools", "teachers", "sets_bank", "reserved", "drafted", "retired", "login",
           "add_question"]


@pytest.fixture
def schools(app):
    """Two schools of one town: A (classes 7年级1班, 7年级2班) and B (8年级1班)."""
    from quizapp.models import Organisation, SchoolClass, Township

    town = Township(code="sets-town", name="测试镇", kind="town")
    school_a = Organisation(name="甲中学", kind="school", township=town)
    school_a.classes = [SchoolClass(grade=7, name="1班"), SchoolClass(grade=7, name="2班")]
    school_b = Organisation(name="乙中学", kind="school", township=town)
    school_b.classes = [SchoolClass(grade=8, name="1班", size=40)]
    db.session.add_all([town, school_a, school_b])
    db.session.commit()
    return {"a": school_a, "b": school_b}


@pytest.fixture
def teachers(schools, make_user):
    """``wang`` and ``li`` teach at school A, ``zhao`` at B; ``root`` is an admin."""
    wang = make_user("wang", "teacher")
    li = make_user("li", "teacher")
    zhao = make_user("zhao", "teacher")
    root = make_user("root", "admin")
    wang.schools = [schools["a"]]
    li.schools = [schools["a"]]
    zhao.schools = [schools["b"]]
    db.session.commit()
    return {"wang": wang, "li": li, "zhao": zhao, "root": root}


# (topic, difficulty, dimension, groups, stem) of the six questions every set test sees.
SPEC = [
    ("health", 1, "K", ("youth", "elder"), "洗手要搓多少秒"),
    ("health", 2, "A", ("youth",), "发烧时应当怎样用药"),
    ("emergency", 1, "A", ("youth", "farmer"), "地震时躲在哪里"),
    ("emergency", 3, "M", ("worker",), "火灾逃生的顺序"),
    ("method", 2, "M", ("youth",), "对照实验为什么要有对照组"),
    ("sts", 3, "S", ("cadre",), "100% 可靠的说法可信吗"),
]


@pytest.fixture
def sets_bank(app):
    """Six active questions (SPEC, in code order) as their current versions."""
    versions = []
    for topic, difficulty, dimension, groups, stem in SPEC:
        version = add_question("single", topic, difficulty, groups=groups, stem=stem)
        version.dimension = dimension
        versions.append(version)
    db.session.commit()
    return versions


@pytest.fixture
def reserved(sets_bank):
    """An active question reserved for the survey (never offered to a set)."""
    return add_question("single", "health", 1, groups=("youth",), survey=True,
                        stem="调查专用：洗手")


@pytest.fixture
def drafted(sets_bank):
    return add_question("single", "health", 1, groups=("youth",), status="draft",
                        stem="草稿：洗手")


@pytest.fixture
def retired(sets_bank):
    return add_question("single", "health", 1, groups=("youth",), status="retired",
                        stem="退役：洗手")


@pytest.fixture
def login(client, auth):
    """``login(name)``: sign the test client in as that account (signing out first)."""

    def sign_in(name: str):
        auth.logout()
        response = auth.login(name)
        assert response.status_code == 302
        return client

    return sign_in
