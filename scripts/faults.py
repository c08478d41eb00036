"""Fault scenarios (issue 15): ``make faults``; ``.ci/run`` runs them after the test suites.

Each scenario serves the app with gunicorn (the repository's ``gunicorn.conf.py``) from a
database of its own holding the demo, drives residents through the demo competition with a
plain HTTP client that uses the no-JavaScript forms (register, start, answer every question,
result), breaks something on the way, and then checks in the database that every answer the
server acknowledged is stored exactly once and every finished attempt's score is the sum of its
items.

1. ``worker-kill``: one gunicorn worker is killed with SIGKILL while residents answer. A
   request it was serving fails at the client, which sends it again; every resident finishes
   on the other worker (or its replacement).
2. ``database-restart``: a private PostgreSQL (initdb in a temporary folder, its own port) is
   stopped for a few seconds mid-competition. Requests meanwhile get the 503 page, never a
   500; afterwards every resident finishes with nothing lost or counted twice.
3. ``app-restart``: the whole app is stopped and started again mid-attempt. The resident comes
   back to the same question, with the time that is left (the attempt's deadline is stored).
4. ``read-only``: the database is switched to read-only mid-attempt. The answer gets the 503
   page and nothing is written; switched back, the resident goes on.
5. ``disk-full`` (the SQLite default): the app's files may not grow (``RLIMIT_FSIZE``, as on a
   full disk). New registrations get the 503 page; no partial rows are left.
6. ``two-servers`` (scale-out): two app servers share the database, and every resident's
   requests take turns between them; nothing is lost or counted twice.

Options: ``--only NAME`` (repeatable), ``--residents N`` (default 12). Prints one line per
scenario and exits 1 when any fails. Needs PostgreSQL's ``initdb`` (Debian's postgresql package)
for scenarios 1–4; run as root it runs PostgreSQL as the ``postgres`` user.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SLUG = "xinzheng-2025"  # quizapp.demo.competition.DEMO_SLUG
SECRET_KEY = "fault-scenarios-secret-key-not-for-production"
# Seconds a resident waits between answers under load: 20 questions last about 8 s, so the
# fault (3 s in) lands while everyone is answering.
PACE = 0.4
FAULT_AT = 3.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- PostgreSQL

class PrivatePostgres:
    """A PostgreSQL cluster of the scenarios' own, so stopping it disturbs nobody else."""

    def __init__(self, folder: Path) -> None:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not versions:
            raise RuntimeError("PostgreSQL's initdb is not installed (Debian: postgresql)")
        self.bin = versions[-1].parent
        self.data = folder / "pgdata"
        self.port = free_port()

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(prefix + list(command), check=check, capture_output=True,
                              text=True, cwd="/tmp")

    def create(self) -> None:
        self.data.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
            shutil.chown(self.data.parent, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "-A", "trust", "--no-sync", "-E", "UTF8")
        self.start()
        self.sql("CREATE DATABASE template_demo")

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} "
                   "-c fsync=off -c max_connections=100")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.data / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop",
                  check=False)

    def copy(self, name: str) -> str:
        """A new database ``name`` copied from the prepared demo; returns its URL."""
        self.sql(f"CREATE DATABASE {name} TEMPLATE template_demo")
        return self.url(name)

    def sql(self, statement: str) -> None:
        self._run(str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", statement)


# --------------------------------------------------------------------------- the app

class App:
    """gunicorn serving ``wsgi:app`` from ``database_url`` (migrated and with the demo)."""

    def __init__(self, database_url: str, folder: Path, workers: int = 2,
                 file_size_limit: int | None = None) -> None:
        self.database_url = database_url
        self.folder = folder
        self.workers = workers
        self.file_size_limit = file_size_limit
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = folder / "gunicorn.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("REDIS_URL", "QUIZAPP_ENV"):
            env.pop(name, None)
        env.update({"DATABASE_URL": self.database_url, "SECRET_KEY": SECRET_KEY,
                    "LOGIN_RATE_LIMIT": "100000 per minute", "PYTHONUNBUFFERED": "1",
                    "FLASK_APP": "quizapp"})
        return env

    def prepare(self) -> None:
        for command in (["db", "upgrade"], ["demo", "load"]):
            subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=self.environment(),
                           check=True, capture_output=True)

    def _limit_files(self) -> None:
        # Run in the child before exec: writes past the limit fail with EFBIG (as on a full
        # disk) instead of killing the process with SIGXFSZ.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_size_limit,) * 2)

    def start(self) -> None:
        command = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                   "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                   "--error-logfile", str(self.log), "--log-level", "warning", "wsgi:app"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.environment(), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=self._limit_files if self.file_size_limit else None)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.log.read_text()[-2000:])
            with contextlib.suppress(OSError), \
                    urllib.request.urlopen(self.base_url + "/", timeout=2):
                if len(self.workers_pids()) >= self.workers:
                    return
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def workers_pids(self) -> list[int]:
        if self.process is None:
            return []
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: finish what is in flight
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


@contextlib.contextmanager
def served(app: App) -> Iterator[App]:
    app.start()
    try:
        yield app
    finally:
        app.stop()


# --------------------------------------------------------------------------- a resident

class Fault(AssertionError):
    """What a scenario found wrong."""


@dataclass
class Reply:
    status: int
    url: str
    text: str


def why(reply: Reply) -> str:
    """The messages a page shows (form errors, the error page's heading), for a report."""
    found = re.findall(r'class="error"[^>]*>([^<]+)<|<h1[^>]*>([^<]+)<', reply.text)
    return "; ".join(a or b for a, b in found)[:300]


def first_township(html: str) -> str:
    """The first township the registration form offers (not its "choose" placeholder)."""
    select = re.search(r'<select[^>]*name="township_id".*?</select>', html, re.S)
    values = re.findall(r'<option value="(\d+)"', select.group(0)) if select else []
    chosen = [value for value in values if value != "0"]
    if not chosen:
        raise Fault("the registration form offers no township")
    return chosen[0]


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise Fault("a form without its CSRF token")
    return match.group(1)


@dataclass
class Resident:
    """One phone: its own cookies, the no-JavaScript forms, and what the server acknowledged."""

    base_url: str
    name: str
    opener: urllib.request.OpenerDirector = field(init=False)
    token: str = ""
    acknowledged: set[int] = field(default_factory=set)  # positions the server took
    posted: set[int] = field(default_factory=set)  # positions ever sent
    statuses: list[int] = field(default_factory=list)
    finished: bool = False
    also: list[str] = field(default_factory=list)  # other app servers to take turns with

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, data: dict | None = None) -> Reply:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        if self.also:  # round-robin over the app servers, one request each in turn
            self.base_url, self.also = self.also[0], [*self.also[1:], self.base_url]
        try:
            with self.opener.open(urllib.parse.urljoin(self.base_url, path), body,
                                  timeout=30) as reply:
                result = Reply(reply.status, reply.url, reply.read().decode())
        except urllib.error.HTTPError as error:
            result = Reply(error.code, error.url, error.read().decode(errors="replace"))
        self.statuses.append(result.status)
        return result

    def patiently(self, path: str, data: dict | None = None, seconds: float = 60) -> Reply:
        """Send until the server answers 200 (a dropped connection or a 503 is sent again)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                reply = self.request(path, data)
            except (urllib.error.URLError, OSError, ConnectionError):
                reply = None
            if reply is not None and reply.status == 200:
                return reply
            if reply is not None and reply.status not in (502, 503, 504):
                raise Fault(f"{self.name}: {path} answered {reply.status} {why(reply)}")
            if time.monotonic() > deadline:
                raise Fault(f"{self.name}: {path} never answered 200")
            time.sleep(0.3)

    def register_and_start(self) -> Reply:
        page = self.patiently(f"/competitions/{SLUG}").text
        reply = self.patiently(f"/competitions/{SLUG}/register", {
            "csrf_token": _csrf(page), "name": self.name, "township_id": first_township(page)})
        start = re.search(r'<form[^>]*action="([^"]*/start)"', reply.text)
        if not start:
            raise Fault(f"{self.name}: registered but no start button")
        reply = self.patiently(start.group(1), {"csrf_token": _csrf(reply.text)})
        match = re.search(r"/competitions/attempt/([0-9A-Za-z_-]+)", reply.url)
        if not match:
            raise Fault(f"{self.name}: start led to {reply.url}")
        self.token = match.group(1)
        return reply

    def answer_one(self, page: Reply) -> Reply:
        """Answer the question on ``page`` (the first option) and return the next page."""
        form = re.search(r'<form method="post" action="([^"]+/answer)"', page.text)
        position = re.search(r'name="position" value="(\d+)"', page.text)
        if not form or not position:  # a time-up step or the result: go on
            return self.patiently(f"/competitions/attempt/{self.token}")
        number = int(position.group(1))
        self.posted.add(number)
        reply = self.patiently(unescape(form.group(1)), {
            "csrf_token": _csrf(page.text), "position": number, "choice": "0"})
        self.acknowledged.add(number)
        return reply

    def on_result(self, page: Reply) -> bool:
        return "/result" in page.url

    def run(self, page: Reply, between: float = 0.05,
            stop_after: int | None = None) -> Reply:
        """Answer until the result (or ``stop_after`` answers); returns the last page."""
        answered = 0
        while not self.on_result(page):
            if stop_after is not None and answered >= stop_after:
                return page
            page = self.answer_one(page)
            answered += 1
            time.sleep(between)
            if answered > 60:
                raise Fault(f"{self.name}: no result after 60 pages")
        self.finished = True
        return page


def crowd(base_url: str, count: int, prefix: str) -> list[Resident]:
    return [Resident(base_url, f"{prefix}{number:03d}") for number in range(count)]


def run_all(residents: list[Resident], during: Callable[[], None]) -> list[str]:
    """Every resident registers, starts and answers to the end in its own thread while
    ``during`` breaks something; returns the residents' failures."""
    failures: list[str] = []

    def one(resident: Resident) -> None:
        try:
            resident.run(resident.register_and_start(), between=PACE)
        except Exception as error:  # noqa: BLE001 - reported, not raised: the others go on
            failures.append(f"{resident.name}: {error}")

    threads = [threading.Thread(target=one, args=(r,)) for r in residents]
    for thread in threads:
        thread.start()
    during()
    for thread in threads:
        thread.join(timeout=600)
    return failures


# --------------------------------------------------------------------------- the checks

def stored_answers(database_url: str, tokens: list[str]) -> dict[str, dict]:
    """Per attempt token: its status, score, the positions answered and the sum of points."""
    from sqlalchemy import bindparam, create_engine, text

    from quizapp.config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT a.token, a.status, a.score, i.position, i.answered_at, i.points "
                "FROM attempts a JOIN attempt_items i ON i.attempt_id = a.id "
                "WHERE a.token IN :tokens").bindparams(bindparam("tokens", expanding=True)),
                {"tokens": tokens}).all()
    finally:
        engine.dispose()
    stored: dict[str, dict] = {}
    for token, status, score, position, answered_at, points in rows:
        entry = stored.setdefault(token, {"status": status, "score": score, "answered": [],
                                          "points": 0.0})
        if answered_at is not None:
            entry["answered"].append(position)
        entry["points"] += points or 0.0
    return stored


def check_exactly_once(database_url: str, residents: list[Resident]) -> str:
    """Every acknowledged answer stored, nothing stored that was never sent, scores add up."""
    tokens = [r.token for r in residents if r.token]
    stored = stored_answers(database_url, tokens)
    acknowledged = 0
    for resident in residents:
        if not resident.token:
            continue
        entry = stored[resident.token]
        answered = set(entry["answered"])
        if len(answered) != len(entry["answered"]):
            raise Fault(f"{resident.name}: a position stored twice")
        if not resident.acknowledged <= answered:
            raise Fault(f"{resident.name}: acknowledged {sorted(resident.acknowledged - answered)}"
                        " not stored")
        if not answered <= resident.posted:
            raise Fault(f"{resident.name}: stored {sorted(answered - resident.posted)} never sent")
        if entry["status"] == "finished" and abs(entry["score"] - entry["points"]) > 1e-6:
            raise Fault(f"{resident.name}: score {entry['score']} is not its items' "
                        f"{entry['points']}")
        acknowledged += len(resident.acknowledged)
    return f"{acknowledged} acknowledged answers stored exactly once"


def statuses(residents: list[Resident]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for resident in residents:
        for status in resident.statuses:
            counts[status] = counts.get(status, 0) + 1
    return counts


# --------------------------------------------------------------------------- the scenarios

def worker_kill(folder: Path, url: str, pg: PrivatePostgres, count: int) -> str:
    app = App(url, folder)
    with served(app):
        residents = crowd(app.base_url, count, "杀进程")

        busy = []

        def kill() -> None:
            time.sleep(FAULT_AT)
            busy.append(sum(not r.finished for r in residents))
            os.kill(app.workers_pids()[0], signal.SIGKILL)

        failures = run_all(residents, kill)
    if failures:
        raise Fault("; ".join(failures[:3]))
    if 500 in statuses(residents):
        raise Fault(f"500s: {statuses(residents)}")
    if not all(r.finished for r in residents):
        raise Fault("not every resident finished")
    if busy != [count]:
        raise Fault(f"only {busy} of {count} residents were answering when the worker died")
    return (f"a worker killed while {count} residents answered; all finished; "
            + check_exactly_once(url, residents))


def database_restart(folder: Path, url: str, pg: PrivatePostgres, count: int) -> str:
    app = App(url, folder)
    with served(app):
        residents = crowd(app.base_url, count, "重启库")
        down = {}

        def restart() -> None:
            time.sleep(FAULT_AT)
            down["busy"] = sum(not r.finished for r in residents)
            pg.stop()
            time.sleep(4)
            pg.start()

        failures = run_all(residents, restart)
    seen = statuses(residents)
    if failures:
        raise Fault("; ".join(failures[:3]))
    if 500 in seen:
        raise Fault(f"500s while the database was down: {seen}")
    if down["busy"] != count or seen.get(503, 0) < count:
        raise Fault(f"the residents met the stopped database too little: {down['busy']} of "
                    f"{count} answering, statuses {seen}")
    return (f"{seen[503]} requests got 503 while it was down, 0 got 500; {count} residents "
            "finished; " + check_exactly_once(url, residents))


def two_servers(folder: Path, url: str, pg: PrivatePostgres, count: int) -> str:
    """Scale-out: two app servers on one database, each resident's requests taking turns
    between them (cookies are per host, not per port, so a session spans both)."""
    first, second = App(url, folder / "a"), App(url, folder / "b")
    for app in (first, second):
        app.folder.mkdir()
    with served(first), served(second):
        residents = crowd(first.base_url, count, "两台")
        for resident in residents:
            resident.also = [second.base_url]
        failures = run_all(residents, lambda: None)
    if failures:
        raise Fault("; ".join(failures[:3]))
    if not all(r.finished for r in residents):
        raise Fault("not every resident finished")
    return (f"{count} residents, every request alternating between two servers, finished; "
            + check_exactly_once(url, residents))


def _seconds_left(page: Reply) -> int | None:
    match = re.search(r'data-test="timer" data-seconds="(\d+)"', page.text)
    return int(match.group(1)) if match else None


def app_restart(folder: Path, url: str, pg: PrivatePostgres, count: int) -> str:
    app = App(url, folder)
    app.start()
    try:
        resident = Resident(app.base_url, "重启应用")
        page = resident.run(resident.register_and_start(), stop_after=5)
        before = re.search(r'name="position" value="(\d+)"', page.text).group(1)
        app.stop()
        time.sleep(2)
        app.start()
        again = resident.patiently(f"/competitions/attempt/{resident.token}")
        after = re.search(r'name="position" value="(\d+)"', again.text)
        left = _seconds_left(again)
        if after is None or after.group(1) != before:
            raise Fault(f"resumed on {after and after.group(1)}, not question {before}")
        if left is None or not 0 < left <= 30 - 2:
            raise Fault(f"the time left after the restart is {left} s (was 30 s a question)")
        resident.run(again)
    finally:
        app.stop()
    return (f"resumed on question {int(before) + 1} with {left} s left of 30; "
            + check_exactly_once(url, [resident]))


def read_only(folder: Path, url: str, pg: PrivatePostgres, count: int) -> str:
    app = App(url, folder)
    name = url.rsplit("/", 1)[1]
    with served(app):
        resident = Resident(app.base_url, "只读库")
        page = resident.run(resident.register_and_start(), stop_after=3)
        pg.sql(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
        pg.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
               f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        form = re.search(r'<form method="post" action="([^"]+/answer)"', page.text).group(1)
        position = int(re.search(r'name="position" value="(\d+)"', page.text).group(1))
        refused = None
        for _try in range(3):  # the first try may meet a connection the server just ended
            with contextlib.suppress(urllib.error.URLError, OSError):
                refused = resident.request(unescape(form), {
                    "csrf_token": _csrf(page.text), "position": position, "choice": "0"})
                if refused.status != 200 or "503" in refused.text:
                    break
        if refused is None or refused.status != 503:
            raise Fault(f"a write to the read-only database answered "
                        f"{refused and refused.status}")
        stored = stored_answers(url, [resident.token])[resident.token]
        if position in stored["answered"]:
            raise Fault("the refused answer was stored")
        pg.sql(f"ALTER DATABASE {name} SET default_transaction_read_only = off")
        pg.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
               f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        resident.run(resident.patiently(f"/competitions/attempt/{resident.token}"))
    return ("the answer sent while read-only got 503 and was not stored; then "
            + check_exactly_once(url, [resident]))


def disk_full(folder: Path, url: str, pg: PrivatePostgres | None, count: int) -> str:
    database = Path(url.removeprefix("sqlite:///"))
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        connection.exec_driver_sql("VACUUM")  # no free pages: the next new row must grow it
        before = connection.execute(text("SELECT count(*) FROM participants")).scalar()
    engine.dispose()
    app = App(url, folder, workers=1, file_size_limit=database.stat().st_size)
    with served(app):
        residents = crowd(app.base_url, count * 5, "满盘")
        seen: dict[int, int] = {}
        registered = 0
        for resident in residents:
            page = resident.patiently(f"/competitions/{SLUG}").text
            reply = resident.request(f"/competitions/{SLUG}/register", {
                "csrf_token": _csrf(page), "name": resident.name,
                "township_id": first_township(page)})
            seen[reply.status] = seen.get(reply.status, 0) + 1
            registered += reply.status == 200
            if reply.status >= 500:
                break
    engine = create_engine(url)
    with engine.connect() as connection:
        after = connection.execute(text("SELECT count(*) FROM participants")).scalar()
        check = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
    engine.dispose()
    if 500 in seen or 503 not in seen:
        raise Fault(f"registrations on a full disk answered {seen} {why(reply)}")
    if after - before != registered or check != "ok":
        raise Fault(f"{after - before} participants stored for {registered} acknowledged "
                    f"(integrity: {check})")
    return (f"{registered} registrations fit, the next got the 503 page; "
            f"{after - before} stored, integrity ok")


SCENARIOS: dict[str, tuple[Callable[..., str], bool]] = {  # name: (run, needs PostgreSQL)
    "worker-kill": (worker_kill, True),
    "database-restart": (database_restart, True),
    "app-restart": (app_restart, True),
    "read-only": (read_only, True),
    "disk-full": (disk_full, False),
    "two-servers": (two_servers, True),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=list(SCENARIOS))
    parser.add_argument("--residents", type=int, default=12)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    chosen = args.only or list(SCENARIOS)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="kexue-faults-") as temporary:
        folder = Path(temporary)
        folder.chmod(0o777)  # PostgreSQL, run as its own user, keeps its cluster in here
        pg = None
        if any(SCENARIOS[name][1] for name in chosen):
            pg = PrivatePostgres(folder / "pg")
            pg.create()
            App(pg.url("template_demo"), folder).prepare()  # the demo, loaded once
        sqlite_demo = folder / "demo.sqlite3"
        if not all(SCENARIOS[name][1] for name in chosen):
            App(f"sqlite:///{sqlite_demo}", folder).prepare()
        try:
            for name in chosen:
                run, needs_postgres = SCENARIOS[name]
                started = time.monotonic()
                scenario = folder / name
                scenario.mkdir()
                try:
                    if needs_postgres:
                        url = pg.copy(name.replace("-", "_"))
                    else:
                        shutil.copy(sqlite_demo, scenario / "app.sqlite3")
                        url = f"sqlite:///{scenario / 'app.sqlite3'}"
                    outcome, ok = run(scenario, url, pg, args.residents), True
                except Exception as error:  # noqa: BLE001 - one line per scenario, then on
                    outcome, ok = f"{type(error).__name__}: {error}", False
                failed += not ok
                print(f"{'PASS' if ok else 'FAIL'} {name} ({time.monotonic() - started:.0f} s): "
                      f"{outcome}", flush=True)
        finally:
            if pg is not None:
                pg.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
