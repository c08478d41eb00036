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

import numpy as np
from sqlalchemy import Integer, cast, func, select

from quizapp.engine.item_analysis import (  # noqa: F401 - the pure rules, in the engine
    FLAGS,
    MIN_ANSWERS,
    TOO_EASY,
    TOO_HARD,
    ItemStat,
    choice_counts,
    compute_item_stats,
    item_stats_with_rest,
)
from quizapp.extensions import db

SOURCES = {"quiz": ("practice", "competition")}  # source -> the attempt kinds it counts
COUNTED_STATUSES = ("finished", "expired")


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
