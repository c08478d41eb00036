"""Survey weights of a wave: base weights, non-response adjustment within weighting classes,
raking to population margins, trimming with re-raking (every figure from :mod:`analysis`).

Input: the **cases file**, one row per sampled household (``CASE_COLUMNS``; read all-or-nothing
by :func:`read_cases` or :meth:`CaseTable.from_columns`).  Output: a :class:`WeightingResult`
(the diagnostics of every step and the weights of the respondents) and ``weighted.csv``
(:func:`weighted_csv`: the respondents' rows with ``nr_weight``, ``raked_weight``,
``final_weight``), which ``python -m analysis estimate --weight final_weight`` reads.

The steps (hw = household_weight = 1/(pi1 pi2); classes = ``class_variables`` joined by ':'):

1. **base**: a respondent's base_weight = hw x eligible_adults (one adult chosen per household).
2. **nonresponse**, within each (collapsed) weighting class c, in two factors (the AAPOR
   dispositions: eligible, ineligible, unknown eligibility):

   * unknown eligibility: f_u(c) = sum(hw: all cases of c) / sum(hw: eligible + ineligible
     cases of c) - the unknown cases' weight goes to the resolved cases, as the share of
     eligibles among the unknowns is assumed that of the resolved ones;
   * non-response among eligibles: f_r(c) = sum(f_u hw: eligible) / sum(f_u hw: respondents);
   * nr_weight = base_weight x f_u(c) x f_r(c).

   Both are :func:`analysis.nonresponse_adjust` (the class total carried by the responding
   part); f_r does not depend on f_u within a class, but the two-step form is what is shown.
   **Collapsing**: a class with fewer than ``min_class_respondents`` respondents is merged:
   first the urban/rural classes of its stratum together (the stratum becomes one class);
   a stratum still too small is merged with the next stratum in the sort order of the codes
   (text), the last stratum with the previous, until every class is large enough (or one is
   left).  Every original class is listed with what it went into.
3. **raked**: :func:`analysis.rake` of nr_weight to the margins (every variable of the margins
   version, or ``rake_variables``), on the respondents' columns of the same names.
4. **trimmed**: :func:`analysis.trim_weights` to [trim_lower, trim_upper] x the mean raked
   weight, re-raking after each clip so the margins still hold; without margins the
   untrimmed weights are rescaled so the nr total is kept.  ``final_weight``.

Weights are computed with the cases in ascending case_id order, so the result does not depend
on the order of the rows.  Placeholder margins are refused unless
``allow_placeholder_margins``; the result and ``weighted.csv`` then carry the list.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from analysis.calibration import rake
from analysis.design import WEIGHT_MAX, Design, Factor, svydesign
from analysis.errors import ConvergenceError, SurveyError, WeightRangeError
from analysis.io import PlaceholderMarginsError, refuse_placeholders
from analysis.weights import nonresponse_adjust, trim_weights, weight_summary
from surveys.demographics import AgeBand, Education, Sex, TargetGroup, UrbanRural
from surveys.errors import CaseIssue, CasesError, SurveyInputError
from surveys.margins import MarginsVersion
from surveys.scoring import Level

__all__ = [
    "CASE_COLUMNS",
    "PLACEHOLDER_COLUMN",
    "WEIGHTED_COLUMNS",
    "CaseTable",
    "ClassRow",
    "MarginCheck",
    "PlaceholderMarginsRefused",
    "TrimmingNotConverged",
    "WeightDistribution",
    "WeightingResult",
    "WeightingSettings",
    "cases_csv",
    "read_cases",
    "weight_cases",
    "weighted_csv",
]

CASE_COLUMNS: tuple[str, ...] = (
    "case_id", "stratum", "psu", "psu_urban_rural", "pi1", "pi2", "household_weight",
    "eligibility", "respondent", "eligible_adults", "base_weight",
    "sex", "age_band", "education", "urban_rural", "group", "sex_age_band", "township",
    "form", "total", "score_K", "score_M", "score_S", "score_A", "level", "meets",
)
WEIGHT_COLUMNS: tuple[str, ...] = ("nr_weight", "raked_weight", "final_weight")
#: ``weighted.csv``: the respondents' case columns and their weights (then
#: ``placeholder_margins`` when the margins held placeholders).
WEIGHTED_COLUMNS: tuple[str, ...] = CASE_COLUMNS + WEIGHT_COLUMNS
PLACEHOLDER_COLUMN = "placeholder_margins"
ELIGIBILITY = ("eligible", "ineligible", "unknown")
CLASS_VARIABLES = ("stratum", "psu_urban_rural")
STEPS = ("base", "nonresponse", "raked", "trimmed")

MAX_CASES = 500_000
MAX_BYTES = 200 * 1024 * 1024
MAX_ADULTS = 30  # adults 18-69 in one household; more is a typing error
MAX_TEXT = 100
MAX_CASE_ID = 2**63 - 1
MAX_ISSUES = 200
# household_weight must be 1/(pi1 pi2) and base_weight hw x adults to this relative precision
CONSISTENCY_TOL = 1e-6

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_SCORES = ("total", "score_K", "score_M", "score_S", "score_A")
_CODES: dict[str, tuple[str, ...]] = {
    "sex": tuple(s.value for s in Sex),
    "age_band": tuple(a.value for a in AgeBand),
    "education": tuple(e.value for e in Education),
    "urban_rural": tuple(u.value for u in UrbanRural),
    "group": tuple(g.value for g in TargetGroup),
    "form": ("A", "B"),
    "level": tuple(lv.value for lv in Level),
}


class PlaceholderMarginsRefused(PlaceholderMarginsError, SurveyInputError):
    """The margins version has placeholder rows and they were not allowed (both an
    :class:`analysis.io.PlaceholderMarginsError` and a :class:`SurveyInputError`)."""


class TrimmingNotConverged(SurveyInputError):
    """Trimming to the bounds with re-raking to the margins did not converge: re-raking keeps
    pushing weights back out of the bounds (few respondents in some margin cells).  Carries
    the figures a page needs to say what to change: the bounds (multiples of the mean raked
    weight), the respondents, and the raked weights' range as multiples of their mean (bounds
    that take this range in never need trimming)."""

    def __init__(self, settings: WeightingSettings, respondents: int, raked_min: float,
                 raked_max: float) -> None:
        self.lower, self.upper = settings.trim_lower, settings.trim_upper
        self.respondents, self.raked_min, self.raked_max = respondents, raked_min, raked_max
        shown = (f"{'-' if self.lower is None else f'{self.lower:g}'} to "
                 f"{'-' if self.upper is None else f'{self.upper:g}'}")
        super().__init__(
            f"trimming to {shown} x the mean weight and raking to the margins cannot both be "
            f"met with {respondents} respondents (the raked weights run from "
            f"{raked_min:.2f} to {raked_max:.2f} x the mean): widen the bounds, rake to fewer "
            "margins, or do not trim")


# --- the cases table -------------------------------------------------------------------------


class _Bad(Exception):
    """One bad cell (internal: becomes a :class:`CaseIssue`)."""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        text = str(int(value))
    elif isinstance(value, float) and math.isnan(value):
        return ""
    else:
        raise _Bad(f"must be text, not {type(value).__name__}")
    if "\x00" in text:
        raise _Bad("contains a NUL byte")
    if len(text) > MAX_TEXT:
        raise _Bad(f"is longer than {MAX_TEXT} characters")
    return text


def _number(value: object) -> float | None:
    """A finite float, or ``None`` for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Bad(f"must be a number, not {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        x = float(value)
        if math.isnan(x):
            return None
    else:
        text = _text(value)
        if text == "":
            return None
        if not _NUMBER.fullmatch(text):
            raise _Bad(f"'{text}' is not a number")
        x = float(text)
    if not math.isfinite(x):
        raise _Bad(f"{value} is not a finite number")
    return x


def _integer(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Bad(f"must be a whole number, not {value!r}")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        if not float(value).is_integer():
            raise _Bad(f"{value!r} is not a whole number")
        return int(value)
    text = _text(value)
    if text == "":
        return None
    if not _INTEGER.fullmatch(text):
        raise _Bad(f"'{text}' is not a whole number")
    if len(text) > 20:
        raise _Bad(f"'{text[:20]}...' is too large")
    return int(text)


def _required(x: Any) -> Any:
    if x is None or x == "":
        raise _Bad("is empty")
    return x


def _in_range(x: float | None, lo: float, hi: float, what: str, lo_open: bool = False) -> None:
    if x is None:
        return
    if x < lo or (lo_open and x == lo) or x > hi:
        left = "(" if lo_open else "["
        raise _Bad(f"{x:g} is outside {left}{lo:g}, {hi:g}] ({what})")


def _code(value: object, allowed: Sequence[str], required: bool = False) -> str:
    text = _text(value)
    if text == "" and not required:
        return ""
    if text not in allowed:
        shown = text if text else "(empty)"
        raise _Bad(f"'{shown}' is not one of {', '.join(allowed)}")
    return text


def _flag(value: object, required: bool) -> int | None:
    x = _number(value)
    if x is None:
        if required:
            raise _Bad("is empty (must be 0 or 1)")
        return None
    if x not in (0.0, 1.0):
        raise _Bad(f"{x:g} must be 0 or 1")
    return int(x)


def _case_id(v: object) -> int:
    x = _required(_integer(v))
    if not 1 <= x <= MAX_CASE_ID:
        raise _Bad(f"{x} must be a positive whole number below 2^63")
    return int(x)


def _prob(v: object) -> float:
    x = _required(_number(v))
    _in_range(x, 0.0, 1.0, "an inclusion probability", lo_open=True)
    return float(x)


def _hw(v: object) -> float:
    x = _required(_number(v))
    _in_range(x, 1.0, WEIGHT_MAX, "a household weight 1/(pi1 pi2)")
    return float(x)


def _adults(v: object) -> int | None:
    x = _integer(v)
    if x is not None and not 0 <= x <= MAX_ADULTS:
        raise _Bad(f"{x} is outside [0, {MAX_ADULTS}] (adults 18-69 in the household)")
    return x


def _bw(v: object) -> float | None:
    x = _number(v)
    _in_range(x, 1.0, WEIGHT_MAX, "a base weight hw x eligible adults")
    return x


def _score(v: object) -> float | None:
    x = _number(v)
    _in_range(x, 0.0, 100.0, "a score 0-100")
    return x


def _coder(allowed: Sequence[str], required: bool = False) -> Any:
    return lambda v: _code(v, allowed, required)


# the parser of every column, in CASE_COLUMNS order
_PARSERS: tuple[tuple[str, Any], ...] = (
    ("case_id", _case_id),
    ("stratum", lambda v: _required(_text(v))),
    ("psu", lambda v: _required(_text(v))),
    ("psu_urban_rural", _coder(_CODES["urban_rural"], required=True)),
    ("pi1", _prob),
    ("pi2", _prob),
    ("household_weight", _hw),
    ("eligibility", _coder(ELIGIBILITY, required=True)),
    ("respondent", lambda v: _flag(v, required=True)),
    ("eligible_adults", _adults),
    ("base_weight", _bw),
    *((c, _coder(_CODES[c])) for c in ("sex", "age_band", "education", "urban_rural", "group")),
    ("sex_age_band", _text),
    ("township", _text),
    ("form", _coder(_CODES["form"])),
    *((c, _score) for c in _SCORES),
    ("level", _coder(_CODES["level"])),
    ("meets", lambda v: _flag(v, required=False)),
)
assert tuple(c for c, _ in _PARSERS) == CASE_COLUMNS


def _parse_row(raw: Mapping[str, object]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Typed values of one row and its problems as (column, message)."""
    out: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for col, parse in _PARSERS:
        try:
            out[col] = parse(raw.get(col))
        except _Bad as exc:
            problems.append((col, str(exc)))
            out[col] = None
    bad = {c for c, _ in problems}

    def check(col: str, ok: bool, message: str) -> None:
        if not ok and col not in bad:
            problems.append((col, message))
            bad.add(col)

    if not bad & {"pi1", "pi2", "household_weight"}:
        expected = 1.0 / (out["pi1"] * out["pi2"])
        check("household_weight",
              abs(out["household_weight"] - expected) <= CONSISTENCY_TOL * expected,
              f"{out['household_weight']!r} is not 1/(pi1 pi2) = {expected!r}")
    if out["respondent"] == 1:
        check("eligibility", out["eligibility"] in (None, "eligible"),
              f"a respondent must be eligible, not '{out['eligibility']}'")
        check("eligible_adults", out["eligible_adults"] != 0,
              "a respondent's household must have at least 1 adult 18-69")
        check("eligible_adults", out["eligible_adults"] is not None or "eligible_adults" in bad,
              "is empty (required for a respondent)")
        check("base_weight", out["base_weight"] is not None or "base_weight" in bad,
              "is empty (required for a respondent)")
        if (not bad & {"household_weight", "eligible_adults", "base_weight"}
                and out["household_weight"] is not None):
            expected = out["household_weight"] * out["eligible_adults"]
            check("base_weight",
                  abs(out["base_weight"] - expected) <= CONSISTENCY_TOL * expected,
                  f"{out['base_weight']!r} is not household_weight x eligible_adults = "
                  f"{expected!r}")
        sex, band, sab = out["sex"], out["age_band"], out["sex_age_band"]
        if not bad & {"sex", "age_band", "sex_age_band"}:
            want = f"{sex}_{band}" if sex and band else ""
            check("sex_age_band", sab == want,
                  f"'{sab}' must be sex + '_' + age_band ('{want}')" if want
                  else f"'{sab}' must be empty when sex or age_band is")
        if out["township"] and out["stratum"] and not bad & {"township", "stratum"}:
            check("township", out["township"] == out["stratum"],
                  f"'{out['township']}' must equal the stratum '{out['stratum']}'")
    elif out["respondent"] == 0:
        check("base_weight", out["base_weight"] is None,
              "must be empty for a non-respondent")
    return out, problems


@dataclass(frozen=True, eq=False)
class CaseTable:
    """A validated cases file: one typed tuple per column of ``CASE_COLUMNS`` (empty cells
    are ``None`` in number columns, ``""`` in text ones) and ``rows``, the 1-based data row of
    each case in the source (header not counted)."""

    columns: Mapping[str, tuple[Any, ...]]
    rows: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> tuple[Any, ...]:
        """The values of one column, in row order."""
        if name not in self.columns:
            raise SurveyInputError(f"'{name}' is not a column of the cases file")
        return self.columns[name]

    def record(self, i: int) -> dict[str, Any]:
        """Row ``i`` (0-based position) as ``{column: value}``."""
        return {c: self.columns[c][i] for c in CASE_COLUMNS}

    def records(self) -> list[dict[str, Any]]:
        """Every row as ``{column: value}``, in row order."""
        return [self.record(i) for i in range(len(self))]

    def to_csv(self) -> bytes:
        """The canonical bytes of this table (:func:`cases_csv`)."""
        return cases_csv(self.records())

    @classmethod
    def from_columns(cls, columns: Mapping[str, Sequence[Any]]) -> CaseTable:
        """A table from ``{column: values}`` (every column of ``CASE_COLUMNS``, equal
        lengths; text or numbers); the same checks as :func:`read_cases`."""
        _check_header(list(columns), ordered=False)
        lengths = {len(columns[c]) for c in CASE_COLUMNS}
        if len(lengths) != 1:
            raise CasesError((CaseIssue(None, None, "the columns have different lengths"),))
        n = lengths.pop()
        data = [columns[c] for c in CASE_COLUMNS]
        raw = ({c: data[k][i] for k, c in enumerate(CASE_COLUMNS)} for i in range(n))
        return _build(raw, range(1, n + 1))


def _check_header(header: Sequence[str], ordered: bool = True) -> None:
    issues: list[CaseIssue] = []
    seen: set[str] = set()
    for h in header:
        if h in seen:
            issues.append(CaseIssue(None, h, "appears twice in the header"))
        seen.add(h)
    for c in CASE_COLUMNS:
        if c not in seen:
            issues.append(CaseIssue(None, c, "is missing from the header"))
    for h in header:
        if h not in CASE_COLUMNS:
            shown = h if h else "(empty)"
            issues.append(CaseIssue(None, shown, "is not a column of the cases file"))
    if not issues and ordered and tuple(header) != CASE_COLUMNS:
        k = next(i for i, (a, b) in enumerate(zip(header, CASE_COLUMNS, strict=True)) if a != b)
        issues.append(CaseIssue(
            None, header[k], f"is in position {k + 1}; the header must be {','.join(CASE_COLUMNS)}"
        ))
    if issues:
        raise CasesError(tuple(issues))


def _build(raw_rows: Iterable[Mapping[str, object]], numbers: Iterable[int]) -> CaseTable:
    issues: list[CaseIssue] = []
    total = 0
    values: dict[str, list[Any]] = {c: [] for c in CASE_COLUMNS}
    rows: list[int] = []
    first_id: dict[int, int] = {}
    psu_first: dict[tuple[str, str], tuple[int, str, float]] = {}

    def add(row: int | None, col: str | None, message: str) -> None:
        nonlocal total
        total += 1
        if len(issues) < MAX_ISSUES:
            issues.append(CaseIssue(row, col, message))

    for number, raw in zip(numbers, raw_rows, strict=False):
        out, problems = _parse_row(raw)
        for col, message in problems:
            add(number, col, message)
        cid = out["case_id"]
        if cid is not None:
            if cid in first_id:
                add(number, "case_id", f"{cid} is also in row {first_id[cid]}")
            else:
                first_id[cid] = number
        key = (out["stratum"], out["psu"])
        if None not in key and out["psu_urban_rural"] and out["pi1"] is not None:
            known = psu_first.setdefault(key, (number, out["psu_urban_rural"], out["pi1"]))
            if known[1] != out["psu_urban_rural"]:
                add(number, "psu_urban_rural",
                    f"'{out['psu_urban_rural']}' differs from row {known[0]} of the same PSU")
            if known[2] != out["pi1"]:
                add(number, "pi1", f"{out['pi1']!r} differs from row {known[0]} of the same PSU")
        for c in CASE_COLUMNS:
            values[c].append(out[c])
        rows.append(number)
        if len(rows) > MAX_CASES:
            raise CasesError((CaseIssue(None, None, f"more than {MAX_CASES} cases"),))
    if not rows:
        add(None, None, "the file has no cases")
    if issues:
        raise CasesError(tuple(issues), total)
    return CaseTable({c: tuple(v) for c, v in values.items()}, tuple(rows))


def read_cases(source: str | os.PathLike[str] | bytes) -> CaseTable:
    """Read a cases file (a path, or its bytes): UTF-8 CSV (a BOM is allowed), the header
    exactly ``CASE_COLUMNS``.  All-or-nothing: every problem is raised at once in a
    :class:`~surveys.errors.CasesError` naming its row (1-based, header not counted) and
    column.  Blank lines are skipped; row numbers stay those of the file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        try:
            with open(source, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise SurveyInputError(f"cases file '{os.fspath(source)}' does not exist") from None
        except OSError as exc:
            raise SurveyInputError(f"cannot read cases file '{os.fspath(source)}': {exc}") from None
    if len(data) > MAX_BYTES:
        raise CasesError((CaseIssue(None, None, f"the file is larger than {MAX_BYTES} bytes"),))
    if not data.strip():
        raise CasesError((CaseIssue(None, None, "the file is empty"),))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n")
        where = f"row {line}" if line else "the header"
        message = f"the file is not UTF-8 text ({where})"
        raise CasesError((CaseIssue(None, None, message),)) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise CasesError((CaseIssue(None, None, f"the header cannot be read ({exc})"),)) from None
    if any("\x00" in h for h in header):
        raise CasesError((CaseIssue(None, None, "the header contains a NUL byte"),))
    _check_header(header)
    width = len(CASE_COLUMNS)

    def records() -> Iterable[tuple[int, Mapping[str, object]]]:
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                issue = CaseIssue(number + 1, None, f"cannot be read ({exc})")
                raise CasesError((issue,)) from None
            number += 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != width:
                yield number, {"__width__": len(cells)}
                continue
            yield number, dict(zip(CASE_COLUMNS, cells, strict=True))

    pairs = list(records())
    width_issues = tuple(
        CaseIssue(n, None, f"has {r['__width__']} fields, the header {width}")
        for n, r in pairs if "__width__" in r
    )
    if width_issues:
        raise CasesError(width_issues[:MAX_ISSUES], len(width_issues))
    return _build((r for _, r in pairs), (n for n, _ in pairs))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        x = float(value)
        return "" if math.isnan(x) else repr(x)
    if hasattr(value, "as_integer_ratio"):  # Decimal, Fraction
        return repr(float(value))  # type: ignore[arg-type]
    return str(value)


def _csv_bytes(header: Sequence[str], rows: Iterable[Mapping[str, object]]) -> bytes:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(header)
    for row in rows:
        out.writerow([_cell(row.get(c)) for c in header])
    return buf.getvalue().encode("utf-8")


def cases_csv(rows: Iterable[Mapping[str, object]]) -> bytes:
    """The canonical CSV bytes of cases rows: UTF-8, ``\\n`` line ends, the header
    ``CASE_COLUMNS``, rows in the order given, floats as ``repr`` (they read back exactly),
    ``None``/NaN as empty.  The input hash of a weighting run is the SHA-256 of these bytes."""
    return _csv_bytes(CASE_COLUMNS, rows)


# --- settings and results -----------------------------------------------------------------


def _tuple_of_names(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise SurveyInputError(f"{what} must be a list of column names")
    names = tuple(value)
    if not all(isinstance(v, str) and v for v in names):
        raise SurveyInputError(f"{what} must be a list of column names")
    return names


@dataclass(frozen=True)
class WeightingSettings:
    """How to weight: the weighting classes (``stratum``, ``psu_urban_rural`` or both), the
    least respondents a class may have before it is collapsed, the trimming bounds as
    multiples of the mean raked weight (``None`` = no bound on that side) and the margins
    variables to rake on (``None`` = every variable of the margins version)."""

    class_variables: tuple[str, ...] = CLASS_VARIABLES
    min_class_respondents: int = 20
    trim_lower: float | None = 0.3
    trim_upper: float | None = 3.5
    rake_variables: tuple[str, ...] | None = None
    allow_placeholder_margins: bool = False

    def check(self) -> None:
        """Raise :class:`SurveyInputError` naming the first bad setting."""
        cv = self.class_variables
        if not cv or len(set(cv)) != len(cv) or not set(cv) <= set(CLASS_VARIABLES):
            raise SurveyInputError(
                "class_variables must be stratum, psu_urban_rural or both (got "
                f"{','.join(map(str, cv)) or 'none'})"
            )
        m = self.min_class_respondents
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 100_000:
            raise SurveyInputError(
                f"min_class_respondents must be a whole number from 1 to 100000 (got {m!r})"
            )
        lo, hi = self.trim_lower, self.trim_upper
        for name, x in (("trim_lower", lo), ("trim_upper", hi)):
            if x is not None and (isinstance(x, bool) or not isinstance(x, (int, float))
                                  or not math.isfinite(x)):
                raise SurveyInputError(f"{name} must be a number or None (got {x!r})")
        if lo is not None and not 0 <= lo < 1:
            raise SurveyInputError(
                f"trim_lower must be at least 0 and below 1 x the mean weight (got {lo:g})"
            )
        if hi is not None and not 1 < hi <= 1000:
            raise SurveyInputError(
                f"trim_upper must be above 1 x the mean weight and at most 1000 (got {hi:g})"
            )
        rv = self.rake_variables
        if rv is not None and (not rv or len(set(rv)) != len(rv)):
            raise SurveyInputError("rake_variables must name at least one variable, each once")
        if not isinstance(self.allow_placeholder_margins, bool):
            raise SurveyInputError("allow_placeholder_margins must be true or false")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings (tuples as lists)."""
        return {
            "class_variables": list(self.class_variables),
            "min_class_respondents": self.min_class_respondents,
            "trim_lower": self.trim_lower,
            "trim_upper": self.trim_upper,
            "rake_variables": None if self.rake_variables is None else list(self.rake_variables),
            "allow_placeholder_margins": self.allow_placeholder_margins,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> WeightingSettings:
        """Settings from :meth:`to_dict` (missing keys take their defaults); checked."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise SurveyInputError(f"unknown weighting setting '{unknown[0]}'")
        kw: dict[str, Any] = dict(d)
        if "class_variables" in kw:
            kw["class_variables"] = _tuple_of_names(kw["class_variables"], "class_variables")
        if kw.get("rake_variables") is not None:
            kw["rake_variables"] = _tuple_of_names(kw["rake_variables"], "rake_variables")
        for key in ("trim_lower", "trim_upper"):
            if isinstance(kw.get(key), int) and not isinstance(kw.get(key), bool):
                kw[key] = float(kw[key])
        settings = cls(**kw)
        settings.check()
        return settings


@dataclass(frozen=True)
class WeightDistribution:
    """One step's weights (the positive ones): count, total, min, quartiles (numpy's linear
    percentiles), max, max/min, and Kish's design effect due to weighting
    n sum w^2 / (sum w)^2 with the effective sample size (sum w)^2 / sum w^2
    (:func:`analysis.weight_summary`)."""

    n: int
    total: float
    min: float
    q1: float
    median: float
    q3: float
    max: float
    ratio: float
    kish_deff: float
    effective_n: float

    @classmethod
    def of(cls, weights: Any) -> WeightDistribution:
        """The distribution of ``weights`` (zeros left out)."""
        w = np.asarray(weights, np.float64)
        s = weight_summary(w)
        q1, med, q3 = (float(q) for q in np.percentile(w[w > 0], [25, 50, 75]))
        return cls(n=s.n, total=s.total, min=s.min, q1=q1, median=med, q3=q3, max=s.max,
                   ratio=s.max / s.min, kish_deff=s.kish_deff, effective_n=s.effective_n)


@dataclass(frozen=True)
class ClassRow:
    """One original weighting class: its label (class values joined by ':'), the class it
    was collapsed into (itself when not collapsed), its own counts of cases, and the factors
    of the class it went into: ``factor_unknown`` f_u and ``factor_response`` f_r.  The
    ``hw_*`` fields are this class's sums of household weights (all cases, eligible +
    ineligible, eligible, respondents), so the factors can be checked by hand."""

    cls: str
    collapsed_into: str
    cases: int
    eligible: int
    ineligible: int
    unknown: int
    respondents: int
    factor_unknown: float
    factor_response: float
    hw_cases: float = 0.0
    hw_resolved: float = 0.0
    hw_eligible: float = 0.0
    hw_respondents: float = 0.0

    @property
    def collapsed(self) -> bool:
        return self.collapsed_into != self.cls


@dataclass(frozen=True)
class MarginCheck:
    """A margin level: its population total, the nr weights' total before raking and the
    final weights' total (after raking and trimming)."""

    variable: str
    level: str
    target: float
    before: float
    after: float


@dataclass(frozen=True)
class WeightingResult:
    """Everything a weighting run found, and the respondents' weights (aligned with
    ``case_ids``, ascending)."""

    settings: WeightingSettings
    margins_name: str | None
    margins_sha256: str | None
    placeholder_margins: tuple[str, ...]
    classes: tuple[ClassRow, ...]
    steps: tuple[tuple[str, WeightDistribution], ...]
    margins: tuple[MarginCheck, ...]
    trimmed_low: int
    trimmed_high: int
    case_ids: tuple[int, ...]
    base_weight: tuple[float, ...]
    nr_weight: tuple[float, ...]
    raked_weight: tuple[float, ...]
    final_weight: tuple[float, ...]

    def step(self, name: str) -> WeightDistribution:
        """The distribution of one step (``base``, ``nonresponse``, ``raked``, ``trimmed``)."""
        for key, dist in self.steps:
            if key == name:
                return dist
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (floats exact: ``json`` writes them with ``repr``)."""
        return {
            "settings": self.settings.to_dict(),
            "margins_name": self.margins_name,
            "margins_sha256": self.margins_sha256,
            "placeholder_margins": list(self.placeholder_margins),
            "classes": [asdict(c) for c in self.classes],
            "steps": [{"step": name, **asdict(dist)} for name, dist in self.steps],
            "margins": [asdict(m) for m in self.margins],
            "trimmed_low": self.trimmed_low,
            "trimmed_high": self.trimmed_high,
            "case_ids": list(self.case_ids),
            "base_weight": list(self.base_weight),
            "nr_weight": list(self.nr_weight),
            "raked_weight": list(self.raked_weight),
            "final_weight": list(self.final_weight),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> WeightingResult:
        """The result back from :meth:`to_dict` (or its JSON)."""
        try:
            steps = []
            for s in d["steps"]:
                s = dict(s)
                name = s.pop("step")
                steps.append((name, WeightDistribution(**s)))
            return cls(
                settings=WeightingSettings.from_dict(d["settings"]),
                margins_name=d["margins_name"],
                margins_sha256=d["margins_sha256"],
                placeholder_margins=tuple(d["placeholder_margins"]),
                classes=tuple(ClassRow(**c) for c in d["classes"]),
                steps=tuple(steps),
                margins=tuple(MarginCheck(**m) for m in d["margins"]),
                trimmed_low=int(d["trimmed_low"]),
                trimmed_high=int(d["trimmed_high"]),
                case_ids=tuple(int(i) for i in d["case_ids"]),
                base_weight=tuple(float(w) for w in d["base_weight"]),
                nr_weight=tuple(float(w) for w in d["nr_weight"]),
                raked_weight=tuple(float(w) for w in d["raked_weight"]),
                final_weight=tuple(float(w) for w in d["final_weight"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SurveyInputError(f"not a stored weighting result ({exc})") from None

    def weighted_rows(self, cases: CaseTable) -> list[dict[str, Any]]:
        """The respondents' case rows (ascending case_id) with ``nr_weight``,
        ``raked_weight``, ``final_weight`` (and ``placeholder_margins`` when used)."""
        ids = cases.column("case_id")
        at = {cid: i for i, cid in enumerate(ids)}
        flag = ";".join(self.placeholder_margins)
        out = []
        for k, cid in enumerate(self.case_ids):
            i = at.get(cid)
            if i is None or cases.columns["respondent"][i] != 1:
                raise SurveyInputError(f"case {cid} of the weighting result is not a respondent "
                                       "of these cases")
            row = cases.record(i)
            if row["base_weight"] != self.base_weight[k]:
                raise SurveyInputError(f"case {cid}: base_weight differs from the weighting run")
            row["nr_weight"] = self.nr_weight[k]
            row["raked_weight"] = self.raked_weight[k]
            row["final_weight"] = self.final_weight[k]
            if flag:
                row[PLACEHOLDER_COLUMN] = flag
            out.append(row)
        n_resp = sum(1 for r in cases.columns["respondent"] if r == 1)
        if n_resp != len(self.case_ids):
            raise SurveyInputError(
                f"the cases have {n_resp} respondents, the weighting result {len(self.case_ids)}"
            )
        return out


def weighted_csv(result: WeightingResult, cases: CaseTable) -> bytes:
    """``weighted.csv``: ``WEIGHTED_COLUMNS`` (+ ``placeholder_margins``, every placeholder
    ``variable=level`` joined by ';', when the margins held placeholders), one row per
    respondent by ascending case_id, floats as ``repr`` so the weights read back exactly."""
    header = WEIGHTED_COLUMNS + ((PLACEHOLDER_COLUMN,) if result.placeholder_margins else ())
    return _csv_bytes(header, result.weighted_rows(cases))


# --- the weighting ---------------------------------------------------------------------------


def _collapse(
    labels: Sequence[tuple[str, ...]],
    respondents: Mapping[tuple[str, ...], int],
    class_variables: Sequence[str],
    minimum: int,
) -> dict[tuple[str, ...], str]:
    """Original class -> label of the class it goes into (see the module docstring)."""
    has_s = "stratum" in class_variables
    has_u = "psu_urban_rural" in class_variables
    js = class_variables.index("stratum") if has_s else -1

    def stratum_of(lab: tuple[str, ...]) -> str:
        return lab[js] if has_s else ""

    def name(lab: tuple[str, ...]) -> str:
        return ":".join(lab)

    # groups by stratum, each a list of units (a unit = the original classes merged into one)
    strata = sorted({stratum_of(lab) for lab in labels})
    groups: list[tuple[list[str], list[list[tuple[str, ...]]]]] = []
    for s in strata:
        units = [[lab] for lab in sorted(lab for lab in labels if stratum_of(lab) == s)]
        groups.append(([s], units))

    def count(unit: list[tuple[str, ...]]) -> int:
        return sum(respondents[lab] for lab in unit)

    def small(group: tuple[list[str], list[list[tuple[str, ...]]]]) -> bool:
        return any(count(u) < minimum for u in group[1])

    # 1. the urban/rural classes of one stratum together
    if has_u:
        for k, (ss, units) in enumerate(groups):
            if len(units) > 1 and small((ss, units)):
                groups[k] = (ss, [[lab for u in units for lab in u]])
    # 2. a stratum still too small with the next stratum (the last with the previous)
    if has_s:
        i = 0
        while len(groups) > 1 and i < len(groups):
            if not small(groups[i]):
                i += 1
                continue
            j = i + 1 if i + 1 < len(groups) else i - 1
            a, b = min(i, j), max(i, j)
            merged = (groups[a][0] + groups[b][0],
                      [[lab for g in (groups[a], groups[b]) for u in g[1] for lab in u]])
            groups[a:b + 1] = [merged]
            i = a
    into: dict[tuple[str, ...], str] = {}
    for ss, units in groups:
        for unit in units:
            if len(unit) == 1:
                label = name(unit[0])
            elif len(ss) > 1:
                label = "+".join(ss)
            else:
                label = ss[0] if has_s else "all"
            for lab in unit:
                into[lab] = label
    return into


def _design(weights: np.ndarray, strata: Sequence[str], psu: Sequence[str]) -> Design:
    return svydesign(weights, strata=list(strata), psu=list(psu))


def _margins_for(
    cases: CaseTable, margins: MarginsVersion | None, settings: WeightingSettings
) -> tuple[dict[str, dict[str, float]], tuple[str, ...]]:
    if margins is None:
        if settings.rake_variables is not None:
            raise SurveyInputError("rake_variables were given but no margins")
        return {}, ()
    placeholders = margins.placeholders
    if placeholders and not settings.allow_placeholder_margins:
        try:
            refuse_placeholders(margins.file, flag="allow_placeholder_margins")
        except PlaceholderMarginsError as exc:
            raise PlaceholderMarginsRefused(str(exc)) from None
    totals = margins.totals()
    if settings.rake_variables is not None:
        for v in settings.rake_variables:
            if v not in totals:
                raise SurveyInputError(
                    f"rake variable '{v}' is not in margins '{margins.name}' "
                    f"(it has {', '.join(totals)})"
                )
        totals = {v: totals[v] for v in settings.rake_variables}
    for v in totals:
        if v not in CASE_COLUMNS or v in WEIGHT_COLUMNS:
            raise SurveyInputError(
                f"margins variable '{v}' is not a column of the cases file"
            )
    return totals, placeholders


def weight_cases(
    cases: CaseTable, margins: MarginsVersion | None, settings: WeightingSettings
) -> WeightingResult:
    """Weight the respondents of ``cases`` (see the module docstring for the steps).

    Raises :class:`SurveyInputError` for bad settings, a respondent without a raking
    variable (naming the row and column), a level with no population total, or margins that
    cannot be met; :class:`PlaceholderMarginsRefused` for placeholder margins not allowed.
    """
    settings.check()
    totals, placeholders = _margins_for(cases, margins, settings)
    cv = settings.class_variables

    order = sorted(range(len(cases)), key=lambda i: cases.columns["case_id"][i])
    col = {c: [cases.columns[c][i] for i in order] for c in CASE_COLUMNS}
    rows = [cases.rows[i] for i in order]
    resp = np.array([r == 1 for r in col["respondent"]])
    if not resp.any():
        raise SurveyInputError("the cases file has no respondent (respondent = 1)")

    # every respondent needs every raking variable, with a level the margins know
    issues: list[CaseIssue] = []
    for v, pop in totals.items():
        for k in np.flatnonzero(resp):
            value = col[v][k]
            if value is None or value == "":
                issues.append(CaseIssue(rows[k], v, "is empty (a raking variable; required "
                                        "for a respondent)"))
            elif _cell(value) not in pop:
                issues.append(CaseIssue(rows[k], v, f"'{_cell(value)}' has no population "
                                        f"total in the margins (they have {', '.join(pop)})"))
    if issues:
        issues.sort(key=lambda x: (x.row or 0, CASE_COLUMNS.index(x.column or "case_id")))
        raise CasesError(tuple(issues[:MAX_ISSUES]), len(issues))

    hw = np.array(col["household_weight"], np.float64)
    elig = np.array([e == "eligible" for e in col["eligibility"]])
    inel = np.array([e == "ineligible" for e in col["eligibility"]])
    resolved = elig | inel
    original = [tuple(str(col[v][k]) for v in cv) for k in range(len(rows))]
    labels = sorted(set(original))
    r_count = {lab: 0 for lab in labels}
    for lab, r in zip(original, resp, strict=True):
        r_count[lab] += int(r)
    into = _collapse(labels, r_count, cv, settings.min_class_respondents)
    final = [into[lab] for lab in original]
    classes = Factor.from_values(np.array(final, dtype=object))

    try:
        # a) unknown eligibility: the class's hw total onto its resolved cases
        d_all = _design(hw, col["stratum"], col["psu"])
        w_u = np.asarray(nonresponse_adjust(d_all, resolved, classes, name="class").weights)
        # b) non-response among the eligibles: their total onto the respondents
        e = np.flatnonzero(elig)
        d_e = _design(w_u[e], [col["stratum"][k] for k in e], [col["psu"][k] for k in e])
        e_classes = Factor(np.asarray(classes.codes)[e], classes.levels)
        w_r = np.zeros(len(rows))
        w_r[e] = nonresponse_adjust(d_e, resp[e], e_classes, name="class").weights
    except SurveyError as exc:
        raise SurveyInputError(str(exc)) from None

    ri = np.flatnonzero(resp)
    base = np.array([col["base_weight"][k] for k in ri], np.float64)
    # nr_weight = base_weight * f_u * f_r, with f_u * f_r = (hw f_u f_r) / hw
    nr = base * (w_r[ri] / hw[ri])

    codes = np.asarray(classes.codes)
    k_levels = len(classes.levels)

    def sums(w: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], weights=w[mask], minlength=k_levels)

    every = np.ones(len(rows), bool)
    f_u = sums(w_u, every) / sums(hw, resolved)
    f_r = sums(w_r, every) / sums(w_u, resp)
    level_at = {lev: j for j, lev in enumerate(classes.levels)}
    class_rows = []
    for lab in labels:
        m = np.array([o == lab for o in original])
        j = level_at[into[lab]]
        class_rows.append(ClassRow(
            cls=":".join(lab), collapsed_into=into[lab], cases=int(m.sum()),
            eligible=int((m & elig).sum()), ineligible=int((m & inel).sum()),
            unknown=int((m & ~resolved).sum()), respondents=int((m & resp).sum()),
            factor_unknown=float(f_u[j]), factor_response=float(f_r[j]),
            hw_cases=float(hw[m].sum()), hw_resolved=float(hw[m & resolved].sum()),
            hw_eligible=float(hw[m & elig].sum()), hw_respondents=float(hw[m & resp].sum()),
        ))

    r_strata = [col["stratum"][k] for k in ri]
    r_psu = [col["psu"][k] for k in ri]
    try:
        d_nr = _design(nr, r_strata, r_psu)
        factors = {v: Factor.from_values(np.array(
            [x if isinstance(x, str) else _cell(x) for x in (col[v][k] for k in ri)],
            dtype=object)) for v in totals}
        if totals:
            try:
                d_raked = rake(d_nr, factors, totals)
            except WeightRangeError as exc:  # name the case, not the respondent's position
                k = ri[exc.row - 1]
                raise SurveyInputError(
                    f"raking gives case {col['case_id'][k]} (row {rows[k]}) a weight of "
                    f"{exc.value:g}, outside the sane range (up to {WEIGHT_MAX:g}): the "
                    "margins are out of proportion to the sample"
                ) from None
        else:
            d_raked = d_nr
        raked = np.array(d_raked.weights, np.float64)
        lo = hi = None
        trimmed_low = trimmed_high = 0
        if settings.trim_lower is None and settings.trim_upper is None:
            final_w = raked.copy()
        else:
            mean = float(raked.sum()) / raked.size
            lo = None if settings.trim_lower is None else settings.trim_lower * mean
            hi = None if settings.trim_upper is None else settings.trim_upper * mean
            trimmed_low = 0 if lo is None else int((raked < lo).sum())
            trimmed_high = 0 if hi is None else int((raked > hi).sum())
            try:
                d_final = trim_weights(d_raked, lower=lo, upper=hi,
                                       factors=factors or None, margins=totals or None)
            except ConvergenceError:
                raise TrimmingNotConverged(settings, len(ri), float(raked.min()) / mean,
                                           float(raked.max()) / mean) from None
            final_w = np.array(d_final.weights, np.float64)
    except SurveyError as exc:
        raise SurveyInputError(str(exc)) from None

    checks = []
    for v, pop in totals.items():
        fac = factors[v]
        before = np.bincount(fac.codes, weights=nr, minlength=len(fac.levels))
        after = np.bincount(fac.codes, weights=final_w, minlength=len(fac.levels))
        for lev, target in pop.items():
            j = fac.levels.index(lev)
            checks.append(MarginCheck(v, lev, float(target), float(before[j]), float(after[j])))

    steps = (("base", WeightDistribution.of(base)), ("nonresponse", WeightDistribution.of(nr)),
             ("raked", WeightDistribution.of(raked)), ("trimmed", WeightDistribution.of(final_w)))
    return WeightingResult(
        settings=settings,
        margins_name=None if margins is None else margins.name,
        margins_sha256=None if margins is None else margins.sha256,
        placeholder_margins=placeholders,
        classes=tuple(class_rows),
        steps=steps,
        margins=tuple(checks),
        trimmed_low=trimmed_low,
        trimmed_high=trimmed_high,
        case_ids=tuple(int(col["case_id"][k]) for k in ri),
        base_weight=tuple(float(x) for x in base),
        nr_weight=tuple(float(x) for x in nr),
        raked_weight=tuple(float(x) for x in raked),
        final_weight=tuple(float(x) for x in final_w),
    )
