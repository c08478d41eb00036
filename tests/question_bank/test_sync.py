"""Loading the bank files into the database."""

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Question, QuestionVersion
from quizapp.questions import services


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _question(code) -> Question:
    return db.session.scalar(select(Question).where(Question.code == code))


def test_sync_adds_then_does_nothing(app, bank_dir):
    first = services.sync_bank(bank_dir)
    assert sorted(first.added) == ["health-0001", "health-0002"]
    question = _question("health-0002")
    assert question.source == "bank" and question.survey_reserved is True
    assert question.current.version == 1 and question.current.answer == [1]
    assert question.current.groups == ["youth", "farmer", "worker", "elder", "cadre"]
    second = services.sync_bank(bank_dir)
    assert not second.changed and second.unchanged == 2
    assert _count(QuestionVersion) == 2


def test_changed_content_adds_a_version_and_keeps_the_old_row(app, bank_dir):
    services.sync_bank(bank_dir)
    old = _question("health-0001").current
    old_id, old_stem = old.id, old.stem
    path = bank_dir / "health.yaml"
    path.write_text(path.read_text().replace("普通感冒大多由什么引起？", "普通感冒通常由什么引起？")
                    .replace("version: 1\n    type: single", "version: 2\n    type: single"))
    summary = services.sync_bank(bank_dir)
    assert summary.new_versions == ["health-0001"] and summary.unchanged == 1
    db.session.expire_all()
    question = _question("health-0001")
    assert question.current.version == 2 and question.current.stem == "普通感冒通常由什么引起？"
    kept = db.session.get(QuestionVersion, old_id)
    assert kept.stem == old_stem and kept.status == "active"


def test_status_and_survey_flag_change_in_place(app, bank_dir):
    services.sync_bank(bank_dir)
    path = bank_dir / "health.yaml"
    path.write_text(path.read_text().replace("survey: true", "survey: false")
                    .replace("status: active\n    survey: false\n  - id: health-0002",
                             "status: retired\n    survey: false\n  - id: health-0002"))
    summary = services.sync_bank(bank_dir)
    assert summary.status_changed == ["health-0001"]
    assert summary.flag_changed == ["health-0002"]
    assert _count(QuestionVersion) == 2
    assert _question("health-0001").current.status == "retired"


def test_a_question_removed_from_the_files_is_retired(app, bank_dir):
    services.sync_bank(bank_dir)
    path = bank_dir / "health.yaml"
    text = path.read_text()
    path.write_text(text[:text.index("  - id: health-0002")])
    assert services.sync_bank(bank_dir).retired_missing == ["health-0002"]
    assert _question("health-0002").current.status == "retired"


def test_errors_in_the_files_write_nothing(app, bank_dir):
    path = bank_dir / "health.yaml"
    path.write_text(path.read_text().replace("answer: B", "answer: Q"))
    try:
        services.sync_bank(bank_dir)
    except services.BankError as error:
        assert error.issues[0].line == 8 and error.issues[0].kind == "answer_no_option"
    else:
        raise AssertionError("expected BankError")
    assert _count(Question) == 0


def test_a_ui_question_with_the_same_code_is_not_overwritten(app, bank_dir):
    services.sync_bank(bank_dir)
    question = _question("health-0001")
    question.source = "ui"
    db.session.commit()
    path = bank_dir / "health.yaml"
    path.write_text(path.read_text().replace("普通感冒大多由什么引起？", "改过的题干是什么呢？"))
    summary = services.sync_bank(bank_dir)
    assert summary.conflicts == ["health-0001"] and summary.new_versions == []


def test_the_shipped_bank_loads_and_the_command_is_idempotent(app, runner):
    result = runner.invoke(args=["questions", "load"])
    assert result.exit_code == 0, result.output
    assert '"added": ' in result.output and _count(Question) >= 600
    versions = _count(QuestionVersion)
    again = runner.invoke(args=["questions", "load"])
    assert again.exit_code == 0 and '"added": 0' in again.output
    assert _count(QuestionVersion) == versions


def test_the_demo_loads_the_bank_before_the_competition_that_draws_from_it(app):
    from quizapp.demo import load_demo
    from quizapp.models import Attempt, Competition

    load_demo()
    assert _count(Question) >= 600
    kinds = sorted(db.session.scalars(select(Competition.kind)))
    assert kinds == ["homework", "network"], "the demo competition and homework contest"
    assert _count(Attempt) > 0, "the demo competition has no draws"
