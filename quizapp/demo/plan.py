"""The plan's targets (from ``quizapp/plan/targets.json``) and made-up yearly figures for them
(``plan_figures.json`` here), some years left out, so the overview shows targets on track,
behind and with missing data.

Idempotent: a figure is added only where its target has none for that year.
"""

from __future__ import annotations

import json
from pathlib import Path

from quizapp.extensions import db
from quizapp.plan import services

DEMO_FIGURES = Path(__file__).resolve().parent / "plan_figures.json"


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
