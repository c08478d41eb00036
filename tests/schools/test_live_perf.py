"""What keeps a phone's requests cheap, and the cache that must never be stale.

The per-game cache (live_cache) is keyed by the game's state_version: a change of the
board (a removed player, extra time) bumps it, so the next reply cannot serve the old board
or the old deadline. A phone's state reply reads game + seat + item in ONE query (the read
path ticks by the clock only); a 304 is decided before any view is built; the watcher polls
on its own connection, never the requests' pool.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, select

from quizapp.extensions import db
from quizapp.models import LiveGame, LivePlayer
from quizapp.schools import live_cache, live_views, live_watch
from tests.schools.liveweb_fixtures import *  # noqa: F403
from tests.schools.liveweb_fixtures import csrf_token, join, post_action

JSON = {"Accept": "application/json"}


@pytest.fixture
def statements(app):
    """A list that collects every SQL statement sent while the test runs."""
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    yield seen
    event.remove(db.engine, "before_cursor_execute", listen)


def _state(phone, game, **headers):
    return phone.get(f"/play/{game.token}/state", headers={**JSON, **headers})


def _player_id(nickname: str) -> int:
    return db.session.scalar(select(LivePlayer.id).where(LivePlayer.nickname == nickname))


def _board(body) -> list[str]:
    return [row["nickname"] for row in body["board"]]


def test_board_cached_per_state_version_forgets_a_removed_player(teacher, game, phone_client):
    live_cache.clear()
    phones = {name: phone_client() for name in ("甲", "乙", "丙")}
    for name, phone in phones.items():
        join(phone, game, name)
    post_action(teacher, game, "start")
    post_action(teacher, game, "reveal")
    first = _state(phones["甲"], game).get_json()
    assert sorted(_board(first)) == ["丙", "乙", "甲"] and first["me"]["of"] == 3
    page = teacher.get(f"/schools/live/{game.id}")
    response = teacher.post(f"/schools/live/{game.id}/players/{_player_id('乙')}", data={
        "csrf_token": csrf_token(page.text), "do": "remove"})
    assert response.status_code == 302
    after = _state(phones["甲"], game).get_json()
    assert after["v"] == first["v"] + 1
    assert sorted(_board(after)) == ["丙", "甲"] and after["me"]["of"] == 2
    host = teacher.get(f"/schools/live/{game.id}").text
    board = host[host.index('data-test="host-board"'):]
    board = board[:board.index("</ol>")]
    assert "丙" in board and "甲" in board and "乙" not in board


def test_extra_time_reaches_the_cached_wait_limit(teacher, game, phone_client):
    live_cache.clear()
    phone = phone_client()
    join(phone, game, "慢慢")
    post_action(teacher, game, "start")
    before = _state(phone, game).get_json()
    page = teacher.get(f"/schools/live/{game.id}")
    teacher.post(f"/schools/live/{game.id}/players/{_player_id('慢慢')}", data={
        "csrf_token": csrf_token(page.text), "do": "extra", "seconds": "30"})
    after = _state(phone, game).get_json()
    # 20 s per question, then 30 s more for this player (counted down on the phone).
    assert before["question"]["seconds_left"] <= 20 < after["question"]["seconds_left"] <= 50
    db.session.expire_all()
    fresh = db.session.get(LiveGame, game.id)
    # 20 s + 30 s extra + the engine's 2 s grace + 0.05 s, counted from the opening.
    assert live_views.wait_limit(fresh, fresh.question_opened_at) == pytest.approx(52.05)


def test_a_phone_state_is_one_query_and_a_304_builds_nothing(teacher, game, phone_client,
                                                            statements):
    phones = [phone_client() for _ in range(3)]
    for k, phone in enumerate(phones):
        join(phone, game, f"玩家{k}")
    post_action(teacher, game, "start")
    first = _state(phones[0], game)
    statements.clear()
    again = _state(phones[0], game)
    assert again.status_code == 200
    assert len(statements) == 1, statements  # game + seat + its item, the clock ticked
    statements.clear()
    unchanged = _state(phones[0], game, **{"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.data == b""
    assert len(statements) == 1, statements
    post_action(teacher, game, "reveal")
    _state(phones[1], game)
    statements.clear()
    revealed = _state(phones[0], game).get_json()
    assert revealed["board"] and revealed["reveal"]
    assert len(statements) == 1, statements  # the board and the question come from the cache


def test_the_watcher_polls_on_its_own_connection(app, game):
    watching = live_watch.watcher()
    assert watching.engine is not db.engine
    held = [db.engine.connect() for _ in range(db.engine.pool.size())]
    try:
        started = time.monotonic()
        watching.poll_once([game.id])
        assert time.monotonic() - started < 2
    finally:
        for connection in held:
            connection.close()


def test_projector_poll_counts_in_one_query_and_closes_when_the_last_one_left(
        teacher, game, phone_client, statements):
    phones = {name: phone_client() for name in ("甲", "乙")}
    for name, phone in phones.items():
        join(phone, game, name)
    post_action(teacher, game, "start")
    screen = _state(phones["甲"], game).get_json()
    answered = phones["甲"].post(f"/play/{game.token}/answer", headers=JSON, data={
        "csrf_token": csrf_token(phones["甲"].get(f"/play/{game.token}").text),
        "position": screen["question"]["position"], "choice": "0"})
    assert answered.status_code == 200
    poll = teacher.get(f"/schools/live/{game.id}/state").get_json()
    assert poll["status"] == "question_open"
    assert poll["player_count"] == 2
    assert (poll["question"]["answered"], poll["question"]["eligible"]) == (1, 2)

    page = teacher.get(f"/schools/live/{game.id}")
    removed = teacher.post(f"/schools/live/{game.id}/players/{_player_id('乙')}", data={
        "csrf_token": csrf_token(page.text), "do": "remove"})
    assert removed.status_code == 302
    statements.clear()
    poll = teacher.get(f"/schools/live/{game.id}/state").get_json()
    # The one still waited for left: the projector's poll closes the question.
    assert poll["status"] == "question_closed"
    assert (poll["player_count"], poll["question"]["answered"],
            poll["question"]["eligible"]) == (1, 1, 1)
    statements.clear()
    teacher.get(f"/schools/live/{game.id}/state")
    counting = [s for s in statements if "count(" in s.lower()]
    assert len(counting) == 1, counting
