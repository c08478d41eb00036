"""The plan's targets and their yearly figures: seeding, the overview rows, saving a figure.

The targets come from ``targets.json`` beside this module (never from a view); the status rule
is :mod:`quizapp.plan.progress`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from quizapp.extensions import db
from quizapp.inputs import INT_MAX
from quizapp.models.accounts import STAFF_ROLES, User
from quizapp.models.plan import TARGET_KINDS, PlanFigure, PlanTarget, plan_reporters
from quizapp.models.types import utcnow
from quizapp.plan import progress as rules
from quizapp.shared.labels import language
from quizapp.shared.links import Link

TARGETS_FILE = Path(__file__).resolve().parent / "targets.json"


# --- the targets -------------------------------------------------------------------------------

def seed_targets(path: Path = TARGETS_FILE) -> int:
    """Add the targets of the data file that are missing (by code); return how many."""
    data = json.loads(path.read_text(encoding="utf-8"))
    known = set(db.session.scalars(select(PlanTarget.code)))
    added = 0
    for order, row in enumerate(data["targets"]):
        if row["code"] in known:
            continue
        if row["kind"] not in TARGET_KINDS:
            raise ValueError(f"{path}: unknown kind {row['kind']!r} of {row['code']}")
        db.session.add(PlanTarget(
            code=row["code"], name_zh=row["name_zh"], name_en=row["name_en"], kind=row["kind"],
            target_value=float(row["target"]), unit_zh=row.get("unit_zh", ""),
            unit_en=row.get("unit_en", ""), denominator_zh=row.get("denominator_zh", ""),
            denominator_en=row.get("denominator_en", ""), lead_unit=row["lead_unit"],
            source=data.get("source", "")[:200], sort_order=order))
        added += 1
    db.session.commit()
    return added


def all_targets() -> list[PlanTarget]:
    """Every target with its figures, in the plan's order."""
    return list(db.session.scalars(select(PlanTarget).options(selectinload(PlanTarget.figures))
                                   .order_by(PlanTarget.sort_order, PlanTarget.id)))


def get_target(target_id: int) -> PlanTarget | None:
    return db.session.get(PlanTarget, target_id)


# --- who reports -------------------------------------------------------------------------------

def targets_of(user_id: int) -> list[PlanTarget]:
    """The targets ``user_id`` reports for (assigned by an admin), in the plan's order."""
    return list(db.session.scalars(
        select(PlanTarget).join(plan_reporters, plan_reporters.c.target_id == PlanTarget.id)
        .where(plan_reporters.c.user_id == user_id)
        .options(selectinload(PlanTarget.figures))
        .order_by(PlanTarget.sort_order, PlanTarget.id)))


def reported_target(target_id: int, user_id: int) -> PlanTarget | None:
    """Target ``target_id`` when ``user_id`` reports for it; ``None`` otherwise (no such
    target, or another unit's: the pages answer both with 404)."""
    return db.session.scalar(
        select(PlanTarget).join(plan_reporters, plan_reporters.c.target_id == PlanTarget.id)
        .where(PlanTarget.id == target_id, plan_reporters.c.user_id == user_id))


def add_reporter(target: PlanTarget, username: str) -> User:
    """Let the account ``username`` report ``target``'s figures and commit; ``ValueError`` with
    the reason's key (:data:`labels.REPORTER_PROBLEMS`) when it cannot: no such account, a
    resident (only staff accounts report), or already assigned."""
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise ValueError("unknown_user")
    if not user.roles & STAFF_ROLES:
        raise ValueError("not_staff")
    if user in target.reporters:
        raise ValueError("already_reporter")
    target.reporters.append(user)
    db.session.commit()
    return user


def remove_reporter(target: PlanTarget, user_id: int) -> bool:
    """Stop ``user_id`` reporting for ``target`` and commit; ``False`` when they did not."""
    user = next((u for u in target.reporters if u.id == user_id), None)
    if user is None:
        return False
    target.reporters.remove(user)
    db.session.commit()
    return True


def figures_of(target: PlanTarget) -> dict[int, tuple[int, int | None]]:
    """A target's figures by year: (value, denominator)."""
    return {f.year: (f.value, f.denominator) for f in target.figures}


# --- words and numbers on the pages ------------------------------------------------------------

def name(target: PlanTarget) -> str:
    """The target's name in the page's language."""
    return target.name_zh if language() == "zh" else target.name_en


def unit(target: PlanTarget) -> str:
    return target.unit_zh if language() == "zh" else target.unit_en


def denominator_name(target: PlanTarget) -> str:
    return target.denominator_zh if language() == "zh" else target.denominator_en


def number(value: float | None) -> str:
    """A count with thousands separators (``40,000``); ``—`` for none."""
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def target_text(target: PlanTarget) -> str:
    """The 2025 figure as written on the pages: ``40,000 人次``, ``2%``."""
    if target.kind == "share":
        return f"{target.target_value:g}%"
    return f"{number(target.target_value)} {unit(target)}".strip()


def figure_text(target: PlanTarget, figure: tuple[int, int | None] | None) -> str:
    """One year's figure: ``45``, or for a share ``68 / 124 (54.8%)``; ``—`` when missing."""
    if figure is None:
        return "—"
    value, denominator = figure
    if target.kind == "share":
        share = rules.share_percent(value, denominator)
        return f"{number(value)} / {number(denominator)} ({share:.1f}%)" if share is not None \
            else number(value)
    return number(value)


def figure_parts(target: PlanTarget, figure: tuple[int, int | None] | None) -> tuple[str, str]:
    """One year's figure for a narrow cell: the figure, and for a share its count out of the
    denominator beneath (``("54.8%", "68 / 124")``); ``("—", "")`` when missing."""
    if figure is None:
        return "—", ""
    value, denominator = figure
    share = rules.share_percent(value, denominator) if target.kind == "share" else None
    if share is None:
        return number(value), ""
    return f"{share:.1f}%", f"{number(value)} / {number(denominator)}"


def achieved_text(target: PlanTarget, achieved: float | None) -> str:
    if achieved is None:
        return "—"
    if target.kind == "share":
        return f"{achieved:.1f}%"
    return number(achieved)


# --- the overview ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TargetRow:
    """One target on the overview and in the report."""

    target: PlanTarget
    figures: dict[int, tuple[int, int | None]]
    progress: rules.Progress

    @property
    def bar_percent(self) -> float:
        """The bar's filled width, 0–100 (a target passed fills it)."""
        return 0.0 if self.progress.ratio is None else min(100.0, 100 * self.progress.ratio)

    @property
    def marker_percent(self) -> float | None:
        """Where the part due by the assessed year lies on the bar (cumulative targets)."""
        return 100 * self.progress.expected if self.target.kind == "cumulative" else None


@dataclass(frozen=True)
class Overview:
    year: int
    rows: list[TargetRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.progress.status == status)


def default_year(today: date | None = None) -> int:
    return rules.assessment_year(today or date.today())


def overview(year: int | None = None) -> Overview:
    """Every target's standing in ``year`` (default: :func:`progress.assessment_year`)."""
    year = default_year() if year is None else year
    rows = []
    for target in all_targets():
        figures = figures_of(target)
        rows.append(TargetRow(target, figures,
                              rules.progress(target.kind, target.target_value, figures, year)))
    return Overview(year, rows)


# --- entering figures --------------------------------------------------------------------------

def figure_problem(kind: str, value: int, denominator: int | None) -> tuple[str, dict] | None:
    """Why a figure cannot be stored (a fault key of :data:`labels.FAULTS` and its params),
    or ``None``: whole numbers from 0 to the INTEGER column's maximum; a share has a
    denominator of at least 1 and no larger count; other kinds have none."""
    if value < 0:
        return "negative", {"value": value}
    if value > INT_MAX:
        return "too_large", {"value": value}
    if kind == "share":
        if denominator is None:
            return "denominator_needed", {}
        if denominator < 1:
            return "denominator_zero", {}
        if denominator > INT_MAX:
            return "too_large", {"value": denominator}
        if value > denominator:
            return "above_denominator", {"value": value, "other": denominator}
    elif denominator is not None:
        return "no_denominator", {}
    return None


def put_figure(target: PlanTarget, year: int, value: int, denominator: int | None,
               user_id: int | None) -> bool:
    """Set ``target``'s figure for ``year`` (not committed); ``True`` when it is new."""
    existing = next((f for f in target.figures if f.year == year), None)
    if existing is None:
        target.figures.append(PlanFigure(year=year, value=value, denominator=denominator,
                                         entered_by_id=user_id))
        return True
    existing.value, existing.denominator = value, denominator
    existing.entered_by_id, existing.entered_at = user_id, utcnow()
    return False


def save_figure(target: PlanTarget, year: int, value: int, denominator: int | None,
                user_id: int | None) -> None:
    """Check and store one figure; ``ValueError`` (with the fault) when it is refused."""
    if year not in rules.PLAN_YEARS:
        raise ValueError("bad_year", {"value": year})
    problem = figure_problem(target.kind, value, denominator if target.kind == "share" else None)
    if problem is not None:
        raise ValueError(*problem)
    commit_figures(lambda: put_figure(target, year, value,
                                      denominator if target.kind == "share" else None, user_id))


def commit_figures(write: Callable[[], object]) -> None:
    """Run ``write`` (which puts figures) and commit. When another person stored a figure for
    the same target and year in between, the unique constraint refuses the insert: write again,
    now over their row, as if ours had come second."""
    for last in (False, True):
        write()
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
            if last:
                raise


def reporter_links(user_id: int) -> list[Link]:
    """The home page's link to the reporters' page, for an account with a target to report."""
    has_one = db.session.scalar(select(plan_reporters.c.target_id)
                                .where(plan_reporters.c.user_id == user_id).limit(1))
    return [Link(_l("My plan figures"), "plan_mine.index")] if has_one is not None else []
