"""The sampling frame: one row per village or community (the PSU), grouped by township (the
stratum), with its urban/rural type, a measure of size and its number of households.

Columns (header names as written, case and surrounding spaces ignored):

============== ======== ===================================================================
column         required meaning
============== ======== ===================================================================
township       yes      the stratum: a township code (checked against the caller's list of
                        townships when one is given; townships are reference data an admin
                        edits, never hard-coded here)
psu            yes      the village or community code, unique in the frame
name           no       its name
urban_rural    yes      ``urban``/``rural`` (also 城镇/乡村, or an NBS urban-rural code:
                        111-123 urban, 210/220 rural)
size           yes      the measure of size for PPS (e.g. residents aged 18-69), > 0
households     yes      households living there, a whole number >= 1
============== ======== ===================================================================

Reading is all-or-nothing: :func:`parse_frame` and :func:`read_frame` return a :class:`Frame`
only when every row is right, otherwise raise :class:`~surveys.errors.FrameError` listing every
problem with its row (the header is row 1) and column.  :func:`validate_frame` returns the
problems without raising.  PSUs keep the file's order: systematic PPS takes them in that order,
so sort the file (e.g. by urban/rural, then by place) to stratify implicitly.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from surveys.demographics import UrbanRural, urban_rural_from_code
from surveys.errors import FrameError, FrameIssue, SurveyInputError

__all__ = [
    "FRAME_COLUMNS",
    "REQUIRED_COLUMNS",
    "Frame",
    "FramePSU",
    "parse_frame",
    "read_frame",
    "read_frame_bytes",
    "validate_frame",
]

FRAME_COLUMNS = ("township", "psu", "name", "urban_rural", "size", "households")
REQUIRED_COLUMNS = ("township", "psu", "urban_rural", "size", "households")
MAX_ROWS = 20_000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # refuse a small .xlsx that unpacks to gigabytes
_URBAN_RURAL_WORDS = {"urban": UrbanRural.URBAN, "rural": UrbanRural.RURAL,
                      "城镇": UrbanRural.URBAN, "乡村": UrbanRural.RURAL}


@dataclass(frozen=True)
class FramePSU:
    """One primary sampling unit of the frame (``row``: where it was read; not compared)."""

    township: str
    psu: str
    urban_rural: UrbanRural
    size: float
    households: int
    name: str = ""
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Frame:
    """The frame's PSUs in file order."""

    psus: tuple[FramePSU, ...]

    def __post_init__(self) -> None:
        if not self.psus:
            raise SurveyInputError("the sampling frame has no PSU")
        ids = [p.psu for p in self.psus]
        if len(set(ids)) != len(ids):
            raise SurveyInputError("the sampling frame lists a PSU twice")

    @property
    def strata(self) -> tuple[str, ...]:
        """Townships in order of first appearance."""
        return tuple(dict.fromkeys(p.township for p in self.psus))

    def stratum(self, township: str) -> tuple[FramePSU, ...]:
        return tuple(p for p in self.psus if p.township == township)

    def psu(self, psu_id: str) -> FramePSU:
        for p in self.psus:
            if p.psu == psu_id:
                return p
        raise SurveyInputError(f"PSU {psu_id} is not in the frame")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _urban_rural(text: str) -> UrbanRural | None:
    word = _URBAN_RURAL_WORDS.get(text.lower())
    if word is not None:
        return word
    try:
        return urban_rural_from_code(text)
    except SurveyInputError:
        return None


def _check(records: Iterable[Mapping[str, object]], townships: Collection[str] | None,
           header: Iterable[str] | None, numbers: list[int] | None = None
           ) -> tuple[list[FrameIssue], list[FramePSU]]:
    rows = [{_text(k).lower(): v for k, v in record.items() if k is not None}
            for record in records]
    numbers = numbers if numbers is not None else list(range(2, len(rows) + 2))
    issues: list[FrameIssue] = []
    columns = ([_text(c).lower() for c in header] if header is not None
               else list(dict.fromkeys(k for row in rows for k in row)))
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            issues.append(FrameIssue(None, column, "this required column is missing"))
    for column in dict.fromkeys(c for c in columns if c and columns.count(c) > 1):
        issues.append(FrameIssue(None, column, "this column appears more than once"))
    for column in dict.fromkeys(columns):
        if column and column not in FRAME_COLUMNS:
            issues.append(FrameIssue(None, column,
                                     f"unknown column (use {', '.join(FRAME_COLUMNS)})"))
    if not rows:
        issues.append(FrameIssue(None, None, "the frame has no PSU rows"))
    allowed = None if townships is None else set(townships)
    first_row: dict[str, int] = {}
    psus: list[FramePSU] = []
    for number, row in zip(numbers, rows, strict=True):
        bad = len(issues)

        def fault(column: str, message: str, number: int = number) -> None:
            issues.append(FrameIssue(number, column, message))

        cells = {column: _text(row.get(column)) for column in FRAME_COLUMNS}
        for column in REQUIRED_COLUMNS:
            if column in columns and not cells[column]:
                fault(column, "empty")
        township, psu = cells["township"], cells["psu"]
        if township and allowed is not None and township not in allowed:
            fault("township", f"{township!r} is not a known township")
        if psu:
            if psu in first_row:
                fault("psu", f"PSU {psu!r} is also on row {first_row[psu]}")
            else:
                first_row[psu] = number
        area = _urban_rural(cells["urban_rural"]) if cells["urban_rural"] else None
        if cells["urban_rural"] and area is None:
            fault("urban_rural", f"{cells['urban_rural']!r} is not urban or rural "
                                 "(urban, rural, 城镇, 乡村, or a code 111-123 / 210, 220)")
        size = None
        if cells["size"]:
            try:
                size = float(cells["size"])
            except ValueError:
                size = None
            if size is None or not math.isfinite(size) or size <= 0:
                fault("size", f"must be a number greater than 0, got {cells['size']!r}")
                size = None
        households = None
        if cells["households"]:
            try:
                number_value = float(cells["households"])
            except ValueError:
                number_value = math.nan
            if not (math.isfinite(number_value) and number_value.is_integer()
                    and number_value >= 1):
                fault("households",
                      f"must be a whole number of at least 1, got {cells['households']!r}")
            else:
                households = int(number_value)
        if len(issues) == bad:
            psus.append(FramePSU(township=township, psu=psu, urban_rural=area, size=size,
                                 households=households, name=cells["name"], row=number))
    return issues, psus


def _ordered(issues: list[FrameIssue]) -> tuple[FrameIssue, ...]:
    """Whole-file problems first, then by row (stable: columns keep their checking order)."""
    return tuple(sorted(issues, key=lambda i: (i.row is not None, i.row or 0)))


def validate_frame(records: Iterable[Mapping[str, object]], *,
                   townships: Collection[str] | None = None,
                   header: Iterable[str] | None = None) -> tuple[FrameIssue, ...]:
    """Every problem of the frame rows (dicts column -> cell), whole-file problems first.

    ``header``: the file's column names, when known (a CSV/XLSX header); otherwise the keys of
    the rows.  ``townships``: the known township codes, or None to accept any.
    """
    issues, _ = _check(records, townships, header)
    return _ordered(issues)


def parse_frame(records: Iterable[Mapping[str, object]], *,
                townships: Collection[str] | None = None,
                header: Iterable[str] | None = None) -> Frame:
    """The frame, or :class:`FrameError` with every problem (nothing partial)."""
    issues, psus = _check(records, townships, header)
    if issues:
        raise FrameError(_ordered(issues))
    return Frame(tuple(psus))


def _table_from_xlsx(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FrameError((FrameIssue(None, None, "this file is not an .xlsx spreadsheet"),))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise FrameError((FrameIssue(None, None, "the spreadsheet unpacks to too much data"),))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise FrameError((FrameIssue(None, None, "the spreadsheet cannot be read"),)) from error
    try:
        rows = []
        for row in workbook.active.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                raise FrameError((FrameIssue(None, None, f"more than {MAX_ROWS} rows"),))
        return rows
    finally:
        workbook.close()


def _table_from_csv(data: bytes) -> list[list[object]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise FrameError((FrameIssue(None, None, "this file is not a text CSV file"),))
    if "\x00" in text:
        raise FrameError((FrameIssue(None, None, "this file is not a text CSV file"),))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if len(rows) > MAX_ROWS + 1:
        raise FrameError((FrameIssue(None, None, f"more than {MAX_ROWS} rows"),))
    return rows


def read_frame_bytes(data: bytes, filename: str, *,
                     townships: Collection[str] | None = None) -> Frame:
    """Read an uploaded frame: ``.csv`` (UTF-8, or GB18030 as Excel in China saves it) or
    ``.xlsx`` (the first sheet), by the file name's extension.  Blank rows are skipped; row
    numbers stay those of the file."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        table = _table_from_xlsx(data)
    elif suffix == ".csv":
        table = _table_from_csv(data)
    else:
        raise FrameError((FrameIssue(None, None, "use a .csv or .xlsx file"),))
    if not table:
        raise FrameError((FrameIssue(None, None, "the file is empty"),))
    header = [_text(c) for c in table[0]]
    while header and not header[-1]:
        header.pop()
    records: list[dict[str, object]] = []
    numbers: list[int] = []
    for number, cells in enumerate(table[1:], start=2):
        if all(_text(c) == "" for c in cells):
            continue
        records.append({header[k]: cells[k] if k < len(cells) else None
                        for k in range(len(header)) if header[k]})
        numbers.append(number)
    issues, psus = _check(records, townships, header, numbers)
    if issues:
        raise FrameError(_ordered(issues))
    return Frame(tuple(psus))


def read_frame(path: str | Path, *, townships: Collection[str] | None = None) -> Frame:
    """Read a frame file (``.csv`` or ``.xlsx``); see :func:`read_frame_bytes`."""
    path = Path(path)
    return read_frame_bytes(path.read_bytes(), path.name, townships=townships)
