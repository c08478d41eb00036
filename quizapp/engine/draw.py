"""Drawing questions for an attempt.

Rule (enemy groups): questions that give each other away (one's option states another's answer,
or several versions of one idea) share an enemy group in the bank, and no attempt ever holds two
questions of one group. Every draw of questions for an attempt goes through
:func:`draw_questions` or :func:`without_enemies`, which both keep it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DIMENSIONS = ("type", "topic", "difficulty")


class DrawError(ValueError):
    """The bank cannot satisfy the requested draw."""


@dataclass(frozen=True)
class Candidate:
    """What the draw needs to know of a question version."""

    version_id: int
    type: str
    topic: str
    difficulty: int
    enemies: tuple[str, ...] = ()  # the question's enemy groups


def max_together(candidates: Sequence[Candidate]) -> int:
    """How many of ``candidates`` one attempt can hold at most (enemy groups kept).

    Exact when each question is in at most one group (the bank's usual case); with questions in
    several groups it is the size of one valid selection (fewest groups first), a lower bound.
    """
    return len(without_enemies(sorted(candidates, key=lambda c: len(c.enemies))))


def without_enemies(candidates: Sequence[Candidate]) -> list[Candidate]:
    """``candidates`` in their order, each dropped when an earlier kept one shares a group."""
    used: set[str] = set()
    kept = []
    for candidate in candidates:
        if used.isdisjoint(candidate.enemies):
            kept.append(candidate)
            used.update(candidate.enemies)
    return kept


def _enemy_bound(candidates: Sequence[Candidate]) -> int:
    """An upper bound on :func:`max_together`: each question in a group uses up a group."""
    ungrouped = {c.version_id for c in candidates if not c.enemies}
    groups = {name for c in candidates for name in c.enemies}
    return len(ungrouped) + len(groups)


def _quota_key(dimension: str, value) -> str:
    return str(value)


def draw_questions(candidates: Sequence[Candidate], count: int, rng: random.Random,
                   quotas: Mapping[str, Mapping[str, int]] | None = None,
                   tries: int = 40) -> list[Candidate]:
    """Draw ``count`` distinct questions at random, never two of one enemy group.

    Rule: ``quotas`` maps a dimension (``type``, ``topic``, ``difficulty``) to exact counts per
    value, e.g. ``{"type": {"true_false": 7, "single": 7, "multiple": 6}}``; values a quota does
    not list fill whatever that quota leaves free. Among the questions that keep every quota
    reachable, those filling an unmet quota come first, then topics drawn least so far, then
    chance, so each attempt covers a spread of topics. The result is in random order.

    Raises :class:`DrawError` naming the quota the bank cannot meet.
    """
    quotas = {dim: {str(k): int(v) for k, v in q.items() if int(v) > 0}
              for dim, q in (quotas or {}).items() if q}
    for dimension, quota in quotas.items():
        if dimension not in DIMENSIONS:
            raise DrawError(f"unknown quota dimension {dimension!r}")
        if sum(quota.values()) > count:
            raise DrawError(f"the {dimension} quotas add up to more than {count} questions")
        available = Counter(str(getattr(c, dimension)) for c in candidates)
        for value, needed in quota.items():
            if available[value] < needed:
                raise DrawError(f"only {available[value]} questions with {dimension}={value}, "
                                f"the draw needs {needed}")
    if len({c.version_id for c in candidates}) < count:
        raise DrawError(f"only {len(candidates)} questions available, the draw needs {count}")
    if _enemy_bound(candidates) < count:
        raise DrawError(f"at most {_enemy_bound(candidates)} questions can be drawn together "
                        f"(enemy groups), the draw needs {count}")

    for _ in range(tries):
        drawn = _greedy(list(candidates), count, rng, quotas)
        if drawn is not None:
            rng.shuffle(drawn)
            return drawn
    raise DrawError("the quotas cannot all be met together by the questions available")


def _greedy(pool: list[Candidate], count: int, rng: random.Random,
            quotas: dict[str, dict[str, int]]) -> list[Candidate] | None:
    rng.shuffle(pool)
    counts = {dim: Counter() for dim in quotas}
    free = {dim: count - sum(q.values()) for dim, q in quotas.items()}
    topics: Counter = Counter()
    chosen: list[Candidate] = []
    seen: set[int] = set()
    used_groups: set[str] = set()

    def fits(candidate: Candidate) -> tuple[bool, int]:
        fills = 0
        for dim, quota in quotas.items():
            value = str(getattr(candidate, dim))
            if value in quota:
                if counts[dim][value] >= quota[value]:
                    return False, 0
                fills += 1
            elif free[dim] <= 0:
                return False, 0
        return True, fills

    while len(chosen) < count:
        best, best_key = None, None
        for position, candidate in enumerate(pool):
            if candidate.version_id in seen or not used_groups.isdisjoint(candidate.enemies):
                continue
            ok, fills = fits(candidate)
            if not ok:
                continue
            key = (-fills, topics[candidate.topic], position)
            if best_key is None or key < best_key:
                best, best_key = candidate, key
        if best is None:
            return None
        chosen.append(best)
        seen.add(best.version_id)
        used_groups.update(best.enemies)
        topics[best.topic] += 1
        for dim, quota in quotas.items():
            value = str(getattr(best, dim))
            if value in quota:
                counts[dim][value] += 1
            else:
                free[dim] -= 1
    return chosen


def shuffled_option_order(option_count: int, question_type: str, rng: random.Random) -> list[int]:
    """The display order of a question's options: shuffled, except true/false (true first)."""
    order = list(range(option_count))
    if question_type != "true_false":
        rng.shuffle(order)
    return order
