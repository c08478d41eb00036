"""Benchmark of the leaderboards: ``.venv/bin/python benchmarks/leaderboard.py``.

Options: ``--attempts 100000`` (scored attempts), ``--database sqlite|postgres|both`` (default
both when PostgreSQL answers at ``$TEST_POSTGRES_URL`` or postgresql://postgres@127.0.0.1:5432/
test, else sqlite), ``--repeat 7``, ``--explain`` (print the plan of every SQL statement each
board runs), ``--try-index "CREATE INDEX ..."`` (repeatable: after the baseline, create the
index in the benchmark's own database only and measure again; ``--candidate-index`` tries
``CANDIDATE_INDEX``; prints the figures with and without side by side).

For each database it builds a migrated database (SQLite: a file in a temporary directory;
PostgreSQL: a fresh database, dropped at the end) holding one competition with 3 rounds,
17 townships (16 with a population), 200 organisations, 60% as many participants as attempts and the
scored attempts spread over the rounds (bulk Core inserts in chunks; attempt items are not
needed by the boards), then times

* ``individual_board`` (overall and per round), ``rank_of`` for a participant in the middle
  of the board, ``group_board`` by township and by organisation (overall and per round),
  each cold (``boards.forget`` and ``session.expire_all()`` before every call) and warm (the
  per-process cache; ``rank_of`` is not cached, so its "warm" figure is just a repeat);
* the end-to-end HTTP time of ``GET /competitions/<slug>/board?view=township`` (anonymous)
  and ``?view=people`` as the middle participant (board + rank_of) through the test client;

printing median and max in ms, the peak of Python allocations of one cold call (tracemalloc,
measured in a separate untimed call) and the peak RSS of the process. Target: every board
cold <= 300 ms with 100,000 attempts on both databases. The rank computed by ``rank_of`` is
checked against one computed in Python from the generated data.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SLUG = "bench-board"
QUESTIONS = 20
POINTS = 5.0
TARGET_MS = 300.0
CHUNK = 5000


# --------------------------------------------------------------------------- databases

def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return True
    except Exception:  # any failure means: not reachable here
        return False


@contextmanager
def sqlite_database():
    with tempfile.TemporaryDirectory(prefix="kexue-bench-") as directory:
        yield f"sqlite:///{Path(directory) / 'bench.sqlite3'}"


def postgres_database():
    """A fresh PostgreSQL database for this run, dropped afterwards (the tests' helper)."""
    from tests.support import postgres_database as throwaway

    return throwaway()


def make_app(database_url: str, instance_path: str):
    from quizapp import create_app

    return create_app({
        "TESTING": True,
        "QUIZAPP_ENV": "testing",
        "SECRET_KEY": "benchmark-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": False,
        "INSTANCE_PATH": instance_path,
    })


# --------------------------------------------------------------------------- data

class Built:
    """What the build made: ids, the middle participant and its expected ranks."""

    competition_id: int
    round_ids: list[int]
    middle_id: int
    middle_device: str
    expected_rank: dict[int | None, int]
    seconds: float
    participants: int
    attempts: int


def _insert(table, rows: list[dict]) -> None:
    from quizapp.extensions import db

    for start in range(0, len(rows), CHUNK):
        db.session.execute(table.insert(), rows[start:start + CHUNK])


def build(n_attempts: int, n_participants: int, seed: int = 5) -> Built:
    """Fill the (migrated, empty) database; returns what the measurements need."""
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import Attempt, Competition, Organisation, Participant, Round, Township

    began = time.perf_counter()
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=21)
    competition = Competition(
        slug=SLUG, title="Benchmark competition", starts_at=start,
        ends_at=now + timedelta(days=30), registration={"name": "required",
                                                        "township": "required"},
        question_count=QUESTIONS, points_per_correct=POINTS, seconds_per_question=30,
        counting="best", published=True)
    for number in range(1, 4):
        round_start = start + timedelta(days=7 * (number - 1))
        competition.rounds.append(Round(number=number, title=f"Week {number}",
                                        starts_at=round_start,
                                        ends_at=round_start + timedelta(days=7)))
    db.session.add(competition)
    db.session.commit()
    rounds = [(r.id, r.starts_at) for r in competition.rounds]

    _insert(Township.__table__, [
        {"code": f"t{k:02d}", "name": f"Township {k:02d}",
         "kind": ("subdistrict", "town", "township")[k % 3], "airport_zone": False,
         "population": None if k == 17 else rng.randint(20_000, 160_000),
         "active": True, "sort_order": k}
        for k in range(1, 18)])
    townships = list(db.session.scalars(select(Township.id).order_by(Township.id)))
    _insert(Organisation.__table__, [
        {"name": f"Organisation {k:03d}", "kind": "village",
         "township_id": townships[k % len(townships)], "active": True}
        for k in range(200)])
    organisations: dict[int, list[int]] = {}
    for org_id, township_id in db.session.execute(
            select(Organisation.id, Organisation.township_id)):
        organisations.setdefault(township_id, []).append(org_id)

    people = []
    for k in range(n_participants):
        township = rng.choice(townships)
        people.append({
            "competition_id": competition.id, "device_id": f"bench-{k:06d}",
            "name": f"P{k:06d}", "township_id": township,
            "organisation_id": (rng.choice(organisations[township])
                                if rng.random() < 0.7 else None),
            "registered_at": start + timedelta(minutes=rng.randint(0, 600))})
    _insert(Participant.__table__, people)
    participant_ids = list(db.session.scalars(
        select(Participant.id).where(Participant.competition_id == competition.id)
        .order_by(Participant.id)))
    skill = {pid: rng.betavariate(5, 2) for pid in participant_ids}

    # Every participant answers once; the rest of the attempts go to random participants.
    owners = participant_ids[:n_attempts] + [
        rng.choice(participant_ids) for _ in range(max(0, n_attempts - n_participants))]
    rng.shuffle(owners)
    attempts = []
    for k, pid in enumerate(owners):
        round_id, round_start = rounds[rng.randrange(3)]
        started = round_start + timedelta(seconds=rng.randint(0, 7 * 86400 - 3600))
        duration = rng.randint(60_000, 600_000)
        correct = sum(rng.random() < min(0.99, skill[pid] + 0.1) for _ in range(QUESTIONS))
        attempts.append({
            "token": f"b{k:09d}", "kind": "competition",
            "status": "expired" if rng.random() < 0.05 else "finished",
            "competition_id": competition.id, "round_id": round_id, "participant_id": pid,
            "device_id": f"bench-{pid:06d}", "label": "", "started_at": started,
            "deadline": started + timedelta(seconds=QUESTIONS * 30),
            "finished_at": started + timedelta(milliseconds=duration),
            "question_count": QUESTIONS, "correct_count": correct,
            "score": correct * POINTS, "duration_ms": duration,
            "ip": f"10.{k % 7}.{k % 250}.{k % 97}"})
    # Noise the boards must ignore: voided attempts.
    for k in range(n_attempts // 200):
        row = dict(attempts[k], token=f"v{k:09d}", status="voided", score=QUESTIONS * POINTS,
                   void_reason="benchmark")
        attempts.append(row)
    _insert(Attempt.__table__, attempts)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does soon after a load of this size.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")

    built = Built()
    built.competition_id = competition.id
    built.round_ids = [r[0] for r in rounds]
    built.participants = n_participants
    built.attempts = n_attempts
    built.expected_rank = {}
    scored = [a for a in attempts if a["status"] != "voided"]
    for round_id in [None, *built.round_ids]:
        best: dict[int, tuple] = {}
        for a in scored:
            if round_id is not None and a["round_id"] != round_id:
                continue
            key = (-a["score"], a["duration_ms"], a["finished_at"])
            if a["participant_id"] not in best or key < best[a["participant_id"]]:
                best[a["participant_id"]] = key
        order = sorted(best, key=lambda p: (*best[p], p))
        if round_id is None:
            # The middle of the overall board, among people who also played round 2.
            in_round = {a["participant_id"] for a in scored if a["round_id"] == rounds[1][0]}
            middle = len(order) // 2
            while order[middle] not in in_round:
                middle += 1
            built.middle_id = order[middle]
        if built.middle_id in best:
            built.expected_rank[round_id] = order.index(built.middle_id) + 1
    built.middle_device = f"bench-{built.middle_id:06d}"
    built.seconds = time.perf_counter() - began
    return built


# --------------------------------------------------------------------------- measuring

class Result:
    def __init__(self, label: str, cold: list[float], warm: list[float] | None,
                 peak_kb: float | None) -> None:
        self.label, self.cold, self.warm, self.peak_kb = label, cold, warm, peak_kb


def _ms(values: list[float]) -> tuple[float, float]:
    return statistics.median(values) * 1000, max(values) * 1000


def timed(fn: Callable[[], object], repeat: int, before: Callable[[], None]) -> list[float]:
    times = []
    for _ in range(repeat):
        before()
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return times


def python_peak_kb(fn: Callable[[], object], before: Callable[[], None]) -> float:
    before()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def board_cases(competition, built: Built) -> list[tuple[str, Callable[[], object], bool]]:
    """(label, call, cached?) for every board the benchmark times."""
    from quizapp.engine import boards

    middle_round = built.round_ids[1]
    return [
        ("individual_board overall", lambda: boards.individual_board(competition), True),
        ("individual_board round 2",
         lambda: boards.individual_board(competition, middle_round), True),
        ("individual_board overall limit=500 (admin)",
         lambda: boards.individual_board(competition, limit=500), True),
        ("rank_of middle, overall", lambda: boards.rank_of(competition, built.middle_id), False),
        ("rank_of middle, round 2",
         lambda: boards.rank_of(competition, built.middle_id, middle_round), False),
        ("group_board township overall",
         lambda: boards.group_board(competition, "township"), True),
        ("group_board township round 2",
         lambda: boards.group_board(competition, "township", middle_round), True),
        ("group_board organisation overall",
         lambda: boards.group_board(competition, "organisation"), True),
        ("group_board organisation round 2",
         lambda: boards.group_board(competition, "organisation", middle_round), True),
    ]


def check(competition, built: Built) -> None:
    """The figures mean nothing if the boards are wrong: compare with Python's ranking."""
    from quizapp.engine import boards

    for round_id, expected in built.expected_rank.items():
        row = boards.rank_of(competition, built.middle_id, round_id)
        if row is None or row.rank != expected:
            raise SystemExit(f"rank_of gave {row and row.rank}, expected {expected} "
                             f"(round {round_id})")
    top = boards.individual_board(competition, limit=1)[0]
    if boards.rank_of(competition, top.participant_id).rank != 1:
        raise SystemExit("the top of individual_board is not rank 1 for rank_of")


def measure(app, built: Built, repeat: int) -> list[Result]:
    from quizapp.device import _serializer
    from quizapp.engine import boards
    from quizapp.extensions import db
    from quizapp.models import Competition

    def cold() -> None:
        boards.forget(built.competition_id)
        db.session.expire_all()

    def nothing() -> None:
        pass

    competition = db.session.get(Competition, built.competition_id)
    boards.forget(built.competition_id)
    check(competition, built)
    results = []
    for label, call, cached in board_cases(competition, built):
        call()  # first touch: database pages and SQLAlchemy's statement cache
        cold_times = timed(call, repeat, cold)
        warm_times = timed(call, repeat, nothing) if cached else None
        results.append(Result(label, cold_times, warm_times, python_peak_kb(call, cold)))

    client = app.test_client()
    with app.test_request_context():
        cookie = _serializer().dumps(built.middle_device)
    for label, url, device in [
        ("HTTP GET board?view=township", f"/competitions/{SLUG}/board?view=township", None),
        ("HTTP GET board?view=people as participant",
         f"/competitions/{SLUG}/board?view=people", cookie),
    ]:
        if device:
            client.set_cookie("kx_device", device)
        else:
            client.delete_cookie("kx_device")

        def get(url=url):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"GET {url}: {response.status_code}")
            return response

        get()
        cold_times = timed(get, repeat, cold)
        warm_times = timed(get, repeat, nothing)
        results.append(Result(label, cold_times, warm_times, python_peak_kb(get, cold)))
    boards.forget(built.competition_id)
    return results


@contextmanager
def captured_statements():
    """Collect (statement, parameters) of every SQL statement run inside the block."""
    from sqlalchemy import event

    from quizapp.extensions import db

    seen: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def explain(built: Built) -> None:
    """Print the plan of each SQL statement the boards run (EXPLAIN ANALYZE on PostgreSQL,
    EXPLAIN QUERY PLAN on SQLite)."""
    from quizapp.engine import boards
    from quizapp.extensions import db
    from quizapp.models import Competition

    competition = db.session.get(Competition, built.competition_id)
    postgres = db.engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    for label, call, _cached in board_cases(competition, built):
        boards.forget(built.competition_id)
        db.session.expire_all()
        with captured_statements() as seen:
            call()
        print(f"\n=== {label}")
        raw = db.engine.raw_connection()
        try:
            for statement, parameters in seen:
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                if "FROM attempts" not in statement and "FROM (SELECT" not in statement:
                    continue  # lookups by primary key
                print("--", " ".join(statement.split())[:400])
                cursor = raw.cursor()
                cursor.execute(prefix + statement, parameters)
                for row in cursor.fetchall():
                    print("  ", row[0] if postgres else f"{row[1]:>3} {row[3]}")
                cursor.close()
        finally:
            raw.close()
    boards.forget(built.competition_id)


# The index proposed for the boards: each participant's attempts in the order that picks the
# counted one ("best"), covering every column the boards read, so the window function needs
# no sort and no table lookups (an index-only scan on PostgreSQL).
CANDIDATE_INDEX = ("CREATE INDEX ix_attempts_counted ON attempts (competition_id, participant_id, "
                   "score DESC, duration_ms, finished_at, id, status, round_id)")


def try_indexes(statements: list[str]) -> None:
    from quizapp.extensions import db

    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
        if db.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("VACUUM ANALYZE attempts")


# --------------------------------------------------------------------------- output

def print_table(name: str, results: list[Result]) -> None:
    width = max(len(r.label) for r in results)
    print(f"\n{name:<{width}}  {'cold med':>9} {'cold max':>9} {'warm med':>9} "
          f"{'warm max':>9} {'py peak':>9}")
    for r in results:
        cold_med, cold_max = _ms(r.cold)
        warm = "{:>9.2f} {:>9.2f}".format(*_ms(r.warm)) if r.warm else f"{'-':>9} {'-':>9}"
        flag = "  SLOW" if cold_med > TARGET_MS else ""
        print(f"{r.label:<{width}}  {cold_med:>9.1f} {cold_max:>9.1f} {warm} "
              f"{r.peak_kb:>7.0f}KB{flag}")
    print("(ms; warm = the per-process cache; py peak = Python allocations of one cold call)")


def print_comparison(name: str, variants: dict[str, list[Result]]) -> None:
    """Cold median (max) in ms of each variant, side by side."""
    names = list(variants)
    first = variants[names[0]]
    width = max(len(r.label) for r in first)
    print(f"\n{name:<{width}}  " + " ".join(f"{v:>20}" for v in names))
    for row, label in enumerate(r.label for r in first):
        cells = []
        for v in names:
            med, top = _ms(variants[v][row].cold)
            cells.append(f"{f'{med:.1f} ({top:.0f})':>20}")
        print(f"{label:<{width}}  " + " ".join(cells))
    print("(cold, ms: median (max))")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


# --------------------------------------------------------------------------- main

def run(kind: str, args: argparse.Namespace) -> None:
    from flask_migrate import upgrade

    from quizapp.extensions import db

    context = postgres_database() if kind == "postgres" else sqlite_database()
    with context as url, tempfile.TemporaryDirectory(prefix="kexue-bench-inst-") as instance:
        app = make_app(url, instance)
        with app.app_context():
            began = time.perf_counter()
            upgrade()
            migrated = time.perf_counter() - began
            built = build(args.attempts, args.participants or args.attempts * 3 // 5)
            print(f"\n##### {kind}: migrated in {migrated:.1f} s; built {built.participants:,} "
                  f"participants, {built.attempts:,} scored attempts (+{args.attempts // 200:,}"
                  f" voided) in {built.seconds:.1f} s; middle participant #{built.middle_id} "
                  f"ranks {built.expected_rank[None]:,} overall; RSS peak so far "
                  f"{peak_rss_mb():.0f} MB")
            if args.explain:
                explain(built)
            variants = {"current": measure(app, built, args.repeat)}
            print_table(f"{kind}, {built.attempts:,} attempts", variants["current"])
            indexes = args.try_index + ([CANDIDATE_INDEX] if args.candidate_index else [])
            if indexes:
                try_indexes(indexes)
                print("\nindex(es) tried: " + "\n                 ".join(indexes))
                variants["with index"] = measure(app, built, args.repeat)
                if args.explain:
                    explain(built)
            if len(variants) > 1:
                print_comparison(f"{kind}, {built.attempts:,} attempts", variants)
            db.session.remove()
            db.engine.dispose()
    print(f"peak RSS of the process: {peak_rss_mb():.0f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--participants", type=int, default=0,
                        help="default: 60%% of --attempts")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--try-index", action="append", default=[], metavar="SQL")
    parser.add_argument("--candidate-index", action="store_true",
                        help="also time CANDIDATE_INDEX (a covering index for the boards)")
    args = parser.parse_args(argv)
    if args.database is None:
        args.database = "both" if postgres_reachable() else "sqlite"
        print(f"database: {args.database}")
    elif args.database != "sqlite" and not postgres_reachable():
        raise SystemExit(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for kind in kinds:
        run(kind, args)


if __name__ == "__main__":
    main()
