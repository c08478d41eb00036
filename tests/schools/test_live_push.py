"""The phones' event stream (play.events): the state at once, one event per change of the
game, the same state ``play.state`` answers (built from the process's per-version caches
instead of a query per phone), no answer key before the reveal, and the end of the stream
when the seat is removed or the game is over."""

from __future__ import annotations

import contextvars
import json
import threading
import time

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import LiveGame, LivePlayer
from quizapp.schools import live_cache
from tests.schools.liveweb_fixtures import *  # noqa: F403
from tests.schools.liveweb_fixtures import csrf_token, join, post_action
from tests.support import without_csrf


class Stream:
    """The events of one phone's stream, read one at a time."""

    def __init__(self, phone, game) -> None:
        self.response = phone.get(f"/play/{game.token}/events", buffered=False)
        assert self.response.status_code == 200
        assert self.response.mimetype == "text/event-stream"
        self.chunks = iter(self.response.response)

    def next(self) -> tuple[str, dict | None, str | None]:
        """(event name, its JSON, its id); comments (heartbeats) are skipped."""
        while True:
            chunk = next(self.chunks)
            text = chunk.decode() if isinstance(chunk, bytes) else chunk
            if text.startswith(":") or text.startswith("retry:"):
                continue
            fields = dict(line.split(": ", 1) for line in text.strip().split("\n"))
            return fields["event"], json.loads(fields["data"]), fields.get("id")

    def close(self) -> None:
        self.response.close()


def _state(phone, game) -> dict:
    g = db.session.get(LiveGame, game.id)
    db.session.refresh(g)
    body = phone.get(f"/play/{g.token}/state?v={g.state_version}&wait=0").get_json()
    body["html"] = without_csrf(body["html"])
    return body


def _pushed(body: dict) -> dict:
    body = dict(body)
    body["html"] = without_csrf(body["html"])
    return body


def test_stream_sends_each_change_as_play_state_does(teacher, game, phone_client, questions):
    live_cache.clear()
    explanation = questions[0].explanation  # the stream's waits close the test's session
    phones = {name: phone_client() for name in ("甲同学", "乙同学")}
    for name, phone in phones.items():
        assert join(phone, game, name).status_code == 302
    stream = Stream(phones["甲同学"], game)
    try:
        name, body, event_id = stream.next()
        assert name == "state" and body["status"] == "lobby"
        assert event_id == str(body["v"])

        assert post_action(teacher, game, "start").status_code == 302
        name, body, event_id = stream.next()
        assert body["status"] == "question_open" and body["question"]["can_answer"]
        assert _pushed(body) == _state(phones["甲同学"], game)
        # Nothing of the answer before the reveal.
        assert explanation not in json.dumps(body, ensure_ascii=False)
        assert body["reveal"] is None

        other = phones["乙同学"]
        page = other.get(f"/play/{game.token}")
        assert other.post(f"/play/{game.token}/answer", data={
            "csrf_token": csrf_token(page.text), "position": "0",
            "choice": "0"}).status_code == 302
        assert post_action(teacher, game, "reveal").status_code == 302
        name, body, event_id = stream.next()
        assert body["status"] == "revealed"
        assert explanation in body["reveal"]["explanation"]
        assert _pushed(body) == _state(phones["甲同学"], game)
        assert body["board"] and body["me"]["rank"] is not None
    finally:
        stream.close()


def test_stream_reads_the_room_once_per_change(teacher, game, phone_client, app):
    """Two phones' wake-ups for one change read the room once (the second from the cache)."""
    from sqlalchemy import event

    live_cache.clear()
    phones = [phone_client() for _ in range(3)]
    for k, phone in enumerate(phones):
        assert join(phone, game, f"同学{k}").status_code == 302
    streams = [Stream(phone, game) for phone in phones]
    try:
        for stream in streams:
            assert stream.next()[1]["status"] == "lobby"
        assert post_action(teacher, game, "start").status_code == 302
        statements: list[str] = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            for stream in streams:
                assert stream.next()[1]["status"] == "question_open"
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        # For all three phones: the game row, the room, the question and the most extra
        # time, once each (none per phone).
        assert len([s for s in statements if "JOIN attempts" in s]) == 1, statements
        assert len([s for s in statements if "FROM live_games" in s]) == 1, statements
        assert len(statements) <= 4, statements
    finally:
        for stream in reversed(streams):  # their request contexts are nested
            stream.close()


def test_a_removed_seat_gets_gone_and_the_stream_ends(teacher, game, phone_client):
    live_cache.clear()
    phone = phone_client()
    assert join(phone, game, "丙同学").status_code == 302
    stream = Stream(phone, game)
    try:
        assert stream.next()[0] == "state"
        player = db.session.scalar(select(LivePlayer).where(LivePlayer.nickname == "丙同学"))
        page = teacher.get(f"/schools/live/{game.id}")
        response = teacher.post(f"/schools/live/{game.id}/players/{player.id}",
                                data={"csrf_token": csrf_token(page.text), "do": "remove"})
        assert response.status_code in (302, 303), response.status_code
        assert stream.next()[0] == "gone"
    finally:
        stream.close()
    assert phone.get(f"/play/{game.token}/events").status_code == 404


def test_no_seat_no_stream(game, phone_client):
    assert phone_client().get(f"/play/{game.token}/events").status_code == 404
    assert phone_client().get("/play/nosuchgame/events").status_code == 404


def test_a_closing_is_not_sent_to_a_phone_that_answered(teacher, game, phone_client):
    """The question closing changes nothing on the screen of a player who answered: their
    next event is the reveal; a player who did not answer is told the time is up."""
    live_cache.clear()
    ann, bob = phone_client(), phone_client()
    assert join(ann, game, "安").status_code == 302
    assert join(bob, game, "波").status_code == 302
    assert post_action(teacher, game, "start").status_code == 302
    page = ann.get(f"/play/{game.token}")
    reply = ann.post(f"/play/{game.token}/answer", headers={"Accept": "application/json"},
                     data={"csrf_token": csrf_token(page.text), "position": "0",
                           "choice": "0"})
    assert reply.status_code == 200 and reply.json["answer"]["chosen"] == [0]
    streams = [Stream(ann, game), Stream(bob, game)]
    try:
        assert [s.next()[1]["status"] for s in streams] == ["question_open"] * 2
        assert post_action(teacher, game, "close").status_code == 302
        assert streams[1].next()[1]["status"] == "question_closed"
        # 安's stream, read while the question is closed, sends nothing until the reveal.
        got: list = []
        # (in a copy of this thread's context: the stream's request context is pushed here)
        context = contextvars.copy_context()
        reader = threading.Thread(target=lambda: context.run(
            lambda: got.append(streams[0].next()[1]["status"])))
        reader.start()
        time.sleep(0.6)  # six polls of the watcher: a closing event would be here by now
        assert got == []
        assert post_action(teacher, game, "reveal").status_code == 302
        reader.join(5)
        assert got == ["revealed"]
        assert streams[1].next()[1]["status"] == "revealed"
    finally:
        for stream in reversed(streams):
            stream.close()


def test_a_phone_read_after_the_time_is_up_closes_the_question(teacher, game, phone_client,
                                                              now):
    """With no projector open, the phones' own reads run the lazy clock: past the closing
    time (plus grace) the question closes, once."""
    phone = phone_client()
    assert join(phone, game, "丁同学").status_code == 302
    assert post_action(teacher, game, "start").status_code == 302
    version = db.session.get(LiveGame, game.id).state_version
    now.move(seconds=23)  # 20 s a question + the 2 s grace, and a second more
    state = phone.get(f"/play/{game.token}/state").get_json()
    assert state["status"] == "question_closed" and state["v"] == version + 1
    db.session.expire_all()
    assert db.session.get(LiveGame, game.id).status == "question_closed"
