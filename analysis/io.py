"""Reading survey CSV files and margins files (pyarrow's multi-threaded CSV reader).

Only the columns asked for are read: numeric ones as float64 (empty or ``NA`` -> NaN),
categorical ones as text (so levels are matched as text) coded into a :class:`Factor`.
Every problem is a one-line :class:`SurveyError` naming the file, column and row
(1-based data row, the header not counted).
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.design import Factor, _sort_levels
from analysis.errors import SurveyError

NULLS = ["", "NA", "NaN", "nan", "null", "NULL"]


def read_header(path: str) -> list[str]:
    """Column names of a CSV file (first line)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), None)
    except FileNotFoundError:
        raise SurveyError(f"file '{path}' does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SurveyError(f"cannot read '{path}': {exc}") from None
    if not header:
        raise SurveyError(f"file '{path}' is empty")
    return [h.strip() for h in header]


def _factor_from_arrow(column: Any) -> Factor:
    """Factor from a chunked dictionary-encoded column whose chunks share one dictionary
    (``Table.unify_dictionaries``), so no ``pyarrow.compute`` import (about 0.1 s) is needed."""
    levels: list[str] = []
    parts: list[np.ndarray] = []
    for chunk in column.chunks:
        if not levels and len(chunk.dictionary):
            levels = [str(v) for v in chunk.dictionary.to_pylist()]
        indices = chunk.indices
        if indices.null_count:
            arr = np.asarray(indices.to_numpy(zero_copy_only=False), np.float64)
            parts.append(np.where(np.isnan(arr), -1, arr).astype(np.int64))
        else:
            parts.append(np.asarray(indices.to_numpy(zero_copy_only=False), np.int64))
    idx = np.concatenate(parts) if parts else np.empty(0, np.int64)
    order = _sort_levels(levels)
    pos = {lab: j for j, lab in enumerate(order)}
    remap = np.array([pos[lab] for lab in levels] + [-1], np.int64)
    codes = remap[idx]  # -1 indexes the trailing -1
    codes.setflags(write=False)
    return Factor(codes, tuple(order))


def _bad_number(path: str, column: str) -> SurveyError:
    """Find the first non-numeric value of ``column`` (slow path, errors only)."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader)]
        j = header.index(column)
        for i, row in enumerate(reader, start=1):
            value = row[j].strip() if j < len(row) else ""
            if value in NULLS:
                continue
            try:
                float(value)
            except ValueError:
                return SurveyError(f"column '{column}' is not numeric in row {i} ('{value}')")
    return SurveyError(f"column '{column}' could not be read as numbers")


def read_columns(
    path: str, numeric: Iterable[str] = (), categorical: Iterable[str] = ()
) -> tuple[dict[str, Any], int]:
    """Read the named columns of a CSV file -> ({name: float array | Factor}, rows)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    numeric = list(dict.fromkeys(numeric))
    categorical = [c for c in dict.fromkeys(categorical) if c not in numeric]
    header = read_header(path)
    for col in numeric + categorical:
        if col not in header:
            raise SurveyError(f"column '{col}' is not in '{os.path.basename(path)}'")
    types = {c: pa.float64() for c in numeric}
    # text levels, dictionary-encoded by the reader itself
    types.update({c: pa.dictionary(pa.int32(), pa.string()) for c in categorical})
    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                include_columns=numeric + categorical,
                column_types=types,
                null_values=NULLS,
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        for col in numeric:
            if f"'{col}'" in msg or "conversion error" in msg:
                err = _bad_number(path, col)
                if "not numeric" in str(err):
                    raise err from None
        first = msg.splitlines()[0] if msg else "unreadable CSV"
        raise SurveyError(f"cannot read '{os.path.basename(path)}': {first}") from None
    if categorical:
        table = table.unify_dictionaries()
    out: dict[str, Any] = {}
    for col in numeric:
        arr = table.column(col).to_numpy()
        out[col] = np.asarray(arr, dtype=np.float64)
    for col in categorical:
        out[col] = _factor_from_arrow(table.column(col))
    return out, table.num_rows


MARGIN_COLUMNS = ("variable", "level", "population_total")
OPTIONAL_MARGIN_COLUMNS = ("source", "geography", "year", "age_base", "placeholder")
GEOGRAPHIES = ("city", "prefecture", "province", "national")
_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no", "")


@dataclass(frozen=True)
class MarginRow:
    """One row of a margins file: a population total and where it comes from.

    ``geography`` is the level the figure was measured at (``city``, ``prefecture``,
    ``province`` or ``national``; ``""`` when not given), ``year`` the reference year
    (``None`` when not given), ``age_base`` the population it counts (e.g. ``18-69``) and
    ``placeholder`` marks a stand-in figure that is not a real population total.
    ``row`` is the 1-based data row of the file (header not counted).
    """

    variable: str
    level: str
    population_total: float
    source: str = ""
    geography: str = ""
    year: int | None = None
    age_base: str = ""
    placeholder: bool = False
    row: int = 0


@dataclass(frozen=True)
class MarginsFile:
    """A margins file as read: every row with its metadata, in file order."""

    path: str
    rows: tuple[MarginRow, ...]

    @property
    def totals(self) -> dict[str, dict[str, float]]:
        """{variable: {level: population_total}}, what :func:`analysis.rake` takes."""
        out: dict[str, dict[str, float]] = {}
        for r in self.rows:
            out.setdefault(r.variable, {})[r.level] = r.population_total
        return out

    @property
    def placeholders(self) -> list[MarginRow]:
        """The rows marked ``placeholder`` (stand-in figures)."""
        return [r for r in self.rows if r.placeholder]


class PlaceholderMarginsError(SurveyError):
    """The margins hold placeholder (stand-in) figures and they were not allowed; ``rows`` are
    the ``(variable, level)`` pairs that are placeholders (for a caller that words its own
    message)."""

    rows: tuple[tuple[str, str], ...] = ()


def describe_placeholders(rows: Sequence[MarginRow], limit: int = 20) -> str:
    """``sex=male, sex=female, ...`` (at most ``limit`` pairs, then ``and N more``)."""
    pairs = [f"{r.variable}={r.level}" for r in rows]
    if len(pairs) > limit:
        pairs = pairs[:limit] + [f"and {len(rows) - limit} more"]
    return ", ".join(pairs)


def refuse_placeholders(margins: MarginsFile, flag: str = "allow_placeholders=True") -> None:
    """Raise :class:`PlaceholderMarginsError` naming every placeholder row, if there is one."""
    rows = margins.placeholders
    if rows:
        error = PlaceholderMarginsError(
            f"margins file '{os.path.basename(margins.path)}' has {len(rows)} placeholder "
            f"row{'s' if len(rows) != 1 else ''} (stand-in figures, not population totals): "
            f"{describe_placeholders(rows)}; replace them with sourced figures, or pass "
            f"{flag} to use them anyway"
        )
        error.rows = tuple((r.variable, r.level) for r in rows)
        raise error


def read_margins_file(path: str) -> MarginsFile:
    """Read a margins file with its metadata (no placeholder check: see :func:`read_margins`).

    Required columns ``variable,level,population_total``; optional ``source`` (text),
    ``geography`` (city | prefecture | province | national), ``year`` (a whole number
    1900-2100), ``age_base`` (text, e.g. ``18-69``) and ``placeholder`` (true/false, 1/0,
    yes/no, case-insensitive; empty = false).  Other columns are ignored.  Levels are text.
    """
    name = os.path.basename(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise SurveyError(f"margins file '{path}' does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SurveyError(f"cannot read margins file '{path}': {exc}") from None
    if not rows:
        raise SurveyError(f"margins file '{path}' is empty")
    header = [h.strip() for h in rows[0]]
    for col in MARGIN_COLUMNS:
        if col not in header:
            raise SurveyError(f"margins file '{name}' has no column '{col}'")
    for col in MARGIN_COLUMNS + OPTIONAL_MARGIN_COLUMNS:
        if header.count(col) > 1:
            raise SurveyError(f"margins file '{name}' has column '{col}' twice")
    iv, il, it = (header.index(c) for c in MARGIN_COLUMNS)
    opt = {c: header.index(c) for c in OPTIONAL_MARGIN_COLUMNS if c in header}
    out: list[MarginRow] = []
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(rows[1:], start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(iv, il, it):
            raise SurveyError(f"margins file row {i} has too few fields")
        var, lev, raw = row[iv].strip(), row[il].strip(), row[it].strip()
        if not var:
            raise SurveyError(f"margins file row {i}: 'variable' is empty")
        try:
            total = float(raw)
        except ValueError:
            raise SurveyError(
                f"margins file row {i}: population_total '{raw}' is not a number"
            ) from None
        if not math.isfinite(total) or total <= 0:
            raise SurveyError(
                f"margins file row {i}: population_total of '{var}' level '{lev}' must be "
                f"positive ({raw})"
            )
        if (var, lev) in seen:
            raise SurveyError(f"margins file row {i}: '{var}' level '{lev}' appears twice")
        seen.add((var, lev))

        def cell(col: str, row: list[str] = row) -> str:
            j = opt.get(col)
            return row[j].strip() if j is not None and j < len(row) else ""

        where = f"margins file row {i} ('{var}' level '{lev}')"
        geography = cell("geography").lower()
        if geography not in ("", *GEOGRAPHIES):
            raise SurveyError(
                f"{where}: geography '{cell('geography')}' must be one of "
                f"{', '.join(GEOGRAPHIES)} (or empty)"
            )
        year_txt = cell("year")
        year: int | None = None
        if year_txt:
            try:
                year = int(year_txt)
            except ValueError:
                year = None
            if year is None or not 1900 <= year <= 2100:
                raise SurveyError(
                    f"{where}: year '{year_txt}' must be a whole number from 1900 to 2100 "
                    "(or empty)"
                )
        flag = cell("placeholder").lower()
        if flag not in _TRUE + _FALSE:
            raise SurveyError(
                f"{where}: placeholder '{cell('placeholder')}' must be true/false, 1/0 or "
                "yes/no (empty = false)"
            )
        out.append(
            MarginRow(
                variable=var,
                level=lev,
                population_total=total,
                source=cell("source"),
                geography=geography,
                year=year,
                age_base=cell("age_base"),
                placeholder=flag in _TRUE,
                row=i,
            )
        )
    if not out:
        raise SurveyError(f"margins file '{path}' has no rows")
    return MarginsFile(path=path, rows=tuple(out))


def read_margins(path: str, allow_placeholders: bool = False) -> dict[str, dict[str, float]]:
    """Read ``variable,level,population_total`` -> {variable: {level: total}} (text levels).

    Refuses (:class:`PlaceholderMarginsError`) a file with any row marked ``placeholder``
    unless ``allow_placeholders`` is true; :func:`read_margins_file` gives the metadata.
    """
    margins = read_margins_file(path)
    if not allow_placeholders:
        refuse_placeholders(margins)
    return margins.totals


def write_with_column(
    src: str,
    dest: str,
    name: str,
    values: np.ndarray,
    flag: tuple[str, str] | None = None,
) -> None:
    """Copy CSV ``src`` to ``dest`` (atomically) with one more column of full-precision
    numbers; every original value is kept as text.  ``flag=(column, value)`` also adds (or
    replaces) a column holding ``value`` on every row."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    header = read_header(src)
    table = pacsv.read_csv(
        src,
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in header},
            strings_can_be_null=False,
        ),
    )
    text = pa.array([repr(float(v)) for v in values], type=pa.string())
    if name in header:
        table = table.set_column(header.index(name), name, text)
    else:
        table = table.append_column(name, text)
    if flag is not None:
        marker = pa.repeat(pa.scalar(flag[1], pa.string()), table.num_rows)
        if flag[0] in table.column_names:
            table = table.set_column(table.column_names.index(flag[0]), flag[0], marker)
        else:
            table = table.append_column(flag[0], marker)
    tmp = f"{dest}.tmp-{os.getpid()}"
    try:
        pacsv.write_csv(table, tmp)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
