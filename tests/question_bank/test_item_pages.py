"""The item statistics list: pages of 50, filtered by flag and topic."""

import re
import secrets

import pytest

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem
from quizapp.questions.item_routes import PER_PAGE
from tests.competitions.conftest import add_question


@pytest.fixture
def answered(app):
    """60 items answered by the same 20 attempts: the first 10 (health) by everyone rightly
    (flagged too easy), the other 50 (sts) rightly by the abler people only (30-75% right,
    positive discrimination: no flag)."""
    versions = [add_question("single", "health" if i < 10 else "sts") for i in range(60)]
    for person in range(20):
        attempt = Attempt(token=secrets.token_hex(8), kind="practice", status="finished")
        db.session.add(attempt)
        db.session.flush()
        for position, version in enumerate(versions):
            right = position < 10 or person >= 5 + position % 10
            db.session.add(AttemptItem(attempt_id=attempt.id, position=position,
                                       question_version_id=version.id, option_order=[0, 1, 2, 3],
                                       choices=[1] if right else [0], correct=right))
    db.session.commit()
    return versions


def _listed(html):
    return [int(v) for v in re.findall(r'href="/admin/questions/items/(\d+)\?source=quiz"', html)]


def test_the_item_list_comes_in_pages(admin, answered):
    assert PER_PAGE == 50
    first = admin.get("/admin/questions/items").text
    assert len(_listed(first)) == 50 and "60 道题目" in first
    assert 'href="/admin/questions/items?source=quiz&amp;sort=flag&amp;page=2"' in first
    second = admin.get("/admin/questions/items?page=2").text
    assert len(_listed(second)) == 10
    assert set(_listed(first)) | set(_listed(second)) == {v.id for v in answered}
    assert set(_listed(first)[:10]) == {v.id for v in answered[:10]}, "flagged items first"


def test_the_item_list_filters_by_flag_and_topic(admin, answered):
    too_easy = admin.get("/admin/questions/items?flag=too_easy").text
    assert sorted(_listed(too_easy)) == sorted(v.id for v in answered[:10])
    assert "10 道题目" in too_easy
    assert sorted(_listed(admin.get("/admin/questions/items?flag=any").text)) == \
        sorted(v.id for v in answered[:10])
    assert _listed(admin.get("/admin/questions/items?flag=negative").text) == []
    sts = admin.get("/admin/questions/items?topic=sts").text
    assert "50 道题目" in sts and set(_listed(sts)) == {v.id for v in answered[10:]}
    assert "60 道题目" in admin.get("/admin/questions/items?flag=bogus&topic=nope").text
    assert "flag=too_easy" in admin.get("/admin/questions/items?flag=too_easy&page=1").text


def test_admins_home_offers_their_own_shortcuts_first(admin):
    home = admin.get("/").text
    assert "请联系管理员" not in home and "Ask an administrator" not in home
    roles = re.findall(r'data-role="(\w+)"', home)
    assert roles[0] == "admin"
    schools = admin.get("/schools/").text
    assert "请联系管理员" not in schools and 'href="/admin/users"' in schools
