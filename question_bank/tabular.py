"""Questions as spreadsheets (.xlsx) and CSV: export, a template, and all-or-nothing import.

One row per question, one column per field (``option_a`` … ``option_e`` hold the options).
Cells are plain text or numbers:

- ``answer``: a letter (``B``) for single choice, letters for multiple choice (``A,C`` or
  ``AC``), ``true``/``false`` (also 对/错, 正确/错误) for true/false;
- ``groups``: group codes separated by commas (``farmer,elder``) or ``all``;
- ``survey``: ``true``/``false`` (also yes/no, 是/否, 1/0); ``benchmark`` may be left empty;
- the optional columns ``enemy_groups`` (names separated by commas) and ``review_by``
  (``2027-06-30``): exports always write them, an older file without them still reads.

Reading never returns part of a file: any fault and the caller gets no specs, only every fault
with its row number (the header is row 1) and column.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from question_bank.schema import (
    LETTERS,
    MAX_OPTIONS,
    Issue,
    QuestionSpec,
    letters_of,
)
from question_bank.validate import ANY_ID, validate

OPTION_COLUMNS = tuple(f"option_{letter.lower()}" for letter in LETTERS[:MAX_OPTIONS])
COLUMNS = ("id", "topic", "version", "type", "stem", *OPTION_COLUMNS, "answer", "explanation",
           "authority", "groups", "dimension", "benchmark", "difficulty", "status", "survey")
OPTIONAL_COLUMNS = ("enemy_groups", "review_by")
EXPORT_COLUMNS = COLUMNS + OPTIONAL_COLUMNS
MAX_ROWS = 5000
# Only this many columns are read: the 19 above fit easily, and a sheet's claimed width (its
# <dimension>, up to 16,384 columns) is never trusted.
MAX_COLUMNS = 64
MAX_FAULTS = 100  # listing more helps nobody; reading stops there and says so
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # an honest 5,000-row workbook unpacks to a few MB
SHEET_TITLE = "questions"
# The CSV export writes text starting like a formula with a leading apostrophe
# (quizapp.spreadsheets.csv_safe); reading takes it off again, so an export round-trips.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_TRUE = {"true", "t", "yes", "y", "1", "对", "正确", "是", "√"}
_FALSE = {"false", "f", "no", "n", "0", "错", "错误", "否", "×"}
_SPLIT = re.compile(r"[,，、;；\s]+")

TEMPLATE_EXAMPLES = (
    QuestionSpec(
        id="health-u0001", topic="health", version=1, type="single",
        stem="服用抗生素时，下列做法正确的是？",
        options=("感冒了就服用抗生素", "遵医嘱按剂量、按疗程服用", "症状一好转就立即停药"),
        answer=(1,), explanation="抗生素只对细菌感染有效；擅自停药或滥用会促使细菌产生耐药性。",
        authority="国家卫生健康委员会合理用药宣传要点", groups=("farmer", "worker", "elder"),
        dimension="A", benchmark=18, difficulty=1, status="draft", survey=False),
    QuestionSpec(
        id="emergency-u0001", topic="emergency", version=1, type="true_false",
        stem="发生地震时，应立即乘电梯下楼逃生。", options=(), answer=(1,),
        explanation="地震时电梯可能断电或变形，困在其中更危险；应就近躲避，震后走楼梯撤离。",
        authority="应急管理部防震减灾科普要点",
        groups=("youth", "farmer", "worker", "elder", "cadre"),
        dimension="A", benchmark=None, difficulty=1, status="draft", survey=False),
)


class TableError(ValueError):
    """The upload is not a readable spreadsheet or CSV file at all.

    ``key`` (also the message) names the problem; ``params`` say where, when known (``row``).
    """

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass
class TableResult:
    """Specs read from a table (empty when any fault), every fault, and each id's row."""

    specs: list[QuestionSpec] = field(default_factory=list)
    faults: list[Issue] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.faults


# --- writing -----------------------------------------------------------------------------------

def spec_to_row(spec: QuestionSpec) -> dict[str, object]:
    """One spec as the cells of one row."""
    if spec.type == "true_false":
        answer = "true" if spec.answer == (0,) else "false"
    else:
        answer = ",".join(letters_of(spec.answer))
    row: dict[str, object] = {
        "id": spec.id, "topic": spec.topic, "version": spec.version, "type": spec.type,
        "stem": spec.stem, "answer": answer, "explanation": spec.explanation,
        "authority": spec.authority, "groups": ",".join(spec.groups),
        "dimension": spec.dimension, "benchmark": spec.benchmark if spec.benchmark else "",
        "difficulty": spec.difficulty, "status": spec.status,
        "survey": "true" if spec.survey else "false",
        "enemy_groups": ",".join(spec.enemy_groups),
        "review_by": spec.review_by.isoformat() if spec.review_by else "",
    }
    for index, column in enumerate(OPTION_COLUMNS):
        row[column] = spec.options[index] if index < len(spec.options) else ""
    return row


def spec_table(specs) -> tuple[tuple[str, ...], list[list[object]]]:
    """``(header, rows)`` of the given specs, empty cells as ``None``, for a spreadsheet writer.

    Writing is the web app's job (``quizapp.questions.transfer``), which makes every cell safe
    (no formulas, no control characters) in one place for every export of the app.
    """
    rows = []
    for spec in specs:
        row = spec_to_row(spec)
        rows.append([row[c] if row[c] != "" else None for c in EXPORT_COLUMNS])
    return EXPORT_COLUMNS, rows


TEMPLATE_NOTES = (
    "每行一道题；第一行是列名，请勿修改列名。",
    "id：题目编号，形如 health-u0001（主题-编号），导入后不可更改。",
    "topic：basic_science, method, health, emergency, agriculture, digital_life, environment, "
    "superstition, sts",
    "type：true_false（判断）, single（单选）, multiple（多选）。",
    "option_a…option_e：单选、多选题 3–5 个选项，判断题留空。",
    "answer：单选填一个字母如 B；多选填 A,C；判断题填 true 或 false（对/错）。",
    "groups：youth, farmer, worker, elder, cadre，用逗号分隔，或填 all。",
    "dimension：K 知识, M 方法, S 精神与思维, A 应用。benchmark：基准编号 1–26，可留空。",
    "difficulty：1 易, 2 中, 3 难。status：draft, reviewed, active, retired。",
    "survey：true 表示留作素质调查用题（竞赛不抽取），否则 false。",
    "enemy_groups（可留空）：互相泄露答案、不能出现在同一次答题中的题目共用的组名，如 "
    "gamblers-fallacy，多个用逗号分隔。review_by（可留空）：时效性内容的复核日期，如 2027-06-30。",
    "任何文字中都不能出现 HTML 或 < > 字符。有任何一行出错时，整个文件都不会导入。",
)


# --- reading -----------------------------------------------------------------------------------

def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _rows_from_xlsx(data: bytes) -> list[list[object]]:
    """The sheet's rows, read lazily and bounded: at most ``MAX_COLUMNS`` columns and
    ``MAX_ROWS`` + 1 non-empty rows, whatever the sheet's <dimension> claims."""
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TableError("not_spreadsheet")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise TableError("not_spreadsheet") from error  # looks like a zip, is not a sound one
    # A small upload can unpack to gigabytes (a "zip bomb"); refuse before parsing.
    if unpacked > MAX_UNPACKED_BYTES:
        raise TableError("too_large_unpacked")
    try:
        # With defusedxml installed openpyxl refuses entity declarations (billion laughs).
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise TableError("not_spreadsheet") from error
    rows: list[list[object]] = []
    try:
        sheet = workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.active
        if not hasattr(sheet, "reset_dimensions"):  # a chart sheet, not a worksheet
            raise TableError("not_spreadsheet")
        sheet.reset_dimensions()
        filled = 0
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            rows.append(list(row))
            if any(cell_text(c) for c in row):
                filled += 1
                if filled > MAX_ROWS + 1:
                    raise TableError("too_many_rows")
    except TableError:
        raise
    except Exception as error:  # truncated or malformed sheet XML, found while reading
        raise TableError("damaged_sheet", row=len(rows) + 1) from error
    finally:
        workbook.close()
    return rows


def _rows_from_csv(data: bytes) -> list[list[object]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise TableError("not_text")
    if "\x00" in text:
        raise TableError("not_text")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise TableError("not_text") from error
    if len(rows) > MAX_ROWS + 1:
        raise TableError("too_many_rows")
    return [[cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell
             for cell in row] for row in rows]


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _integer(text: str):
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text))
    return text  # left as text: the validator reports it


def _boolean(text: str):
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return text


def row_to_raw(cells: dict[str, str]) -> tuple[dict, str]:
    """A row's cells (by column name) as the raw mapping the validator checks, and its topic."""
    raw: dict[str, object] = {}
    for name in ("id", "type", "stem", "explanation", "authority", "dimension", "status"):
        raw[name] = cells.get(name, "")
    for name in ("version", "difficulty"):
        raw[name] = _integer(cells.get(name, ""))
    raw["benchmark"] = _integer(cells["benchmark"]) if cells.get("benchmark") else None
    raw["survey"] = _boolean(cells.get("survey", ""))
    if cells.get("enemy_groups"):
        raw["enemy_groups"] = [g for g in _SPLIT.split(cells["enemy_groups"]) if g]
    if cells.get("review_by"):
        # A date typed into a spreadsheet comes back as a datetime at midnight.
        raw["review_by"] = re.sub(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(:00)?$", r"\1",
                                  cells["review_by"])
    groups = cells.get("groups", "")
    raw["groups"] = "all" if groups.lower() == "all" else [g for g in _SPLIT.split(groups) if g]
    options = [cells.get(c, "") for c in OPTION_COLUMNS]
    while options and not options[-1]:
        options.pop()
    answer = cells.get("answer", "")
    if raw["type"] == "true_false":
        raw["answer"] = _boolean(answer)
        if options:
            raw["options"] = options
    else:
        raw["options"] = options
        letters = [p for p in _SPLIT.split(answer.upper()) if p]
        if len(letters) == 1 and len(letters[0]) > 1 and letters[0].isalpha():
            letters = list(letters[0])  # "AC" → ["A", "C"]
        raw["answer"] = (letters[0] if len(letters) == 1 else (letters or ""))\
            if raw["type"] == "single" else letters
    return raw, cells.get("topic", "")


def read_rows(data: bytes, filename: str) -> list[tuple[int, list[object]]]:
    """The non-empty rows of an uploaded .xlsx or .csv file with their row numbers (the file's
    own, blank rows counted); :class:`TableError` when it cannot be read as a table (see
    :func:`read_table`) or has no row."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _rows_from_xlsx(data)
    elif name.endswith(".csv"):
        rows = _rows_from_csv(data)
    else:
        raise TableError("unknown_format")
    numbered = [(number, row) for number, row in enumerate(rows, start=1)
                if any(cell_text(c) for c in row)]
    if not numbered:
        raise TableError("empty")
    return numbered


def read_table(data: bytes, filename: str) -> TableResult:
    """Read an uploaded .xlsx or .csv file: every spec, or (on any fault) only the faults.

    Row numbers are the file's own (blank rows count, the header is usually row 1). At most
    ``MAX_FAULTS`` faults are listed; then reading stops with a ``too_many_faults`` fault.

    Raises :class:`TableError` (its key: ``not_spreadsheet``, ``damaged_sheet`` with the
    ``row`` where reading failed, ``not_text``, ``too_many_rows``, ``too_large_unpacked``,
    ``unknown_format``, ``empty``) when the file cannot be read as a table.
    """
    numbered = read_rows(data, filename)
    header_line, header_row = numbered[0]
    header = [cell_text(c) for c in header_row]
    result = TableResult()
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        result.faults.append(Issue("error", "missing_columns",
                                   f"missing columns: {', '.join(missing)}", line=header_line,
                                   params=(("columns", ", ".join(missing)),)))
    unknown = [c for c in header if c and c not in EXPORT_COLUMNS]
    if unknown:
        result.faults.append(Issue("error", "unknown_columns",
                                   f"unknown columns: {', '.join(unknown)}", line=header_line,
                                   params=(("columns", ", ".join(unknown)),)))
    if result.faults:
        return result
    position = {name: header.index(name) for name in EXPORT_COLUMNS if name in header}
    seen: dict[str, int] = {}
    specs = []
    stopped_at = None  # the row where listing faults stopped, if any were left out
    for offset, row in numbered[1:]:
        if len(result.faults) >= MAX_FAULTS:
            stopped_at = offset
            break
        cells = {name: cell_text(row[i]) if i < len(row) else "" for name, i in position.items()}
        raw, topic = row_to_raw(cells)
        spec, faults = validate(raw, topic, id_pattern=ANY_ID)
        for fault in faults:
            column = "topic" if fault.field == "topic" else fault.field
            if column == "options":
                column = "option_a…option_e"
            letter = column_letter(position[column]) if column in position else None
            result.faults.append(Issue(
                "error", fault.kind, fault.message, line=offset,
                column=f"{column} ({letter})" if letter else column,
                question=cells["id"] or None, params=fault.params))
        code = cells["id"]
        if code and code in seen:
            result.faults.append(Issue(
                "error", "duplicate_id", f"id {code} is also on row {seen[code]}", line=offset,
                column=f"id ({column_letter(position['id'])})", question=code,
                params=(("other", seen[code]), ("value", code))))
        elif code:
            seen[code] = offset
        if spec is not None:
            specs.append(spec)
    if len(result.faults) > MAX_FAULTS:
        stopped_at = result.faults[MAX_FAULTS].line
        del result.faults[MAX_FAULTS:]
    if stopped_at is not None:
        result.faults.append(Issue(
            "error", "too_many_faults",
            f"more than {MAX_FAULTS} faults: reading stopped at row {stopped_at}",
            line=stopped_at, params=(("count", MAX_FAULTS), ("row", stopped_at))))
    if not result.faults:
        result.specs = specs
        result.rows = seen
    return result
