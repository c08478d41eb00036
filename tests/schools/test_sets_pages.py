"""Question sets, the pages: the builder without JavaScript (filters, search, add, reorder,
remove), sharing and copying between teachers of one school, 404 for another school's
teacher on every set URL, and bad input answered with 400 and a message."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question
from quizapp.models.schools import QuestionSet, QuestionSetItem
from quizapp.schools import sets_services as s
from tests.schools.sets_fixtures import *  # noqa: F403
from tests.support import csrf_token


def _stored(set_id: int) -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(QuestionSetItem.question_id).where(QuestionSetItem.question_set_id == set_id)
        .order_by(QuestionSetItem.position)))


def _candidate_ids(html: str) -> list[int]:
    """The questions the builder offers, in page order."""
    section = html.split('data-test="candidates"', 1)
    if len(section) < 2:
        return []
    return [int(i) for i in re.findall(r'<li class="card" data-question="(\d+)"', section[1])]


def _press(client, set_id: int, **data):
    """Press a builder button (with the token of the builder page)."""
    page = client.get(f"/schools/sets/{set_id}/edit")
    return client.post(f"/schools/sets/{set_id}/items",
                       data={"csrf_token": csrf_token(page.text), **data})


@pytest.fixture
def wang_set(schools, teachers, sets_bank):
    """Wang's set of the first two questions, not shared."""
    return s.create_set(schools["a"].id, teachers["wang"].id, "王的集",
                        [sets_bank[0].question_id, sets_bank[1].question_id])


# --- building a set -------------------------------------------------------------------------

def test_create_a_set_then_fill_it_from_the_filters(login, schools, teachers, sets_bank,
                                                    reserved):
    client = login("wang")
    page = client.get("/schools/sets/new")
    assert page.status_code == 200
    response = client.post("/schools/sets/new", data={
        "csrf_token": csrf_token(page.text), "title": "第一单元", "description": "",
        "school_id": schools["a"].id})
    assert response.status_code == 302
    qset = db.session.scalar(select(QuestionSet))
    assert (qset.title, qset.owner_id, qset.school_id, qset.shared) == (
        "第一单元", teachers["wang"].id, schools["a"].id, False)
    assert response.headers["Location"].endswith(f"/schools/sets/{qset.id}/edit")

    builder = client.get(f"/schools/sets/{qset.id}/edit?topic=health")
    assert builder.status_code == 200
    health = [sets_bank[0].question_id, sets_bank[1].question_id]
    assert _candidate_ids(builder.text) == health
    assert "调查专用" not in builder.text  # the reserved health question is not offered
    response = client.post(f"/schools/sets/{qset.id}/items", data={
        "csrf_token": csrf_token(builder.text), "topic": "health", "add_all": "1",
        "shown": [str(i) for i in health]})
    assert response.status_code == 302
    assert "topic=health" in response.headers["Location"]
    assert _stored(qset.id) == health

    builder = client.get(f"/schools/sets/{qset.id}/edit?difficulty=3&dimension=M")
    assert _candidate_ids(builder.text) == [sets_bank[3].question_id]
    assert _press(client, qset.id, add=str(sets_bank[3].question_id)).status_code == 302
    assert _stored(qset.id) == [*health, sets_bank[3].question_id]
    # Already in the set: shown as such, no Add button.
    builder = client.get(f"/schools/sets/{qset.id}/edit?difficulty=3&dimension=M")
    assert f'name="add" value="{sets_bank[3].question_id}"' not in builder.text


def test_search_and_group_filters_on_the_page(login, wang_set, sets_bank, reserved):
    client = login("wang")
    page = client.get(f"/schools/sets/{wang_set.id}/edit?q=洗手")
    assert _candidate_ids(page.text) == [sets_bank[0].question_id]
    page = client.get(f"/schools/sets/{wang_set.id}/edit?group=youth&difficulty=1")
    assert _candidate_ids(page.text) == [sets_bank[0].question_id, sets_bank[2].question_id]
    assert "2 道题符合条件" in page.text
    page = client.get(f"/schools/sets/{wang_set.id}/edit?q=调查专用")
    assert _candidate_ids(page.text) == [] and "0 道题符合条件" in page.text


def test_paging_keeps_the_filters(login, wang_set, sets_bank, monkeypatch):
    from quizapp.schools import sets_routes

    monkeypatch.setattr(sets_routes, "PAGE_SIZE", 2)
    client = login("wang")
    page = client.get(f"/schools/sets/{wang_set.id}/edit?group=youth")  # 4 match
    assert _candidate_ids(page.text) == [sets_bank[0].question_id, sets_bank[1].question_id]
    assert "page=2" in page.text and "group=youth" in page.text
    page = client.get(f"/schools/sets/{wang_set.id}/edit?group=youth&page=2")
    assert _candidate_ids(page.text) == [sets_bank[2].question_id, sets_bank[4].question_id]
    page = client.get(f"/schools/sets/{wang_set.id}/edit?group=youth&page=40")  # past the end
    assert page.status_code == 200
    assert _candidate_ids(page.text) == [sets_bank[2].question_id, sets_bank[4].question_id]


def test_a_forged_id_of_a_reserved_question_is_refused(login, wang_set, reserved, drafted):
    client = login("wang")
    for forged in (reserved.question_id, drafted.question_id, 2_000_000_000):
        response = _press(client, wang_set.id, add=str(forged))
        assert response.status_code == 400
        assert "不能加入题集" in response.text
        response = _press(client, wang_set.id, add_all="1", shown=[str(forged)])
        assert response.status_code == 400
    assert _stored(wang_set.id) == [wang_set.items[0].question_id, wang_set.items[1].question_id]
    assert "调查专用" not in client.get(f"/schools/sets/{wang_set.id}").text


def test_reorder_and_remove_with_buttons(login, wang_set, sets_bank):
    client = login("wang")
    a, b = sets_bank[0].question_id, sets_bank[1].question_id
    _press(client, wang_set.id, add=str(sets_bank[2].question_id))
    c = sets_bank[2].question_id
    assert _stored(wang_set.id) == [a, b, c]
    response = _press(client, wang_set.id, up=str(c))
    assert response.status_code == 302 and response.headers["Location"].endswith("#set-items")
    assert _stored(wang_set.id) == [a, c, b]
    _press(client, wang_set.id, down=str(a))
    assert _stored(wang_set.id) == [c, a, b]
    _press(client, wang_set.id, remove=str(a))
    assert _stored(wang_set.id) == [c, b]
    page = client.get(f"/schools/sets/{wang_set.id}/edit").text
    order = re.findall(r'<li class="" data-question="(\d+)"', page)
    assert order == [str(c), str(b)]
    # A button for a question that is not (or no longer) in the set: 400 with a message.
    response = _press(client, wang_set.id, remove=str(a))
    assert response.status_code == 400 and "不在题集中" in response.text


def test_details_and_sharing(login, wang_set):
    client = login("wang")
    page = client.get(f"/schools/sets/{wang_set.id}/edit")
    response = client.post(f"/schools/sets/{wang_set.id}/edit", data={
        "csrf_token": csrf_token(page.text), "title": "期中复习", "description": "第三章",
        "shared": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (wang_set.title, wang_set.description, wang_set.shared) == ("期中复习", "第三章", True)
    response = client.post(f"/schools/sets/{wang_set.id}/edit", data={
        "csrf_token": csrf_token(page.text), "title": "", "description": ""})
    assert response.status_code == 400
    db.session.expire_all()
    assert wang_set.title == "期中复习" and wang_set.shared is True


def test_the_set_page_shows_questions_and_the_answer_key(login, wang_set, sets_bank):
    client = login("wang")
    page = client.get(f"/schools/sets/{wang_set.id}")
    assert page.status_code == 200
    assert "洗手要搓多少秒" in page.text and "发烧时应当怎样用药" in page.text
    assert page.text.count("正确答案") == 2  # one keyed option each
    assert "健康与用药" in page.text or "health" not in page.text  # labels, not codes


# --- sharing between the teachers of one school ------------------------------------------

def test_a_colleague_sees_plays_and_copies_a_shared_set_but_cannot_change_it(
        login, wang_set, teachers):
    client = login("li")
    assert client.get(f"/schools/sets/{wang_set.id}").status_code == 404  # not shared yet
    assert "王的集" not in client.get("/schools/sets").text
    s.update_set(wang_set, shared=True)

    listing = client.get("/schools/sets").text
    assert "王的集" in listing.split('data-test="shared-sets"')[1]
    assert client.get(f"/schools/sets/{wang_set.id}").status_code == 200
    assert client.get(f"/schools/sets/{wang_set.id}/edit").status_code == 403
    page = client.get(f"/schools/sets/{wang_set.id}")
    token = csrf_token(page.text)
    for url, data in ((f"/schools/sets/{wang_set.id}/edit", {"title": "改"}),
                      (f"/schools/sets/{wang_set.id}/items", {"remove": "1"}),
                      (f"/schools/sets/{wang_set.id}/delete", {})):
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 403
    response = client.post(f"/schools/sets/{wang_set.id}/copy", data={"csrf_token": token})
    assert response.status_code == 302
    copy = db.session.scalar(select(QuestionSet).where(QuestionSet.owner_id == teachers["li"].id))
    assert copy.title == "王的集 的副本" and copy.shared is False
    assert _stored(copy.id) == _stored(wang_set.id)
    assert response.headers["Location"].endswith(f"/schools/sets/{copy.id}")
    assert client.get(f"/schools/sets/{copy.id}/edit").status_code == 200
    # Wang does not see Li's unshared copy.
    client = login("wang")
    assert client.get(f"/schools/sets/{copy.id}").status_code == 404


def test_another_schools_teacher_gets_404_on_every_set_url(login, wang_set, app):
    s.update_set(wang_set, shared=True)  # shared in school A: still nothing for school B
    client = login("zhao")
    token = csrf_token(client.get("/schools/sets/new").text)
    set_rules = [r for r in app.url_map.iter_rules()
                 if r.endpoint.startswith("schools.") and "set_id" in r.arguments]
    assert {r.endpoint for r in set_rules} >= {"schools.set_view", "schools.set_edit",
                                               "schools.set_items", "schools.set_copy",
                                               "schools.set_delete"}
    for rule in set_rules:
        url = rule.rule.replace("<int:set_id>", str(wang_set.id))
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method,
                                   data={"csrf_token": token, "title": "x", "add": "1"})
            assert response.status_code == 404, (method, url)
    assert "王的集" not in client.get("/schools/sets").text
    assert "王的集" not in client.get("/schools/").text
    assert _stored(wang_set.id) != [] and db.session.get(QuestionSet, wang_set.id) is not None


def test_delete_by_the_owner(login, wang_set):
    client = login("wang")
    page = client.get(f"/schools/sets/{wang_set.id}")
    response = client.post(f"/schools/sets/{wang_set.id}/delete",
                           data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert db.session.get(QuestionSet, wang_set.id) is None
    assert client.get(f"/schools/sets/{wang_set.id}").status_code == 404


def test_an_admin_sees_and_manages_every_set(login, wang_set):
    client = login("root")
    assert client.get(f"/schools/sets/{wang_set.id}").status_code == 200
    assert client.get(f"/schools/sets/{wang_set.id}/edit").status_code == 200


def test_a_teacher_without_a_school(login, make_user):
    make_user("newbie", "teacher")
    client = login("newbie")
    assert client.get("/schools/").status_code == 200
    assert client.get("/schools/sets").status_code == 200
    response = client.get("/schools/sets/new")
    assert response.status_code == 302


def test_other_roles_are_refused(login, make_user, wang_set):
    make_user("resident1", "resident")
    client = login("resident1")
    assert client.get("/schools/").status_code == 403
    assert client.get(f"/schools/sets/{wang_set.id}").status_code == 403


# --- the landing page and class sizes -----------------------------------------------------

def test_landing_page_lists_my_schools_classes_and_sets(login, wang_set, schools):
    client = login("wang")
    page = client.get("/schools/")
    assert page.status_code == 200
    assert "甲中学" in page.text and "乙中学" not in page.text
    assert "7 年级 1班" in page.text and "王的集" in page.text


def test_a_teacher_sets_a_class_size(login, schools, teachers):
    client = login("wang")
    school_class = schools["a"].classes[0]
    page = client.get("/schools/")
    response = client.post(f"/schools/classes/{school_class.id}/size",
                           data={"csrf_token": csrf_token(page.text), "size": "42"})
    assert response.status_code == 302
    db.session.expire_all()
    assert school_class.size == 42
    response = client.post(f"/schools/classes/{school_class.id}/size",
                           data={"csrf_token": csrf_token(page.text), "size": ""})
    db.session.expire_all()
    assert response.status_code == 302 and school_class.size is None


@pytest.mark.parametrize("size", ["0", "201", "-3", "abc", "4.5", "99999999999999999999"])
def test_a_bad_class_size_is_a_400_with_a_message(login, schools, teachers, size):
    client = login("wang")
    school_class = schools["a"].classes[0]
    page = client.get("/schools/")
    response = client.post(f"/schools/classes/{school_class.id}/size",
                           data={"csrf_token": csrf_token(page.text), "size": size})
    assert response.status_code == 400
    assert 'class="error" role="alert"' in response.text
    db.session.expire_all()
    assert school_class.size is None


def test_another_schools_class_is_a_404(login, schools, teachers):
    client = login("wang")
    other = schools["b"].classes[0]
    page = client.get("/schools/")
    response = client.post(f"/schools/classes/{other.id}/size",
                           data={"csrf_token": csrf_token(page.text), "size": "10"})
    assert response.status_code == 404
    db.session.expire_all()
    assert other.size == 40


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "topic=nonsense", "group=martians", "dimension=Z", "difficulty=9", "difficulty=1.5",
    "page=0", "page=abc", "page=99999999999999999999", "q=" + "长" * 101,
])
def test_bad_filters_are_a_400_with_a_message(login, wang_set, query):
    client = login("wang")
    response = client.get(f"/schools/sets/{wang_set.id}/edit?{query}")
    assert response.status_code == 400
    assert 'class="error" role="alert"' in response.text


@pytest.mark.parametrize("data", [
    {"add": "abc"}, {"add": "99999999999999999999"}, {"add": "-1"}, {"up": "0"},
    {"add_all": "1", "shown": ["1", "x"]}, {"add_all": "1", "shown": ["99999999999"]},
    {"down": ""}, {}, {"topic": "nonsense", "add": "1"},
])
def test_bad_builder_buttons_are_a_400_with_a_message(login, wang_set, data):
    client = login("wang")
    before = _stored(wang_set.id)
    response = _press(client, wang_set.id, **data)
    assert response.status_code == 400
    # Refused by the form, before any query (a huge id would overflow PostgreSQL's integer).
    assert "无法识别这次操作" in response.text and 'role="alert"' in response.text
    assert _stored(wang_set.id) == before


def test_nul_control_characters_and_long_titles(login, wang_set, schools):
    client = login("wang")
    page = client.get("/schools/sets/new")
    token = csrf_token(page.text)
    assert client.post("/schools/sets/new", data={
        "csrf_token": token, "title": "a\x00b", "school_id": schools["a"].id}).status_code == 400
    response = client.post("/schools/sets/new", data={
        "csrf_token": token, "title": "题" * 121, "school_id": schools["a"].id})
    assert response.status_code == 400 and 'role="alert"' in response.text
    response = client.post("/schools/sets/new", data={
        "csrf_token": token, "title": "\x07\x1b", "school_id": schools["a"].id})
    assert response.status_code == 400  # nothing left once control characters are removed
    response = client.post("/schools/sets/new", data={
        "csrf_token": token, "title": "好\x07集", "school_id": schools["a"].id})
    assert response.status_code == 302
    assert db.session.scalar(select(QuestionSet.title).where(QuestionSet.id != wang_set.id)) \
        == "好集"
    # Another school's id, forged into the school field: refused as not a choice.
    response = client.post("/schools/sets/new", data={
        "csrf_token": token, "title": "伪造", "school_id": schools["b"].id})
    assert response.status_code == 400
    assert client.get(f"/schools/sets/{wang_set.id}?x=\x00").status_code == 400


def test_an_expired_form_is_a_400(login, wang_set):
    client = login("wang")
    response = client.post(f"/schools/sets/{wang_set.id}/items",
                           data={"csrf_token": "stale", "add": "1"})
    assert response.status_code == 400


def test_big_ids_in_urls_are_404(login, wang_set):
    client = login("wang")
    assert client.get("/schools/sets/99999999999").status_code == 404
    assert client.get("/schools/sets/2147483647").status_code == 404


def test_a_question_reserved_later_is_not_shown_on_the_pages(login, wang_set, sets_bank):
    db.session.get(Question, sets_bank[0].question_id).survey_reserved = True
    db.session.commit()
    client = login("wang")
    for url in (f"/schools/sets/{wang_set.id}", f"/schools/sets/{wang_set.id}/edit"):
        page = client.get(url)
        assert page.status_code == 200
        assert "洗手要搓多少秒" not in page.text
        assert "发烧时应当怎样用药" in page.text


def test_both_set_pages_warn_of_questions_that_give_each_other_away(
        login, schools, teachers, sets_bank):
    ids = [v.question_id for v in sets_bank[:3]]
    for question in db.session.scalars(select(Question).where(Question.id.in_(ids[::2]))):
        question.enemy_groups = "same-idea"
    db.session.commit()
    qset = s.create_set(schools["a"].id, teachers["wang"].id, "泄露", ids)
    client = login("wang")
    for path in (f"/schools/sets/{qset.id}", f"/schools/sets/{qset.id}/edit"):
        warnings = re.findall(r'data-test="gives-away">([^<]*)<', client.get(path).text)
        assert len(warnings) == 2 and "第 3 题" in warnings[0] and "第 1 题" in warnings[1]
