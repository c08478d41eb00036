"""A per-process cache of the parts of a live game's screens that are the same for every
phone: the question's text and options, the boards after a reveal, a question's summary.

Sixty phones waking for the same change must not each read the question and recompute the
leaderboard. The cache holds database state only, keyed by the game's ``state_version``:
every change of what these parts show (a transition, a removed player, extra time) bumps
the version in the database, and a request that reads a newer version replaces the entry,
so no two workers can disagree for longer than a request. Answers do not bump the version,
so parts that answers change (the boards, a summary) may be cached only in states where no
answer can arrive (revealed, finished, closed) — the callers keep that rule.

The key also holds the game's random token, so a database rebuilt under the same ids (the
tests) cannot meet a stale entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from quizapp.models import LiveGame

MAX_GAMES = 1000  # entries kept; a school server has a few dozen games open at once
T = TypeVar("T")
_entries: dict[tuple[int, str], tuple[int, dict[str, Any]]] = {}


def cached(game: LiveGame, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` for this game at its current state version, computed once per process.

    A request holding an older version than the cache's computes without caching (it is
    about to be overtaken, and must not replace the newer entry)."""
    key = (game.id, game.token)
    version = game.state_version
    entry = _entries.get(key)
    if entry is None or entry[0] < version:
        if len(_entries) >= MAX_GAMES:
            _entries.clear()
        entry = (version, {})
        _entries[key] = entry
    elif entry[0] > version:
        return compute()
    parts = entry[1]
    if name not in parts:
        parts[name] = compute()
    return parts[name]


def clear() -> None:
    """Forget everything (tests)."""
    _entries.clear()
