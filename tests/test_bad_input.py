"""Bad input is a 400, a 404 or a form error, never a 500, and it never breaks a later export.

Run on SQLite and (second CI pass) PostgreSQL, where NUL bytes and integers past 2³¹−1 used to
reach the driver and fail there.
"""

from __future__ import annotations

import ast
import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from question_bank import tabular, validate
from quizapp import inputs, spreadsheets
from quizapp.extensions import db
from quizapp.models import Competition, Participant, Question, Round, Township
from quizapp.questions import services, transfer
from tests.competitions.conftest import bank, competition, now  # noqa: F401  (fixtures)
from tests.support import csrf_token

ROOT = Path(__file__).resolve().parent.parent
INT32_MAX = 2**31 - 1


@pytest.fixture
def admin(client, auth, make_user):
    make_user("root", "admin")
    auth.login("root")
    return client


def _post(client, page: str, path: str, data: dict, **kwargs):
    return client.post(path, data={**data, "csrf_token": csrf_token(client.get(page).text)},
                       **kwargs)


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# --- NUL bytes: one guard for the path, the query string and every form ------------------------

def test_a_nul_in_a_login_name_is_a_400(client, make_user):
    make_user("admin1", "admin")
    response = _post(client, "/login", "/login",
                     {"username": "admin1\x00", "password": "correct horse 42"})
    assert response.status_code == 400


def test_a_nul_in_a_registration_name_is_a_400_and_registers_nobody(client, competition):
    response = _post(client, "/competitions/test-cup", "/competitions/test-cup/register",
                     {"name": "小\x00明", "township_id": "", "organisation_id": "0",
                      "phone": ""})
    assert response.status_code == 400
    assert _count(Participant) == 0


@pytest.mark.parametrize("path", [
    "/competitions/test%00cup",
    "/competitions/attempt/abc%00def",
    "/practice/abc%00def/summary",
    "/admin/questions/?q=%E6%84%9F%00%E5%86%92",
    "/admin/questions/?q%00=1",
])
def test_a_nul_in_a_url_is_a_400(admin, competition, path):
    assert admin.get(path).status_code == 400


def test_a_nul_in_an_uploaded_file_name_is_a_400(admin):
    data = {"file": (io.BytesIO(transfer.template_csv()), "questions\x00.csv")}
    response = _post(admin, "/admin/questions/import", "/admin/questions/import", data,
                     content_type="multipart/form-data")
    assert response.status_code == 400


# --- integers past the columns' range -----------------------------------------------------------

@pytest.mark.parametrize("number", [INT32_MAX + 1, 2**63, 10**30])
@pytest.mark.parametrize("template", [
    "/admin/questions/{n}", "/admin/questions/{n}/versions/{n}/review",
    "/admin/questions/items/{n}", "/admin/users/{n}", "/admin/townships/{n}",
    "/admin/competitions/{n}", "/admin/competitions/{n}/export.csv",
    "/practice/abc/feedback/{n}",
])
def test_an_id_past_the_integer_column_is_a_404(admin, template, number):
    path = template.format(n=number)
    method = admin.post if path.endswith("/review") else admin.get
    assert method(path).status_code == 404


def test_the_largest_integer_id_is_an_ordinary_404(admin):
    assert admin.get(f"/admin/questions/{INT32_MAX}").status_code == 404


def test_a_huge_integer_in_a_query_string_is_ignored(admin):
    response = admin.get(f"/admin/organisations?township={10**30}")
    assert response.status_code == 200
    assert admin.get(f"/admin/questions/?page={10**30}").status_code == 200


def test_a_huge_integer_in_a_form_is_a_form_error(admin):
    response = _post(admin, "/admin/townships/new", "/admin/townships/new", {
        "code": "bigtown", "name": "大镇", "kind": "town", "population": str(INT32_MAX + 1),
        "population_source": "", "sort_order": str(10**20), "active": "y"})
    assert response.status_code == 200 and 'class="error"' in response.text
    assert _count(Township) == 0


@pytest.mark.parametrize("typed, refused", [
    ("nan", {"share", "amount"}), ("inf", {"share", "amount"}), ("-Infinity", {"share", "amount"}),
    ("1e400", {"share"}),  # a float overflows to inf; a Decimal holds it
])
def test_a_float_that_is_not_finite_is_a_form_error(app, typed, refused):
    from wtforms import DecimalField, FloatField

    class Figures(inputs.Form):  # no NumberRange: only the base form's rule can refuse
        share = FloatField()
        amount = DecimalField()

    with app.test_request_context(method="POST", data={"share": typed, "amount": typed}):
        form = Figures(meta={"csrf": False})
        assert not form.validate()
        assert set(form.errors) == refused
    with app.test_request_context(method="POST", data={"share": "0.5", "amount": "2"}):
        assert Figures(meta={"csrf": False}).validate()


def test_the_int_converter_keeps_to_the_column_range(app):
    converter = app.url_map.converters["int"]
    assert converter is inputs.DatabaseIntConverter
    for rule in app.url_map.iter_rules():
        for name, bound in rule._converters.items():
            if type(bound).__name__ == "DatabaseIntConverter":
                assert bound.max <= INT32_MAX, (rule.rule, name)
    assert inputs.db_int(str(INT32_MAX)) == INT32_MAX
    with pytest.raises(ValueError):
        inputs.db_int(str(INT32_MAX + 1))


# --- dates far away -----------------------------------------------------------------------------

@pytest.mark.parametrize("starts, ends", [
    ("9999-12-31T23:59", "9999-12-31T23:59"),
    ("0001-01-01T00:00", "2025-06-01T00:00"),
    ("2025-05-01T00:00", "9999-12-31T23:59"),
])
def test_a_competition_date_far_away_is_a_form_error(admin, bank, now, starts, ends):
    from tests.competitions.test_admin_views import _form

    response = _post(admin, "/admin/competitions/new", "/admin/competitions/new",
                     _form(now, starts_at=starts, ends_at=ends))
    assert response.status_code == 200 and 'class="error"' in response.text
    assert _count(Competition) == 0


def test_a_round_date_far_away_is_refused(admin, competition, now):
    page = f"/admin/competitions/{competition.id}"
    response = _post(admin, page, f"{page}/rounds", {
        "title": "远", "starts_at": "0001-01-01T00:00", "ends_at": "9999-12-31T23:59"},
        follow_redirects=True)
    assert response.status_code == 200
    assert _count(Round) == 0


# --- control characters -------------------------------------------------------------------------

def test_control_characters_are_taken_out_of_a_registration_name(client, competition):
    response = _post(client, "/competitions/test-cup", "/competitions/test-cup/register",
                     {"name": "小\x0b明\x1b\n", "township_id": "", "organisation_id": "0",
                      "phone": ""})
    assert response.status_code == 302
    assert db.session.scalar(select(Participant.name)) == "小明"


def test_text_fields_are_filtered_by_kind(app):
    from quizapp.auth.forms import LoginForm
    from quizapp.questions.forms import QuestionForm

    with app.test_request_context(method="POST", data={
            "username": "a\tb\x07c\r\nd", "password": "p\x07w\tx", "stem": "第一行\n第二\x0c行\x85",
            "explanation": "x"}):
        login, question = LoginForm(), QuestionForm()
        assert login.username.data == "a bc d"  # one line: tab and line breaks become a space
        assert login.password.data == "p\x07w\tx"  # a password is kept exactly as typed
        assert question.stem.data == "第一行\n第二行"  # a text area keeps its line breaks


def test_a_control_character_already_stored_does_not_break_the_exports(admin, competition,
                                                                        now):
    from tests.competitions.test_admin_views import _finished_attempt

    attempt = _finished_attempt(competition, "x")
    attempt.participant.name = "王\x0b五\x1f"  # stored before the input filter existed
    db.session.commit()
    response = admin.get(f"/admin/competitions/{competition.id}/export.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.data))["attempts"]["D2"].value == "王五"

    version = db.session.scalar(select(Question)).current
    version.stem = "题\x1f干"
    db.session.commit()
    response = admin.get("/admin/questions/export.xlsx")
    assert response.status_code == 200
    stems = [row[4] for row in load_workbook(io.BytesIO(response.data))["questions"]
             .iter_rows(min_row=2, values_only=True)]
    assert "题干" in stems


def test_an_imported_control_character_is_a_fault_with_row_and_column(admin):
    text = transfer.template_csv().decode("utf-8-sig").replace("服用抗生素时", "服用\x08抗生素时")
    response = _post(admin, "/admin/questions/import", "/admin/questions/import",
                     {"file": (io.BytesIO(text.encode()), "q.csv")},
                     content_type="multipart/form-data")
    assert response.status_code == 200 and "U+0008" in response.text
    assert "stem (E)" in response.text and _count(Question) == 0


# --- formulas in CSV exports ------------------------------------------------------------------

FORMULAS = ["=1+1等于几？", "+86开头的电话是哪里的？", "-5℃时水会结冰吗？", "@SUM(A1)是什么？"]


@pytest.mark.parametrize("stem", FORMULAS)
def test_the_question_csv_export_escapes_formulas_and_round_trips(admin, stem):
    spec = tabular.TEMPLATE_EXAMPLES[0]
    from dataclasses import replace

    services.create_question(replace(spec, stem=stem))
    data = admin.get("/admin/questions/export.csv").data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][4] == "'" + stem  # a spreadsheet shows it as text, never runs it
    table = tabular.read_table(data, "questions.csv")
    assert table.faults == [] and table.specs[0].stem == stem
    assert transfer.plan_import(table.specs).unchanged == 1


def test_the_template_csv_goes_through_the_same_writer(admin, monkeypatch):
    calls = []
    original = spreadsheets.csv_safe
    monkeypatch.setattr(spreadsheets, "csv_safe", lambda v: calls.append(v) or original(v))
    assert admin.get("/admin/questions/template.csv").status_code == 200
    assert "health-u0001" in calls


# --- the class, not only the instances ------------------------------------------------------

def _python_files():
    return sorted((ROOT / "quizapp").rglob("*.py"))


def test_every_form_derives_from_the_hygienic_base(app):
    from flask_wtf import FlaskForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(FlaskForm) if c.__module__.startswith("quizapp.")]
    assert len(ours) > 10
    strays = [f"{c.__module__}.{c.__name__}" for c in ours
              if c is not inputs.Form and not issubclass(c, inputs.Form)]
    assert strays == [], "derive these from quizapp.inputs.Form"


def test_no_query_string_integer_bypasses_db_int():
    offenders = []  # request.args.get(..., type=int) and the like
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("get", "getlist") and any(
                        k.arg == "type" and isinstance(k.value, ast.Name) and k.value.id == "int"
                        for k in node.keywords):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "use type=quizapp.inputs.db_int"


def test_every_spreadsheet_is_written_by_the_one_helper():
    writers = ("csv.writer(", "csv.DictWriter(", "Workbook(")
    offenders = [str(path.relative_to(ROOT)) for path in _python_files()
                 if path.name != "spreadsheets.py"
                 and any(w in path.read_text(encoding="utf-8") for w in writers)]
    offenders += [str(path.relative_to(ROOT)) for path in (ROOT / "question_bank").rglob("*.py")
                  if any(w in path.read_text(encoding="utf-8") for w in writers)]
    assert offenders == []


def test_the_rules_shared_across_packages_agree():
    assert inputs.CONTROL_CHARACTERS.pattern == validate.CONTROL.pattern
    assert spreadsheets.FORMULA_STARTS == tabular.FORMULA_STARTS


def test_exports_are_the_one_helper_in_the_competition_feature_too(admin, competition, now):
    from tests.competitions.test_admin_views import _finished_attempt

    attempt = _finished_attempt(competition, "y")
    attempt.participant.name = "@cmd"
    attempt.finished_at = attempt.started_at + timedelta(minutes=1)
    db.session.commit()
    rows = list(csv.reader(io.StringIO(admin.get(
        f"/admin/competitions/{competition.id}/export.csv?what=attempts").data
        .decode("utf-8-sig"))))
    assert rows[1][3] == "'@cmd"
