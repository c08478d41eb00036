"""Drawing questions for an attempt."""

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


def _quota_key(dimension: str, value) -> str:
    return str(value)


def draw_questions(candidates: Sequence[Candidate], count: int, rng: random.Random,
                   quotas: Mapping[str, Mapping[str, int]] | None = None,
                   tries: int = 40) -> list[Candidate]:
    """Draw ``count`` distinct questions at random.

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
            if candidate.version_id in seen:
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
