"""Broken, hostile and surprising files: the readers refuse them clearly, and write nothing.

Also the import's publishing rule: imported questions are drafts unless a reviewer applies the
statuses in the file.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from question_bank import tabular
from question_bank.__main__ import main as bank_cli
from question_bank.tabular import COLUMNS, MAX_COLUMNS, MAX_FAULTS, TableError, read_table
from quizapp.extensions import db
from quizapp.models import Question, QuestionVersion
from quizapp.questions import services, transfer
from tests.question_bank.conftest import HEALTH
from tests.support import csrf_token

SHEET = "xl/worksheets/sheet1.xml"


def _with_sheet(sheet_xml: bytes, base: bytes | None = None) -> bytes:
    """A real workbook (the template) whose first sheet's XML is replaced by ``sheet_xml``."""
    base = base or transfer.questions_xlsx(tabular.TEMPLATE_EXAMPLES)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = sheet_xml if info.filename == SHEET else source.read(info.filename)
            target.writestr(info.filename, data)
    return out.getvalue()


def _sheet_xml(base: bytes | None = None) -> bytes:
    base = base or transfer.questions_xlsx(tabular.TEMPLATE_EXAMPLES)
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        return archive.read(SHEET)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _letter(index: int) -> str:
    return tabular.column_letter(index)


def _lying_sheet(rows: int = 5000, far_right: bool = False) -> bytes:
    """A sheet of ``rows`` rows whose <dimension> claims all 16,384 columns: the header, then
    one short cell per row (31 KB packed) and, if ``far_right``, one in the last column too."""
    header = "".join(_inline(f"{_letter(i)}1", name) for i, name in enumerate(COLUMNS))
    body = "".join(f'<row r="{r}">{_inline(f"A{r}", "x")}'
                   f'{_inline(f"XFD{r}", "y") if far_right else ""}</row>'
                   for r in range(2, rows + 1))
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="A1:XFD{rows}"/><sheetData><row r="1">{header}</row>{body}'
            '</sheetData></worksheet>').encode()


# --- malformed workbooks -------------------------------------------------------------------------

def test_a_truncated_sheet_is_refused_with_the_row_where_reading_stopped():
    xml = _sheet_xml()
    cut = xml.index(b'<row r="3"') + 20  # inside the third row
    with pytest.raises(TableError) as caught:
        read_table(_with_sheet(xml[:cut]), "cut.xlsx")
    assert caught.value.key == "damaged_sheet"
    assert caught.value.params == {"row": 3}


def test_entities_in_a_sheet_are_refused_not_expanded():
    xml = _sheet_xml().decode()
    doctype = '<!DOCTYPE worksheet [<!ENTITY hidden "注入的文字">]>'
    xml = xml.replace("?>", "?>" + doctype, 1)
    xml = re.sub(r"<t>([^<]*服用抗生素时[^<]*)</t>", "<t>&hidden;</t>", xml, count=1)
    with pytest.raises(TableError):
        read_table(_with_sheet(xml.encode()), "entity.xlsx")


def test_a_billion_laughs_is_refused_fast():
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "ha">{laughs}]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData><row r="1">{_inline("A1", "&l9;")}</row></sheetData></worksheet>')
    started = time.perf_counter()
    with pytest.raises(TableError):
        read_table(_with_sheet(bomb.encode()), "bomb.xlsx")
    assert time.perf_counter() - started < 5


def test_a_sheet_that_lies_about_its_size_is_read_by_its_real_cells():
    data = _with_sheet(_lying_sheet())
    assert len(data) < 40_000
    rows = tabular._rows_from_xlsx(data)
    assert len(rows) == 5000 and max(len(r) for r in rows) <= MAX_COLUMNS
    result = read_table(data, "lying.xlsx")
    assert len(result.faults) == MAX_FAULTS + 1 and result.specs == []
    last = result.faults[-1]
    assert last.kind == "too_many_faults" and dict(last.params)["count"] == MAX_FAULTS


def test_cells_far_to_the_right_are_not_read():
    rows = tabular._rows_from_xlsx(_with_sheet(_lying_sheet(500, far_right=True)))
    assert len(rows) == 500 and max(len(r) for r in rows) <= MAX_COLUMNS


def test_a_sheet_claiming_fewer_rows_than_it_has_is_read_whole():
    xml = _sheet_xml().decode()
    xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:S2"/>', xml)
    assert 'ref="A1:S2"' in xml
    assert read_table(_with_sheet(xml.encode()), "short.xlsx").specs == list(
        tabular.TEMPLATE_EXAMPLES)


def test_the_fault_list_says_where_reading_stopped(client, auth, make_user):
    make_user("root", "admin")
    auth.login("root")
    response = _upload(client, _with_sheet(_lying_sheet()), "lying.xlsx")
    assert response.status_code == 200
    assert response.text.count("<tr><td>") == MAX_FAULTS + 1
    assert "reading stopped at row" in response.text or "停止" in response.text


def test_a_damaged_upload_gets_a_clear_message_and_writes_nothing(client, auth, make_user,
                                                                 bank_dir):
    services.sync_bank(bank_dir)
    make_user("root", "admin")
    auth.login("root")
    xml = _sheet_xml()
    response = _upload(client, _with_sheet(xml[:xml.index(b'<row r="3"') + 20]), "cut.xlsx")
    assert response.status_code == 200 and 'class="error"' in response.text
    assert re.search(r"\b3\b", response.text.split('class="error"', 1)[1])
    assert db.session.scalar(select(func.count(Question.id))) == 2


def test_blank_rows_keep_the_row_numbers_of_the_file():
    text = transfer.template_csv().decode("utf-8-sig").replace("\r\n", "\r\n,,\r\n", 1)
    text = text.replace("emergency-u0001,emergency", "emergency-u0001,astrology")
    result = read_table(text.encode(), "gap.csv")
    assert [f.line for f in result.faults] == [4]  # header 1, blank 2, first 3, second 4


# --- the bank files' command line -------------------------------------------------------------

@pytest.mark.parametrize("bad, message", [
    ("stem: \x00普通感冒大多由什么引起？", "U+0000"),
    ("stem: 0000-01-01", "0000-01-01"),
    (f"version: {'9' * 5000}", "cannot read the value"),
])
def test_the_bank_checker_reports_unreadable_yaml_and_exits_1(tmp_path, capsys, bad, message):
    directory = tmp_path / "questions"
    directory.mkdir()
    key = bad.split(":")[0]
    text = re.sub(rf"^    {key}: .*$", "    " + bad, HEALTH, count=1, flags=re.M)
    (directory / "health.yaml").write_text(text, encoding="utf-8")
    for command in (["check", "--no-coverage"], ["stats"]):
        assert bank_cli(["--dir", str(directory), *command]) == 1
        err = capsys.readouterr().err
        assert "health.yaml:" in err and message in err


# --- imports land as drafts -----------------------------------------------------------------

@pytest.fixture
def admin(client, auth, make_user, bank_dir):
    services.sync_bank(bank_dir)
    make_user("root", "admin")
    auth.login("root")
    return client


def _upload(client, data: bytes, name: str):
    token = csrf_token(client.get("/admin/questions/import").text)
    return client.post("/admin/questions/import", data={
        "csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def _confirm(client, preview_html: str, **extra):
    staged = re.search(r'name="token"[^>]*value="([0-9a-f]{32})"', preview_html).group(1)
    return client.post("/admin/questions/import/confirm", data={
        "csrf_token": csrf_token(preview_html), "token": staged, **extra})


ACTIVE = [replace(spec, status="active") for spec in tabular.TEMPLATE_EXAMPLES]


def _statuses() -> dict[str, list[str]]:
    db.session.expire_all()
    return {q.code: [v.status for v in sorted(q.versions, key=lambda v: v.version)]
            for q in db.session.scalars(select(Question).where(Question.source == "ui"))}


def test_an_import_marked_active_lands_as_drafts(admin):
    preview = _upload(admin, transfer.questions_xlsx(ACTIVE), "active.xlsx")
    assert 'data-test="apply-statuses"' in preview.text  # offered: admins hold review rights
    assert _confirm(admin, preview.text).status_code == 302
    assert _statuses() == {"health-u0001": ["draft"], "emergency-u0001": ["draft"]}


def test_applying_the_statuses_never_publishes_what_the_import_writes(admin):
    """The importer wrote the new questions, so another person reviews them (as in the UI)."""
    preview = _upload(admin, transfer.questions_xlsx(ACTIVE), "active.xlsx")
    assert _confirm(admin, preview.text, apply_statuses="y").status_code == 302
    assert _statuses() == {"health-u0001": ["draft"], "emergency-u0001": ["draft"]}


def test_a_reviewer_applies_the_statuses_to_others_unchanged_work_forward_only(admin):
    """Pinned: another person's draft goes active; the admin's own draft stays a draft; an
    active question marked draft in the file stays active (statuses only move forward)."""
    others = services.create_question(ACTIVE[0], by_user_id=None)
    own = services.create_question(ACTIVE[1], by_user_id=_root_id())
    assert (others.code, own.code) == ("health-u0001", "emergency-u0001")
    preview = _upload(admin, transfer.questions_xlsx(ACTIVE), "active.xlsx")
    _confirm(admin, preview.text, apply_statuses="y")
    assert _statuses() == {"health-u0001": ["active"], "emergency-u0001": ["draft"]}
    back = [replace(ACTIVE[0], status="draft")]
    preview = _upload(admin, transfer.questions_xlsx(back), "back.xlsx")
    _confirm(admin, preview.text, apply_statuses="y")
    assert _statuses() == {"health-u0001": ["active"], "emergency-u0001": ["draft"]}


def test_without_review_rights_the_box_is_neither_shown_nor_obeyed(admin, monkeypatch):
    monkeypatch.setattr(services, "REVIEW_ROLES", ("statistician",))
    preview = _upload(admin, transfer.questions_xlsx(ACTIVE), "active.xlsx")
    assert 'data-test="apply-statuses"' not in preview.text
    assert _confirm(admin, preview.text, apply_statuses="y").status_code == 302
    assert _statuses() == {"health-u0001": ["draft"], "emergency-u0001": ["draft"]}


def _root_id() -> int:
    from quizapp.models import User

    return db.session.scalar(select(User.id).where(User.username == "root"))


def test_new_content_for_a_live_question_waits_as_a_draft(admin):
    question = services.create_question(ACTIVE[0])
    services.review(question, question.current, by_user_id=_root_id())
    services.activate(question, question.current, by_user_id=_root_id())
    changed = replace(ACTIVE[0], stem="服用抗生素时，下列哪种做法正确？")
    preview = _upload(admin, transfer.questions_xlsx([changed]), "edit.xlsx")
    _confirm(admin, preview.text)
    assert _statuses() == {"health-u0001": ["active", "draft"]}
    db.session.expire_all()
    current = db.session.scalar(select(Question)
                                .where(Question.code == "health-u0001")).current
    assert current.status == "active" and current.stem == ACTIVE[0].stem
    # A status-only difference changes nothing unless the statuses are applied.
    retired = replace(ACTIVE[0], status="retired")
    preview = _upload(admin, transfer.questions_xlsx([retired]), "retire.xlsx")
    _confirm(admin, preview.text)
    assert _statuses() == {"health-u0001": ["active", "draft"]}


def _survey_flag(code: str) -> bool:
    db.session.expire_all()
    return db.session.scalar(select(Question.survey_reserved).where(Question.code == code))


def test_an_import_may_reserve_a_live_question_but_only_a_reviewer_may_release_one(admin):
    """Releasing a survey question puts it in practice and competitions: that publishes it."""
    question = services.create_question(ACTIVE[0])
    services.review(question, question.current, by_user_id=_root_id())
    services.activate(question, question.current, by_user_id=_root_id())
    question.survey_reserved = True
    db.session.commit()
    released = ACTIVE[0]  # same content and status, survey "false"
    preview = _upload(admin, transfer.questions_xlsx([released]), "release.xlsx")
    _confirm(admin, preview.text)
    assert _survey_flag("health-u0001") is True, "still reserved: nothing was reviewed"
    preview = _upload(admin, transfer.questions_xlsx([released]), "release.xlsx")
    _confirm(admin, preview.text, apply_statuses="y")
    assert _survey_flag("health-u0001") is False, "a reviewer applying the file releases it"
    reserved = replace(ACTIVE[0], survey=True)
    preview = _upload(admin, transfer.questions_xlsx([reserved]), "reserve.xlsx")
    _confirm(admin, preview.text)
    assert _survey_flag("health-u0001") is True, "reserving needs no review"
    assert _statuses() == {"health-u0001": ["active"]}


def test_the_command_line_import_lands_as_drafts_unless_told(app, runner, tmp_path):
    path = tmp_path / "active.xlsx"
    path.write_bytes(transfer.questions_xlsx(ACTIVE[:1]))
    result = runner.invoke(args=["questions", "import", str(path)])
    assert result.exit_code == 0 and "drafts" in result.output
    assert _statuses() == {"health-u0001": ["draft"]}
    reworded = replace(ACTIVE[0], stem="换一种问法：服用抗生素时？")
    path.write_bytes(transfer.questions_xlsx([reworded]))
    assert runner.invoke(args=["questions", "import", str(path), "--apply-statuses"]) \
        .exit_code == 0
    assert _statuses() == {"health-u0001": ["active"]}


def test_review_rights_are_the_admin_role(make_user):
    assert services.can_review(make_user("boss", "admin"))
    assert not services.can_review(make_user("stats", "statistician"))
    assert db.session.scalar(select(func.count(QuestionVersion.id))) == 0
