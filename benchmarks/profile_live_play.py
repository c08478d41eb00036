"""The cost of one phone's requests in a live game, in process (issue 12; the figures are in
docs/live-games-benchmark.md).

Seeds one game with 60 seats in a fresh PostgreSQL database (``kexue_bench_profile`` on the
server of ``$TEST_POSTGRES_URL``, dropped afterwards), then sends every seat's ``play.state``
and ``play.answer`` through the Flask test client and reports, per request kind, the Python
CPU time and the number of SQL statements per request (the database's own CPU is not in
it). ``--profile KIND`` prints the cProfile of that kind (cumulative CPU time).

    .venv/bin/python benchmarks/profile_live_play.py [--students 60] [--profile state_open]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.live_game import (  # noqa: E402
    PASSWORD,
    Settings,
    bench_database,
    make_app,
    seed,
)

KINDS = ("join", "state_lobby", "state_open", "state_304", "push_open", "answer",
         "state_answered", "host_state_open", "state_revealed", "state_revealed_304",
         "push_revealed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3, help="repeat each kind this often")
    parser.add_argument("--profile", choices=KINDS, default=None)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime")
    args = parser.parse_args(argv)
    settings = Settings(games=1, students=args.students, questions=3,
                        database_name="kexue_bench_profile", seconds_per_question=600)
    with tempfile.TemporaryDirectory() as workdir, bench_database(settings, Path(workdir)) as url:
        seeded = seed(url, settings, workdir)[0]
        app = make_app(url, workdir)
        return measure(app, seeded, args)


def measure(app, seeded, args) -> int:
    from sqlalchemy import event, select

    from quizapp.extensions import db
    from quizapp.models import LiveGame
    from quizapp.schools import live_players, live_state

    statements = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a, **k: statements.__setitem__(0, statements[0] + 1))
        game = db.session.get(LiveGame, seeded.game_id)
        secrets = [live_players.join(game, f"p{k:02d}", seeded.class_ids[0])[1]
                   for k in range(args.students)]
        db.session.remove()
    client = app.test_client()
    path = f"/play/{seeded.token}"
    json_headers = {"Accept": "application/json"}
    cost: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, list[int]] = defaultdict(list)
    profiler = cProfile.Profile(time.process_time)
    etags: dict[int, str] = {}

    def sit(k: int) -> None:
        client.set_cookie("live_seat", secrets[k], path=path)

    def call(kind: str, k: int, send):
        sit(k)
        statements[0] = 0
        if kind == args.profile:
            profiler.enable()
        started = time.process_time()
        response = send()
        cost[kind].append(time.process_time() - started)
        if kind == args.profile:
            profiler.disable()
        queries[kind].append(statements[0])
        return response

    def states(kind: str, *, conditional: bool = False, expect: int = 200) -> None:
        for _ in range(args.rounds):
            for k in range(args.students):
                headers = dict(json_headers)
                if conditional:
                    headers["If-None-Match"] = etags[k]
                response = call(kind, k, lambda h=headers: client.get(f"{path}/state", headers=h))
                assert response.status_code == expect, (kind, response.status_code)
                etags[k] = response.headers.get("ETag", etags.get(k))

    def advance(action) -> None:
        with app.app_context():
            action(db.session.get(LiveGame, seeded.game_id))
            db.session.remove()

    from quizapp.schools import live_cache, live_push, play_routes

    def push(kind: str) -> None:
        """The event a woken stream sends: the seat from the process's caches, rendered."""
        with app.app_context():
            version = db.session.get(LiveGame, seeded.game_id).state_version
            db.session.remove()
        live_cache.clear()
        for k in range(args.students):
            def send(k=k):
                with app.test_request_context(path):
                    phone = live_push.phone_at(seeded.token, player_ids[k], version)
                    return play_routes._state_body(phone)
            call(kind, k, send)

    for k in range(args.students // 4):
        def join_once(k=k):
            joiner = app.test_client()
            joiner.get(f"/join?code={seeded.code}")
            form = joiner.get(path).text
            csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
            joiner.post("/join", data={"csrf_token": csrf, "code": seeded.code,
                                       "nickname": f"j{k:02d}",
                                       "school_class_id": str(seeded.class_ids[0])})
            return joiner.get(path)
        assert call("join", 0, join_once).status_code == 200
    with app.app_context():
        from quizapp.models import LivePlayer
        player_ids = [db.session.scalar(select(LivePlayer.id).where(
            LivePlayer.game_id == seeded.game_id, LivePlayer.nickname == f"p{k:02d}"))
            for k in range(args.students)]
        db.session.remove()
    teacher = app.test_client()
    login = teacher.get("/login").text
    teacher.post("/login", data={
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1),
        "username": seeded.teacher, "password": PASSWORD})

    states("state_lobby")
    advance(live_state.start)
    states("state_open")
    push("push_open")
    states("state_304", conditional=True, expect=304)
    sit(0)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      client.get(path).text).group(1)
    for k in range(args.students):
        data = {"csrf_token": token, "position": "0", "choice": str(k % 4)}
        response = call("answer", k, lambda d=data: client.post(f"{path}/answer", data=d,
                                                               headers=json_headers))
        assert response.status_code == 200, response.text[:300]
    states("state_answered")
    for _ in range(args.rounds * 10):
        response = call("host_state_open", 0, lambda: teacher.get(
            f"/schools/live/{seeded.game_id}/state", headers=json_headers))
        assert response.status_code == 200, response.status_code
    advance(live_state.reveal)
    states("state_revealed")
    states("state_revealed_304", conditional=True, expect=304)
    push("push_revealed")

    print(f"{args.students} seats, PostgreSQL, Python CPU per request (no database CPU)")
    print(f"{'request':<22}{'n':>5}{'CPU ms':>10}{'SQL':>6}")
    for kind in KINDS:
        values = cost[kind]
        print(f"{kind:<22}{len(values):>5}{1000 * sum(values) / len(values):>10.2f}"
              f"{sum(queries[kind]) / len(queries[kind]):>6.1f}")
    if args.profile:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
