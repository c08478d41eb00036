"""The cost of one answered question, counted: SQL statements and commits per answer.

A registered resident runs through a competition with the Flask test client. Per answered
question — the answer POST and the next question (the redirected page without JavaScript, or
the JSON reply with JavaScript) — the app may run at most 6 SQL statements and exactly 1
commit, whatever the number of questions per attempt and of participants (issue 15: before,
~16 statements and 2 commits). An SQLAlchemy ``before_cursor_execute`` listener counts the
statements and the engine's ``commit`` event the commits, so a regression fails here.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, Competition
from tests.support import csrf_token

MAX_STATEMENTS = 6
# Once the cache is warm. Without JavaScript: the answer's read, its item, the attempt's score,
# the next item's clock, then the next page's read. With it: the same without the page's read.
STEADY = {False: (5, 1), True: (4, 1)}
RIGHT = {"single": [1], "multiple": [0, 2], "true_false": [0]}


class Counter:
    """Statements and commits on the app's engine while active."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.commits = 0

    def __enter__(self) -> Counter:
        event.listen(db.engine, "before_cursor_execute", self._statement)
        event.listen(db.engine, "commit", self._commit)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(db.engine, "before_cursor_execute", self._statement)
        event.remove(db.engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    def _commit(self, conn) -> None:
        self.commits += 1


def _competition(slug: str, questions: int, now) -> Competition:
    from quizapp.competitions.pool import draw_pool

    contest = Competition(
        slug=slug, title="计数竞赛", starts_at=now.value - timedelta(days=1),
        ends_at=now.value + timedelta(days=10),
        registration={"name": "required", "township": "optional", "organisation": "off",
                      "phone": "off"},
        question_count=questions, quotas={}, seconds_per_question=30, attempts_per_day=2,
        counting="best", points_per_correct=5.0, reveal="after_attempt", pool_size=30,
        published=True)
    db.session.add(contest)
    draw_pool(contest, 20250501)
    db.session.commit()
    return contest


def _register_and_start(client, slug: str, name: str = "小明") -> str:
    page = client.get(f"/competitions/{slug}")
    client.post(f"/competitions/{slug}/register", data={
        "csrf_token": csrf_token(page.text), "name": name, "township_id": "",
        "organisation_id": "0", "phone": ""})
    page = client.get(f"/competitions/{slug}")
    response = client.post(f"/competitions/{slug}/start",
                           data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302, response.text
    return response.headers["Location"].rsplit("/", 1)[-1]


def _others(app, slug: str, count: int) -> None:
    """``count`` other residents, each with an attempt half answered."""
    for number in range(count):
        other = app.test_client()
        token = _register_and_start(other, slug, name=f"居民{number}")
        html = other.get(f"/competitions/attempt/{token}").text
        position = int(re.search(r'name="position" value="(\d+)"', html).group(1))
        other.post(f"/competitions/attempt/{token}/answer", data={
            "csrf_token": csrf_token(html), "position": str(position), "choice": ["0"]})


def _displayed_right(token: str, position: int) -> list[str]:
    db.session.expire_all()
    item = db.session.scalar(select(AttemptItem).join(Attempt).where(
        Attempt.token == token, AttemptItem.position == position))
    return [str(item.option_order.index(o)) for o in RIGHT[item.question_version.type]]


def _run(client, token: str, with_javascript: bool) -> list[tuple[int, int]]:
    """Answer every question rightly; (statements, commits) of each answered question."""
    costs = []
    html = client.get(f"/competitions/attempt/{token}").text
    csrf = csrf_token(html)
    position = int(re.search(r'name="position" value="(\d+)"', html).group(1))
    while True:
        choice = _displayed_right(token, position)
        with Counter() as counted:
            if with_javascript:
                reply = client.post(f"/competitions/attempt/{token}/answer",
                                    data={"csrf_token": csrf, "position": str(position),
                                          "choice": choice},
                                    headers={"Accept": "application/json"})
                assert reply.status_code == 200, reply.text
                state = reply.get_json()
                assert "redirect" in state or 'name="position"' in state["html"]
                following = state.get("position")
            else:
                reply = client.post(f"/competitions/attempt/{token}/answer",
                                    data={"csrf_token": csrf, "position": str(position),
                                          "choice": choice})
                assert reply.status_code in (200, 302), reply.text
                if reply.status_code == 302:
                    location = reply.headers["Location"]
                    if "/result" in location:
                        following = None
                    else:
                        page = client.get(location).text
                        found = re.search(r'name="position" value="(\d+)"', page)
                        following = int(found.group(1)) if found else None
                else:
                    found = re.search(r'name="position" value="(\d+)"', reply.text)
                    following = int(found.group(1)) if found else None
        costs.append((len(counted.statements), counted.commits))
        if following is None:
            break
        assert following == position + 1
        position = following
    return costs


@pytest.mark.parametrize("with_javascript", [False, True], ids=["no-js", "js"])
@pytest.mark.parametrize("questions, others", [(5, 0), (20, 0), (20, 49)])
def test_an_answered_question_costs_at_most_6_statements_and_1_commit(
        app, client, now, bank, questions, others, with_javascript):
    _competition("count-cup", questions, now)
    if others:
        _others(app, "count-cup", others)
    token = _register_and_start(client, "count-cup")
    costs = _run(client, token, with_javascript)
    assert len(costs) == questions
    for number, (statements, commits) in enumerate(costs, start=1):
        assert statements <= MAX_STATEMENTS, (number, statements)
        assert commits == 1, (number, commits)
    # constant: the same cost for every question but the first (which may fill the process's
    # cache of the competition and its questions) and the last (no next question)
    assert set(costs[1:-1]) == {STEADY[with_javascript]}, costs
    db.session.expire_all()
    attempt = db.session.scalar(select(Attempt).where(Attempt.token == token))
    assert attempt.status == "finished"
    assert attempt.score == 5.0 * questions and attempt.correct_count == questions
    answered = db.session.scalar(select(func.count()).select_from(AttemptItem).where(
        AttemptItem.attempt_id == attempt.id, AttemptItem.answered_at.is_not(None)))
    assert answered == questions
