"""The one exception type the estimator raises for bad input.

Every message is a single line that names the offending column, row (1-based data row,
header not counted) or level, so the command line can print it as it is and exit with 2.
"""

from __future__ import annotations


class SurveyError(ValueError):
    """Bad survey input or a figure that cannot be computed (one-line message)."""


class LonelyPSUError(SurveyError):
    """A stratum has a single PSU and the lonely-PSU rule is ``fail`` (R's default)."""


class ConvergenceError(SurveyError):
    """Raking or weight trimming did not converge."""
