"""A wave's estimate run: the headline share meeting the standard, the scores, by domain.

Every figure comes from :func:`analysis.estimate` (one :class:`analysis.EstimateSpec` per
report) and, between waves, :func:`analysis.independent_difference`; nothing here estimates.
This module chooses the specs, keeps the equivalent ``python -m analysis estimate`` command
lines beside the reports (run on the same ``weighted.csv`` they print the same figures), and
applies the small-cell rule of issue 11:

* a domain row is **small_n** when fewer than ``min_n`` (30) respondents are in it;
* otherwise it is **high_cv** when its coefficient of variation se/|estimate| is above
  ``max_cv`` (0.30); an estimate of 0 with se > 0 counts as high_cv, an estimate of 0 with
  se 0 does not, and a row without an estimate or SE is high_cv (nothing reliable to show);
* :meth:`EstimateResult.public` blanks flagged rows (estimate, SE, interval and deff become
  ``None``, ``suppressed`` gives the reason) for anything published.  The headline is kept
  unless it is itself flagged.

The specs: ``meets`` is the share (``Statistic.PROPORTION``) of the 0/1 column ``meets``
tested against ``goal`` (17.8%) with a logit interval on the design df; the scores are means
(``Statistic.MEAN``) of ``total`` and the four dimension scores.  All use the weight
``final_weight``, strata ``stratum``, PSUs ``psu``, the lonely-PSU rule ``adjust`` and every
column of :data:`BREAKDOWNS` the file has (absent ones are skipped and recorded).  With a
margins version the weights are raked to it again: the final weights already meet the margins,
so the figures do not move, but the SE then accounts for the calibration (Deville-Särndal
linearisation, R's ``calibrate(calfun = "raking")``).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import analysis
from analysis.cli import arguments_for
from analysis.options import CIMethod, LonelyPSU, Statistic, parse
from surveys.errors import SurveyInputError

__all__ = [
    "BREAKDOWNS",
    "SCORES",
    "EstimateResult",
    "EstimateSettings",
    "TrendRow",
    "WaveComparison",
    "compare",
    "estimate_specs",
    "estimate_wave",
    "trend",
    "verdict_text",
]

BREAKDOWNS = ("group", "township", "sex", "age_band", "urban_rural", "education")
SCORES = ("total", "score_K", "score_M", "score_S", "score_A")
HEADLINE = "meets"
WEIGHT, STRATA, PSU = "final_weight", "stratum", "psu"
DEFAULT_DATA_NAME = "weighted.csv"  # the file name shown in commands for an in-memory table

SMALL_N = "small_n"
HIGH_CV = "high_cv"


@dataclass(frozen=True)
class EstimateSettings:
    """The choices of an estimate run (stored with it).

    ``goal`` the share to test against; ``level`` of the intervals; ``ci`` the interval of a
    share (analysis's ``CIMethod``); ``lonely_psu`` the rule for a stratum with one PSU;
    ``min_n`` / ``max_cv`` the small-cell rule; ``allow_placeholder_margins`` lets a margins
    version with placeholder rows be used (the reports then list them).
    """

    goal: float = 0.178
    level: float = 0.95
    ci: str = "logit"
    lonely_psu: str = "adjust"
    min_n: int = 30
    max_cv: float = 0.30
    allow_placeholder_margins: bool = False

    def __post_init__(self) -> None:
        try:
            ci = str(parse(CIMethod, self.ci, "the interval method"))
            lonely = str(parse(LonelyPSU, self.lonely_psu, "the lonely-PSU rule"))
        except analysis.SurveyError as exc:
            raise SurveyInputError(str(exc)) from None
        object.__setattr__(self, "ci", ci)
        object.__setattr__(self, "lonely_psu", lonely)
        if not _finite(self.goal) or not 0 <= self.goal <= 1:
            raise SurveyInputError(f"the goal must be a share from 0 to 1 (got {self.goal!r})")
        if not _finite(self.level) or not 0 < self.level < 1:
            raise SurveyInputError(
                f"the confidence level must be between 0 and 1 (got {self.level!r})"
            )
        if isinstance(self.min_n, bool) or not isinstance(self.min_n, int) or self.min_n < 1:
            raise SurveyInputError(
                f"min_n must be a whole number of at least 1 (got {self.min_n!r})"
            )
        if not _finite(self.max_cv) or self.max_cv <= 0:
            raise SurveyInputError(f"max_cv must be a positive number (got {self.max_cv!r})")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EstimateSettings:
        """The settings a :meth:`to_dict` object describes (unknown keys refused)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise SurveyInputError(f"unknown estimate setting(s): {', '.join(unknown)}")
        return cls(**dict(data))


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


# --- the specs -------------------------------------------------------------------------------


def _columns(weighted: Any) -> list[str]:
    """The column names of a weighted file (its header) or an in-memory table."""
    if isinstance(weighted, str | os.PathLike):
        try:
            with open(weighted, encoding="utf-8-sig", newline="") as fh:
                header = next(csv.reader(fh), None)
        except OSError as exc:
            raise SurveyInputError(f"cannot read '{os.fspath(weighted)}': {exc.strerror}") from None
        except UnicodeDecodeError:
            raise SurveyInputError(f"'{os.fspath(weighted)}' is not UTF-8 text") from None
        if not header:
            raise SurveyInputError(f"'{os.fspath(weighted)}' has no header row")
        return [h.strip() for h in header]
    if hasattr(weighted, "column_names"):
        return list(weighted.column_names)
    if isinstance(weighted, Mapping):
        return [str(k) for k in weighted]
    raise SurveyInputError("the weighted data must be a CSV path or a mapping of columns")


def _margins_path(margins: Any) -> str | None:
    """A margins version's file path (a ``MarginsVersion`` or a path), or ``None``."""
    if margins is None:
        return None
    path = getattr(margins, "path", margins)
    if not isinstance(path, str | os.PathLike):
        raise SurveyInputError("the margins must be a margins version or a margins file path")
    return os.fspath(path)


def _present(weighted: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(breakdowns the data has, breakdowns skipped), each in :data:`BREAKDOWNS` order."""
    cols = set(_columns(weighted))
    missing = [c for c in (WEIGHT, STRATA, PSU, HEADLINE, *SCORES) if c not in cols]
    if missing:
        raise SurveyInputError(f"the weighted data has no column {', '.join(missing)}")
    have = tuple(b for b in BREAKDOWNS if b in cols)
    return have, tuple(b for b in BREAKDOWNS if b not in cols)


def estimate_specs(
    weighted: str | Path | Mapping[str, Sequence[Any]],
    margins: Any,
    settings: EstimateSettings,
) -> dict[str, analysis.EstimateSpec]:
    """The specs of a run: ``"meets"`` (the share, tested against the goal) and one mean per
    score in :data:`SCORES`, each by every breakdown of :data:`BREAKDOWNS` the data has.

    ``weighted`` is the path of ``weighted.csv`` or a mapping of its columns; ``margins`` a
    ``MarginsVersion`` (its ``path`` is used), a margins file path, or ``None`` (no raking).
    """
    by, _ = _present(weighted)
    data = os.fspath(weighted) if isinstance(weighted, str | os.PathLike) else weighted
    common = {
        "data": data,
        "weight": WEIGHT,
        "strata": STRATA,
        "psu": PSU,
        "by": tuple((b,) for b in by),
        "margins": _margins_path(margins),
        "allow_placeholder_margins": settings.allow_placeholder_margins,
        "ci": settings.ci,
        "level": settings.level,
        "lonely_psu": settings.lonely_psu,
    }
    specs = {
        HEADLINE: analysis.EstimateSpec(
            outcome=HEADLINE, statistic=Statistic.PROPORTION, goal=settings.goal, **common
        )
    }
    for score in SCORES:
        specs[score] = analysis.EstimateSpec(outcome=score, statistic=Statistic.MEAN, **common)
    return specs


def command_line(spec: analysis.EstimateSpec, data: str, margins: str | None) -> str:
    """The ``python -m analysis estimate ...`` line that reproduces ``spec`` on the file
    ``data`` with the margins file ``margins`` (shell-quoted; ``--format=json`` last)."""
    return shlex.join(["python", "-m", "analysis", *arguments_for(spec, data, margins)])


def estimate_wave(
    weighted: str | Path | Mapping[str, Sequence[Any]],
    margins: Any,
    settings: EstimateSettings | None = None,
    *,
    data_name: str | None = None,
    margins_name: str | None = None,
) -> EstimateResult:
    """Run every spec of :func:`estimate_specs` through :func:`analysis.estimate`.

    ``data_name`` / ``margins_name`` are the file names the stored commands show (default: the
    paths given; ``weighted.csv`` for an in-memory table).  Bad input raises
    :class:`analysis.SurveyError` (from the estimator) or :class:`SurveyInputError`, both
    ``ValueError`` with one line.
    """
    settings = settings or EstimateSettings()
    specs = estimate_specs(weighted, margins, settings)
    _, skipped = _present(weighted)
    if data_name is None:
        data_name = (
            os.fspath(weighted) if isinstance(weighted, str | os.PathLike) else DEFAULT_DATA_NAME
        )
    mpath = _margins_path(margins)
    shown_margins = margins_name if margins_name is not None and mpath is not None else mpath
    reports = {key: analysis.estimate(spec) for key, spec in specs.items()}
    commands = {key: command_line(spec, data_name, shown_margins) for key, spec in specs.items()}
    return EstimateResult(settings, reports, commands, skipped)


# --- the result ------------------------------------------------------------------------------


def _row_flag(n: int, estimate: float | None, se: float | None, s: EstimateSettings) -> str | None:
    if n < s.min_n:
        return SMALL_N
    if estimate is None or se is None:
        return HIGH_CV
    if estimate == 0:
        return HIGH_CV if se > 0 else None
    return HIGH_CV if se / abs(estimate) > s.max_cv else None


_BLANK = ("estimate", "se", "ci_low", "ci_high", "deff")


@dataclass(frozen=True)
class EstimateResult:
    """The reports of a run (``"meets"`` and each score), their commands and settings.

    ``skipped_breakdowns`` lists the columns of :data:`BREAKDOWNS` the data did not have.
    """

    settings: EstimateSettings
    reports: dict[str, analysis.Report]
    commands: dict[str, str]
    skipped_breakdowns: tuple[str, ...] = field(default=())

    @property
    def headline(self) -> analysis.Report:
        """The share meeting the standard (``reports["meets"]``)."""
        return self.reports[HEADLINE]

    def headline_flag(self, key: str = HEADLINE) -> str | None:
        """The small-cell flag of report ``key``'s overall figure (``None`` when fine)."""
        r = self.reports[key]
        return _row_flag(r.n, r.estimate, r.se, self.settings)

    def flags(self, key: str = HEADLINE) -> dict[tuple[str, str], str | None]:
        """``(breakdown, level) -> None | "small_n" | "high_cv"`` for every domain row of
        report ``key`` (see the module docstring for the rule)."""
        out: dict[tuple[str, str], str | None] = {}
        for b in self.reports[key].by:
            for row in b.rows:
                out[(b.key, row.level)] = _row_flag(row.n, row.estimate, row.se, self.settings)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Everything, as JSON-ready data (reports as :meth:`analysis.Report.to_dict`)."""
        return {
            "settings": self.settings.to_dict(),
            "reports": {k: r.to_dict() for k, r in self.reports.items()},
            "commands": dict(self.commands),
            "skipped_breakdowns": list(self.skipped_breakdowns),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False, indent=2)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EstimateResult:
        """The inverse of :meth:`to_dict`: the same figures, exactly."""
        try:
            return cls(
                settings=EstimateSettings.from_dict(data["settings"]),
                reports={k: analysis.Report.from_dict(r) for k, r in data["reports"].items()},
                commands=dict(data["commands"]),
                skipped_breakdowns=tuple(data.get("skipped_breakdowns", ())),
            )
        except (KeyError, TypeError) as exc:
            raise SurveyInputError(f"not a stored estimate result ({exc!r})") from None

    @classmethod
    def from_json(cls, text: str) -> EstimateResult:
        return cls.from_dict(json.loads(text))

    def public(self) -> dict[str, Any]:
        """:meth:`to_dict` for publication: every flagged figure blanked.

        Each domain row and each report gets ``suppressed`` (``None`` or the flag); a flagged
        row or overall figure has ``estimate``, ``se``, ``ci_low``, ``ci_high`` and ``deff``
        set to ``None`` (a flagged overall figure also loses its goal test).  The commands
        (server file paths) are left out.
        """
        out = self.to_dict()
        del out["commands"]
        for key, rep in out["reports"].items():
            flag = self.headline_flag(key)
            rep["suppressed"] = flag
            if flag:
                for k in (*_BLANK, "statistic", "p_value", "verdict"):
                    rep[k] = None
            flags = self.flags(key)
            for bkey, rows in rep["by"].items():
                for row in rows:
                    reason = flags[(bkey, row["level"])]
                    row["suppressed"] = reason
                    if reason:
                        for k in _BLANK:
                            row[k] = None
        return out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def verdict_text(report: analysis.Report) -> str:
    """A plain English sentence for a report's figure and goal test (the web page words it
    by the verdict code, ``report.verdict``, in Chinese and English)."""
    m = report.method
    share = m.statistic == str(Statistic.PROPORTION)
    what = "The share meeting the standard" if share else f"The mean of {m.variable}"
    if report.estimate is None:
        return f"{what} cannot be estimated from these data."
    show = _pct if share else (lambda x: f"{x:.1f}")
    level = f"{100 * m.level:g}%"
    ci = (
        f" ({level} CI {show(report.ci_low)} to {show(report.ci_high)})"
        if report.ci_low is not None and report.ci_high is not None
        else ""
    )
    head = f"{what} is {show(report.estimate)}{ci}"
    if report.goal is None or report.verdict is None:
        return head + "."
    goal = show(report.goal)
    alpha = f"{100 * (1 - m.level):g}%"
    # p_value is the test of "above the goal"; a "below" verdict is the mirror test's 1 - p
    p = (
        report.p_value
        if report.verdict != "below" or report.p_value is None
        else (1 - report.p_value)
    )
    shown = "" if p is None else "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    if report.verdict in ("above", "below"):
        how = f"one-sided test at the {alpha} level" + (f", {shown}" if shown else "")
        tail = f"significantly {report.verdict} the goal of {goal} ({how})"
    else:
        tail = f"not distinguishable from the goal of {goal} at the {alpha} level" + (
            f" (one-sided {shown})" if shown else ""
        )
    return f"{head}: {tail}."


# --- between waves ---------------------------------------------------------------------------


def _headline_estimate(result: EstimateResult) -> analysis.Estimate:
    r = result.headline
    return analysis.Estimate(
        statistic="proportion", estimate=r.estimate, se=r.se, df=r.df, n=r.n,
        population=r.population, ci_low=r.ci_low, ci_high=r.ci_high, level=r.method.level,
        ci_method=r.method.ci, deff=r.deff,
    )  # fmt: skip


@dataclass(frozen=True)
class WaveComparison:
    """The difference ``share_a - share_b`` of two waves' headline shares (independent
    samples): ``difference`` is :func:`analysis.independent_difference`'s estimate, with
    SE = sqrt(se_a² + se_b²), df = df_a + df_b and a Wald t interval."""

    label_a: str
    label_b: str
    share_a: float
    share_b: float
    difference: analysis.Estimate

    @property
    def estimate(self) -> float | None:
        return self.difference.estimate

    @property
    def se(self) -> float | None:
        return self.difference.se

    @property
    def ci_low(self) -> float | None:
        return self.difference.ci_low

    @property
    def ci_high(self) -> float | None:
        return self.difference.ci_high

    @property
    def df(self) -> int:
        return self.difference.df

    @property
    def level(self) -> float:
        return self.difference.level

    def to_dict(self) -> dict[str, Any]:
        return {
            "label_a": self.label_a, "label_b": self.label_b, "share_a": self.share_a,
            "share_b": self.share_b, "estimate": self.estimate, "se": self.se,
            "ci_low": self.ci_low, "ci_high": self.ci_high, "df": self.df, "level": self.level,
        }  # fmt: skip


def compare(
    a: EstimateResult,
    b: EstimateResult,
    level: float = 0.95,
    *,
    label_a: str = "a",
    label_b: str = "b",
) -> WaveComparison:
    """The headline share of ``a`` minus that of ``b`` with its SE and interval
    (:func:`analysis.independent_difference`)."""
    ea, eb = _headline_estimate(a), _headline_estimate(b)
    try:
        diff = analysis.independent_difference(ea, eb, level=level)
    except analysis.SurveyError as exc:
        raise SurveyInputError(str(exc)) from None
    return WaveComparison(label_a, label_b, ea.estimate, eb.estimate, diff)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TrendRow:
    """One wave of a trend table: its headline share and, from the second row on, the
    difference to the previous row with its SE and interval (``None`` on the first row)."""

    label: str
    share: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    df: int
    n: int
    diff: float | None = None
    diff_se: float | None = None
    diff_ci_low: float | None = None
    diff_ci_high: float | None = None
    diff_df: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def trend(results: Sequence[tuple[str, EstimateResult]], level: float = 0.95) -> list[TrendRow]:
    """A row per labelled result, in the order given, each with its difference to the
    previous one (:func:`compare`)."""
    rows: list[TrendRow] = []
    previous: EstimateResult | None = None
    for label, result in results:
        h = result.headline
        extra: dict[str, Any] = {}
        if previous is not None:
            c = compare(result, previous, level)
            extra = {"diff": c.estimate, "diff_se": c.se, "diff_ci_low": c.ci_low,
                     "diff_ci_high": c.ci_high, "diff_df": c.df}  # fmt: skip
        rows.append(TrendRow(label, h.estimate, h.se, h.ci_low, h.ci_high, h.df, h.n, **extra))
        previous = result
    return rows
