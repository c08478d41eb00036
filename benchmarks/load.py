"""Load benchmark of the competition answer path (issue 15): N simulated residents, closed loop.

Each resident registers, starts an attempt, answers every question (one request per answer,
as the page's script does; ``--no-js`` posts the form and follows the redirect instead), then
opens the result and the board; a resident who finishes is replaced by a new one. The run is
bounded by a number of answers and a time limit, whichever comes first. gunicorn is started
here on a free port (sync workers) against a fresh database: SQLite by default, or PostgreSQL
(``--database postgres``, the server of ``$TEST_POSTGRES_URL``).

Printed: answers per second, p50/p95/p99 of each step, errors, the CPU time of gunicorn (all
its processes) and of the PostgreSQL backends per answer (from /proc), and a check in the
database that every acknowledged answer is stored exactly once.

    python benchmarks/load.py                          # 50 residents, SQLite
    python benchmarks/load.py --database postgres --residents 50 --seconds 60
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import live_game as harness  # noqa: E402  (the gunicorn, database and /proc helpers)

ROOT = harness.ROOT
SLUG = "load-cup"
_POSITION = re.compile(r'name="position" value="(\d+)"')
_CHOICE = re.compile(r'name="choice" value="(\d+)"')


@dataclass
class Settings:
    """One run's parameters (the command-line options)."""

    residents: int = 50
    questions: int = 20
    max_answers: int = 20_000
    seconds: float = 60.0
    workers: int = 4
    database: str = "sqlite"  # sqlite | postgres
    database_name: str = "kexue_bench_answer"
    javascript: bool = True
    keep: bool = False
    seed: int = 15
    # what live_game's Server and bench_database read
    worker_class: str = "sync"
    threads: int = 1
    worker_connections: int = 1000
    redis_url: str | None = None


class Server(harness.Server):
    """gunicorn from the Python running this script (a worktree has no .venv of its own)."""

    def command(self) -> list[str]:
        command = super().command()
        command[0] = str(Path(sys.executable).parent / "gunicorn")
        return command

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env["PYTHONPATH"] = str(ROOT)  # this checkout's code, not an installed copy
        return env


def seed(database_url: str, settings: Settings, instance_path: str) -> None:
    """Migrate, and create 60 questions and one open competition of ``questions`` each."""
    import hashlib

    from flask_migrate import upgrade

    from quizapp.competitions.pool import draw_pool
    from quizapp.engine import clock
    from quizapp.extensions import db
    from quizapp.models import Competition, Question, QuestionVersion
    from quizapp.models.questions import GROUPS, groups_to_mask

    app = harness.make_app(database_url, instance_path)
    with app.app_context():
        upgrade()
        for number in range(60):
            kind = ("true_false", "single", "multiple")[number % 3]
            question = Question(code=f"load-{number:03d}")
            version = QuestionVersion(
                version=1, status="active", type=kind,
                topic=("health", "emergency", "method", "sts")[number % 4],
                stem=f"负载测试题 {number}", options=[] if kind == "true_false"
                else ["甲", "乙", "丙", "丁"], answer={"single": [1], "multiple": [0, 2],
                                                      "true_false": [0]}[kind],
                explanation=f"解析 {number}", authority="教材", groups_mask=groups_to_mask(GROUPS),
                dimension="K", difficulty=1 + number % 3,
                content_hash=hashlib.sha256(f"load-{number}".encode()).hexdigest())
            question.versions.append(version)
            db.session.add(question)
            db.session.flush()
            question.current_version_id = version.id
        now = clock.now()
        contest = Competition(
            slug=SLUG, title="负载测试竞赛", starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=10),
            registration={"name": "required", "township": "off", "organisation": "off",
                          "phone": "off"},
            question_count=settings.questions, quotas={}, seconds_per_question=120,
            attempts_per_day=None, counting="best", points_per_correct=5.0,
            reveal="after_attempt", pool_size=40, published=True)
        db.session.add(contest)
        draw_pool(contest, settings.seed)
        db.session.commit()
        db.engine.dispose()


# --------------------------------------------------------------------------- the client

class Browser:
    """One resident's browser: cookies, one connection per request (sync workers close it)."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None,
                accept: str = "text/html") -> tuple[int, dict[str, str], str]:
        connection = HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Accept": accept, "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(value)
                for name, morsel in jar.items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers.items()), text
        finally:
            connection.close()


@dataclass
class Record:
    """What the residents saw, shared by the threads."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    acknowledged: list[tuple[str, int]] = field(default_factory=list)
    finished: int = 0
    started: int = 0
    # (meter totals, answers so far) once every resident of the first wave is answering
    steady: tuple[dict, int] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def time(self, step: str, seconds: float) -> None:
        with self.lock:
            self.timings[step].append(seconds)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text[:300])


class Stop(Exception):
    """The run's bound was reached."""


def _csrf(html: str) -> str:
    return harness.csrf_token(html)


def resident(browser: Browser, number: int, record: Record, settings: Settings,
             should_stop, rng: random.Random, on_started=None) -> None:
    """One resident's whole visit; raises :class:`Stop` when the run is over."""
    def timed(step: str, *args, **kwargs):
        began = time.perf_counter()
        status, headers, text = browser.request(*args, **kwargs)
        record.time(step, time.perf_counter() - began)
        if status >= 500 or status in (400, 403, 404):
            raise RuntimeError(f"{step}: HTTP {status} {text[:120]!r}")
        return status, headers, text

    _, _, page = timed("detail", "GET", f"/competitions/{SLUG}")
    status, _, _ = timed("register", "POST", f"/competitions/{SLUG}/register", [
        ("csrf_token", _csrf(page)), ("name", f"居民{number}")])
    if status != 302:
        raise RuntimeError(f"register: HTTP {status}")
    _, _, page = timed("detail", "GET", f"/competitions/{SLUG}")
    status, headers, _ = timed("start", "POST", f"/competitions/{SLUG}/start",
                               [("csrf_token", _csrf(page))])
    attempt_path = urlsplit(headers.get("Location", "")).path
    if status != 302 or "/attempt/" not in attempt_path:
        raise RuntimeError(f"start: HTTP {status} → {attempt_path}")
    token = attempt_path.rsplit("/", 1)[-1]
    _, _, html = timed("question", "GET", attempt_path)
    csrf = _csrf(html)
    if on_started is not None:
        on_started()
    while True:
        if should_stop():
            raise Stop
        found = _POSITION.search(html)
        if found is None:
            raise RuntimeError("no question on the page")
        position = int(found.group(1))
        options = _CHOICE.findall(html)
        form = [("csrf_token", csrf), ("position", str(position)),
                ("choice", rng.choice(options))]
        if settings.javascript:
            status, _, text = timed("answer", "POST", f"{attempt_path}/answer", form,
                                    accept="application/json")
            reply = json.loads(text)
            if reply.get("redirect", "").endswith("/result"):
                record.acknowledged.append((token, position))
                break
            if "html" not in reply:
                raise RuntimeError(f"answer refused: {text[:120]}")
            record.acknowledged.append((token, position))
            html = reply["html"]
        else:
            status, headers, _ = timed("answer", "POST", f"{attempt_path}/answer", form)
            location = urlsplit(headers.get("Location", ""))
            if not (location.path.endswith("/result") or "answered=" in location.query):
                raise RuntimeError(f"answer refused: {status} → {location.geturl()}")
            record.acknowledged.append((token, position))
            if location.path.endswith("/result"):
                break
            status, headers, html = timed("question", "GET",
                                          f"{location.path}?{location.query}")
            if status == 302 and urlsplit(headers.get("Location", "")).path.endswith("/result"):
                break  # the last answer's page sends on to the result
    timed("result", "GET", f"{attempt_path}/result")
    timed("board", "GET", f"/competitions/{SLUG}/board")
    with record.lock:
        record.finished += 1


def drive(base_url: str, settings: Settings, record: Record, meter=None) -> float:
    """Run the residents until a bound is reached; the wall time it took. With a ``meter``,
    its totals are noted once all the first residents are answering (the steady window,
    free of the first wave's registrations)."""
    began = time.monotonic()

    def on_started() -> None:
        with record.lock:
            record.started += 1
            ready = record.started == settings.residents
        if ready and meter is not None:
            record.steady = (meter.totals(), len(record.acknowledged))
    numbers = iter(range(10**9))
    number_lock = threading.Lock()

    def should_stop() -> bool:
        return (len(record.acknowledged) >= settings.max_answers
                or time.monotonic() - began >= settings.seconds)

    def loop(slot: int) -> None:
        rng = random.Random(settings.seed * 1000 + slot)
        while not should_stop():
            with number_lock:
                number = next(numbers)
            try:
                resident(Browser(base_url), number, record, settings, should_stop, rng,
                         on_started)
            except Stop:
                return
            except Exception as error:  # noqa: BLE001 - counted, the resident gives up
                record.error(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=loop, args=(slot,), daemon=True)
               for slot in range(settings.residents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(settings.seconds + 60)
    return time.monotonic() - began


# --------------------------------------------------------------------------- the check

def check(database_url: str, record: Record, instance_path: str) -> dict:
    """Every acknowledged answer stored, once: its item answered, and no answer stored that
    nobody was told about (an item has one answer column, so twice is impossible to store;
    a lost or phantom answer is what this looks for)."""
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import Attempt, AttemptItem

    app = harness.make_app(database_url, instance_path)
    with app.app_context():
        stored = {(token, position) for token, position in db.session.execute(
            select(Attempt.token, AttemptItem.position).join(AttemptItem)
            .where(AttemptItem.answered_at.is_not(None)))}
        db.engine.dispose()
    acknowledged = record.acknowledged
    unique = set(acknowledged)
    return {"acknowledged": len(acknowledged), "stored": len(stored),
            "acknowledged_twice": len(acknowledged) - len(unique),
            "lost": len(unique - stored), "unacknowledged": len(stored - unique),
            "exactly_once": len(acknowledged) == len(unique) and unique <= stored}


# --------------------------------------------------------------------------- the report

def run(settings: Settings) -> dict:
    """Seed, serve, drive, measure, check; the figures."""
    with tempfile.TemporaryDirectory(prefix="kexue-load-") as workdir_name:
        workdir = Path(workdir_name)
        instance = str(workdir / "instance")
        with harness.bench_database(settings, workdir) as database_url:
            seed(database_url, settings, instance)
            server = Server(database_url, settings, workdir)
            server.start(f"/competitions/{SLUG}")
            meter = harness.CpuMeter(server.process.pid, settings.database_name
                                     if settings.database == "postgres" else None)
            meter.start()
            record = Record()
            try:
                before = meter.totals()
                wall = drive(server.base_url, settings, record, meter)
                after = meter.totals()
            finally:
                meter.stop()
                log = server.log_tail(20)
                server.stop()
            result = figures(settings, record, before, after, wall)
            result["check"] = check(database_url, record, instance)
            result["server_log_tail"] = log
            return result


def figures(settings: Settings, record: Record, before: dict, after: dict,
            wall: float) -> dict:
    answers = len(record.acknowledged)
    steps = {step: {"count": len(values),
                    "p50": harness.percentile(sorted(values), 0.50),
                    "p95": harness.percentile(sorted(values), 0.95),
                    "p99": harness.percentile(sorted(values), 0.99)}
             for step, values in sorted(record.timings.items())}
    app_cpu = after["gunicorn"] - before["gunicorn"]
    db_cpu = after["postgres"] - before["postgres"]
    busy = after["machine_busy"] - before["machine_busy"]
    steady = {}
    if record.steady is not None and answers > record.steady[1]:
        then, done = record.steady
        count = answers - done
        steady = {"steady_answers": count,
                  "steady_answers_per_second": count / (after["wall"] - then["wall"]),
                  "steady_app_cpu_ms_per_answer":
                      1000 * (after["gunicorn"] - then["gunicorn"]) / count,
                  "steady_db_cpu_ms_per_answer":
                      1000 * (after["postgres"] - then["postgres"]) / count}
    return {
        "settings": {"residents": settings.residents, "database": settings.database,
                     "workers": settings.workers, "javascript": settings.javascript,
                     "seconds": settings.seconds, "max_answers": settings.max_answers},
        "wall_seconds": wall, "answers": answers, "answers_per_second": answers / wall,
        "finished_residents": record.finished, "errors": len(record.errors),
        "error_examples": record.errors[:5], "steps": steps,
        "app_cpu_ms_per_answer": 1000 * app_cpu / answers if answers else None,
        "db_cpu_ms_per_answer": 1000 * db_cpu / answers if answers else None,
        "machine_cpu_share": busy / (wall * harness.os.cpu_count()) if wall else None,
        **steady,
    }


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{1000 * value:.0f} ms"


def table(result: dict) -> str:
    s = result["settings"]
    lines = [
        f"{s['residents']} residents, {s['database']}, {s['workers']} sync workers, "
        f"{'one request per answer (JavaScript)' if s['javascript'] else 'no JavaScript'}; "
        f"{result['wall_seconds']:.0f} s",
        f"answers/s: {result['answers_per_second']:.1f} ({result['answers']} answers, "
        f"{result['finished_residents']} residents finished), errors: {result['errors']}",
        "app CPU per answer: " + (f"{result['app_cpu_ms_per_answer']:.2f} ms"
                                  if result["app_cpu_ms_per_answer"] is not None else "—")
        + ", database CPU per answer: " + (f"{result['db_cpu_ms_per_answer']:.2f} ms"
                                           if s["database"] == "postgres" else "— (SQLite: "
                                           "in the app's processes)"),
        ("once every resident is answering: "
         f"{result['steady_answers_per_second']:.1f} answers/s, app CPU "
         f"{result['steady_app_cpu_ms_per_answer']:.2f} ms, database CPU "
         f"{result['steady_db_cpu_ms_per_answer']:.2f} ms per answer"
         if "steady_answers" in result else "once every resident is answering: —"),
        f"machine busy: {100 * (result['machine_cpu_share'] or 0):.0f}% of all cores "
        "(shared with anything else running)",
        f"{'step':<10} {'count':>6} {'p50':>8} {'p95':>8} {'p99':>8}"]
    for step, values in result["steps"].items():
        lines.append(f"{step:<10} {values['count']:>6} {_ms(values['p50']):>8} "
                     f"{_ms(values['p95']):>8} {_ms(values['p99']):>8}")
    c = result["check"]
    lines.append(f"stored exactly once: {'yes' if c['exactly_once'] else 'NO'} "
                 f"(acknowledged {c['acknowledged']}, stored {c['stored']}, lost {c['lost']}, "
                 f"stored but not acknowledged {c['unacknowledged']})")
    return "\n".join(lines)


def parse(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--max-answers", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-name", default="kexue_bench_answer")
    parser.add_argument("--no-js", action="store_true",
                        help="post the form and follow the redirect, as without JavaScript")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    settings = Settings(residents=args.residents, questions=args.questions,
                        max_answers=args.max_answers, seconds=args.seconds,
                        workers=args.workers, database=args.database,
                        database_name=args.database_name, javascript=not args.no_js,
                        keep=args.keep)
    settings.json = args.json  # type: ignore[attr-defined]
    return settings


def main(argv: list[str] | None = None) -> int:
    settings = parse(argv)
    if settings.database == "postgres" and not harness.postgres_reachable():
        print("PostgreSQL is not reachable at $TEST_POSTGRES_URL", file=sys.stderr)
        return 2
    result = run(settings)
    print(table(result))
    if getattr(settings, "json", False):
        print(json.dumps({k: v for k, v in result.items() if k != "server_log_tail"},
                         indent=1, default=str))
    if result["errors"]:
        print("errors, e.g.:", *result["error_examples"], sep="\n  ", file=sys.stderr)
        with contextlib.suppress(Exception):
            print(result["server_log_tail"], file=sys.stderr)
    return 0 if result["check"]["exactly_once"] and not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
