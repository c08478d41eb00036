"""Classical item analysis of recorded answers, as plain functions: proportion correct and
point-biserial discrimination per item (question version), choice counts and flags.

The rules are stated in :mod:`quizapp.questions.item_stats` (the bank's item statistics pages,
which read the answers from the database and call these); the competition report uses them on
one round's attempts.  They live in the engine so every feature computes them one way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TOO_EASY = 0.95
TOO_HARD = 0.20
MIN_ANSWERS = 20
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
