"""The sampling frame: reading CSV and XLSX all-or-nothing, and every problem reported with its
row (the header is row 1) and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from surveys import (
    Frame,
    FrameError,
    FrameIssue,
    FramePSU,
    SurveyInputError,
    UrbanRural,
    parse_frame,
    read_frame,
    read_frame_bytes,
    validate_frame,
)

GOOD_CSV = """township,psu,name,urban_rural,size,households
xinjianlu,410184001001,和平社区,urban,1200,480
xinjianlu,410184001002,东关社区,城镇,950.5,400
baqian,410184201001,八千村,rural,640,210
baqian,410184201002,西村,220,300,95
"""


def test_a_good_csv_gives_the_frame_in_file_order(tmp_path):
    path = tmp_path / "frame.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    frame = read_frame(path, townships={"xinjianlu", "baqian"})
    assert frame.psus == (
        FramePSU("xinjianlu", "410184001001", UrbanRural.URBAN, 1200.0, 480, "和平社区"),
        FramePSU("xinjianlu", "410184001002", UrbanRural.URBAN, 950.5, 400, "东关社区"),
        FramePSU("baqian", "410184201001", UrbanRural.RURAL, 640.0, 210, "八千村"),
        FramePSU("baqian", "410184201002", UrbanRural.RURAL, 300.0, 95, "西村"),
    )
    assert [p.row for p in frame.psus] == [2, 3, 4, 5]
    assert frame.strata == ("xinjianlu", "baqian")
    assert [p.psu for p in frame.stratum("baqian")] == ["410184201001", "410184201002"]


def test_gb18030_csv_from_excel_is_read():
    frame = read_frame_bytes(GOOD_CSV.encode("gb18030"), "frame.CSV")
    assert frame.psus[0].name == "和平社区"


BAD_CSV = """township,psu,urban_rural,size,households,remark
xinjianlu,P1,urban,100,40,
,P2,urban,abc,0,
xinjianlu,P1,suburb,-5,12.5,
mars,P3,rural,nan,3,
xinjianlu,P4,111,1e400,7,
"""


def test_every_problem_is_reported_with_its_row_and_column():
    with pytest.raises(FrameError) as caught:
        read_frame_bytes(BAD_CSV.encode(), "frame.csv", townships={"xinjianlu"})
    found = [(i.row, i.column) for i in caught.value.issues]
    assert found == [
        (None, "remark"),
        (3, "township"), (3, "size"), (3, "households"),
        (4, "psu"), (4, "urban_rural"), (4, "size"), (4, "households"),
        (5, "township"), (5, "size"),
        (6, "size"),
    ]
    messages = {(i.row, i.column): i.message for i in caught.value.issues}
    assert messages[(4, "psu")] == "PSU 'P1' is also on row 2"
    assert messages[(5, "township")] == "'mars' is not a known township"
    assert "11 problem(s)" in str(caught.value)
    assert str(caught.value.issues[1]) == "row 3, column township: empty"


def test_missing_and_repeated_columns_are_file_problems():
    issues = validate_frame([{"township": "a", "psu": "p", "size": "1", "households": "1"}])
    assert issues == (FrameIssue(None, "urban_rural", "this required column is missing"),)
    header = ["township", "psu", "urban_rural", "size", "size", "households"]
    issues = validate_frame([], header=header)
    assert [(i.column, i.message) for i in issues] == [
        ("size", "this column appears more than once"),
        (None, "the frame has no PSU rows")]


def test_records_are_numbered_as_spreadsheet_rows():
    rows = [{"township": "a", "psu": "p1", "urban_rural": "urban", "size": 1, "households": 1},
            {"township": "a", "psu": "p2", "urban_rural": "urban", "size": -1, "households": 1}]
    assert validate_frame(rows) == (FrameIssue(3, "size", "must be a number greater than 0, "
                                                         "got '-1'"),)
    with pytest.raises(FrameError) as caught:
        parse_frame(rows)
    assert [(i.row, i.column) for i in caught.value.issues] == [(3, "size")]


def test_validate_returns_nothing_for_a_good_frame_and_parse_builds_it():
    rows = [{"Township ": "a", "PSU": "p1", "urban_rural": "乡村", "size": 10, "households": 4.0}]
    assert validate_frame(rows) == ()
    frame = parse_frame(rows)
    assert frame.psus == (FramePSU("a", "p1", UrbanRural.RURAL, 10.0, 4),)


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_is_read_and_blank_rows_keep_the_file_row_numbers():
    data = xlsx([
        ["township", "psu", "urban_rural", "size", "households"],
        ["a", "p1", "urban", 100, 40],
        [None, None, None, None, None],
        ["a", "p2", "rural", 0, 40],
        ["a", 410184201003, "rural", 12.5, 40],
    ])
    with pytest.raises(FrameError) as caught:
        read_frame_bytes(data, "frame.xlsx")
    assert [(i.row, i.column) for i in caught.value.issues] == [(4, "size")]
    data = xlsx([["township", "psu", "urban_rural", "size", "households"],
                 ["a", "p1", "urban", 100, 40], [None] * 5, ["a", 410184201003, "rural", 12.5, 40]])
    frame = read_frame_bytes(data, "frame.xlsx")
    assert [(p.psu, p.row) for p in frame.psus] == [("p1", 2), ("410184201003", 4)]


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"not a zip", "frame.xlsx", "not an .xlsx"),
    (b"a,b\n1,2\n", "frame.txt", ".csv or .xlsx"),
    (b"", "frame.csv", "empty"),
    (b"township\x00,psu\n", "frame.csv", "not a text CSV"),
])
def test_unreadable_files_are_refused(data, name, message):
    with pytest.raises(FrameError, match=message):
        read_frame_bytes(data, name)


def test_a_frame_needs_unique_psus():
    psu = FramePSU("a", "p1", UrbanRural.URBAN, 1.0, 1)
    with pytest.raises(SurveyInputError):
        Frame((psu, psu))
    with pytest.raises(SurveyInputError):
        Frame(())
