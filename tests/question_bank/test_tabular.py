"""Spreadsheet and CSV export/import without the database."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from question_bank.loader import load_bank
from question_bank.tabular import (
    COLUMNS,
    TEMPLATE_EXAMPLES,
    TableError,
    read_table,
)
from quizapp.questions.transfer import questions_csv as csv_bytes
from quizapp.questions.transfer import questions_xlsx as xlsx_bytes


@pytest.fixture(scope="module")
def bank_specs():
    return load_bank().specs


@pytest.mark.parametrize("writer, name", [(xlsx_bytes, "q.xlsx"), (csv_bytes, "q.csv")])
def test_the_whole_bank_round_trips_without_loss(bank_specs, writer, name):
    result = read_table(writer(bank_specs), name)
    assert result.faults == []
    assert result.specs == bank_specs  # every field, including status, groups and survey


def test_templates_are_valid_imports():
    for data, name in ((xlsx_bytes(TEMPLATE_EXAMPLES, with_help=True), "t.xlsx"),
                       (csv_bytes(TEMPLATE_EXAMPLES), "t.csv")):
        assert read_table(data, name).specs == list(TEMPLATE_EXAMPLES)
    workbook = load_workbook(io.BytesIO(xlsx_bytes(TEMPLATE_EXAMPLES, with_help=True)))
    assert workbook.sheetnames == ["questions", "说明"]


def _sheet(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "questions"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(c) for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row(**overrides):
    row = {"id": "health-u0001", "topic": "health", "version": 1, "type": "multiple",
           "stem": "下列哪些是好习惯？", "option_a": "勤洗手", "option_b": "熬夜",
           "option_c": "按时吃饭", "answer": "A,C", "explanation": "洗手和规律饮食有益健康。",
           "authority": "卫生常识", "groups": "youth, elder", "dimension": "A", "benchmark": None,
           "difficulty": 2, "status": "draft", "survey": "否"}
    row.update(overrides)
    return row


def test_lenient_cells_are_read():
    result = read_table(_sheet([_row(answer="AC", groups="all", survey="是"),
                                _row(id="health-u0002", type="true_false", option_a=None,
                                     option_b=None, option_c=None, answer="对")]), "x.xlsx")
    assert result.faults == []
    first, second = result.specs
    assert first.answer == (0, 2) and len(first.groups) == 5 and first.survey is True
    assert second.answer == (0,) and second.options == ()


def test_every_bad_row_is_listed_by_row_and_column_and_nothing_is_returned():
    rows = [_row(), _row(id="health-u0002", answer="A"), _row(id="health-u0003",
            topic="astrology", stem="<b>粗体</b>"), _row(id="health-u0001")]
    result = read_table(_sheet(rows), "x.xlsx")
    assert result.specs == []
    found = {(f.line, f.column, f.kind) for f in result.faults}
    assert (3, "answer (K)", "multiple_too_few") in found
    assert (4, "topic (B)", "unknown_topic") in found
    assert (4, "stem (E)", "markup") in found
    assert (5, "id (A)", "duplicate_id") in found


def test_missing_columns_are_reported():
    data = "id,stem\nhealth-u0001,问题\n".encode()
    result = read_table(data, "x.csv")
    assert result.specs == [] and result.faults[0].kind == "missing_columns"


@pytest.mark.parametrize("data, name, key", [
    (b"this is not a zip", "x.xlsx", "not_spreadsheet"),
    (b"PK\x03\x04 broken zip", "x.xlsx", "not_spreadsheet"),
    (b"", "x.csv", "empty"),
    (b"anything", "x.pdf", "unknown_format"),
])
def test_unreadable_files_raise_table_error(data, name, key):
    with pytest.raises(TableError, match=key):
        read_table(data, name)


def test_gbk_csv_from_chinese_excel_is_read():
    data = csv_bytes(TEMPLATE_EXAMPLES).decode("utf-8-sig").encode("gb18030")
    assert read_table(data, "x.csv").specs == list(TEMPLATE_EXAMPLES)


def test_text_that_looks_like_a_formula_stays_text_in_xlsx():
    spec = TEMPLATE_EXAMPLES[0]
    from dataclasses import replace

    tricky = replace(spec, stem="=1+1 等于几？")
    sheet = load_workbook(io.BytesIO(xlsx_bytes([tricky]))).active
    assert sheet["E2"].value == "=1+1 等于几？" and sheet["E2"].data_type == "s"


def test_a_zip_bomb_is_refused_before_parsing():
    import io
    import zipfile

    import pytest

    from question_bank.tabular import MAX_UNPACKED_BYTES, TableError, read_table

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", "a" * (MAX_UNPACKED_BYTES + 1))
    assert len(buffer.getvalue()) < 200_000
    with pytest.raises(TableError, match="too_large_unpacked"):
        read_table(buffer.getvalue(), "bomb.xlsx")


def test_enemy_groups_and_review_by_are_optional_columns():
    """Exports write them; a sheet with them (a typed date comes back as a datetime) reads them;
    a sheet without them (an older export) still reads."""
    from datetime import date, datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "questions"
    sheet.append([*COLUMNS, "enemy_groups", "review_by"])
    sheet.append([_row().get(c) for c in COLUMNS] + ["coin, dice", datetime(2027, 6, 30)])
    sheet.append([_row(id="health-u0002").get(c) for c in COLUMNS] + [None, "2028-01-31"])
    out = io.BytesIO()
    workbook.save(out)
    first, second = read_table(out.getvalue(), "x.xlsx").specs
    assert (first.enemy_groups, first.review_by) == (("coin", "dice"), date(2027, 6, 30))
    assert (second.enemy_groups, second.review_by) == ((), date(2028, 1, 31))
    old = read_table(_sheet([_row()]), "old.xlsx")
    assert old.faults == [] and old.specs[0].enemy_groups == () and old.specs[0].review_by is None
    header = csv_bytes([first]).decode("utf-8-sig").splitlines()[0]
    assert header.endswith(",enemy_groups,review_by")
