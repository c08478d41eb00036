"""The question admin pages, import/export and item statistics, through the real stack."""

import html
import io
import json
import re
import secrets

import pytest
from sqlalchemy import func, select

from question_bank.tabular import COLUMNS, read_table
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, Question, QuestionVersion
from quizapp.questions import services, transfer
from quizapp.questions.transfer import questions_csv as csv_bytes
from quizapp.questions.transfer import questions_xlsx as xlsx_bytes
from tests.support import csrf_token, field_errors


@pytest.fixture
def admin(admin, bank_dir):
    """The signed-in admin, with the test bank loaded."""
    services.sync_bank(bank_dir)
    return admin


def _post(client, page, path, data, **kwargs):
    token = csrf_token(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, **kwargs)


def _new_question(**overrides):
    data = {"topic": "health", "type": "single", "stem": "哪种做法能预防流感？",
            "option_a": "接种流感疫苗", "option_b": "多喝冷水", "option_c": "吃抗生素",
            "answer_letters": ["A"], "answer_tf": "true",
            "explanation": "接种疫苗是预防流感最有效的手段。",
            "authority": "国家疾控局", "groups": ["elder", "farmer"], "dimension": "A",
            "benchmark": "", "difficulty": "1"}
    data.update(overrides)
    return data


def _ui_question():
    return db.session.scalar(select(Question).where(Question.source == "ui"))


def test_list_filters_and_search(admin):
    page = admin.get("/admin/questions/")
    assert page.status_code == 200 and "health-0001" in page.text and "health-0002" in page.text
    only_survey = admin.get("/admin/questions/?survey=yes").text
    assert "health-0002" in only_survey and "health-0001" not in only_survey
    farmers = admin.get("/admin/questions/?group=farmer").text
    assert "health-0002" in farmers and "health-0001" not in farmers
    searched = admin.get("/admin/questions/?q=感冒大多").text
    assert "health-0001" in searched and "health-0002" not in searched
    assert "health-0001" not in admin.get("/admin/questions/?dimension=A&difficulty=1").text
    assert "health-0001" not in admin.get("/admin/questions/?status=draft").text


def test_create_review_activate_edit_and_retire(admin, auth, make_user):
    response = _post(admin, "/admin/questions/new", "/admin/questions/new", _new_question())
    assert response.status_code == 302
    question = _ui_question()
    assert question.code == "health-u0001" and question.current.status == "draft"
    view = f"/admin/questions/{question.id}"
    version = question.current
    make_user("second", "admin")  # another person reviews what root wrote
    auth.logout()
    auth.login("second")
    _post(admin, view, f"{view}/versions/{version.id}/activate", {})  # not reviewed yet
    assert version.status == "draft"
    _post(admin, view, f"{view}/versions/{version.id}/review", {})
    _post(admin, view, f"{view}/versions/{version.id}/activate", {})
    db.session.refresh(version)
    assert version.status == "active"

    # Editing the active version: a new draft waits; the active one stays current, untouched.
    edit = f"{view}/edit"
    response = _post(admin, edit, edit, _new_question(stem="哪种做法最能预防流感？"))
    assert response.status_code == 302
    db.session.expire_all()
    question = _ui_question()
    assert [v.status for v in question.versions] == ["active", "draft"]
    assert question.current.version == 1 and question.current.stem == "哪种做法能预防流感？"
    pending = question.versions[1]
    auth.logout()
    auth.login("root")
    _post(admin, view, f"{view}/versions/{pending.id}/review", {})
    _post(admin, view, f"{view}/versions/{pending.id}/activate", {})
    db.session.expire_all()
    question = _ui_question()
    assert question.current.version == 2
    assert question.versions[0].status == "active"  # the old row is left as it was

    page = admin.get(view)
    assert f'href="{view}/retire"' in page.text and f'action="{view}/retire"' not in page.text
    confirm = admin.get(f"{view}/retire")  # the page asks first; opening it retires nothing
    assert confirm.status_code == 200 and 'data-test="question"' in confirm.text
    db.session.expire_all()
    assert _ui_question().current.status == "active"
    _post(admin, f"{view}/retire", f"{view}/retire", {})
    db.session.expire_all()
    assert _ui_question().current.status == "retired"
    _post(admin, view, f"{view}/survey", {})
    db.session.expire_all()
    assert _ui_question().survey_reserved is True


def test_the_form_reports_faults_and_writes_nothing(admin):
    response = _post(admin, "/admin/questions/new", "/admin/questions/new",
                     _new_question(stem="<script>x</script>", answer_letters=["A", "B"],
                                   option_b="", option_c=""))
    assert response.status_code == 200
    assert "不能包含 HTML 或 < > 字符" in field_errors(response.text)
    assert _ui_question() is None


def test_bank_questions_keep_their_topic(admin):
    question = db.session.scalar(select(Question).where(Question.code == "health-0001"))
    edit = f"/admin/questions/{question.id}/edit"
    page = admin.get(edit)
    assert page.status_code == 200 and 'value="sts"' not in page.text
    response = _post(admin, edit, edit, _new_question(topic="sts"))
    assert response.status_code == 200  # refused: not one of the choices
    db.session.expire_all()
    assert len(db.session.get(Question, question.id).versions) == 1


def test_text_is_escaped_on_display(admin):
    question = db.session.scalar(select(Question).where(Question.code == "health-0001"))
    question.current.stem = "<img src=x onerror=alert(1)>"  # as if stored by some other path
    db.session.commit()
    page = admin.get(f"/admin/questions/{question.id}").text
    assert "<img src=x" not in page and "&lt;img src=x" in page


def _upload(client, data, name):
    return _post(client, "/admin/questions/import", "/admin/questions/import",
                 {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_import_previews_then_writes_on_confirm(admin):
    specs = read_table(xlsx_bytes([]), "x.xlsx").specs
    assert specs == []
    from question_bank.tabular import TEMPLATE_EXAMPLES

    response = _upload(admin, xlsx_bytes(TEMPLATE_EXAMPLES), "new.xlsx")
    assert response.status_code == 200 and "health-u0001" in response.text
    assert db.session.scalar(select(func.count(Question.id))) == 2  # nothing written yet
    token = csrf_token(response.text)
    confirm = response.text.split('name="token"')[1].split('value="')[1].split('"')[0]
    response = admin.post("/admin/questions/import/confirm",
                          data={"csrf_token": token, "token": confirm})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Question.id))) == 4
    assert {q.source for q in db.session.scalars(select(Question))} == {"bank", "ui"}


def test_a_bad_file_is_rejected_whole_with_rows_and_columns(admin):
    from question_bank.tabular import TEMPLATE_EXAMPLES

    text = csv_bytes(TEMPLATE_EXAMPLES).decode("utf-8-sig").replace("health-u0001,health",
                                                                    "health-u0001,astrology")
    response = _upload(admin, text.encode(), "bad.csv")
    assert response.status_code == 200 and "astrology" in response.text
    assert "topic (B)" in response.text
    assert db.session.scalar(select(func.count(Question.id))) == 2


def test_changing_a_bank_question_by_import_is_refused(admin):
    specs = transfer.export_specs()
    from dataclasses import replace

    changed = [replace(specs[0], stem="改动过的题干内容是什么？"), specs[1]]
    response = _upload(admin, xlsx_bytes(changed), "bank.xlsx")
    assert "health-0001" in response.text and 'data-test="import-faults"' in response.text


def test_unreadable_and_oversized_uploads_get_a_clear_message(app, admin):
    response = _upload(admin, b"not a spreadsheet", "x.xlsx")
    assert response.status_code == 200
    assert field_errors(response.text) == ["该文件不是 Excel（.xlsx）表格。"]
    app.config["QUESTION_IMPORT_MAX_BYTES"] = 100_000
    response = _upload(admin, b"x" * 100_001, "x.csv")
    assert response.status_code == 200
    assert field_errors(response.text) == ["文件超过 0.1 MB。"]
    assert db.session.scalar(select(func.count(Question.id))) == 2


def test_export_round_trips_and_templates_download(admin):
    for path, name in (("/admin/questions/export.xlsx", "e.xlsx"),
                       ("/admin/questions/export.csv", "e.csv")):
        response = admin.get(path)
        assert response.status_code == 200
        table = read_table(response.data, name)
        assert table.specs == transfer.export_specs()
        plan = transfer.plan_import(table.specs)
        assert plan.ok and plan.added == [] and plan.changed == [] and plan.unchanged == 2
    template = admin.get("/admin/questions/template.csv")
    assert template.status_code == 200 and template.data.decode("utf-8-sig").startswith(
        ",".join(COLUMNS))
    assert admin.get("/admin/questions/template.xlsx").status_code == 200


def test_cli_import_and_export(app, runner, bank_dir, tmp_path):
    services.sync_bank(bank_dir)
    out = tmp_path / "out.csv"
    assert runner.invoke(args=["questions", "export", str(out)]).exit_code == 0
    from question_bank.tabular import TEMPLATE_EXAMPLES

    new = tmp_path / "new.xlsx"
    new.write_bytes(xlsx_bytes(TEMPLATE_EXAMPLES))
    dry = runner.invoke(args=["questions", "import", str(new), "--dry-run"])
    assert dry.exit_code == 0 and "2 to add" in dry.output
    assert db.session.scalar(select(func.count(Question.id))) == 2
    assert runner.invoke(args=["questions", "import", str(new)]).exit_code == 0
    assert db.session.scalar(select(func.count(Question.id))) == 4
    bad = tmp_path / "bad.csv"
    bad.write_text(out.read_text(encoding="utf-8-sig").replace(",K,", ",Z,"), encoding="utf-8")
    result = runner.invoke(args=["questions", "import", str(bad)])
    assert result.exit_code != 0 and "row 2" in result.output


# --- item statistics ---------------------------------------------------------------------------

def _attempt(kind, status, answers):
    attempt = Attempt(token=secrets.token_hex(8), kind=kind, status=status)
    db.session.add(attempt)
    db.session.flush()
    for position, (version, choices) in enumerate(answers):
        correct = None if choices is None else sorted(choices) == sorted(version.answer)
        db.session.add(AttemptItem(attempt_id=attempt.id, position=position,
                                   question_version_id=version.id, option_order=[0, 1],
                                   choices=choices, correct=correct))
    return attempt


def _versions():
    first = db.session.scalar(select(QuestionVersion).join(Question, Question.current_version_id
                              == QuestionVersion.id).where(Question.code == "health-0001"))
    second = db.session.scalar(select(QuestionVersion).join(
        Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.code == "health-0002"))
    return first, second


def test_item_statistics_from_recorded_answers(app, client, auth, make_user, bank_dir):
    services.sync_bank(bank_dir)
    one, two = _versions()  # one: answer B (1); two: true/false, answer false (1)
    # Able people get both right; others get one right.
    for _ in range(15):
        _attempt("competition", "finished", [(one, [1]), (two, [1])])
    for _ in range(10):
        _attempt("practice", "expired", [(one, [0]), (two, [1])])
    for _ in range(5):
        _attempt("competition", "finished", [(one, [1]), (two, [0])])
    _attempt("competition", "voided", [(one, [2]), (two, [0])])
    _attempt("competition", "open", [(one, [2]), (two, [0])])
    _attempt("practice", "finished", [(one, None), (two, [1])])
    _attempt("survey", "finished", [(one, [2]), (two, [1])])  # a kind quizzes never count
    db.session.commit()

    from quizapp.questions.item_stats import item_stats_from_db

    stats = item_stats_from_db("quiz")
    assert stats[one.id].answered == 30 and stats[one.id].correct == 20
    assert stats[one.id].choice_counts == (10, 20, 0)
    assert stats[two.id].answered == 31 and stats[two.id].choice_counts == (5, 26)
    assert stats[one.id].r_pb is not None

    make_user("stats", "statistician")
    auth.login("stats")
    listing = client.get("/admin/questions/items")
    assert listing.status_code == 200 and "health-0001" in listing.text
    assert set(re.findall(r"source=(\w+)", listing.text)) == {"quiz"}, "no survey data yet"
    page = client.get(f"/admin/questions/items/{one.id}")
    assert page.status_code == 200 and "choice-chart-data" in page.text
    chart = json.loads(html.unescape(re.search(
        r'id="choice-chart-data">(.*?)</script>', page.text, re.S).group(1)))
    # bars named by their letter (the right one ticked), so every name fits a phone's chart
    assert chart["data"][0]["x"] == ["A", "B ✓", "C"]
    assert chart["data"][0]["y"] == [33.3, 66.7, 0.0]
    sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', page.text)
    bundle = [s for s in sources if s.startswith("/static/vendor/plotly/")]
    assert bundle, "the app serves Plotly itself"
    assert [s for s in sources if "//" in s] == [], "no script from another host"
    script = client.get(bundle[0])
    assert script.status_code == 200 and b"plotly" in script.data[:2000].lower()
    script.close()  # a static file is streamed from an open file
    assert client.get("/admin/questions/").status_code == 403  # statisticians see stats only


def test_residents_are_kept_out(client, auth, make_user):
    make_user("someone", "resident")
    auth.login("someone")
    for path in ("/admin/questions/", "/admin/questions/items", "/admin/questions/import"):
        assert client.get(path).status_code == 403
