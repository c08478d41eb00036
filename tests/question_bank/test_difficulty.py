"""Proposed difficulty from the share correct: the bands, the 'clearly off' rule, the command
that reports it and writes the bank files."""

import secrets
import shutil

import pytest
from sqlalchemy import select

from question_bank.loader import load_bank
from question_bank.rewrite import set_difficulty
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, Question, QuestionVersion
from quizapp.questions import services
from quizapp.questions.difficulty import band, judge, proposals, wilson


@pytest.mark.parametrize("p, expected", [
    (1.0, 1), (0.80, 1), (0.7999, 2), (0.55, 2), (0.5499, 3), (0.0, 3)])
def test_bands_at_their_thresholds(p, expected):
    assert band(p) == expected


def test_wilson_interval_known_values():
    # 30 of 100: the textbook Wilson 95% interval is 0.219 to 0.396.
    low, high = wilson(30, 100)
    assert (round(low, 3), round(high, 3)) == (0.219, 0.396)
    assert wilson(0, 0) == (0.0, 1.0)
    assert wilson(100, 100)[1] == 1.0


@pytest.mark.parametrize("correct, answered, author, expected", [
    (30, 200, 1, (3, True)),    # labelled easy, 15% right: the whole interval is hard
    (190, 200, 3, (1, True)),   # labelled hard, 95% right
    (140, 200, 2, (2, False)),  # agrees
    (5, 60, 1, (3, False)),     # the whole interval is hard, but only 60 answers
    (160, 200, 2, (1, False)),  # p = 0.80 is easy, but the interval reaches into medium
    (62, 100, 1, (2, False)),   # interval 0.52–0.71 straddles 0.55: not clearly off
])
def test_clearly_off_needs_enough_answers_and_the_whole_interval(correct, answered, author,
                                                                  expected):
    assert judge(correct, answered, author, min_answers=100) == expected


def _answer(version, right: int, wrong: int) -> None:
    for index in range(right + wrong):
        attempt = Attempt(token=secrets.token_hex(8), kind="competition", status="finished")
        db.session.add(attempt)
        db.session.flush()
        choices = list(version.answer) if index < right else [1 - version.answer[0]]
        db.session.add(AttemptItem(attempt_id=attempt.id, position=0,
                                   question_version_id=version.id, option_order=[0, 1],
                                   choices=choices, correct=index < right))
    db.session.commit()


def _current(code) -> QuestionVersion:
    return db.session.scalar(select(QuestionVersion).join(
        Question, Question.current_version_id == QuestionVersion.id).where(Question.code == code))


def test_the_command_reports_and_writes_the_bank_files(app, runner, tmp_path, bank_dir):
    shutil.copytree(bank_dir, tmp_path / "bank")
    folder = tmp_path / "bank"
    services.sync_bank(folder)
    easy_but_hard = _current("health-0001")  # labelled 1 in the test bank
    agreeing = _current("health-0002")       # labelled 1
    _answer(easy_but_hard, right=40, wrong=160)
    _answer(agreeing, right=180, wrong=20)
    rows = {r.code: r for r in proposals()}
    assert (rows["health-0001"].answered, rows["health-0001"].proposed,
            rows["health-0001"].clearly_off) == (200, 3, True)
    assert (rows["health-0002"].proposed, rows["health-0002"].clearly_off) == (1, False)

    report = runner.invoke(args=["questions", "difficulty"])
    assert report.exit_code == 0, report.output
    assert "health-0001\tsingle\t200\t0.20" in report.output
    assert "health-0002" not in report.output  # only the clearly-off ones without --all
    assert "2 items answered" in report.output and "1 clearly off" in report.output
    assert load_bank(folder).specs[0].difficulty == 1, "nothing written without --apply"

    applied = runner.invoke(args=["questions", "difficulty", "--apply", "--dir", str(folder)])
    assert applied.exit_code == 0, applied.output
    assert "wrote 1 difficulties" in applied.output
    first, second = load_bank(folder).specs
    assert (first.id, first.difficulty, first.version) == ("health-0001", 3, 2)
    assert (second.difficulty, second.version) == (1, 1)
    assert load_bank(folder).errors == []


def test_rewrite_refuses_unknown_ids_and_bad_values_without_writing(bank_dir):
    before = (bank_dir / "health.yaml").read_text(encoding="utf-8")
    with pytest.raises(KeyError, match="health-0009"):
        set_difficulty({"health-0001": 2, "health-0009": 2}, bank_dir)
    with pytest.raises(ValueError):
        set_difficulty({"health-0001": 4}, bank_dir)
    assert (bank_dir / "health.yaml").read_text(encoding="utf-8") == before
    assert set_difficulty({"health-0002": 3}, bank_dir) == ["health-0002"]
    assert [s.difficulty for s in load_bank(bank_dir).specs] == [1, 3]
