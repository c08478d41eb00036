"""The plan's targets (from ``quizapp/plan/targets.json``) and made-up yearly figures for them
(``plan_figures.json`` here), some years left out, so the overview shows targets on track,
behind and with missing data.

The demo teacher (``teacher``) reports for the two school targets (:data:`DEMO_REPORTERS`), so
signing in as the teacher shows "My plan figures".

Idempotent: a figure is added only where its target has none for that year; a reporter only
where not yet assigned.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models.accounts import User
from quizapp.plan import services

DEMO_FIGURES = Path(__file__).resolve().parent / "plan_figures.json"
# (username, target codes): the demo accounts that report plan figures.
DEMO_REPORTERS = (("teacher", ("rural_teachers", "school_activity_rooms")),)


def load_demo_plan(path: Path = DEMO_FIGURES) -> None:
    """Seed the targets, then add the demo figures that are missing."""
    services.seed_targets()
    figures = json.loads(path.read_text(encoding="utf-8"))["figures"]
    for target in services.all_targets():
        stored = services.figures_of(target)
        for year, cells in figures.get(target.code, {}).items():
            if int(year) not in stored:
                services.put_figure(target, int(year), cells[0],
                                    cells[1] if len(cells) > 1 else None, None)
    db.session.commit()
    targets = {t.code: t for t in services.all_targets()}
    for username, codes in DEMO_REPORTERS:
        user = db.session.scalar(select(User).where(User.username == username))
        for code in codes:
            if user is not None and code in targets and user not in targets[code].reporters:
                targets[code].reporters.append(user)
    db.session.commit()
