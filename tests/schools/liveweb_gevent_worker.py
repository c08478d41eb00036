"""The live-game watcher under gevent, as gunicorn's gevent worker runs it: the standard
library monkey-patched first, then many waiting greenlets on one game.

``python -m tests.schools.liveweb_gevent_worker DATABASE_URL INSTANCE_PATH WAITERS`` makes a
game, starts WAITERS greenlets waiting on it (each as a request of its own), bumps the game's
version from another greenlet after 0.3 s, and prints JSON: each waiter's result and delay.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402


def main(database_url: str, instance_path: str, waiters: int) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import update

    from quizapp.extensions import db
    from quizapp.models import LiveGame, Organisation, Township
    from quizapp.schools.live_watch import wait_for_change, watcher
    from tests.conftest import make_app

    app = make_app(database_url, instance_path)
    with app.app_context():
        upgrade()
        town = Township(code="g-town", name="镇", kind="town")
        school = Organisation(name="学校", kind="school", township=town)
        db.session.add(school)
        db.session.flush()
        game = LiveGame(token="t" * 20, code="123456", title="g", school_id=school.id,
                        version_ids=[], state_version=5)
        db.session.add(game)
        db.session.commit()
        game_id = game.id

    results = []

    def waiter():
        with app.test_request_context():
            started = time.monotonic()
            version = wait_for_change(game_id, 5, 5.0)
            results.append((version, time.monotonic() - started))

    def bump():
        gevent.sleep(0.3)
        with app.app_context():
            db.session.execute(update(LiveGame).where(LiveGame.id == game_id)
                               .values(state_version=6))
            db.session.commit()
            db.session.remove()
        return time.monotonic()

    started = time.monotonic()
    greenlets = [gevent.spawn(waiter) for _ in range(waiters)]
    bumper = gevent.spawn(bump)
    gevent.joinall([*greenlets, bumper], timeout=10)
    with app.app_context():
        checked_out = db.engine.pool.checkedout()
        polls = watcher().polls
    return {"versions": sorted({v for v, _ in results}), "count": len(results),
            "max_after_bump": max(started + d for _, d in results) - bumper.value,
            "checked_out": checked_out, "polls": polls}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
