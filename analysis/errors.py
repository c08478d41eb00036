"""The exception types the estimator raises for bad input.

Every message is a single line that names the offending column, row (1-based data row,
header not counted) or level, so the command line can print it as it is and exit with 2.
The subclasses below also carry their figures as attributes, so that a caller (the web
page) can say the same thing in another language.
"""

from __future__ import annotations


class SurveyError(ValueError):
    """Bad survey input or a figure that cannot be computed (one-line message)."""


class LonelyPSUError(SurveyError):
    """A stratum has a single PSU and the lonely-PSU rule is ``fail`` (R's default)."""


class ConvergenceError(SurveyError):
    """Raking or weight trimming did not converge."""


class WeightRangeError(SurveyError):
    """A weight is neither 0 nor within the sane range (see :mod:`analysis.design`).

    ``column`` is the weight column's name (``None`` when unnamed), ``row`` the 1-based row,
    ``value`` the weight; ``raked`` tells that raking produced it (the margins are absurd)."""

    def __init__(
        self, message: str, *, column: str | None, row: int, value: float, raked: bool = False
    ) -> None:
        super().__init__(message)
        self.column, self.row, self.value, self.raked = column, row, value, raked


class MarginTotalError(SurveyError):
    """A population total of a margins file is not a positive number within the sane range."""

    def __init__(self, message: str, *, variable: str, level: str, value: float) -> None:
        super().__init__(message)
        self.variable, self.level, self.value = variable, level, value


class NonFiniteError(SurveyError):
    """A figure overflowed (infinite or not a number) although the input was accepted,
    e.g. a total of values near 1e308; ``what`` names the figure."""

    def __init__(self, message: str, *, what: str) -> None:
        super().__init__(message)
        self.what = what


class TooManyLevelsError(SurveyError):
    """A breakdown has more levels than the caller allows (the web page caps them)."""

    def __init__(self, message: str, *, variable: str, levels: int, limit: int) -> None:
        super().__init__(message)
        self.variable, self.levels, self.limit = variable, levels, limit
