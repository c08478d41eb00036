"""Waiting for a game to change (live_watch): phones' long polls wake within a poll of the
change, hold no database connection while they wait, time out with the same state, answer
304 to a matching ETag; and the same code under gevent (as gunicorn's gevent worker)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

from quizapp.extensions import db
from tests.schools.liveweb_fixtures import *  # noqa: F403
from tests.schools.liveweb_fixtures import join, post_action


def _wait_in_thread(phone, url, results, name):
    def run():
        started = time.monotonic()
        response = phone.get(url)
        results[name] = (response.status_code, response.get_json(), time.monotonic(), started)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_long_polls_wake_on_change_and_hold_no_connection(app, teacher, game, phone_client):
    phones = {name: phone_client() for name in ("a", "b", "c")}
    for name, phone in phones.items():
        join(phone, game, f"玩家{name}")
    db.session.refresh(game)
    version = game.state_version
    url = f"/play/{game.token}/state?v={version}&wait=10"
    results: dict = {}
    threads = [_wait_in_thread(phone, url, results, name) for name, phone in phones.items()]
    db.session.remove()
    time.sleep(0.4)
    samples = []
    for _ in range(20):
        samples.append(db.engine.pool.checkedout())
        time.sleep(0.01)
    assert results == {}, "the polls returned before anything changed"
    # Three waiting requests; holding a connection each would show 3 (the watcher's own
    # query takes one for a moment).
    assert max(samples) <= 1, samples
    started = time.monotonic()
    post_action(teacher, game, "start")
    advanced = time.monotonic()
    for thread in threads:
        thread.join(timeout=5)
    for name, (status, body, finished, _) in results.items():
        assert status == 200
        assert body["v"] > version and body["status"] == "question_open", name
        assert body["question"]["stem"]
        assert finished - advanced < 1.0, f"{name} woke {finished - advanced:.2f}s after"
    assert len(results) == 3 and advanced - started < 2


def test_a_poll_times_out_with_the_same_state_and_etag_gives_304(teacher, game,
                                                                 phone_client):
    phone = phone_client()
    join(phone, game, "等待")
    db.session.refresh(game)
    started = time.monotonic()
    response = phone.get(f"/play/{game.token}/state?v={game.state_version}&wait=1")
    assert 0.9 < time.monotonic() - started < 3
    assert response.status_code == 200 and response.json["v"] == game.state_version
    etag = response.headers["ETag"]
    again = phone.get(f"/play/{game.token}/state", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # A different version is returned at once, whatever the wait.
    started = time.monotonic()
    other = phone.get(f"/play/{game.token}/state?v={game.state_version - 1}&wait=25")
    assert time.monotonic() - started < 0.5 and other.json["v"] == game.state_version
    post_action(teacher, game, "start")
    changed = phone.get(f"/play/{game.token}/state", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_watcher_under_gevent(tmp_path):
    database = f"sqlite:///{tmp_path / 'gevent.sqlite3'}"
    output = subprocess.run(
        [sys.executable, "-m", "tests.schools.liveweb_gevent_worker", database,
         str(tmp_path / "instance"), "200"],
        capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(output.stdout.strip().splitlines()[-1])
    assert result["count"] == 200 and result["versions"] == [6]
    assert result["max_after_bump"] < 0.5, result
    assert result["checked_out"] == 0


def test_a_waiter_ahead_of_the_watcher_waits_and_wakes_the_others(app):
    """A caller that read a newer version than the watcher's last poll must wait (not be
    told at once of the older version, over and over: a busy loop), and the waiters on the
    older version wake, since the game has moved on."""
    from quizapp.schools.live_watch import Watcher, watcher_engine

    watching = Watcher(watcher_engine(db.engine), poll_seconds=60)  # no poll in this test
    behind: dict = {}
    thread = threading.Thread(target=lambda: behind.update(v=watching.wait(7, 5, 5.0)))
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    assert watching.wait(7, 6, 0.3) is None  # ahead: waits for a newer version
    assert time.monotonic() - started >= 0.25
    thread.join(2)
    assert behind == {"v": 6}
    watching.engine.dispose()
