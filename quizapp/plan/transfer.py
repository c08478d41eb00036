"""Yearly figures from a spreadsheet: the template and the all-or-nothing upload.

The file has one row per target and year (the header is row 1):

========== =====================================================================
column     meaning
========== =====================================================================
A target   the target's code (the template lists every code with its name)
B year     2021–2025
C value    a whole number ≥ 0: the year's figure (for a share, the count)
D denominator  for a share only: its denominator, a whole number ≥ 1
E name     the target's name, for people; never read
========== =====================================================================

Chinese headers (指标代码, 年份, 数值, 分母, 名称) read too. A row with neither value nor
denominator reports nothing and is skipped (the template has a row per target to fill in).
Reading follows the question import's conventions (:mod:`question_bank.tabular`, whose file
readers it uses: size and zip-bomb limits, CSV in UTF-8 or GB18030): any fault and nothing is
written; every fault is listed with its row and column letter. A clean file is written in one
transaction; a figure already stored for the same target and year is replaced.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from question_bank.tabular import cell_text, column_letter, read_rows
from quizapp import spreadsheets
from quizapp.models.plan import PlanTarget
from quizapp.plan import progress as rules
from quizapp.plan import services
from quizapp.plan.labels import fault_text

COLUMNS = ("target", "year", "value", "denominator")
OPTIONAL_COLUMNS = ("name",)
ALIASES = {"指标代码": "target", "指标": "target", "年份": "year", "数值": "value",
           "分母": "denominator", "名称": "name"}
SHEET_TITLE = "figures"
NOTES_TITLE = "说明"
MAX_DIGITS = 12  # longer numbers are refused before int() (which refuses 4,300+ digits itself)


@dataclass(frozen=True)
class Fault:
    """One reason the file was refused: where (row; column name and letter) and why."""

    row: int | None
    column: str | None
    text: str


@dataclass
class UploadResult:
    """What an upload did: every fault (then nothing was written), or what was written."""

    faults: list[Fault] = field(default_factory=list)
    added: int = 0
    replaced: int = 0

    @property
    def ok(self) -> bool:
        return not self.faults


def _whole(text: str) -> tuple[int | None, tuple[str, dict] | None]:
    """A cell as a whole number, or the fault: ``1,234`` and ``12.0`` read as numbers."""
    cleaned = re.sub(r"[,，\s]", "", text)
    match = re.fullmatch(r"([+-]?)(\d+)(?:\.0*)?", cleaned)
    if match is None:
        return None, ("not_whole_number", {"value": text[:40]})
    if len(match.group(2).lstrip("0")) > MAX_DIGITS:
        return None, ("too_large", {"value": text[:40]})
    value = int(match.group(1) + match.group(2))
    return value, None


def check_upload(data: bytes, filename: str, user_id: int | None = None,
                 allowed: Collection[int] | None = None) -> UploadResult:
    """Read the file and, when every row is right, write all its figures in one transaction;
    otherwise write nothing and return every fault.  :class:`TableError` when unreadable.

    ``allowed``: the ids of the targets the uploader may report (a reporter's own); a row for
    any other target is a fault, so the whole file is refused. ``None``: every target (admins).
    """
    numbered = read_rows(data, filename)
    header_line, header_row = numbered[0]
    header = [cell_text(c) for c in header_row]
    header = [ALIASES.get(h, h.lower()) for h in header]
    result = UploadResult()
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS + OPTIONAL_COLUMNS]
    if missing:
        result.faults.append(Fault(header_line, None,
                                   fault_text("missing_columns", value=", ".join(missing))))
    if unknown:
        result.faults.append(Fault(header_line, None,
                                   fault_text("unknown_columns", value=", ".join(unknown))))
    if result.faults:
        return result
    position = {c: header.index(c) for c in COLUMNS}
    targets = {t.code: t for t in services.all_targets()}
    seen: dict[tuple[str, int], int] = {}
    planned = []
    for line, row in numbered[1:]:
        cells = {c: cell_text(row[i]) if i < len(row) else "" for c, i in position.items()}
        if not cells["value"] and not cells["denominator"]:
            continue  # a template row left blank: nothing reported for that target and year
        bad = len(result.faults)

        def fault(column: str, key: str, params: dict | None = None, line: int = line) -> None:
            where = f"{column} ({column_letter(position[column])})"
            result.faults.append(Fault(line, where, fault_text(key, **(params or {}))))

        target = targets.get(cells["target"])
        if not cells["target"]:
            fault("target", "empty")
        elif target is None:
            fault("target", "unknown_target", {"value": cells["target"][:40]})
        elif allowed is not None and target.id not in allowed:
            fault("target", "not_your_target", {"value": cells["target"][:40]})
            target = None
        year, problem = _whole(cells["year"]) if cells["year"] else (None, ("empty", {}))
        if problem is None and year not in rules.PLAN_YEARS:
            problem = ("bad_year", {"value": cells["year"][:40]})
        if problem:
            fault("year", *problem)
        value, problem = _whole(cells["value"]) if cells["value"] else (None, ("empty", {}))
        if problem is None and value < 0:
            problem = ("negative", {"value": value})
        if problem:
            fault("value", *problem)
        denominator = None
        if cells["denominator"]:
            denominator, problem = _whole(cells["denominator"])
            if problem:
                fault("denominator", *problem)
                denominator = None
        if len(result.faults) == bad and target is not None:
            problem = services.figure_problem(target.kind, value, denominator)
            if problem:
                column = "value" if problem[0] in ("negative", "above_denominator") \
                    or (problem[0] == "too_large" and problem[1]["value"] == value) \
                    else "denominator"
                fault(column, *problem)
        if target is not None and year in rules.PLAN_YEARS:
            key = (target.code, year)
            if key in seen:
                fault("year", "duplicate", {"other": seen[key]})
            else:
                seen[key] = line
        if len(result.faults) == bad:
            planned.append((target, year, value, denominator))
    if not planned and not result.faults:
        result.faults.append(Fault(None, None, fault_text("no_rows")))
    if result.faults:
        return result

    def write() -> None:
        result.added = result.replaced = 0
        for target, year, value, denominator in planned:
            if services.put_figure(target, year, value, denominator, user_id):
                result.added += 1
            else:
                result.replaced += 1

    services.commit_figures(write)
    return result


def template_xlsx(targets: list[PlanTarget] | None = None) -> bytes:
    """The upload template: a row per target (``targets``, default every one) for the
    assessed year (its stored figure, if any, filled in), and a sheet of notes."""
    year = services.default_year()
    targets = services.all_targets() if targets is None else targets
    rows = []
    for target in targets:
        figure = services.figures_of(target).get(year)
        rows.append([target.code, year, figure[0] if figure else None,
                     figure[1] if figure else None, f"{target.name_zh} {target.name_en}"])
    notes = [
        ["每行一个指标一年的数字。One row per target and year."],
        ["target: 指标代码（见下表） the target's code (below)"],
        ["year: 2021–2025"],
        ["value: 非负整数；累计类填当年新增，比例类填分子 a whole number ≥ 0; for cumulative "
         "targets what was added that year, for a share the count"],
        ["denominator: 仅比例类填写分母 for a share only, its denominator (≥ 1)"],
        ["name: 仅供阅读，不读取 for people, never read"],
        ["value 与 denominator 都空的行不读取 a row without value and denominator is skipped"],
        ["任何一行有错，整个文件都不导入。A file with any bad row is rejected whole."],
        [""],
        *([t.code, f"{t.name_zh} {t.name_en}", t.kind] for t in targets),
    ]
    return spreadsheets.xlsx_bytes({SHEET_TITLE: ((*COLUMNS, *OPTIONAL_COLUMNS), rows),
                                    NOTES_TITLE: ((), notes)}, freeze_panes="A2")
