"""Splitting a long list into numbered pages that plain links reach (no script needed)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paging:
    """Where one page of ``total`` rows, ``per_page`` at a time, stands (pages count from 1)."""

    page: int
    pages: int
    total: int
    per_page: int

    @property
    def offset(self) -> int:
        """How many rows come before this page."""
        return (self.page - 1) * self.per_page

    def page_of(self, position: int) -> int:
        """The page showing the ``position``-th row (1-based), e.g. a person's rank."""
        return max(1, -(-position // self.per_page))

    def numbers(self, around: int = 2) -> list[int | None]:
        """The page numbers to link: the first, the last, and ``around`` either side of this
        one; ``None`` marks a gap (shown as …)."""
        shown = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers: list[int | None] = []
        for number in sorted(n for n in shown if 1 <= n <= self.pages):
            if numbers and number - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def paging(total: int, page: int | None, per_page: int) -> Paging:
    """The ``page``-th page of ``total`` rows, clamped to 1 … the last page (an empty list
    has one, empty, page)."""
    pages = max(1, -(-total // per_page))
    return Paging(page=min(max(1, page or 1), pages), pages=pages, total=total,
                  per_page=per_page)
