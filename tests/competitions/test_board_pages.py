"""The boards as people see them: names masked as Chinese contests publish them, pages,
one's own row (and township, organisation) in context."""

import re

import pytest
from sqlalchemy import select

from quizapp.competitions import board_page
from quizapp.engine import boards
from quizapp.extensions import db
from quizapp.models import Organisation, Participant, Township
from quizapp.shared.names import mask_name
from quizapp.shared.paging import paging
from tests.competitions.test_boards import _person, _scored
from tests.support import csrf_token


@pytest.mark.parametrize(("name", "published"), [
    ("张三丰", "张*丰"),
    ("张三", "张*"),
    ("张", "张*"),
    ("司马相如", "司**如"),
    ("  李 四 ", "李*"),  # a space typed inside a Chinese name is no word break
    ("买买提·艾力", "买**·艾*"),
    ("John Smith", "J*** S****"),
    ("Alexander", "A*******r"),
    ("Li", "L*"),
    ("", ""),
    ("   ", ""),
])
def test_names_are_masked_the_way_chinese_contests_publish_them(name, published):
    assert mask_name(name) == published


def test_paging_clamps_and_links_the_pages_around():
    assert paging(0, 5, 25).pages == 1 and paging(0, 5, 25).page == 1
    where = paging(101, 99, 25)
    assert (where.page, where.pages, where.offset) == (5, 5, 100)
    assert paging(101, -3, 25).page == 1
    assert paging(1000, 20, 25).numbers() == [1, None, 18, 19, 20, 21, 22, None, 40]
    assert paging(1000, 20, 25).page_of(218) == 9 and paging(1000, 1, 25).page_of(25) == 1


def _ranked_people(competition, now, count, township=None, organisation=None):
    """``count`` participants; the i-th (from 0) has rank i + 1 (distinct scores)."""
    people = []
    for index in range(count):
        person = _person(competition, f"参赛者{index:03d}", township, organisation)
        _scored(competition, person, 500 - index, 60, now.value)
        people.append(person)
    return people


def test_the_board_publishes_masked_names_unless_the_competition_says_otherwise(
        client, admin, competition, now):
    _ranked_people(competition, now, 3)
    for path in ("/competitions/test-cup/board", f"/admin/competitions/{competition.id}/board"):
        page = admin.get(path).text
        assert "参****0" in page and "参赛者000" not in page, path
    competition.board_names = "full"
    db.session.commit()
    boards.forget(competition.id)
    assert "参赛者000" in admin.get("/competitions/test-cup/board").text


def test_my_own_rank_shows_my_masked_name(competition, now):
    (person,) = _ranked_people(competition, now, 1)
    assert boards.rank_of(competition, person.id).name == "参****0"
    person.name = ""
    db.session.commit()
    assert boards.rank_of(competition, person.id).name == f"#{person.id}"


def _ranks(html):
    return [int(r) for r in re.findall(
        r'<tr class=""[^>]*>\s*<td class="num rank">(\d+)<', html)]


def test_the_people_board_comes_in_pages(client, competition, now):
    _ranked_people(competition, now, 60)
    first = client.get("/competitions/test-cup/board").text
    assert _ranks(first) == list(range(1, board_page.PER_PAGE + 1))
    assert 'href="/competitions/test-cup/board?view=people&amp;page=2"' in first
    assert 'href="/competitions/test-cup/board?view=people&amp;page=3"' in first
    last = client.get("/competitions/test-cup/board?page=3").text
    assert _ranks(last) == list(range(51, 61))
    assert '<strong aria-current="page">3</strong>' in last
    assert _ranks(client.get("/competitions/test-cup/board?page=999").text) == \
        list(range(51, 61))
    assert _ranks(client.get("/competitions/test-cup/board?page=abc").text) == \
        list(range(1, board_page.PER_PAGE + 1))


def _register_me(client, score, competition, now, township_id=""):
    page = client.get("/competitions/test-cup")
    client.post("/competitions/test-cup/register", data={
        "csrf_token": csrf_token(page.text), "name": "王小明", "township_id": township_id,
        "organisation_id": "0", "phone": ""})
    me = db.session.scalar(select(Participant).where(Participant.name == "王小明"))
    _scored(competition, me, score, 60, now.value)
    return me


def _around_ranks(html):
    section = re.search(r'<section data-test="around">(.*?)</section>', html, re.S)
    return section and [int(r) for r in re.findall(
        r'<td class="num rank">(\d+)</td><td class="main">', section[1])]


def test_my_row_is_shown_in_context_when_it_is_on_another_page(client, competition, now):
    _ranked_people(competition, now, 60)
    _register_me(client, 500 - 39.5, competition, now)  # between ranks 40 and 41: rank 41
    first = client.get("/competitions/test-cup/board").text
    assert _around_ranks(first) == [39, 40, 41, 42, 43]
    mine = re.search(r'<tr class="me" aria-current="true">\s*<td class="num rank">(\d+)</td>'
                     r'<td class="main">([^<]*)<', first)
    assert mine and mine.groups() == ("41", "王*明 ")
    assert "第 41 名" in first or "rank 41" in first
    assert 'href="/competitions/test-cup/board?page=2&amp;view=people#mine"' in first
    second = client.get("/competitions/test-cup/board?page=2").text
    assert _around_ranks(second) is None, "my row is on this page: no second table"
    assert 'id="mine"' in second and second.count('class="me"') == 1


def test_context_at_the_ends_of_the_board(client, competition, now):
    _ranked_people(competition, now, 30)
    _register_me(client, 1, competition, now)  # last: rank 31 on page 2
    assert _around_ranks(client.get("/competitions/test-cup/board").text) == [29, 30, 31]


def test_no_context_without_a_score(client, competition, now):
    _ranked_people(competition, now, 30)
    page = client.get("/competitions/test-cup/board").text
    assert 'data-test="around"' not in page and 'data-test="my-rank"' not in page


def test_my_township_and_organisation_are_highlighted_in_context(competition, now):
    towns = []
    for index in range(6):
        town = Township(code=f"t{index}", name=f"镇{index}", kind="town")
        db.session.add(town)
        towns.append(town)
    db.session.commit()
    school = Organisation(name="一中", kind="school", township=towns[4])
    db.session.add(school)
    db.session.commit()
    for index, town in enumerate(towns):  # 镇0 has the most participants
        for _ in range(6 - index):
            person = _person(competition, f"人{town.id}{_}", town,
                             school if town is towns[4] else None)
            _scored(competition, person, 10, 60, now.value)
    me = _person(competition, "我", towns[4], school)
    township = board_page.build(competition, "township", None, 1, me, per_page=2)
    assert [r.name for r in township.rows] == ["镇0", "镇1"]
    assert township.me.name == "镇4" and township.my_page == 3
    assert [r.name for r in township.around] == ["镇2", "镇3", "镇4", "镇5"]
    assert [township.is_mine(r) for r in township.around] == [False, False, True, False]
    on_my_page = board_page.build(competition, "township", None, 3, me, per_page=2)
    assert on_my_page.around == [] and [on_my_page.is_mine(r) for r in on_my_page.rows] == \
        [True, False]
    organisation = board_page.build(competition, "organisation", None, 1, me, per_page=2)
    assert organisation.me.name == "一中" and organisation.is_mine(organisation.rows[0])
    nobody = board_page.build(competition, "township", None, 1, None, per_page=2)
    assert nobody.mine is None and nobody.around == []
