"""One entry point for an estimate: :class:`EstimateSpec` in, :class:`Report` out.

The command line (``python -m analysis estimate``), the web page and the R-reference tests
all call :func:`estimate`.  A spec names the columns of the survey and the choices; its
``data`` is a CSV file path or a table already in memory (a mapping of column name to a
1-D array or list, or a ``pyarrow.Table``), and its ``margins`` a margins file path or a
mapping ``{variable: {level: population total}}``.  The report is plain frozen
dataclasses; :meth:`Report.to_dict` is the command line's JSON object and
:meth:`Report.from_dict` / :meth:`Report.from_json` read it back, so a stored run is the
report's JSON.

What :func:`estimate` does, in order: read the margins (refusing placeholder rows unless
allowed) before the data, read the named columns, build the design (``svydesign``), attach
user-supplied replicate weights, calibrate (raking or post-stratification; replicates are
recalibrated), build jk1/jkn/bootstrap replicates, refuse breakdowns with more than
``max_levels`` domains, then estimate overall and by each breakdown (each breakdown in one
pass), test the goal and summarise the weights.  Every refusal is a one-line
:class:`~analysis.errors.SurveyError`; a figure that overflows is refused too
(:class:`~analysis.errors.NonFiniteError`), never reported.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.errors import SurveyError, TooManyLevelsError
from analysis.options import (
    BUILT_REPLICATES,
    Calibration,
    CIMethod,
    LonelyPSU,
    ReplicateType,
    Statistic,
    parse,
)
from analysis.weights import WeightSummary

NOTE = (
    "Modelled on the national civic science-literacy indicator (share of residents aged "
    "18-69 meeting the standard); our instrument is our own, so this is not the official rate."
)
DEFAULT_SEED = 20250101
DF_RULE = "PSUs - strata"
DEFF_RULE = "svymean(deff = TRUE): SRS without replacement"
CALIBRATION_TEXT = {
    Calibration.RAKING: "raking (calibrate linearisation)",
    Calibration.RAKING_IPF: "raking (rake() approximation)",
    Calibration.POSTSTRATIFY: "post-stratification",
}


@dataclass(frozen=True)
class UserReplicates:
    """Replicate weights that come with the data (R's ``svrepdesign``): the columns holding
    the full replicate weights, ``scale``, optional ``rscales`` and ``mse``."""

    columns: tuple[str, ...]
    scale: float
    rscales: tuple[float, ...] | None = None
    mse: bool = False


def _by_specs(by: Any) -> tuple[tuple[str, ...], ...]:
    """``["sex", "sex:urban", ("a", "b")]`` -> ``(("sex",), ("sex", "urban"), ("a", "b"))``."""
    out = []
    for spec in by:
        parts = tuple(spec.split(":")) if isinstance(spec, str) else tuple(spec)
        if not parts or any(not p for p in parts):
            raise SurveyError(f"a breakdown must name one or more columns (got {spec!r})")
        out.append(parts)
    return tuple(out)


@dataclass(frozen=True)
class EstimateSpec:
    """What to estimate, from which data, and how.

    ``outcome`` is the 0/1 indicator (``statistic="proportion"``, the default), or the
    numeric column of a mean, total or quantile (``quantile`` gives p).  ``by`` lists
    breakdowns, each a column or columns crossed (``"sex:urban"`` or ``("sex", "urban")``).
    ``goal``: ``None`` tests a share against 17.8% and a mean or total against nothing.
    ``max_levels`` refuses a breakdown with more domains (the web page sets 200).
    Enum fields accept their text (``ci="beta"``).
    """

    data: Any
    outcome: str
    weight: str
    statistic: Statistic = Statistic.PROPORTION
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    by: tuple[tuple[str, ...], ...] = ()
    margins: Any = None
    allow_placeholder_margins: bool = False
    calibration: Calibration = Calibration.RAKING
    ci: CIMethod = CIMethod.LOGIT
    level: float = 0.95
    goal: float | None = None
    lonely_psu: LonelyPSU = LonelyPSU.FAIL
    replicates: ReplicateType | None = None
    n_replicates: int = 100
    seed: int = DEFAULT_SEED
    user_replicates: UserReplicates | None = None
    quantile: float = 0.5
    max_levels: int | None = None

    def __post_init__(self) -> None:
        fix = {
            "statistic": parse(Statistic, self.statistic, "the statistic"),
            "calibration": parse(Calibration, self.calibration, "the calibration"),
            "ci": parse(CIMethod, self.ci, "the interval method"),
            "lonely_psu": parse(LonelyPSU, self.lonely_psu, "the lonely-PSU rule"),
            "by": _by_specs(self.by),
        }
        if self.replicates is not None:
            kind = parse(ReplicateType, self.replicates, "the replicate type")
            if kind not in BUILT_REPLICATES:
                raise SurveyError(
                    "replicates built from the design are jk1, jkn or bootstrap; give "
                    "user_replicates for replicate weights that come with the data"
                )
            fix["replicates"] = kind
        for key, value in fix.items():
            object.__setattr__(self, key, value)


@dataclass(frozen=True)
class DomainRow:
    """One domain of a breakdown: its level text per variable and its figures."""

    levels: tuple[str, ...]
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    df: int
    n: int
    deff: float | None = None

    @property
    def level(self) -> str:
        """The levels joined by ``:`` (``F:urban``), as the command line prints them."""
        return ":".join(self.levels)


_ROW_FIGURES = ("estimate", "se", "ci_low", "ci_high", "df", "n", "deff")


@dataclass(frozen=True)
class Breakdown:
    """The domains of one breakdown (``variables`` crossed), in level order, held as
    columns (a breakdown may have 100,000 domains); :attr:`rows` gives them one by one."""

    variables: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    estimate: tuple[float | None, ...]
    se: tuple[float | None, ...]
    ci_low: tuple[float | None, ...]
    ci_high: tuple[float | None, ...]
    df: tuple[int, ...]
    n: tuple[int, ...]
    deff: tuple[float | None, ...]

    @property
    def key(self) -> str:
        return ":".join(self.variables)

    @property
    def rows(self) -> tuple[DomainRow, ...]:
        columns = (getattr(self, k) for k in _ROW_FIGURES)
        return tuple(DomainRow(lv, *figures) for lv, *figures in zip(self.levels, *columns,
                                                                       strict=True))

    def __len__(self) -> int:
        return len(self.levels)

    def to_list(self) -> list[dict[str, Any]]:
        """The breakdown's rows as the JSON report holds them."""
        columns = (getattr(self, k) for k in _ROW_FIGURES)
        return [
            {"level": ":".join(lv), "estimate": e, "se": s, "ci_low": lo, "ci_high": hi,
             "df": d, "n": k, "deff": dx, "levels": list(lv)}
            for lv, e, s, lo, hi, d, k, dx in zip(self.levels, *columns, strict=True)
        ]  # fmt: skip

    @classmethod
    def from_list(cls, key: str, rows: Sequence[Mapping[str, Any]]) -> Breakdown:
        """The inverse of :meth:`to_list` (``key`` names the variables, ``a:b``)."""
        return cls(
            tuple(key.split(":")),
            tuple(tuple(r["levels"]) for r in rows),
            *(tuple(r.get(k) for r in rows) for k in _ROW_FIGURES[:4]),
            tuple(r["df"] for r in rows),
            tuple(r["n"] for r in rows),
            tuple(r.get("deff") for r in rows),
        )


@dataclass(frozen=True)
class PlaceholderMargin:
    """A margins row marked as a placeholder (a stand-in, not a population total)."""

    variable: str
    level: str
    source: str


@dataclass(frozen=True)
class Method:
    """How the report was made (the JSON object's ``method``)."""

    statistic: str
    variable: str
    weight: str
    strata: str | None
    psu: str | None
    fpc: str | None
    variance: str
    replicates: int | None
    calibration: str | None
    placeholder_margins: tuple[PlaceholderMargin, ...]
    ci: str
    level: float
    lonely_psu: str
    rows: int
    seed: int | None = None
    quantile: float | None = None
    df_rule: str = DF_RULE
    deff: str = DEFF_RULE
    note: str = NOTE


_METHOD_ORDER = (
    "statistic", "variable", "weight", "strata", "psu", "fpc", "variance", "replicates",
    "calibration", "placeholder_margins", "ci", "level", "lonely_psu", "df_rule", "deff",
    "rows", "note", "seed", "quantile",
)  # fmt: skip
_OPTIONAL_METHOD = ("seed", "quantile")  # in the JSON only when set


@dataclass(frozen=True)
class Report:
    """An estimate with its interval, the goal test, the breakdowns and the weights.

    ``statistic`` and ``p_value`` are the goal test's t and one-sided p (``None`` without a
    goal); a figure that does not exist is ``None``.
    """

    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    deff: float | None
    df: int
    n: int
    population: float
    goal: float | None
    statistic: float | None
    p_value: float | None
    verdict: str | None
    by: tuple[Breakdown, ...]
    weights: WeightSummary
    method: Method

    def breakdown(self, key: str) -> Breakdown:
        """The breakdown ``key`` (``"sex"`` or ``"sex:urban"``)."""
        for b in self.by:
            if b.key == key:
                return b
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """The command line's JSON object (``--format json``)."""
        method = {k: getattr(self.method, k) for k in _METHOD_ORDER}
        for k in _OPTIONAL_METHOD:
            if method[k] is None:
                del method[k]
        method["placeholder_margins"] = [
            dataclasses.asdict(p) for p in self.method.placeholder_margins
        ]
        return {
            "estimate": self.estimate,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "deff": self.deff,
            "df": self.df,
            "n": self.n,
            "population": self.population,
            "goal": self.goal,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "verdict": self.verdict,
            "by": {b.key: b.to_list() for b in self.by},
            "weights": self.weights.to_dict(),
            "method": method,
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text (what ``--format json`` prints)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False, indent=2)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        """The report a :meth:`to_dict` object (e.g. a stored run's JSON) describes."""
        m = dict(data["method"])
        m["placeholder_margins"] = tuple(PlaceholderMargin(**p) for p in m["placeholder_margins"])
        by = tuple(Breakdown.from_list(key, rows) for key, rows in data["by"].items())
        fields = {k: data[k] for k in _REPORT_FIGURES}
        return cls(
            **fields, by=by, weights=WeightSummary(**data["weights"]), method=Method(**m)
        )

    @classmethod
    def from_json(cls, text: str) -> Report:
        return cls.from_dict(json.loads(text))


_REPORT_FIGURES = (
    "estimate", "se", "ci_low", "ci_high", "deff", "df", "n", "population", "goal",
    "statistic", "p_value", "verdict",
)  # fmt: skip


# --- reading the data ----------------------------------------------------------------------


def _is_path(data: Any) -> bool:
    return isinstance(data, str | os.PathLike)


def _numeric(values: Any, name: str) -> np.ndarray:
    """A column of numbers (missing: None, NaN, '' or 'NA') as float64, or a one-line error
    naming the first row that is not a number."""
    from analysis.io import NULLS

    arr = np.asarray(values)
    if arr.ndim != 1:
        raise SurveyError(f"column '{name}' must be one-dimensional")
    if arr.dtype.kind in "iufb":
        return arr.astype(np.float64)
    out = np.empty(arr.size)
    for i, v in enumerate(arr.tolist()):
        if v is None or (isinstance(v, str) and v.strip() in NULLS):
            out[i] = np.nan
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            raise SurveyError(f"column '{name}' is not numeric in row {i + 1} ('{v}')") from None
    return out


def _from_memory(
    data: Any, numeric: list[str], categorical: list[str]
) -> tuple[dict[str, Any], int]:
    """The named columns of an in-memory table (mapping or ``pyarrow.Table``)."""
    from analysis.design import Factor

    arrow = hasattr(data, "column_names") and hasattr(data, "column")
    names = list(data.column_names) if arrow else list(data)
    for col in numeric + categorical:
        if col not in names:
            raise SurveyError(f"column '{col}' is not in the table")
    if arrow and categorical:
        data = data.unify_dictionaries()
    out: dict[str, Any] = {}
    lengths = set()
    for col in numeric:
        raw = data.column(col).to_numpy(zero_copy_only=False) if arrow else data[col]
        if arrow and raw.dtype == object:
            raw = np.array([np.nan if v is None else v for v in raw.tolist()], dtype=object)
        out[col] = _numeric(raw, col)
        lengths.add(out[col].size)
    for col in categorical:
        if col in out:
            continue
        if arrow:
            column = data.column(col)
            import pyarrow as pa

            if pa.types.is_dictionary(column.type):
                from analysis.io import _factor_from_arrow

                out[col] = _factor_from_arrow(column)
            else:
                out[col] = Factor.from_values(np.array(column.to_pylist(), dtype=object))
        else:
            out[col] = Factor.from_values(data[col])
        lengths.add(len(out[col]))
    if len(lengths) > 1:
        raise SurveyError("the table's columns have different lengths")
    return out, lengths.pop() if lengths else 0


def _load(data: Any, numeric: list[str], categorical: list[str]) -> tuple[dict[str, Any], int]:
    numeric = list(dict.fromkeys(numeric))
    categorical = [c for c in dict.fromkeys(categorical) if c not in numeric]
    if _is_path(data):
        from analysis.io import read_columns

        cols, nrows = read_columns(os.fspath(data), numeric=numeric, categorical=categorical)
        if nrows == 0:
            raise SurveyError(f"'{os.fspath(data)}' has no data rows")
        return cols, nrows
    cols, nrows = _from_memory(data, numeric, categorical)
    if nrows == 0:
        raise SurveyError("the table has no rows")
    return cols, nrows


def load_margins(
    margins: Any, allow_placeholders: bool = False
) -> tuple[dict[str, dict[str, float]] | None, list[PlaceholderMargin]]:
    """Margins from a file path or a mapping -> (``{variable: {level: total}}``, the
    placeholder rows used); a file with placeholder rows is refused unless allowed."""
    if margins is None:
        return None, []
    if _is_path(margins):
        from analysis.io import read_margins_file, refuse_placeholders

        read = read_margins_file(os.fspath(margins))
        if not allow_placeholders:
            refuse_placeholders(read, flag="--allow-placeholder-margins")
        used = [PlaceholderMargin(r.variable, r.level, r.source) for r in read.placeholders]
        return read.totals, used
    totals = {
        str(v): {str(k): float(t) for k, t in levels.items()} for v, levels in margins.items()
    }
    return totals, []


# --- the estimate --------------------------------------------------------------------------


def _check(spec: EstimateSpec) -> float | None:
    """Validate the figures of the spec; returns the goal to test (or ``None``)."""
    from analysis.goal import DEFAULT_GOAL

    if not 0 < spec.level < 1:
        raise SurveyError(f"the confidence level must be between 0 and 1 (got {spec.level:g})")
    goal = spec.goal
    if goal is None and spec.statistic is Statistic.PROPORTION:
        goal = DEFAULT_GOAL
    if goal is not None and not math.isfinite(goal):
        raise SurveyError("the goal must be a number")
    if spec.statistic is Statistic.PROPORTION and goal is not None and not 0 <= goal <= 1:
        raise SurveyError(f"the goal for a share must be between 0 and 1 (got {goal:g})")
    if spec.n_replicates < 2:
        raise SurveyError("the number of bootstrap replicates must be at least 2")
    if spec.statistic is Statistic.QUANTILE and not 0 < spec.quantile < 1:
        raise SurveyError("the quantile must be strictly between 0 and 1")
    if spec.max_levels is not None and spec.max_levels < 1:
        raise SurveyError("max_levels must be at least 1")
    return goal


def estimate(spec: EstimateSpec) -> Report:
    """Compute the report ``spec`` asks for (see the module docstring for the steps).

    Raises :class:`~analysis.errors.SurveyError` (one line naming the column, row or level)
    for bad input and for figures that would overflow.
    """
    from analysis.calibration import poststratify, rake
    from analysis.design import svydesign
    from analysis.domains import domain_codes
    from analysis.estimators import (
        EstimateColumns,
        check_indicator,
        group_estimates,
        quantile_groups,
    )
    from analysis.goal import goal_test
    from analysis.replicates import make_replicates, with_replicate_weights
    from analysis.weights import weight_summary

    goal = _check(spec)
    margins, placeholders = load_margins(spec.margins, spec.allow_placeholder_margins)
    user = spec.user_replicates
    numeric = [spec.weight, spec.outcome] + ([spec.fpc] if spec.fpc else [])
    numeric += list(user.columns) if user else []
    categorical = [c for c in (spec.strata, spec.psu) if c]
    categorical += [v for parts in spec.by for v in parts] + list(margins or ())
    cols, nrows = _load(spec.data, numeric, categorical)

    design = svydesign(
        cols[spec.weight],
        strata=cols[spec.strata] if spec.strata else None,
        psu=cols[spec.psu] if spec.psu else None,
        fpc=cols[spec.fpc] if spec.fpc else None,
        lonely_psu=spec.lonely_psu,
        names={"weights": spec.weight, "strata": spec.strata or "", "psu": spec.psu or "",
               "fpc": spec.fpc or ""},
    )
    y = cols[spec.outcome]
    statistic = spec.statistic
    if statistic is Statistic.PROPORTION:
        check_indicator(y, spec.outcome)
    if user:
        w = np.stack([cols[c] for c in user.columns], axis=1)
        design = with_replicate_weights(
            design, w, scale=user.scale, rscales=user.rscales, mse=user.mse
        )
    if margins:
        factors = {v: cols[v] for v in margins}
        if spec.calibration is Calibration.POSTSTRATIFY:
            if len(margins) != 1:
                raise SurveyError("post-stratification takes one margin variable")
            (var,) = margins
            design = poststratify(design, cols[var], margins[var], name=var)
        else:
            variance = "ipf" if spec.calibration is Calibration.RAKING_IPF else "calibrate"
            design = rake(design, factors, margins, variance=variance)
    if spec.replicates:
        design = make_replicates(
            design, spec.replicates, replicates=spec.n_replicates,
            rng=np.random.default_rng(spec.seed),
        )

    domains = []
    for parts in spec.by:
        codes, labels = domain_codes([cols[v] for v in parts], design)
        if spec.max_levels is not None and len(labels) > spec.max_levels:
            key = ":".join(parts)
            raise TooManyLevelsError(
                f"the breakdown by '{key}' has {len(labels)} levels; at most "
                f"{spec.max_levels} are allowed",
                variable=key,
                levels=len(labels),
                limit=spec.max_levels,
            )
        domains.append((parts, codes, labels))

    def run(groups: np.ndarray, count: int) -> EstimateColumns:
        if statistic is Statistic.QUANTILE:
            return EstimateColumns.from_rows(quantile_groups(
                design, y, groups, count, spec.quantile, level=spec.level, name=spec.outcome
            ))  # fmt: skip
        return group_estimates(
            design, y, groups, count, statistic=statistic, ci=spec.ci, level=spec.level,
            name=spec.outcome,
        )

    (overall,) = run(np.zeros(design.n, np.int64), 1).rows()
    if overall.n == 0:
        raise SurveyError(f"column '{spec.outcome}' has no value with a positive weight")
    test = goal_test(overall, goal, spec.level) if goal is not None else None
    by = []
    for parts, codes, labels in domains:
        cols_ = run(codes, len(labels))
        by.append(Breakdown(parts, tuple(labels), cols_.estimate, cols_.se, cols_.ci_low,
                            cols_.ci_high, cols_.df, cols_.n, cols_.deff))
    ws = weight_summary(design.weights)
    rep = design.replicates
    method = Method(
        statistic=str(statistic),
        variable=spec.outcome,
        weight=spec.weight,
        strata=spec.strata,
        psu=spec.psu,
        fpc=spec.fpc,
        variance=overall.variance_method,
        replicates=rep.count if rep is not None else None,
        calibration=CALIBRATION_TEXT[spec.calibration] if margins else None,
        placeholder_margins=tuple(placeholders),
        ci=overall.ci_method,
        level=spec.level,
        lonely_psu=str(spec.lonely_psu),
        rows=nrows,
        seed=spec.seed if spec.replicates is ReplicateType.BOOTSTRAP else None,
        quantile=spec.quantile if statistic is Statistic.QUANTILE else None,
    )
    return Report(
        estimate=overall.estimate,
        se=overall.se,
        ci_low=overall.ci_low,
        ci_high=overall.ci_high,
        deff=overall.deff,
        df=overall.df,
        n=overall.n,
        population=float(design.population),
        goal=goal,
        statistic=test.statistic if test else None,
        p_value=test.p_value if test else None,
        verdict=test.verdict if test else None,
        by=tuple(by),
        weights=ws,
        method=method,
    )


__all__ = [
    "Breakdown",
    "DomainRow",
    "EstimateSpec",
    "Method",
    "PlaceholderMargin",
    "Report",
    "UserReplicates",
    "estimate",
    "load_margins",
]
