"""The reports' figures on the hand-computed example of ``reports_fixtures`` (every expected
number below is worked out by hand from the table in that module's docstring)."""

from __future__ import annotations

import pytest

from quizapp.schools import reports_services as reports
from tests.schools.reports_fixtures import report_data  # noqa: F401


def _questions(report):
    return [(q.number, q.answered, q.correct, q.wrong_choice, q.wrong_count, q.reteach)
            for q in report.questions]


def _students(report):
    return [(s.name, s.class_name, s.score, round(s.percent, 1), s.correct, s.answered)
            for s in report.students]


def _classes(report):
    return [(c.name, c.size, c.participants,
             None if c.participation is None else round(100 * c.participation, 1),
             round(c.mean_percent, 1), round(100 * c.share_correct, 1))
            for c in report.classes]


def test_live_game_per_question(app, report_data):  # noqa: F811
    report = reports.game_report(report_data.game)
    # Q1: 4 answered, 1 right (25% < 60%: re-teach), wrong 丙 twice, 丁 once.
    # Q2: 4 answered, 3 right (75%), wrong 错误 once ("False" shown as the student saw it).
    # Q3: 3 answered, 1 right (33.3%: re-teach); wrong 甲 once and 甲；乙 once: the tie goes
    #     to the lowest option index (甲).
    assert _questions(report) == [
        (1, 4, 1, "丙", 2, True),
        (2, 4, 3, "错误", 1, False),
        (3, 3, 1, "甲", 1, True),
    ]
    assert [round(100 * q.share_correct, 1) for q in report.questions] == [25.0, 75.0, 33.3]
    assert [q.key for q in report.questions] == ["乙", "正确", "甲；丙"]


def test_live_game_per_student(app, report_data):  # noqa: F811
    report = reports.game_report(report_data.game)
    # Score % = points / (3 questions × 1000): 2400 → 80.0, 700 → 23.3, 500 → 16.7, 0 → 0.
    # The removed seat (捣蛋) is left out.
    assert _students(report) == [
        ("小明", "7 年级 1班", 2400.0, 80.0, 3, 3),
        ("小丽", "7 年级 2班", 700.0, 23.3, 1, 2),
        ("小红", "7 年级 1班", 500.0, 16.7, 1, 3),
        ("小刚", "7 年级 2班", 0.0, 0.0, 0, 3),
    ]
    xiaoming = report.students[0]
    assert [(a.chosen, a.correct, a.seconds) for a in xiaoming.answers] == [
        ("乙", True, 2.0), ("正确", True, 5.0), ("甲；丙", True, 9.0)]
    xiaoli = report.students[1]
    assert [(a.chosen, a.correct, a.seconds) for a in xiaoli.answers] == [
        ("丙", False, 3.0), ("正确", True, 4.0), (None, None, None)]
    assert report.students[3].answers[2].chosen == "甲；乙"


def test_live_game_per_class(app, report_data):  # noqa: F811
    report = reports.game_report(report_data.game)
    # 1班: 2 of 30 took part (6.7%); mean of 80.0 and 16.7 = 48.3; 4 right of 6 answers.
    # 2班: 2 of 40 (5.0%); mean of 0 and 23.3 = 11.7; 1 right of 5 answers (20%).
    assert _classes(report) == [
        ("7 年级 1班", 30, 2, 6.7, 48.3, 66.7),
        ("7 年级 2班", 40, 2, 5.0, 11.7, 20.0),
    ]


def test_a_report_narrowed_to_one_class(app, report_data):  # noqa: F811
    report = reports.game_report(report_data.game, report_data.class1.id)
    assert [s.name for s in report.students] == ["小明", "小红"]
    # Among 小明 and 小红 only: Q1 1 of 2, Q2 2 of 2, Q3 1 of 2 (wrong: 甲).
    assert _questions(report) == [
        (1, 2, 1, "丁", 1, True), (2, 2, 2, None, 0, False), (3, 2, 1, "甲", 1, True)]


def test_homework_report(app, report_data):  # noqa: F811
    report = reports.homework_report(report_data.homework)
    # The set's order, whatever order each student saw; 王五's latest scored attempt counts
    # (not the earlier one nor the voided one); 赵六's open attempt does not.
    assert [q.stem for q in report.questions] == [v.stem for v in report_data.questions]
    assert _questions(report) == [
        (1, 3, 2, "甲", 1, False),
        (2, 3, 2, "错误", 1, False),
        (3, 2, 1, "丙", 1, True),
    ]
    # Score % = points / (3 × 5): 10 → 66.7, 5 → 33.3; ties by name (张 before 王 in code
    # point order).
    assert _students(report) == [
        ("张三", "7 年级 1班", 10.0, 66.7, 2, 3),
        ("王五", "7 年级 2班", 10.0, 66.7, 2, 3),
        ("李四", "7 年级 1班", 5.0, 33.3, 1, 2),
    ]
    # 1班: 2 of 30 (6.7%), mean (66.7 + 33.3) / 2 = 50.0, 3 right of 5 (60%).
    # 2班: 1 of 40 (2.5%), 66.7, 2 of 3 (66.7%).
    assert _classes(report) == [
        ("7 年级 1班", 30, 2, 6.7, 50.0, 60.0),
        ("7 年级 2班", 40, 1, 2.5, 66.7, 66.7),
    ]


def test_class_over_time(app, report_data):  # noqa: F811
    sessions = reports.class_history(report_data.class1)
    # 1班 played the first game and did the homework; not the second game (only 2班) and
    # nothing of the other school.
    assert [(s.kind, s.title) for s in sessions] == [
        ("game", "光合作用小测"), ("homework", "第一单元作业")]
    assert [(s.figures.participants, round(s.figures.mean_percent, 1),
             round(100 * s.figures.share_correct, 1)) for s in sessions] == [
        (2, 48.3, 66.7), (2, 50.0, 60.0)]
    # Re-teach for this class: game Q1 (1 of 2) and Q3 (1 of 2); homework Q2 (1 of 2) and
    # Q3 (0 of 1).
    assert [[q.number for q in s.reteach] for s in sessions] == [[1, 3], [2, 3]]

    second = reports.class_history(report_data.class2)
    assert [s.title for s in second] == ["光合作用小测", "第二场", "第一单元作业"]
    assert [s.figures.participants for s in second] == [2, 1, 1]


@pytest.mark.parametrize(("correct", "answered", "reteach"), [
    (3, 5, False),  # exactly 60%: not flagged
    (2, 5, True),
    (0, 1, True),
    (0, 0, False),  # nobody answered: nothing to say
])
def test_the_reteach_line_is_below_sixty_percent(correct, answered, reteach):
    row = reports.QuestionRow(number=1, version_id=1, stem="", key="", answered=answered,
                              correct=correct, wrong_choice=None, wrong_count=0)
    assert row.reteach is reteach


def test_network_competitions_have_no_homework_report(app, report_data):  # noqa: F811
    assert reports.homework(report_data.network.id) is None
    assert reports.homework(report_data.homework.id) is report_data.homework


def test_an_attempt_left_open_past_its_deadline_counts_as_expired(app, report_data):  # noqa: F811
    from datetime import timedelta

    from quizapp.extensions import db
    from quizapp.models import Attempt, Participant

    zhao = db.session.scalar(db.select(Attempt).join(Participant).where(
        Participant.name == "赵六"))
    zhao.deadline = zhao.started_at + timedelta(minutes=5)  # long past
    db.session.commit()
    report = reports.homework_report(report_data.homework)
    assert [(s.name, s.score, s.answered) for s in report.students][-1] == ("赵六", 5.0, 1)
    assert zhao.status == "expired"
