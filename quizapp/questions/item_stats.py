"""Item statistics from recorded answers: difficulty, discrimination, choice distribution.

Rules (classical item analysis):

- An *item* is a question version: editing a question's content makes a new item, so the
  figures of different wordings are never mixed.
- Answers are counted by *source*, and sources are never mixed. Today there is one: quizzes
  (practice and competition attempts). The literacy survey will be a source of its own, kept
  apart, once survey fieldwork records attempts.
- Only attempts that count are used: status ``finished`` or ``expired`` (never ``open`` or
  ``voided``). Within them, only answered items (``choices`` not null) count; an item left
  blank was not attempted.
- Proportion correct *p* = correct ÷ answered.
- Discrimination is the point-biserial correlation of the item (1 right, 0 wrong) with the
  *rest score*: the number right on the other answered items of the same attempt. It is
  undefined (``None``) when either varies not at all.
- Choice distribution: for each original option, the share of answerers who chose it (for
  multiple choice the shares add up to more than one). True/false: 0 is "true", 1 is "false".
- Flags, only once an item has at least ``MIN_ANSWERS`` answers: too easy (p > 0.95), too hard
  (p < 0.20), negative discrimination (r < 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Integer, cast, func, select

from quizapp.extensions import db

TOO_EASY = 0.95
TOO_HARD = 0.20
MIN_ANSWERS = 20
SOURCES = {"quiz": ("practice", "competition")}  # source -> the attempt kinds it counts
COUNTED_STATUSES = ("finished", "expired")
FLAGS = ("too_easy", "too_hard", "negative")


@dataclass(frozen=True)
class ItemStat:
    """The statistics of one item (question version) in one source."""

    item: int
    answered: int
    correct: int
    p: float
    r_pb: float | None
    choice_counts: tuple[int, ...] = ()

    @property
    def flags(self) -> tuple[str, ...]:
        if self.answered < MIN_ANSWERS:
            return ()
        found = []
        if self.p > TOO_EASY:
            found.append("too_easy")
        if self.p < TOO_HARD:
            found.append("too_hard")
        if self.r_pb is not None and self.r_pb < 0:
            found.append("negative")
        return tuple(found)

    @property
    def choice_shares(self) -> tuple[float, ...]:
        return tuple(c / self.answered if self.answered else 0.0 for c in self.choice_counts)


def compute_item_stats(attempts, items, correct) -> dict[int, ItemStat]:
    """Proportion correct and point-biserial discrimination from parallel arrays.

    ``attempts[k]``, ``items[k]``, ``correct[k]`` describe the k-th answered item: its attempt
    id, its item id and whether it was right. Vectorised: per-attempt totals and per-item sums
    come from ``np.unique``/``np.bincount``, so the cost is linear in the number of answers.
    """
    attempts = np.asarray(attempts, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    x = np.asarray(correct, dtype=float)
    if x.size == 0:
        return {}
    _, attempt_index = np.unique(attempts, return_inverse=True)
    totals = np.bincount(attempt_index, weights=x)
    return item_stats_with_rest(items, x, totals[attempt_index] - x)


def item_stats_with_rest(items, correct, rest) -> dict[int, ItemStat]:
    """As :func:`compute_item_stats`, given each answer's rest score directly.

    r_pb is Pearson's r of (correct, rest) per item, from per-item sums
    (n, Σx, Σy, Σx², Σy², Σxy) accumulated with ``np.bincount``.
    """
    items = np.asarray(items, dtype=np.int64)
    x = np.asarray(correct, dtype=float)
    y = np.asarray(rest, dtype=float)
    if x.size == 0:
        return {}
    keys, item_index = np.unique(items, return_inverse=True)
    size = len(keys)

    def per_item(values):
        return np.bincount(item_index, weights=values, minlength=size)

    n = np.bincount(item_index, minlength=size).astype(float)
    sx, sy = per_item(x), per_item(y)
    var_x = per_item(x * x) - sx * sx / n
    var_y = per_item(y * y) - sy * sy / n
    cov = per_item(x * y) - sx * sy / n
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cov / np.sqrt(var_x * var_y)
    tolerance = 1e-9
    result = {}
    for k, key in enumerate(keys):
        defined = var_x[k] > tolerance and var_y[k] > tolerance
        result[int(key)] = ItemStat(
            item=int(key), answered=int(n[k]), correct=int(round(sx[k])),
            p=float(sx[k] / n[k]), r_pb=float(np.clip(r[k], -1, 1)) if defined else None)
    return result


def choice_counts(items, choices, option_counts: dict[int, int]) -> dict[int, tuple[int, ...]]:
    """How many answerers of each item chose each original option."""
    counts = {item: np.zeros(size, dtype=np.int64) for item, size in option_counts.items()}
    for item, chosen in zip(items, choices, strict=True):
        row = counts.get(int(item))
        if row is None:
            continue
        for index in set(chosen or ()):
            if 0 <= index < len(row):
                row[index] += 1
    return {item: tuple(int(v) for v in row) for item, row in counts.items()}


# --- from the database -----------------------------------------------------------------------

def item_stats_from_db(source: str = "quiz",
                       version_ids: list[int] | None = None) -> dict[int, ItemStat]:
    """Statistics of every item answered in ``source`` (a key of :data:`SOURCES`).

    Two queries: the per-attempt totals (an aggregate) and the answered items themselves; the
    rest is numpy. ``version_ids`` limits the result (the totals still use whole attempts).
    """
    from quizapp.models import Attempt, AttemptItem, QuestionVersion

    kinds = SOURCES[source]
    # ``correct`` is null exactly when the item was not answered (``choices`` is a JSON column,
    # where a Python None may be stored as JSON null rather than SQL NULL).
    counted = (Attempt.status.in_(COUNTED_STATUSES), Attempt.kind.in_(kinds),
               AttemptItem.correct.is_not(None))
    right = cast(AttemptItem.correct, Integer)
    totals_query = (select(AttemptItem.attempt_id, func.sum(right))
                    .join(Attempt, Attempt.id == AttemptItem.attempt_id)
                    .where(*counted).group_by(AttemptItem.attempt_id))
    totals = dict(db.session.execute(totals_query).all())
    if not totals:
        return {}
    rows_query = (select(AttemptItem.attempt_id, AttemptItem.question_version_id, right,
                         AttemptItem.choices)
                  .join(Attempt, Attempt.id == AttemptItem.attempt_id).where(*counted))
    if version_ids is not None:
        rows_query = rows_query.where(AttemptItem.question_version_id.in_(version_ids))
    rows = db.session.execute(rows_query).all()
    if not rows:
        return {}
    items = np.array([r[1] for r in rows], dtype=np.int64)
    x = np.array([bool(r[2]) for r in rows], dtype=float)
    # Rest scores come from whole-attempt totals, even when only some items are asked for.
    rest = np.array([totals[r[0]] for r in rows], dtype=float) - x
    stats = item_stats_with_rest(items, x, rest)
    option_counts = {}
    for version_id, qtype, options in db.session.execute(
            select(QuestionVersion.id, QuestionVersion.type, QuestionVersion.options)
            .where(QuestionVersion.id.in_(list(stats)))):
        option_counts[version_id] = 2 if qtype == "true_false" else len(options or [])
    distribution = choice_counts(items, [r[3] for r in rows], option_counts)
    return {key: ItemStat(stat.item, stat.answered, stat.correct, stat.p, stat.r_pb,
                          distribution.get(key, ())) for key, stat in stats.items()}


# --- the item statistics pages ---------------------------------------------------------------

SORTS = {
    "flag": lambda r: (-len(r[0].flags), r[0].r_pb if r[0].r_pb is not None else 2, r[0].p),
    "p": lambda r: r[0].p,
    "r": lambda r: r[0].r_pb if r[0].r_pb is not None else 2,
    "n": lambda r: -r[0].answered,
}


def items_table(source: str, sort: str, flag: str = "", topic: str = ""
                ) -> list[tuple[ItemStat, object]]:
    """(statistics, question version) of every answered item in ``source``, sorted by ``sort``
    (flagged first, then by discrimination; or by ``p``, ``r`` or number of answers).

    ``flag`` keeps only items with that flag (``"any"``: with any flag); ``topic`` only the
    items of that topic.
    """
    from sqlalchemy.orm import selectinload

    from quizapp.models import QuestionVersion

    stats = item_stats_from_db(source)
    if flag == "any":
        stats = {k: v for k, v in stats.items() if v.flags}
    elif flag in FLAGS:
        stats = {k: v for k, v in stats.items() if flag in v.flags}
    if not stats:
        return []
    query = (select(QuestionVersion).where(QuestionVersion.id.in_(list(stats)))
             .options(selectinload(QuestionVersion.question)))
    if topic:
        query = query.where(QuestionVersion.topic == topic)
    versions = {v.id: v for v in db.session.scalars(query)}
    rows = [(stats[k], versions[k]) for k in stats if k in versions]
    rows.sort(key=SORTS[sort])
    return rows


def item_detail(version_id: int, source: str):
    """(the question version or ``None``, its statistics in ``source`` or ``None``)."""
    from quizapp.models import QuestionVersion

    version = db.session.get(QuestionVersion, version_id)
    if version is None:
        return None, None
    return version, item_stats_from_db(source, [version_id]).get(version_id)
