"""Every spreadsheet the app hands out (CSV and XLSX) is written here, and made safe here.

Rules:

- **CSV**: a text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return) is written with a leading apostrophe, so it opens
  as text. Residents type their own names, and a name such as ``=HYPERLINK(...)`` must stay text
  when an organiser opens the export (the OWASP "CSV injection" advice). The files carry a UTF-8
  byte-order mark so that Excel shows the Chinese correctly.
- **XLSX**: text cells are always stored as text (never as a formula, whatever they start with),
  without control characters: openpyxl refuses them (``IllegalCharacterError``), and one such
  character stored before the input filter existed must not break an export for good.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from quizapp.inputs import strip_control

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Without a charset: Werkzeug adds "; charset=utf-8" to every text/ mimetype it is given.
CSV_MIMETYPE = "text/csv"

Table = tuple[Sequence[str], Iterable[Sequence[object]]]  # (header, rows)


def csv_safe(value: object) -> object:
    """A CSV cell a spreadsheet will not run: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_safe(value: object) -> object:
    """An XLSX cell value openpyxl accepts: text without control characters."""
    return strip_control(value) if isinstance(value, str) else value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """One table as CSV (UTF-8 with a byte-order mark, CRLF line ends), every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(value) for value in header])
    writer.writerows([csv_safe(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: Mapping[str, Table], *, freeze_panes: str | None = None) -> bytes:
    """A workbook with one sheet per ``title: (header, rows)``, every cell made safe.

    The header row is bold (a sheet with an empty header has none, e.g. a sheet of notes);
    ``freeze_panes`` (e.g. ``"B2"``) applies to sheets with a header.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        first = 1
        if header:
            sheet.append([xlsx_safe(value) for value in header])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            first = 2
            if freeze_panes:
                sheet.freeze_panes = freeze_panes
        for row in rows:
            sheet.append([xlsx_safe(value) for value in row])
        for cells in sheet.iter_rows(min_row=first):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
