"""Question sets, the services: which questions are offered, building, ordering, sharing,
copying, what is played."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question
from quizapp.models.schools import QuestionSet, QuestionSetItem
from quizapp.schools import sets_services as s
from quizapp.schools.sets_services import CandidateFilter, SetError
from tests.schools.sets_fixtures import *  # noqa: F403


def _stems(versions) -> list[str]:
    return [v.stem for v in versions]


def _qids(versions) -> list[int]:
    return [v.question_id for v in versions]


def _stored(qset) -> list[int]:
    return list(db.session.scalars(
        select(QuestionSetItem.question_id).where(QuestionSetItem.question_set_id == qset.id)
        .order_by(QuestionSetItem.position)))


# --- candidates ---------------------------------------------------------------------------

def test_candidates_are_the_active_unreserved_questions_in_code_order(
        sets_bank, reserved, drafted, retired):
    assert _stems(s.candidate_questions()) == [
        "洗手要搓多少秒", "发烧时应当怎样用药", "地震时躲在哪里", "火灾逃生的顺序",
        "对照实验为什么要有对照组", "100% 可靠的说法可信吗"]
    assert s.count_candidates(CandidateFilter()) == 6
    # Even a search naming the reserved, draft and retired questions' own text finds none.
    assert s.candidate_questions(search="洗手") == [sets_bank[0]]
    assert s.candidate_questions(search="调查专用") == []
    assert s.candidate_questions(search="草稿") == []
    assert s.candidate_questions(search="退役") == []


def test_an_edited_question_offers_only_its_current_version(sets_bank):
    question = db.session.get(Question, sets_bank[0].question_id)
    old = question.current
    newer = type(old)(version=2, status="active", type=old.type, topic=old.topic,
                      stem="洗手要搓二十秒吗", options=old.options, answer=old.answer,
                      explanation="", authority="", groups_mask=old.groups_mask, dimension="K",
                      difficulty=1, content_hash="x" * 64)
    question.versions.append(newer)
    db.session.flush()
    question.current_version_id = newer.id
    db.session.commit()
    assert _stems(s.candidate_questions(search="洗手")) == ["洗手要搓二十秒吗"]


@pytest.mark.parametrize(("filters", "expected"), [
    ({"topic": "health"}, ["洗手要搓多少秒", "发烧时应当怎样用药"]),
    ({"topic": "emergency", "difficulty": 3}, ["火灾逃生的顺序"]),
    ({"dimension": "A"}, ["发烧时应当怎样用药", "地震时躲在哪里"]),
    ({"dimension": "M", "topic": "method"}, ["对照实验为什么要有对照组"]),
    ({"group": "elder"}, ["洗手要搓多少秒"]),
    ({"group": "youth", "difficulty": 1}, ["洗手要搓多少秒", "地震时躲在哪里"]),
    ({"group": "cadre", "topic": "health"}, []),
    ({"search": "时"}, ["发烧时应当怎样用药", "地震时躲在哪里"]),
    ({"search": "100%"}, ["100% 可靠的说法可信吗"]),  # % is a literal, not a wildcard
    ({"search": "0%"}, ["100% 可靠的说法可信吗"]),
    ({"search": "_"}, []),  # _ is a literal too
    ({"search": "  地震  "}, ["地震时躲在哪里"]),
])
def test_filters_and_search(sets_bank, filters, expected):
    assert _stems(s.candidate_questions(**filters)) == expected
    assert s.count_candidates(CandidateFilter(**filters)) == len(expected)


def test_search_finds_a_question_by_its_code(sets_bank):
    code = db.session.get(Question, sets_bank[2].question_id).code
    assert _stems(s.candidate_questions(search=code.upper())) == ["地震时躲在哪里"]


def test_paging(sets_bank):
    assert _stems(s.candidate_questions(limit=4, offset=4)) == [
        "对照实验为什么要有对照组", "100% 可靠的说法可信吗"]
    assert s.candidate_questions(limit=4, offset=8) == []


# --- creating and changing ------------------------------------------------------------------

def test_create_keeps_the_given_order(schools, teachers, sets_bank):
    ids = _qids([sets_bank[3], sets_bank[0], sets_bank[5]])
    qset = s.create_set(schools["a"].id, teachers["wang"].id, "  第一单元  ", ids,
                        description="复习", shared=True)
    assert (qset.title, qset.description, qset.shared) == ("第一单元", "复习", True)
    assert _stored(qset) == ids
    assert [i.position for i in qset.items] == [0, 1, 2]


@pytest.mark.parametrize("which", ["reserved", "drafted", "retired", "unknown"])
def test_a_question_not_offered_is_refused_even_by_a_forged_id(
        schools, teachers, sets_bank, reserved, drafted, retired, which):
    forged = {"reserved": reserved.question_id, "drafted": drafted.question_id,
              "retired": retired.question_id, "unknown": 987654}[which]
    with pytest.raises(SetError) as raised:
        s.create_set(schools["a"].id, teachers["wang"].id, "伪造", [sets_bank[0].question_id,
                                                                  forged])
    assert raised.value.code == "not_offered"
    assert db.session.scalar(select(QuestionSet.id)) is None

    qset = s.create_set(schools["a"].id, teachers["wang"].id, "正常", _qids(sets_bank[:2]))
    for attempt in (lambda: s.update_set(qset, question_ids=[*_qids(sets_bank[:2]), forged]),
                    lambda: s.add_questions(qset, [forged]),
                    lambda: s.add_questions(qset, [sets_bank[2].question_id, forged])):
        with pytest.raises(SetError) as raised:
            attempt()
        assert raised.value.code == "not_offered"
        assert _stored(qset) == _qids(sets_bank[:2])


def test_duplicates_and_bad_titles_are_refused_and_change_nothing(schools, teachers, sets_bank):
    qset = s.create_set(schools["a"].id, teachers["wang"].id, "集", _qids(sets_bank[:2]))
    cases = [(dict(question_ids=[sets_bank[0].question_id] * 2), "duplicate"),
             (dict(title="   "), "title_empty"),
             (dict(title="题" * 121), "title_long"),
             (dict(title="新题目", description="述" * 1001), "description_long")]
    for change, code in cases:
        with pytest.raises(SetError) as raised:
            s.update_set(qset, **change)
        assert raised.value.code == code
    db.session.expire_all()
    assert (qset.title, qset.description, _stored(qset)) == ("集", "", _qids(sets_bank[:2]))
    with pytest.raises(SetError) as raised:
        s.create_set(schools["a"].id, teachers["wang"].id, "", [])
    assert raised.value.code == "title_empty"


def test_a_set_holds_at_most_max_items(schools, teachers, sets_bank, monkeypatch):
    monkeypatch.setattr(s, "MAX_ITEMS", 3)
    qset = s.create_set(schools["a"].id, teachers["wang"].id, "集", _qids(sets_bank[:3]))
    with pytest.raises(SetError) as raised:
        s.add_questions(qset, [sets_bank[3].question_id])
    assert (raised.value.code, raised.value.params) == ("too_many", {"max": 3})


def test_update_reorders_and_shares(schools, teachers, sets_bank):
    qset = s.create_set(schools["a"].id, teachers["wang"].id, "集", _qids(sets_bank[:4]))
    new_order = _qids([sets_bank[2], sets_bank[0], sets_bank[3]])
    s.update_set(qset, question_ids=new_order, shared=True, title="新标题")
    db.session.expire_all()
    assert _stored(qset) == new_order
    assert (qset.shared, qset.title) == (True, "新标题")
    s.update_set(qset, shared=False)
    assert qset.shared is False and _stored(qset) == new_order


def test_add_remove_and_move(schools, teachers, sets_bank):
    a, b, c, d, e, _f = _qids(sets_bank)
    qset = s.create_set(schools["a"].id, teachers["wang"].id, "集", [a, b])
    assert s.add_questions(qset, [c, a, d, c]) == 2  # a already in, c once
    assert _stored(qset) == [a, b, c, d]
    s.move_question(qset, c, -1)
    assert _stored(qset) == [a, c, b, d]
    s.move_question(qset, a, -1)  # already first: stays
    assert _stored(qset) == [a, c, b, d]
    s.move_question(qset, a, 1)
    assert _stored(qset) == [c, a, b, d]
    s.move_question(qset, d, 1)  # already last: stays
    assert _stored(qset) == [c, a, b, d]
    s.remove_question(qset, a)
    assert _stored(qset) == [c, b, d]
    for change in (lambda: s.remove_question(qset, e), lambda: s.move_question(qset, e, 1)):
        with pytest.raises(SetError) as raised:
            change()
        assert raised.value.code == "not_in_set"
    assert _stored(qset) == [c, b, d]
    assert [i.position for i in qset.items] == [0, 1, 2]


def test_a_question_reserved_after_it_was_added_stays_but_is_not_played_or_copied(
        schools, teachers, sets_bank):
    a, b, c = _qids(sets_bank[:3])
    qset = s.create_set(schools["a"].id, teachers["wang"].id, "集", [a, b, c])
    db.session.get(Question, b).survey_reserved = True
    sets_bank[2].status = "retired"
    db.session.commit()
    # It keeps its place when the set is reordered, but cannot come back once removed.
    s.move_question(qset, a, 1)
    assert _stored(qset) == [b, a, c]
    assert [(e.question_id, e.playable, e.reserved) for e in s.entries(qset)] == [
        (b, False, True), (a, True, False), (c, False, False)]
    assert _qids(s.playable_versions(qset)) == [a]
    copy = s.copy_set(qset, teachers["li"].id, schools["a"].id)
    assert _stored(copy) == [a]
    s.remove_question(qset, b)
    with pytest.raises(SetError):
        s.add_questions(qset, [b])


def test_playable_versions_of_an_empty_set(schools, teachers, sets_bank):
    qset = s.create_set(schools["a"].id, teachers["wang"].id, "空", [])
    with pytest.raises(SetError) as raised:
        s.playable_versions(qset)
    assert raised.value.code == "empty"
    s.add_questions(qset, [sets_bank[4].question_id, sets_bank[1].question_id])
    assert s.playable_versions(qset) == [sets_bank[4], sets_bank[1]]


# --- seeing, sharing, copying -------------------------------------------------------------

def test_sets_for_own_and_shared_in_my_schools(schools, teachers, sets_bank):
    a_id, b_id = schools["a"].id, schools["b"].id
    wang, li, zhao = teachers["wang"].id, teachers["li"].id, teachers["zhao"].id
    mine = s.create_set(a_id, wang, "王的私有", [])
    shared = s.create_set(a_id, li, "李的共享", [], shared=True)
    s.create_set(a_id, li, "李的私有", [])
    s.create_set(b_id, zhao, "赵的共享", [], shared=True)
    assert {q.title for q in s.sets_for(wang, {a_id})} == {"王的私有", "李的共享"}
    assert {q.title for q in s.sets_for(li, {a_id})} == {"李的共享", "李的私有"}
    assert {q.title for q in s.sets_for(zhao, {b_id})} == {"赵的共享"}
    assert s.sets_for(wang, set()) == []
    assert s.can_see(shared, wang, {a_id}, admin=False)
    assert not s.can_see(shared, zhao, {b_id}, admin=False)
    assert not s.can_see(mine, li, {a_id}, admin=False)
    assert s.can_see(mine, teachers["root"].id, set(), admin=True)
    assert s.can_change(mine, wang, admin=False) and not s.can_change(shared, wang, admin=False)
    assert s.can_change(shared, teachers["root"].id, admin=True)


def test_copy_is_the_copiers_own_unshared_set(schools, teachers, sets_bank):
    ids = _qids([sets_bank[5], sets_bank[1]])
    original = s.create_set(schools["a"].id, teachers["li"].id, "李的共享", ids,
                            description="说明", shared=True)
    copy = s.copy_set(original, teachers["wang"].id, schools["a"].id, title="副本：李的共享")
    assert copy.id != original.id
    assert (copy.owner_id, copy.school_id, copy.shared, copy.title, copy.description) == (
        teachers["wang"].id, schools["a"].id, False, "副本：李的共享", "说明")
    assert _stored(copy) == ids
    s.remove_question(copy, ids[0])
    assert _stored(original) == ids  # the original is untouched


def test_delete_keeps_nothing_of_the_set(schools, teachers, sets_bank):
    qset = s.create_set(schools["a"].id, teachers["wang"].id, "集", _qids(sets_bank[:2]))
    s.delete_set(qset)
    assert db.session.scalar(select(QuestionSetItem.position)) is None
    assert db.session.scalar(select(QuestionSet.id)) is None


def test_the_set_names_the_questions_that_give_each_other_away(sets_bank, schools, teachers):
    """Pinned: questions 1 and 3 of the set share group g1, 3 and 4 share g2; 2 has none."""
    ids = _qids(sets_bank[:4])
    groups = {ids[0]: "g1", ids[2]: "g1 g2", ids[3]: "g2"}
    for question in db.session.scalars(select(Question).where(Question.id.in_(ids))):
        question.enemy_groups = groups.get(question.id)
    db.session.commit()
    qset = s.create_set(schools["a"].id, teachers["wang"].id, "互相泄露", ids)
    assert [entry.gives_away for entry in s.entries(qset)] == [(3,), (), (1, 4), (3,)]
