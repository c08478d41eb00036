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
from collections.abc import Iterable
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
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(column).combine_chunks()
    levels = [str(v) for v in enc.dictionary.to_pylist()]
    idx = enc.indices.to_numpy(zero_copy_only=False)
    if enc.indices.null_count:
        valid = ~np.asarray(enc.indices.is_null().to_numpy(zero_copy_only=False))
        idx = np.where(valid, np.nan_to_num(idx, nan=0), -1)
    idx = np.asarray(idx, np.int64)
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
    types.update({c: pa.string() for c in categorical})
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
    out: dict[str, Any] = {}
    for col in numeric:
        arr = table.column(col).to_numpy()
        out[col] = np.asarray(arr, dtype=np.float64)
    for col in categorical:
        out[col] = _factor_from_arrow(table.column(col))
    return out, table.num_rows


def read_margins(path: str) -> dict[str, dict[str, float]]:
    """Read ``variable,level,population_total`` -> {variable: {level: total}} (text levels)."""
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
    need = ["variable", "level", "population_total"]
    for col in need:
        if col not in header:
            raise SurveyError(f"margins file '{os.path.basename(path)}' has no column '{col}'")
    iv, il, it = (header.index(c) for c in need)
    margins: dict[str, dict[str, float]] = {}
    for i, row in enumerate(rows[1:], start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(iv, il, it):
            raise SurveyError(f"margins file row {i} has too few fields")
        var, lev, raw = row[iv].strip(), row[il].strip(), row[it].strip()
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
        if lev in margins.setdefault(var, {}):
            raise SurveyError(f"margins file row {i}: '{var}' level '{lev}' appears twice")
        margins[var][lev] = total
    if not margins:
        raise SurveyError(f"margins file '{path}' has no rows")
    return margins


def write_with_column(src: str, dest: str, name: str, values: np.ndarray) -> None:
    """Copy CSV ``src`` to ``dest`` (atomically) with one more column of full-precision
    numbers; every original value is kept as text."""
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
    tmp = f"{dest}.tmp-{os.getpid()}"
    try:
        pacsv.write_csv(table, tmp)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
