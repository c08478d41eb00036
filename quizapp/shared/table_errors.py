"""Why an uploaded file could not be read as a table at all (:class:`TableError` of
``question_bank.tabular``, whose readers every spreadsheet import uses), in the visitor's
language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from question_bank.tabular import TableError

TABLE_ERRORS = {
    "not_spreadsheet": _l("This file is not an Excel (.xlsx) spreadsheet."),
    "not_text": _l("This file is not a CSV text file."),
    "too_many_rows": _l("The file has too many rows."),
    "too_large_unpacked": _l("The spreadsheet unpacks to far more data than its rows need."),
    "unknown_format": _l("Upload an .xlsx or .csv file."),
    "empty": _l("The file is empty."),
    "damaged_sheet": _l("The spreadsheet is damaged: row %(row)s could not be read. Open it in "
                        "Excel, save it again and upload it again."),
}


def table_error_text(error: TableError) -> str:
    """Why an upload could not be read as a table, in the visitor's language."""
    template = TABLE_ERRORS.get(error.key)
    if template is None:
        return _("The file could not be read.")
    try:
        return str(template) % error.params if error.params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)
