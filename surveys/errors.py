"""The exception type every ``surveys`` function raises for bad input.

Messages are one line and name what is wrong (the stratum, item, row or column), so a web
page or a notebook can show them as they are.  Nothing in ``surveys`` returns part of a result
after bad input: it raises, and the caller keeps what it had.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CaseIssue", "CasesError", "FrameError", "FrameIssue", "PoolTooSmallError", "SurveyInputError",
]


class SurveyInputError(ValueError):
    """Bad input to a survey rule (a one-line message)."""


class PoolTooSmallError(SurveyInputError):
    """The reserved item pool cannot fill two parallel forms; ``shortfalls`` per dimension."""

    def __init__(self, message: str, shortfalls: dict[str, tuple[int, int]]) -> None:
        super().__init__(message)
        #: dimension code -> (items in the pool, items needed)
        self.shortfalls = shortfalls


@dataclass(frozen=True)
class FileIssue:
    """One problem in an imported file: ``row`` (``None`` for a problem of the whole file, such
    as a missing column), ``column`` (or ``None``) and the message."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class FrameIssue(FileIssue):
    """One problem in a sampling frame: ``row`` is the spreadsheet row (the header is row 1,
    the first PSU row 2)."""


class FrameError(SurveyInputError):
    """A sampling frame with problems: ``issues`` lists every one (all-or-nothing reading)."""

    def __init__(self, issues: tuple[FrameIssue, ...]) -> None:
        self.issues = tuple(issues)
        head = "; ".join(str(issue) for issue in self.issues[:3])
        more = f" (and {len(self.issues) - 3} more)" if len(self.issues) > 3 else ""
        super().__init__(f"the sampling frame has {len(self.issues)} problem(s): {head}{more}")


class CaseIssue(FileIssue):
    """One problem in a cases file (the weighting input): ``row`` is the 1-based data row (the
    header is not counted)."""


class CasesError(SurveyInputError):
    """A cases file with problems: ``issues`` lists them (all-or-nothing reading)."""

    def __init__(self, issues: tuple[CaseIssue, ...], total: int | None = None) -> None:
        self.issues = tuple(issues)
        #: problems found (``issues`` keeps the first few hundred)
        self.total = len(self.issues) if total is None else total
        head = "; ".join(str(issue) for issue in self.issues[:3])
        more = f" (and {self.total - 3} more)" if self.total > 3 else ""
        super().__init__(f"the cases file has {self.total} problem(s): {head}{more}")
