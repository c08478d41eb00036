"""How estimates are written on the pages (the estimates page and the survey's estimate runs):
plain functions, tested without a request."""

from __future__ import annotations


def pct(x: float | None, digits: int = 2) -> str:
    """A share as a percentage, ``—`` when it does not exist."""
    return "—" if x is None else f"{100 * x:.{digits}f}%"


def pct_range(low: float | None, high: float | None, digits: int = 2) -> str:
    """An interval of shares, compactly: ``22.90–35.49%``; ``—`` when it does not exist."""
    if low is None or high is None:
        return "—"
    return f"{100 * low:.{digits}f}–{100 * high:.{digits}f}%"


def num(x: float | None, digits: int = 4) -> str:
    """A figure to ``digits`` significant digits, ``—`` when it does not exist."""
    return "—" if x is None else f"{x:.{digits}g}"
