"""A competition's own question pool: drawn once from the bank, with a stored seed.

Rules:
- The pool holds ``pool_size`` questions for the competition's audience, drawn by the engine's
  draw rule (topics spread evenly) with every quota scaled up to the pool and rounded down:
  7 true/false of 20 questions become floor(7 × 100 / 20) = 35 of a pool of 100.
- It must be able to serve a per-person draw with the competition's own quotas.
- It is drawn when a competition is first saved, and drawn again when a setting it depends on
  (audience, questions per attempt, quotas, pool size) changes, but never once an attempt has
  started: every attempt of a competition comes from the same pool.
- A homework contest's pool is its teacher's question set, written once when it opens
  (``quizapp.schools.homework_services``): it is never drawn here, and never drawn again.
- The seed is random (62 bits) and shown only to admins: the bank is public (the repository),
  so a guessable seed would give the pool away.

Attempts draw only from the pool, and practice leaves the pool alone until the competition
closes (``quizapp.questions_pool``).
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update

from quizapp.engine.draw import DrawError, draw_questions
from quizapp.extensions import db
from quizapp.models import Attempt, Competition, CompetitionItem
from quizapp.models.questions import mask_to_groups
from quizapp.questions_pool import as_candidates, drawable_versions, pool_versions

POOL_SETTINGS = ("audience_mask", "question_count", "quotas", "pool_size")


class PoolError(ValueError):
    """The bank cannot give this competition the pool it asks for; ``code`` says why:
    ``too_small`` (fewer than the questions per attempt), ``too_large`` (more than the bank
    has for the audience; ``available`` says how many), ``quotas`` (the quotas cannot be met),
    ``locked`` (attempts have started)."""

    def __init__(self, code: str, available: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.available = available


@dataclass(frozen=True)
class PoolSummary:
    """What the admin sees of a pool: its size, how many questions can still be drawn (an
    edited question whose current version is not active cannot), and its make-up by type."""

    size: int
    usable: int
    by_type: dict[str, int]
    seed: int | None


def new_seed() -> int:
    return secrets.randbits(62)


def pool_settings(competition: Competition) -> tuple:
    """The settings a pool depends on (a change means drawing it again)."""
    return tuple(repr(getattr(competition, name)) for name in POOL_SETTINGS)


def scaled_quotas(quotas: dict, question_count: int, pool_size: int) -> dict[str, dict[str, int]]:
    """Each quota scaled from one attempt up to the pool, rounded down (see the rules)."""
    return {dimension: {value: int(count) * pool_size // question_count
                        for value, count in quota.items()}
            for dimension, quota in (quotas or {}).items() if quota}


def draw_pool(competition: Competition, seed: int) -> list[int]:
    """Draw the pool with ``seed`` and store it in the session (the caller commits).

    Raises :class:`PoolError` (``locked`` for a homework contest: its pool is its set).
    Returns the question ids drawn.
    """
    if competition.kind == "homework":
        raise PoolError("locked")
    db.session.flush()  # a new competition gets its id and its defaults
    if competition.pool_size < competition.question_count:
        raise PoolError("too_small")
    versions = drawable_versions(mask_to_groups(competition.audience_mask))
    if len(versions) < competition.pool_size:
        raise PoolError("too_large", available=len(versions))
    try:
        drawn = draw_questions(
            as_candidates(versions), competition.pool_size, random.Random(seed),
            scaled_quotas(competition.quotas, competition.question_count, competition.pool_size))
        draw_questions(drawn, competition.question_count, random.Random(seed),
                       competition.quotas)
    except DrawError:
        raise PoolError("quotas") from None
    question_of = {v.id: v.question_id for v in versions}
    question_ids = sorted(question_of[c.version_id] for c in drawn)
    db.session.execute(delete(CompetitionItem).where(
        CompetitionItem.competition_id == competition.id))
    db.session.execute(insert(CompetitionItem), [
        {"competition_id": competition.id, "question_id": qid} for qid in question_ids])
    competition.pool_seed = seed
    return question_ids


def has_attempts(competition: Competition) -> bool:
    return competition.id is not None and db.session.scalar(
        select(Attempt.id).where(Attempt.competition_id == competition.id).limit(1)) is not None


def save_pool(competition: Competition, settings_before: tuple | None) -> None:
    """Draw the pool when the competition has none or a setting it depends on changed.

    Raises :class:`PoolError` ``locked`` when such a change comes after attempts have started.
    """
    if competition.kind == "homework":
        return
    if competition.pool_seed is not None and settings_before == pool_settings(competition):
        return
    if competition.pool_seed is not None and has_attempts(competition):
        raise PoolError("locked")
    draw_pool(competition, new_seed())


def ensure_pool(competition: Competition) -> None:
    """Give a competition saved before pools existed its pool, once, even when two requests
    ask at the same moment (the first to claim the seed draws it)."""
    if competition.pool_seed is not None or competition.kind == "homework":
        return
    seed = new_seed()
    claimed = db.session.execute(
        update(Competition).where(Competition.id == competition.id,
                                  Competition.pool_seed.is_(None))
        .values(pool_seed=seed)).rowcount
    if claimed != 1:
        db.session.rollback()
        db.session.refresh(competition)
        return
    try:
        draw_pool(competition, seed)
    except PoolError:
        db.session.rollback()  # attempts then fail with "no_questions", as before
        db.session.refresh(competition)
        return
    db.session.commit()


def pool_summary(competition: Competition) -> PoolSummary:
    size = db.session.scalar(select(func.count()).select_from(CompetitionItem).where(
        CompetitionItem.competition_id == competition.id)) or 0
    usable = pool_versions(competition.id)
    return PoolSummary(size=size, usable=len(usable),
                       by_type=dict(sorted(Counter(v.type for v in usable).items())),
                       seed=competition.pool_seed)
