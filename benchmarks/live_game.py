"""Benchmark of live class games under load: ``.venv/bin/python benchmarks/live_game.py``.

Options (defaults are the issue's room): ``--games 40 --students 60 --questions 10``,
``--mode sse|long|short`` (how phones wait for the next question: the server-sent events of
``play.events`` as the phone's script uses them, long polling ``play.state?v=N&wait=25`` (the
script's fallback), or short polling every ``--poll-seconds 1`` with If-None-Match),
``--pace fast|classroom`` (how fast the rooms play: see PACES), ``--worker-class
gevent|sync|gthread``, ``--workers N`` (``--threads`` for gthread,
``--worker-connections`` for gevent), ``--database postgres|sqlite``, ``--seed``, ``--json
FILE`` (the figures as JSON), ``--keep`` (keep the benchmark database).

One command, bounded in time (``--timeout``, 300 s for the load itself by default):

1. a fresh database: PostgreSQL ``kexue_bench_live`` on the server of ``$TEST_POSTGRES_URL``
   (default postgresql://postgres@127.0.0.1:5432/test; the database ``test`` itself is never
   touched), dropped and created again, or a SQLite file in a temporary directory;
2. migrated, and seeded through the app's models and the live engine (a school with classes,
   one teacher and one question set per game, the games created in the lobby by
   ``live_state.create_game``);
3. gunicorn started on a free port with the repository's ``gunicorn.conf.py`` and the chosen
   worker class, workers and connections;
4. one asyncio client (aiohttp) plays every game through the real pages: each teacher signs
   in, waits for the room, starts, polls the projector's state every second like the
   projector does, reveals when the question closed, shows the reveal for
   ``--reveal-seconds`` and advances; each student joins by code over ``--join-seconds``,
   waits for each question by the chosen mechanism and answers after a seeded think time
   (``--think 1,6`` seconds). A share of the answers (``--double-tap 0.05``) is sent twice at
   once, as a phone retrying a lost reply does;
5. afterwards the database is checked: every acknowledged answer stored exactly once with
   the chosen option, nothing stored that was not acknowledged, every player's score the sum
   of their answers' points.

Measured: the delay from the teacher's advance (the client receiving the server's reply to the
teacher's start/next POST) to each student's phone holding the new question, p50/p95/p99
(target: p95 <= 1 s); answers per second; errors (any reply other than 2xx/304 or an expected
redirect, and any exception or timeout); the server's CPU time (gunicorn master and workers
from /proc/<pid>/stat, and the PostgreSQL backends of the benchmark database) per
student-question; the client's own CPU and event-loop lag (the client shares the machine: a
saturated client inflates every delay it measures).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
DATABASE_NAME = "kexue_bench_live"
PASSWORD = "correct horse 42"
SECRET_KEY = "benchmark-secret-key-not-for-production"
TARGET_P95 = 1.0
MODE_NAMES = {"sse": "server-sent events", "long": "long polling", "short": "short polling"}
CLK_TCK = os.sysconf("SC_CLK_TCK")
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


# How fast the rooms play. "fast": every student answers within 1-6 s, the reveal stays 2 s
# and the games start within 5 s of each other, so the 40 rooms move almost in step (a
# stress test: every advance of every room lands in the same seconds). "classroom": a class
# as teachers run one, answers spread over the 20 s countdown, the reveal (bar chart and
# explanation) read for 10 s, and the rooms starting within a minute of each other.
PACES = {
    "fast": {"think": "1,6", "reveal_seconds": 2.0, "join_seconds": 20.0,
             "stagger_seconds": 5.0, "timeout": 300.0},
    "classroom": {"think": "2,15", "reveal_seconds": 10.0, "join_seconds": 60.0,
                  "stagger_seconds": 60.0, "timeout": 600.0},
}


@dataclass
class Settings:
    """One run's parameters (the command-line options)."""

    games: int = 40
    students: int = 60
    questions: int = 10
    mode: str = "sse"  # sse (server-sent events) | long (long polling) | short
    worker_class: str = "gevent"  # gevent | sync | gthread
    workers: int = 2
    threads: int = 8
    worker_connections: int = 2000
    database: str = "postgres"  # postgres | sqlite
    database_name: str = DATABASE_NAME
    seconds_per_question: int = 20
    think: tuple[float, float] = (1.0, 6.0)
    reveal_seconds: float = 2.0
    join_seconds: float = 20.0
    stagger_seconds: float = 5.0
    poll_seconds: float = 1.0  # short polling period
    host_poll_seconds: float = 1.0  # the projector's state poll
    wait_seconds: int = 25  # long-poll wait
    double_tap: float = 0.05
    seed: int = 12
    timeout: float = 300.0
    keep: bool = False
    redis_url: str | None = None


# --------------------------------------------------------------------------- the database

def _admin_url() -> str:
    base, _, _ = POSTGRES_URL.rpartition("/")
    return f"{base}/postgres"


def postgres_reachable() -> bool:
    """Whether the PostgreSQL server of ``$TEST_POSTGRES_URL`` answers."""
    try:
        import psycopg

        with psycopg.connect(_admin_url(), connect_timeout=3):
            return True
    except Exception:  # any failure means: not reachable here
        return False


def _drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@contextmanager
def bench_database(settings: Settings, workdir: Path) -> Iterator[str]:
    """A fresh, empty database for this run: its SQLAlchemy URL."""
    if settings.database == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", settings.database_name) or \
            settings.database_name == POSTGRES_URL.rpartition("/")[2]:
        raise SystemExit(f"refusing to use the database {settings.database_name!r}")
    _drop_postgres(settings.database_name)
    with psycopg.connect(_admin_url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{settings.database_name}"')
    base, _, _ = POSTGRES_URL.rpartition("/")
    try:
        yield f"{base}/{settings.database_name}"
    finally:
        if not settings.keep:
            _drop_postgres(settings.database_name)


# --------------------------------------------------------------------------- seeding

@dataclass
class GameSeed:
    """What the client needs to play one game."""

    number: int
    game_id: int
    token: str
    code: str
    teacher: str
    class_ids: list[int]
    urls: dict[str, str] = field(default_factory=dict)


def make_app(database_url: str, instance_path: str):
    from quizapp import create_app

    return create_app({
        "QUIZAPP_ENV": "testing",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": instance_path,
        # No RATELIMIT_ENABLED here: Flask-Limiter keeps it on its one shared instance, and
        # it would stay off for every app made after this one in the same process (tests).
    })


def seed(database_url: str, settings: Settings, instance_path: str) -> list[GameSeed]:
    """Migrate the database and create the school, teachers, sets and games (in the lobby)."""
    from flask_migrate import upgrade

    from quizapp.extensions import db
    from quizapp.models import (
        Organisation,
        Question,
        QuestionSet,
        QuestionSetItem,
        QuestionVersion,
        SchoolClass,
        Township,
        User,
    )
    from quizapp.schools import live_state

    rng = random.Random(settings.seed)
    app = make_app(database_url, instance_path)
    games: list[GameSeed] = []
    with app.app_context():
        upgrade()
        township = Township(code="bench", name="基准镇", kind="town")
        school = Organisation(name="基准实验中学", kind="school", township=township)
        db.session.add_all([township, school])
        classes = [SchoolClass(school=school, grade=8, name=f"{k}班", size=settings.students)
                   for k in range(1, 5)]
        db.session.add_all(classes)
        pool = []
        for k in range(max(3 * settings.questions, 12)):
            question = Question(code=f"bench-live-{k:03d}", source="ui")
            version = QuestionVersion(
                version=1, status="active", type="single", topic="health",
                stem=f"第{k + 1}题：下列哪一项说法是正确的？", options=[
                    f"选项甲{k}", f"选项乙{k}", f"选项丙{k}", f"选项丁{k}"],
                answer=[k % 4], explanation=f"解析{k + 1}", authority="教材",
                groups_mask=0, dimension="K", difficulty=1 + k % 3, content_hash=f"bl{k}")
            question.versions.append(version)
            db.session.add(question)
            db.session.flush()
            question.current_version_id = version.id
            pool.append(version)
        db.session.commit()
        class_ids = [c.id for c in classes]
        for number in range(settings.games):
            teacher = User(username=f"bench-teacher-{number:02d}",
                           display_name=f"基准老师{number:02d}")
            teacher.set_password(PASSWORD)
            teacher.roles = {"teacher"}
            teacher.schools = [school]
            db.session.add(teacher)
            db.session.flush()
            versions = rng.sample(pool, settings.questions)
            qset = QuestionSet(school_id=school.id, owner_id=teacher.id,
                               title=f"基准题组{number:02d}")
            qset.items = [QuestionSetItem(position=k, question_id=v.question_id)
                          for k, v in enumerate(versions)]
            db.session.add(qset)
            db.session.commit()
            game = live_state.create_game(
                versions, title=f"基准课堂{number:02d}", school_id=school.id,
                teacher_id=teacher.id, question_set_id=qset.id,
                seconds_per_question=settings.seconds_per_question, speed_points=True)
            games.append(GameSeed(number=number, game_id=game.id, token=game.token,
                                  code=game.code, teacher=teacher.username,
                                  class_ids=[class_ids[number % 4], class_ids[(number + 1) % 4]]))
        with app.test_request_context():
            for seeded in games:
                seeded.urls = game_urls(seeded)
        db.engine.dispose()
    return games


def game_urls(game: GameSeed) -> dict[str, str]:
    """The paths the client uses for one game (built by the app itself, so renamed routes
    cannot silently break the benchmark)."""
    from flask import url_for

    return {
        "login": url_for("auth.login"),
        "join": url_for("play.join"),
        "play": url_for("play.game", game_token=game.token),
        "state": url_for("play.state", game_token=game.token),
        "events": url_for("play.events", game_token=game.token),
        "answer": url_for("play.answer", game_token=game.token),
        "host": url_for("schools.live_host", game_id=game.game_id),
        "host_state": url_for("schools.live_state", game_id=game.game_id),
        "action": url_for("schools.live_action", game_id=game.game_id),
    }


# --------------------------------------------------------------------------- the server

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving ``wsgi:app`` with the repository's gunicorn.conf.py."""

    def __init__(self, database_url: str, settings: Settings, workdir: Path) -> None:
        self.settings = settings
        self.port = free_port()
        self.log_path = workdir / "gunicorn.log"
        self.database_url = database_url
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        s = self.settings
        command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                   "--bind", f"127.0.0.1:{self.port}", "--workers", str(s.workers),
                   "--worker-class", s.worker_class,
                   "--error-logfile", str(self.log_path), "--log-level", "warning"]
        if s.worker_class == "gevent":
            command += ["--worker-connections", str(s.worker_connections)]
        if s.worker_class == "gthread":
            command += ["--threads", str(s.threads)]
        return command + ["wsgi:app"]

    def environment(self) -> dict[str, str]:
        from quizapp.config import ENVIRONMENT_VARIABLES

        env = {k: v for k, v in os.environ.items()
               if k not in ENVIRONMENT_VARIABLES and not k.startswith("GUNICORN")}
        env.update({
            "QUIZAPP_ENV": "development",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": self.database_url,
            # Every simulated phone and teacher comes from 127.0.0.1: the per-address limits
            # would count the whole benchmark as one person.
            "LOGIN_RATE_LIMIT": "100000 per minute",
            "PYTHONUNBUFFERED": "1",
        })
        if self.settings.redis_url:
            env["REDIS_URL"] = self.settings.redis_url
        return env

    def start(self, ready_path: str, timeout: float = 60.0) -> None:
        self.process = subprocess.Popen(
            self.command(), cwd=ROOT, env=self.environment(), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n"
                                   + self.log_tail())
            try:
                with urllib.request.urlopen(self.base_url + ready_path, timeout=2) as reply:
                    if reply.status == 200 and len(self.worker_pids()) >= self.settings.workers:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time:\n" + self.log_tail())

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        return children(self.process.pid)

    def stop(self) -> None:
        """Stop gunicorn and its workers (the load is over: no graceful wait for long polls)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # quick shutdown
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        # Workers left behind by a master that died: they are in the server's own group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --------------------------------------------------------------------------- CPU time

def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(part) for part in text.split()]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process, from /proc/<pid>/stat."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))


class CpuMeter(threading.Thread):
    """Samples the CPU time of the gunicorn processes and of the PostgreSQL backends of the
    benchmark database every half second; a process's last sample stands after it exits."""

    def __init__(self, master_pid: int, database: str | None) -> None:
        super().__init__(name="cpu-meter", daemon=True)
        self.master_pid = master_pid
        self.database = database
        self.latest: dict[str, dict[int, float]] = {"gunicorn": {}, "postgres": {}}
        self._halt = threading.Event()
        self._lock = threading.Lock()
        self._admin = None

    def _postgres_pids(self) -> list[int]:
        if self.database is None:
            return []
        import psycopg

        try:
            if self._admin is None or self._admin.closed:
                self._admin = psycopg.connect(_admin_url(), autocommit=True)
            rows = self._admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                       (self.database,)).fetchall()
        except Exception:  # measuring must never break the run
            return []
        return [row[0] for row in rows]

    def sample(self) -> None:
        found = {"gunicorn": [self.master_pid, *children(self.master_pid)],
                 "postgres": self._postgres_pids()}
        with self._lock:
            for kind, pids in found.items():
                for pid in pids:
                    seconds = cpu_seconds(pid)
                    if seconds is not None:
                        self.latest[kind][pid] = seconds

    def totals(self) -> dict[str, float]:
        self.sample()
        with self._lock:
            totals = {kind: sum(values.values()) for kind, values in self.latest.items()}
        busy, total = machine_busy()
        totals.update(machine_busy=busy / CLK_TCK, machine_total=total / CLK_TCK,
                      client=time.process_time(), wall=time.monotonic())
        return totals

    def run(self) -> None:
        while not self._halt.wait(0.5):
            self.sample()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)
        if self._admin is not None:
            self._admin.close()


# --------------------------------------------------------------------------- the client

def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    if match is None:
        raise ValueError("no csrf_token on the page")
    return unescape(match.group(1) or match.group(2))


@dataclass
class Record:
    """Everything the client saw."""

    advanced: dict[tuple[int, int], tuple[float, float]] = field(default_factory=dict)
    seen: dict[tuple[int, int], list[float]] = field(default_factory=lambda: defaultdict(list))
    missed: int = 0
    acks: dict[tuple[int, str, int], int] = field(default_factory=dict)  # → original option
    answer_seconds: list[float] = field(default_factory=list)
    answer_times: list[float] = field(default_factory=list)
    double_taps: int = 0
    requests: Counter = field(default_factory=Counter)
    not_modified: int = 0
    errors: Counter = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)
    lag: list[float] = field(default_factory=list)
    joined: int = 0
    finished_students: int = 0
    finished_games: int = 0
    phase: dict[str, float] = field(default_factory=dict)


class Client:
    """The simulated teachers and phones."""

    def __init__(self, base_url: str, games: list[GameSeed], settings: Settings) -> None:
        self.base_url = base_url
        self.games = games
        self.settings = settings
        self.record = Record()
        self.all_joined = {g.number: asyncio.Event() for g in games}
        self.joined = Counter()
        self.connector = None
        self.timeout = None
        self.stream_timeout = None

    # ---- plumbing

    def error(self, kind: str, detail: str) -> None:
        self.record.errors[kind] += 1
        if len(self.record.error_examples) < 12:
            self.record.error_examples.append(f"{kind}: {detail[:200]}")

    async def call(self, session, method: str, path: str, kind: str, *,
                   ok: tuple[int, ...] = (200,), **kwargs):
        """One request: (status, headers, body), or None after an error (counted)."""
        import aiohttp

        self.record.requests[kind] += 1
        try:
            async with session.request(method, urljoin(self.base_url, path),
                                       allow_redirects=False, **kwargs) as reply:
                body = await reply.read()
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            self.error(f"{kind} {exc.__class__.__name__}", str(exc))
            return None
        if reply.status == 304:
            self.record.not_modified += 1
        if reply.status not in ok and reply.status != 304:
            self.error(f"{kind} {reply.status}", body.decode(errors="replace"))
            return None
        return reply.status, reply.headers, body

    def session(self):
        import aiohttp

        return aiohttp.ClientSession(
            connector=self.connector, connector_owner=False, timeout=self.timeout,
            cookie_jar=aiohttp.CookieJar(unsafe=True))

    # ---- teachers

    async def teacher(self, game: GameSeed) -> None:
        s = self.settings
        rng = random.Random(f"{s.seed}-teacher-{game.number}")
        loop = asyncio.get_running_loop()
        async with self.session() as session:
            page = await self.call(session, "GET", game.urls["login"], "login page")
            if page is None:
                return
            signed_in = await self.call(
                session, "POST", game.urls["login"], "login", ok=(302, 303),
                data={"csrf_token": csrf_token(page[2].decode()), "username": game.teacher,
                      "password": PASSWORD})
            host = await self.call(session, "GET", game.urls["host"], "host page")
            if signed_in is None or host is None:
                return
            token = csrf_token(host[2].decode())
            try:
                await asyncio.wait_for(self.all_joined[game.number].wait(),
                                       s.join_seconds + 60)
            except TimeoutError:
                self.error("room incomplete", f"game {game.number}: {self.joined[game.number]}")
            await asyncio.sleep(rng.uniform(0, s.stagger_seconds))
            if not await self.advance(session, game, token, "start", 0):
                return
            for index in range(s.questions):
                deadline = loop.time() + s.seconds_per_question + 5
                while loop.time() < deadline:
                    await asyncio.sleep(s.host_poll_seconds)
                    state = await self.call(session, "GET", game.urls["host_state"],
                                            "host state")
                    if state is not None and host_status(json.loads(state[2])) != \
                            "question_open":
                        break
                await self.action(session, game, token, "reveal")
                await asyncio.sleep(s.reveal_seconds)
                if not await self.advance(session, game, token, "next", index + 1):
                    return
            self.record.finished_games += 1

    async def action(self, session, game: GameSeed, token: str, action: str) -> float | None:
        """Press one control button: the time its reply (the redirect) arrived, when the
        teacher's screen moves on; None if it failed. The projector's state must then show
        the action happened (a refused action redirects too, with a message)."""
        loop = asyncio.get_running_loop()
        reply = await self.call(session, "POST", game.urls["action"], f"teacher {action}",
                                ok=(302, 303), data={"csrf_token": token, "action": action})
        replied = loop.time()
        if reply is None:
            return None
        state = await self.call(session, "GET", game.urls["host_state"], "host state")
        if state is None:
            return None
        status = host_status(json.loads(state[2]))
        if status not in EXPECTED_AFTER[action]:
            self.error(f"teacher {action} refused", f"game {game.number} is {status}")
            return None
        return replied

    async def advance(self, session, game: GameSeed, token: str, action: str,
                      index: int) -> bool:
        """Start or next: the question ``index`` opens (or the game ends)."""
        sent = asyncio.get_running_loop().time()
        replied = await self.action(session, game, token, action)
        if replied is None:
            return False
        self.record.advanced[(game.number, index)] = (sent, replied)
        return True

    # ---- students

    async def student(self, game: GameSeed, number: int) -> None:
        s = self.settings
        rng = random.Random(f"{s.seed}-student-{game.number}-{number}")
        await asyncio.sleep(rng.uniform(0, s.join_seconds))
        nickname = f"学生{game.number:02d}-{number:02d}"
        async with self.session() as session:
            # The QR code's link: /join?code=… sends the phone on to the game's page, which
            # asks for a nickname and a class.
            link = await self.call(session, "GET", f"{game.urls['join']}?code={game.code}",
                                   "join link", ok=(302, 303))
            form = await self.call(session, "GET", game.urls["play"], "join form")
            if link is None or form is None:
                return
            joined = await self.call(
                session, "POST", game.urls["join"], "join", ok=(302, 303),
                data={"csrf_token": csrf_token(form[2].decode()), "code": game.code,
                      "nickname": nickname,
                      "school_class_id": str(rng.choice(game.class_ids))})
            if joined is None:
                return
            page = await self.call(session, "GET", game.urls["play"], "play page")
            if page is None:
                return
            token = csrf_token(page[2].decode())
            self.record.joined += 1
            self.joined[game.number] += 1
            if self.joined[game.number] == s.students:
                self.all_joined[game.number].set()
            await self.play(session, game, nickname, token, rng)

    async def events(self, session, game: GameSeed) -> AsyncIterator[dict]:
        """The phone's server-sent events (play.events): each state as it arrives,
        reconnecting with the last event's id when the stream ends, like EventSource."""
        import aiohttp

        last: str | None = None
        while True:
            headers = {"Accept": "text/event-stream"}
            if last is not None:
                headers["Last-Event-ID"] = last
            self.record.requests["student events"] += 1
            try:
                async with session.get(urljoin(self.base_url, game.urls["events"]),
                                       headers=headers, timeout=self.stream_timeout) as reply:
                    if reply.status != 200:
                        self.error(f"student events {reply.status}", "")
                        await asyncio.sleep(1.0)
                        continue
                    fields: dict[str, str] = {}
                    async for raw in reply.content:
                        line = raw.decode().rstrip("\r\n")
                        if line:
                            if not line.startswith(":") and ": " in line:
                                name, value = line.split(": ", 1)
                                fields[name] = value
                            continue
                        if fields.get("event") == "state":
                            last = fields.get("id", last)
                            state = json.loads(fields["data"])
                            yield state
                            if state["status"] == "finished":
                                return
                        elif fields.get("event") == "gone":
                            self.error("student gone", game.urls["events"])
                            return
                        fields = {}
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                self.error(f"student events {exc.__class__.__name__}", str(exc))
                await asyncio.sleep(1.0)

    async def play(self, session, game: GameSeed, nickname: str, token: str,
                   rng: random.Random) -> None:
        s = self.settings
        loop = asyncio.get_running_loop()
        version, etag = -1, None
        seen: set[int] = set()
        answering: list[asyncio.Task] = []
        if s.mode == "sse":
            async for state in self.events(session, game):
                self.take(session, state, game, nickname, token, rng, seen, answering)
            await asyncio.gather(*answering)
            self.record.finished_students += 1
            return
        next_poll = loop.time() + rng.uniform(0, s.poll_seconds)
        while True:
            if s.mode == "long":
                params = {"v": str(version), "wait": str(s.wait_seconds)}
                headers = {}
            else:
                await asyncio.sleep(max(0.0, next_poll - loop.time()))
                next_poll += s.poll_seconds
                params, headers = {}, ({"If-None-Match": etag} if etag else {})
            reply = await self.call(session, "GET", game.urls["state"], "student state",
                                    params=params, headers=headers)
            if reply is None:
                await asyncio.sleep(1.0)  # a phone backs off after an error
                continue
            if reply[0] == 304:
                continue
            etag = reply[1].get("ETag", etag)
            state = json.loads(reply[2])
            version = player_version(state)
            self.take(session, state, game, nickname, token, rng, seen, answering)
            if player_status(state)[0] == "finished":
                break
        await asyncio.gather(*answering)
        self.record.finished_students += 1

    def take(self, session, state: dict, game: GameSeed, nickname: str, token: str,
             rng: random.Random, seen: set[int], answering: list) -> None:
        """A state the phone received: a newly open question is seen (and answered)."""
        loop = asyncio.get_running_loop()
        status, index = player_status(state)
        if status == "question_open" and index not in seen and can_answer(state):
            seen.add(index)
            self.record.seen[(game.number, index)].append(loop.time())
            answering.append(asyncio.create_task(
                self.answer(session, game, nickname, token, state, index, rng)))
        elif status in ("question_closed", "revealed") and index not in seen:
            seen.add(index)
            self.record.missed += 1

    async def answer(self, session, game: GameSeed, nickname: str, token: str, state: dict,
                     index: int, rng: random.Random) -> None:
        """Think, then tap an option; a few phones send the tap twice at once (a retry after a
        lost reply). Acknowledged: the reply says the question is answered, with the choice."""
        s = self.settings
        loop = asyncio.get_running_loop()
        await asyncio.sleep(rng.uniform(*s.think))
        displayed = rng.randrange(len(player_options(state)))
        data = answer_form(token, index, displayed)
        tries = 2 if rng.random() < s.double_tap else 1
        began = loop.time()
        # The copy of a double tap may be refused (400) when the first answer closed the
        # question (the last player to answer): what counts is that one was taken.
        replies = await asyncio.gather(*[
            self.call(session, "POST", game.urls["answer"], "answer", data=data,
                      headers={"Accept": "application/json"},
                      ok=(200,) if tries == 1 else (200, 400))
            for _ in range(tries)])
        self.record.answer_seconds.append(loop.time() - began)
        chosen = [answer_chosen(json.loads(r[2]), index) for r in replies if r is not None]
        chosen = [c for c in chosen if c is not None]
        if tries == 2:
            self.record.double_taps += 1
        if not chosen:
            if tries == 2 and all(r is not None for r in replies):
                self.error("answer 400", "both copies of a double tap refused")
            return
        if chosen[0] != [displayed] or any(c != chosen[0] for c in chosen):
            self.error("answer mixed up", f"tapped {displayed}, told {chosen}")
        self.record.acks[(game.game_id, nickname, index)] = chosen[0][0]
        self.record.answer_times.append(loop.time())

    # ---- the run

    async def lag_probe(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            began = loop.time()
            await asyncio.sleep(0.1)
            self.record.lag.append(loop.time() - began - 0.1)

    async def run(self) -> Record:
        import aiohttp

        s = self.settings
        self.connector = aiohttp.TCPConnector(limit=0, limit_per_host=0,
                                              keepalive_timeout=15)
        self.timeout = aiohttp.ClientTimeout(total=s.wait_seconds + 20, connect=20)
        # A stream lasts minutes; only a silence longer than two heartbeats is an error.
        self.stream_timeout = aiohttp.ClientTimeout(total=None, connect=20, sock_read=40)
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        probe = asyncio.create_task(self.lag_probe(stop))
        self.record.phase["began"] = loop.time()
        tasks = [asyncio.create_task(self.teacher(g)) for g in self.games]
        tasks += [asyncio.create_task(self.student(g, k))
                  for g in self.games for k in range(s.students)]
        done, pending = await asyncio.wait(tasks, timeout=s.timeout)
        for task in pending:
            task.cancel()
        if pending:
            self.error("timeout", f"{len(pending)} loops still running after {s.timeout} s")
        for task in done:
            if task.exception() is not None:
                exc = task.exception()
                self.error(f"loop {exc.__class__.__name__}", repr(exc))
        self.record.phase["ended"] = loop.time()
        stop.set()
        await probe
        await self.connector.close()
        return self.record


# --------------------------------------------------------------------------- the protocol
# What the JSON of play.state / schools.live_state and the answer reply look like (the
# live web layer's format, in one place).

EXPECTED_AFTER = {"start": ("question_open",), "reveal": ("revealed",),
                  "next": ("question_open", "finished")}


def host_status(state: dict) -> str:
    return state["status"]


def player_version(state: dict) -> int:
    return int(state["v"])


def player_status(state: dict) -> tuple[str, int]:
    """The game's status and the position of the question on the phone (-1: none)."""
    question = state.get("question") or {}
    return state["status"], int(question.get("position", -1))


def can_answer(state: dict) -> bool:
    return bool((state.get("question") or {}).get("can_answer"))


def player_options(state: dict) -> list:
    return state["question"]["options"]


def answer_form(token: str, index: int, displayed: int) -> dict[str, str]:
    return {"csrf_token": token, "position": str(index), "choice": str(displayed)}


def answer_chosen(state: dict, index: int) -> list[int] | None:
    """The displayed options the server says this phone chose for question ``index`` (None:
    not answered)."""
    answer = state.get("answer")  # the answer reply: what was taken
    if answer is not None:
        return list(answer["chosen"]) if answer.get("position") == index else None
    question = state.get("question") or {}  # a refusal's reply: the phone's whole state
    if question.get("position") != index or not question.get("answered"):
        return None
    return list(question.get("chosen") or [])


# --------------------------------------------------------------------------- checking

@dataclass
class Check:
    """The database after the run, against what the client was told."""

    acknowledged: int = 0
    stored: int = 0
    missing: int = 0  # acknowledged but not stored
    unacknowledged: int = 0  # stored but never acknowledged (a reply lost to an error)
    wrong_choice: int = 0
    score_mismatch: int = 0  # attempts whose score is not the sum of their items' points

    @property
    def exactly_once(self) -> bool:
        return self.missing == 0 and self.wrong_choice == 0 and self.score_mismatch == 0


def check(database_url: str, record: Record, instance_path: str) -> Check:
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import Attempt, AttemptItem, LivePlayer

    result = Check(acknowledged=len(record.acks))
    app = make_app(database_url, instance_path)
    with app.app_context():
        rows = db.session.execute(
            select(LivePlayer.game_id, LivePlayer.nickname, AttemptItem.position,
                   AttemptItem.choices, AttemptItem.option_order)
            .join(AttemptItem, AttemptItem.attempt_id == LivePlayer.attempt_id)
            .where(AttemptItem.answered_at.is_not(None))).all()
        stored = {}
        for game_id, nickname, position, choices, option_order in rows:
            stored[(game_id, nickname, position)] = (choices, option_order)
        result.stored = len(stored)
        for key, displayed in record.acks.items():
            if key not in stored:
                result.missing += 1
                continue
            choices, option_order = stored[key]
            if choices != [option_order[displayed]]:
                result.wrong_choice += 1
        result.unacknowledged = len(set(stored) - set(record.acks))
        sums = db.session.execute(
            select(Attempt.id, Attempt.score, db.func.coalesce(db.func.sum(AttemptItem.points), 0))
            .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
            .where(Attempt.kind == "class_game").group_by(Attempt.id, Attempt.score)).all()
        result.score_mismatch = sum(1 for _, score, points in sums
                                    if abs((score or 0) - points) > 1e-6)
        db.engine.dispose()
    return result


# --------------------------------------------------------------------------- figures

def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)  # the nearest rank: the smallest value with share of them <= it
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def figures(settings: Settings, record: Record, cpu: dict[str, dict[str, float]],
            verified: Check) -> dict:
    """The run's figures (what the table prints and --json writes)."""
    delays, early = [], 0
    for key, times in record.seen.items():
        if key not in record.advanced:
            continue
        _, answered = record.advanced[key]
        for seen in times:
            delay = seen - answered
            if delay < 0:
                early += 1
            delays.append(max(0.0, delay))
    student_questions = settings.games * settings.students * settings.questions
    play = {k: cpu["end"][k] - cpu["start"][k] for k in cpu["end"]}
    joins = {k: cpu["start"][k] - cpu["joined_from"][k] for k in cpu["end"]}
    wall = play["wall"]
    answers = record.answer_times
    answer_span = (max(answers) - min(answers)) if len(answers) > 1 else 0.0
    per_second = Counter(int(t) for t in answers)
    total_requests = sum(record.requests.values())
    return {
        "settings": {k: v for k, v in asdict(settings).items() if k != "keep"},
        "delay_p50": percentile(delays, 0.50),
        "delay_p95": percentile(delays, 0.95),
        "delay_p99": percentile(delays, 0.99),
        "delay_max": max(delays) if delays else None,
        "delays": len(delays),
        "seen_before_teacher_reply": early,
        "expected_views": student_questions,
        "missed_questions": record.missed,
        "answers": len(record.acks),
        "answers_per_second": len(answers) / answer_span if answer_span else None,
        "answers_peak_per_second": max(per_second.values()) if per_second else 0,
        "answer_reply_p95": percentile(record.answer_seconds, 0.95),
        "double_taps": record.double_taps,
        "requests": total_requests,
        "requests_per_second": total_requests / (record.phase["ended"] - record.phase["began"]),
        "not_modified": record.not_modified,
        "errors": sum(record.errors.values()),
        "error_kinds": dict(record.errors),
        "error_examples": record.error_examples,
        "joined": record.joined,
        "finished_students": record.finished_students,
        "finished_games": record.finished_games,
        "play_seconds": wall,
        "server_cpu_seconds": play["gunicorn"],
        "postgres_cpu_seconds": play["postgres"],
        "server_cpu_ms_per_student_question": 1000 * play["gunicorn"] / student_questions,
        "postgres_cpu_ms_per_student_question": 1000 * play["postgres"] / student_questions,
        "join_server_cpu_ms_per_student": 1000 * (joins["gunicorn"] + joins["postgres"]) / max(
            1, settings.games * settings.students),
        "client_cpu_seconds": play["client"],
        "machine_busy_share": play["machine_busy"] / play["machine_total"]
        if play["machine_total"] else None,
        "client_lag_p95": percentile(record.lag, 0.95),
        "client_lag_max": max(record.lag) if record.lag else None,
        "check": {**asdict(verified), "exactly_once": verified.exactly_once},
    }


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{1000 * value:,.0f} ms"


def table(result: dict) -> str:
    s = result["settings"]
    check_ = result["check"]
    rows = [
        ("run", f"{s['games']} games × {s['students']} students × {s['questions']} questions, "
                f"{MODE_NAMES[s['mode']]}, gunicorn {s['worker_class']} × {s['workers']}"
                + (f" ({s['threads']} threads)" if s["worker_class"] == "gthread" else "")
                + f", {s['database']}"),
        ("pace", f"answers after {s['think'][0]:g}–{s['think'][1]:g} s, reveal "
                 f"{s['reveal_seconds']:g} s, joins over {s['join_seconds']:g} s, games "
                 f"started within {s['stagger_seconds']:g} s"),
        ("advance → question visible p50", _ms(result["delay_p50"])),
        ("p95 (target ≤ 1 s)", _ms(result["delay_p95"])
         + ("  OK" if (result["delay_p95"] or 99) <= TARGET_P95 else "  MISSED")),
        ("p99 / max", f"{_ms(result['delay_p99'])} / {_ms(result['delay_max'])}"),
        ("views measured / expected", f"{result['delays']:,} / {result['expected_views']:,}"
                                      f" (missed open: {result['missed_questions']})"),
        ("answers stored / acknowledged",
         f"{check_['stored']:,} / {check_['acknowledged']:,}, exactly once: "
         f"{'yes' if check_['exactly_once'] else 'NO'} (missing {check_['missing']}, wrong "
         f"{check_['wrong_choice']}, score≠sum {check_['score_mismatch']}, unacknowledged "
         f"{check_['unacknowledged']})"),
        ("answers sent twice at once", f"{result['double_taps']}"),
        ("answers/s (mean over the game, peak second)",
         f"{(result['answers_per_second'] or 0):,.1f}, peak {result['answers_peak_per_second']}"),
        ("answer reply p95", _ms(result["answer_reply_p95"])),
        ("requests (req/s, 304s)", f"{result['requests']:,} ({result['requests_per_second']:,.0f}"
                                  f"/s, {result['not_modified']:,} not modified)"),
        ("errors", f"{result['errors']}" + (f" {result['error_kinds']}" if result["errors"]
                                            else "")),
        ("games / students finished", f"{result['finished_games']} / "
                                      f"{result['finished_students']}"),
        ("play phase", f"{result['play_seconds']:.0f} s, machine busy "
                       f"{100 * (result['machine_busy_share'] or 0):.0f}% (before the run: "
                       f"{100 * result.get('machine_busy_before', 0):.0f}%)"),
        ("server CPU per student-question",
         f"gunicorn {result['server_cpu_ms_per_student_question']:.2f} ms + PostgreSQL "
         f"{result['postgres_cpu_ms_per_student_question']:.2f} ms "
         f"({result['server_cpu_seconds']:.0f} s + {result['postgres_cpu_seconds']:.0f} s)"),
        ("server CPU per join", f"{result['join_server_cpu_ms_per_student']:.1f} ms"),
        ("client CPU, loop lag p95 / max",
         f"{result['client_cpu_seconds']:.0f} s, {_ms(result['client_lag_p95'])} / "
         f"{_ms(result['client_lag_max'])}"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


# --------------------------------------------------------------------------- main

def parse(argv: list[str] | None) -> tuple[Settings, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = Settings()
    parser.add_argument("--games", type=int, default=defaults.games)
    parser.add_argument("--students", type=int, default=defaults.students)
    parser.add_argument("--questions", type=int, default=defaults.questions)
    parser.add_argument("--mode", choices=("sse", "long", "short"), default=defaults.mode)
    parser.add_argument("--worker-class", choices=("gevent", "sync", "gthread"),
                        default=defaults.worker_class)
    parser.add_argument("--workers", type=int, default=defaults.workers)
    parser.add_argument("--threads", type=int, default=defaults.threads)
    parser.add_argument("--worker-connections", type=int, default=defaults.worker_connections)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default=None)
    parser.add_argument("--database-name", default=defaults.database_name)
    parser.add_argument("--seconds-per-question", type=int,
                        default=defaults.seconds_per_question)
    parser.add_argument("--pace", choices=tuple(PACES), default="fast",
                        help="preset of --think, --reveal-seconds, --join-seconds, "
                             "--stagger-seconds and --timeout (each may still be given)")
    parser.add_argument("--think", default=None, help="min,max seconds before answering")
    parser.add_argument("--reveal-seconds", type=float, default=None)
    parser.add_argument("--join-seconds", type=float, default=None)
    parser.add_argument("--stagger-seconds", type=float, default=None)
    parser.add_argument("--poll-seconds", type=float, default=defaults.poll_seconds)
    parser.add_argument("--host-poll-seconds", type=float, default=defaults.host_poll_seconds)
    parser.add_argument("--wait-seconds", type=int, default=defaults.wait_seconds)
    parser.add_argument("--double-tap", type=float, default=defaults.double_tap)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--redis-url", default=None,
                        help="give the server this REDIS_URL (default: none)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    pace = PACES[args.pace]
    for name, value in pace.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    low, _, high = args.think.partition(",")
    database = args.database or ("postgres" if postgres_reachable() else "sqlite")
    settings = Settings(
        games=args.games, students=args.students, questions=args.questions, mode=args.mode,
        worker_class=args.worker_class, workers=args.workers, threads=args.threads,
        worker_connections=args.worker_connections, database=database,
        database_name=args.database_name, seconds_per_question=args.seconds_per_question,
        think=(float(low), float(high or low)), reveal_seconds=args.reveal_seconds,
        join_seconds=args.join_seconds, stagger_seconds=args.stagger_seconds,
        poll_seconds=args.poll_seconds, host_poll_seconds=args.host_poll_seconds,
        wait_seconds=args.wait_seconds, double_tap=args.double_tap, seed=args.seed,
        timeout=args.timeout, keep=args.keep, redis_url=args.redis_url)
    return settings, args


def run(settings: Settings) -> dict:
    """One whole run: database, seed, server, load, check; returns the figures."""
    busy, total = machine_busy()
    time.sleep(2)
    busy2, total2 = machine_busy()
    busy_before = (busy2 - busy) / max(total2 - total, 1)  # other work on the machine
    with tempfile.TemporaryDirectory(prefix="kexue-live-bench-") as directory:
        workdir = Path(directory)
        with bench_database(settings, workdir) as database_url:
            began = time.monotonic()
            games = seed(database_url, settings, str(workdir / "instance"))
            print(f"seeded {len(games)} games in {time.monotonic() - began:.1f} s",
                  file=sys.stderr)
            server = Server(database_url, settings, workdir)
            server.start(games[0].urls["join"])
            meter = CpuMeter(server.process.pid,
                             settings.database_name if settings.database == "postgres" else None)
            meter.start()
            cpu: dict[str, dict[str, float]] = {"joined_from": meter.totals()}
            try:
                client = Client(server.base_url, games, settings)
                record = _run_loop(_drive(client, meter, cpu))
                cpu["end"] = meter.totals()
            finally:
                try:
                    meter.stop()
                finally:
                    log = server.log_tail()
                    server.stop()
            cpu.setdefault("start", cpu["joined_from"])
            verified = check(database_url, record, str(workdir / "instance"))
        result = figures(settings, record, cpu, verified)
        result["server_log_tail"] = log
        result["machine_busy_before"] = busy_before
        return result


def _run_loop(coroutine):
    """``asyncio.run`` in a thread of its own: the caller may already run an event loop (a
    test process where Playwright's sync API left one running)."""
    box: dict = {}

    def target() -> None:
        try:
            box["result"] = asyncio.run(coroutine)
        except BaseException as error:  # handed back to the caller's thread
            box["error"] = error

    thread = threading.Thread(target=target, name="bench-client")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


async def _drive(client: Client, meter: CpuMeter, cpu: dict) -> Record:
    """Run the client; note the CPU totals when every room is full (the play phase starts)."""
    async def mark_start() -> None:
        await asyncio.gather(*(event.wait() for event in client.all_joined.values()))
        cpu["start"] = await asyncio.to_thread(meter.totals)

    marker = asyncio.create_task(mark_start())
    try:
        return await client.run()
    finally:
        marker.cancel()


def main(argv: list[str] | None = None) -> int:
    settings, args = parse(argv)
    result = run(settings)
    print(table(result))
    if result["error_examples"]:
        print("\nfirst errors:\n  " + "\n  ".join(
            " ".join(example.split())[:160] for example in result["error_examples"]))
        print("\nend of the server's log:\n" + result["server_log_tail"])
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    ok = result["check"]["exactly_once"] and result["errors"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
