"""The last-admin rule under real concurrency, on PostgreSQL: two admins disable each other."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

pytestmark = pytest.mark.postgres




def _admin_ids(app) -> tuple[int, int]:
    from quizapp.extensions import db
    from quizapp.models import User

    with app.app_context():
        ids = []
        for name in ("anna", "bo"):
            user = User(username=name, display_name=name)
            user.set_password("correct horse 42")
            user.roles = {"admin"}
            db.session.add(user)
            db.session.commit()
            ids.append(user.id)
        return ids[0], ids[1]


def test_two_admins_disabling_each_other_at_once_leave_one_active(pg_app):
    """Anna disables Bo and, while her change is not yet committed, Bo disables Anna.

    Bo's check waits for Anna's lock, then sees Bo disabled: Anna is the last active admin.
    """
    from quizapp.admin import services
    from quizapp.extensions import db
    from quizapp.models import User

    anna_id, bo_id = _admin_ids(pg_app)
    anna_checked = threading.Event()
    outcome: dict[str, object] = {}

    def anna_disables_bo() -> None:
        with pg_app.app_context():
            anna, bo = db.session.get(User, anna_id), db.session.get(User, bo_id)
            services.check_admin_rules(bo, anna, active=False, roles=bo.roles)
            bo.active = False
            db.session.flush()
            anna_checked.set()
            time.sleep(1.0)  # Bo's request arrives meanwhile and must wait for this commit
            db.session.commit()
            outcome["anna"] = "done"

    def bo_disables_anna() -> None:
        anna_checked.wait(10)
        with pg_app.app_context():
            anna, bo = db.session.get(User, anna_id), db.session.get(User, bo_id)
            try:
                services.set_active(anna, False, actor=bo)
                outcome["bo"] = "done"
            except services.LastAdminError:
                outcome["bo"] = "refused"

    threads = [threading.Thread(target=anna_disables_bo), threading.Thread(target=bo_disables_anna)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome == {"anna": "done", "bo": "refused"}
    with pg_app.app_context():
        active = db.session.scalars(select(User.username).where(User.active.is_(True))).all()
        assert active == ["anna"]
