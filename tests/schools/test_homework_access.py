"""Who may see homework contests: a school's teachers (and admins), 404 for another school's
contest, class, board or set; students and residents nothing of the teachers' pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Competition
from tests.schools.homework_fixtures import (  # noqa: F401
    bank,
    homework,
    make_set,
    now,
    qset,
    schools,
    seeded_draws,
    teachers,
)
from tests.support import csrf_token


@pytest.fixture
def urls(homework, schools, qset):
    first = schools[0]
    return [f"/schools/homework/{homework.id}",
            f"/schools/homework/{homework.id}?class={first.classes[0].id}",
            f"/schools/{first.id}/board",
            f"/schools/homework/new?set_id={qset.id}"]


def test_own_teacher_sees_every_homework_page(client, auth, urls, homework):
    auth.login("wang")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/schools/homework/{homework.id}").text
    assert f"/competitions/{homework.slug}" in page and "<svg" in page
    assert homework.title in client.get("/schools/homework/").text


def test_another_schools_teacher_gets_404_everywhere(client, auth, urls, homework):
    auth.login("li")
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert homework.title not in client.get("/schools/homework/").text


def test_a_class_of_another_school_is_404(client, auth, homework, schools):
    auth.login("wang")
    other_class = schools[1].classes[0].id
    assert client.get(f"/schools/homework/{homework.id}?class={other_class}").status_code == 404
    assert client.get(f"/schools/{schools[1].id}/board").status_code == 404


def test_residents_and_visitors_are_kept_out(client, auth, make_user, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    make_user("resident1", "resident")
    auth.login("resident1")
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_admin_sees_every_school(client, admin, urls):
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_a_network_competition_is_not_a_homework_page(client, auth, homework, app):
    network = Competition(slug="net", title="网络赛", starts_at=homework.starts_at,
                          ends_at=homework.ends_at, school_id=homework.school_id)
    db.session.add(network)
    db.session.commit()
    auth.login("wang")
    assert client.get(f"/schools/homework/{network.id}").status_code == 404


def test_only_own_or_shared_sets_can_be_opened(client, auth, schools, teachers, bank, now):
    colleague_private = make_set(schools[0], teachers[2], bank[:2], title="私有题组")
    colleague_shared = make_set(schools[0], teachers[2], bank[2:4], title="共享题组",
                                shared=True)
    other_school = make_set(schools[1], teachers[1], bank[4:6], title="别校题组", shared=True)
    auth.login("wang")
    assert client.get(f"/schools/homework/new?set_id={colleague_private.id}").status_code == 404
    assert client.get(f"/schools/homework/new?set_id={other_school.id}").status_code == 404
    page = client.get(f"/schools/homework/new?set_id={colleague_shared.id}")
    assert page.status_code == 200
    starts = (now.value + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")  # Beijing = UTC+8
    ends = (now.value + timedelta(days=3, hours=8)).strftime("%Y-%m-%dT%H:%M")
    for forged in (colleague_private.id, other_school.id, "abc", "99999999999999999999"):
        response = client.post("/schools/homework/new", data={
            "csrf_token": csrf_token(page.text), "question_set_id": forged, "title": "作业",
            "starts_at": starts, "ends_at": ends})
        assert response.status_code == 400, forged
    assert db.session.scalar(select(func.count(Competition.id))) == 0
    opened = client.post("/schools/homework/new", data={
        "csrf_token": csrf_token(page.text), "question_set_id": colleague_shared.id,
        "title": "共享作业", "starts_at": starts, "ends_at": ends, "seconds_per_question": ""})
    assert opened.status_code == 302
    contest = db.session.scalar(select(Competition))
    assert (contest.kind, contest.school_id, contest.created_by_id, contest.question_count) \
        == ("homework", schools[0].id, teachers[0].id, 2)
    assert contest.starts_at == now.value and contest.ends_at == now.value + timedelta(days=3)
    assert opened.headers["Location"].endswith(f"/schools/homework/{contest.id}")
