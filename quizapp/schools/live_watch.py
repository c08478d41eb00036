"""Waiting for a live game to change, without holding a database connection.

A phone's event stream (``play.events``, live_push) and its fallback long poll
(``play.state?v=N&wait=25``) wait here until the game's ``state_version`` has moved past
``N``. The database stays the one shared state: nothing two
workers must agree on is kept here, only which games this process's waiters watch and the
versions last read for them (a cache that is re-read every poll).

One watcher per process (a daemon thread) reads ``SELECT id, state_version FROM live_games
WHERE id IN (…watched…)`` every :data:`POLL_SECONDS` on its OWN connection (an engine of one
connection beside the requests' pool, :func:`watcher_engine`): when requests hold every pooled
connection, the wake-ups must not queue behind the requests they are meant to wake. It wakes
the waiters of the games that changed. A waiter holds no
connection while it waits: :func:`wait_for_change` closes the request's session first. The
watcher stops itself when nobody has waited for a while and starts again on the next wait.

The code uses only ``threading``: under gunicorn's gevent worker, which monkey-patches the
standard library before the app is imported, the thread is a greenlet and ``Event.wait``
yields to the other requests; under the development server and the tests they are real
threads. (psycopg 3 cooperates with gevent by itself since 3.1.14.)
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Engine, bindparam, create_engine, text

from quizapp.extensions import db

POLL_SECONDS = 0.1
IDLE_STOP_SECONDS = 5.0  # the watcher thread ends after this long without a waiter
log = logging.getLogger(__name__)
_VERSIONS = text("SELECT id, state_version FROM live_games WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True))


@dataclass
class _Watched:
    """One game some waiters of this process wait on."""

    version: int
    waiters: int = 0
    changed: threading.Event = field(default_factory=threading.Event)


class Watcher:
    """The waiters of one process and the thread that polls the versions they wait on."""

    def __init__(self, engine: Engine, poll_seconds: float = POLL_SECONDS) -> None:
        self.engine = engine
        self.poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._games: dict[int, _Watched] = {}
        self._thread: threading.Thread | None = None
        self._last_waiter = time.monotonic()
        self.polls = 0  # how many version queries ran (tests and benchmarks read it)

    def wait(self, game_id: int, known_version: int, timeout: float) -> int | None:
        """Block until game ``game_id`` has a version other than ``known_version`` (return it)
        or ``timeout`` seconds pass (return ``None``). Versions only grow: a caller ahead of
        the last poll waits for the next version, and wakes the waiters behind it."""
        deadline = time.monotonic() + max(timeout, 0.0)
        with self._lock:
            watched = self._games.get(game_id)
            if watched is None:
                # Seeded with the caller's version; the next poll corrects it if it is stale.
                watched = self._games[game_id] = _Watched(version=known_version)
            elif known_version > watched.version:
                # The caller read a newer version than the last poll (versions only grow):
                # the watcher is behind, not the caller. Without this the caller would be
                # "woken" at once with the older version, again and again until the next
                # poll: a busy loop of requests or events. Waiters on older versions wake.
                watched.version = known_version
                old, watched.changed = watched.changed, threading.Event()
                old.set()
            watched.waiters += 1
            self._ensure_thread()
        try:
            while True:
                event = watched.changed
                if watched.version != known_version:
                    return watched.version
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                event.wait(left)
        finally:
            with self._lock:
                watched.waiters -= 1
                if watched.waiters == 0:
                    self._games.pop(game_id, None)
                self._last_waiter = time.monotonic()

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="live-watch", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                ids = list(self._games)
                if not ids and time.monotonic() - self._last_waiter > IDLE_STOP_SECONDS:
                    self._thread = None
                    # Close the idle connection: an app dropped later (tests) must not leave
                    # it open to the garbage collector. The next poll opens a new one.
                    self.engine.dispose()
                    return
            if ids:
                try:
                    self.poll_once(ids)
                except Exception:  # a lost connection: waiters time out; try again next poll
                    log.exception("live game watcher: polling failed")
            time.sleep(self.poll_seconds)

    def poll_once(self, ids: list[int]) -> None:
        """Read the versions of ``ids`` and wake the waiters of every game that changed."""
        with self.engine.connect() as connection:
            rows = connection.execute(_VERSIONS, {"ids": ids}).all()
        self.polls += 1
        with self._lock:
            for game_id, version in rows:
                watched = self._games.get(game_id)
                if watched is not None and version > watched.version:
                    watched.version = version
                    # A fresh event for the next change; the old one wakes the present waiters.
                    old, watched.changed = watched.changed, threading.Event()
                    old.set()


def watcher_engine(engine: Engine) -> Engine:
    """An engine of one connection to the database of ``engine``, for the watcher alone."""
    return create_engine(engine.url, pool_size=1, max_overflow=0, pool_pre_ping=True,
                         pool_recycle=3600)


def watcher() -> Watcher:
    """This process's watcher for the current app's database (created on first use)."""
    app = current_app._get_current_object()
    found = app.extensions.get("live_watch")
    if found is None:
        engine = watcher_engine(db.engine)
        found = app.extensions.setdefault("live_watch", Watcher(engine))
        # Its connection is closed with the app (tests make many), never left to the collector.
        weakref.finalize(app, engine.dispose)
    return found


def wait_for_change(game_id: int, known_version: int, timeout: float) -> int | None:
    """Wait up to ``timeout`` seconds for game ``game_id`` to leave ``known_version``; return
    the new version, or ``None`` on timeout. The request's session is closed first, so its
    connection goes back to the pool before the wait: re-read anything needed afterwards."""
    watching = watcher()
    db.session.remove()
    return watching.wait(game_id, known_version, timeout)
