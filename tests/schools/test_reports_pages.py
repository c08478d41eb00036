"""The report pages and their Excel workbooks: who may see them, what they show, and that
the workbook holds the page's numbers (pinned by hand in ``reports_fixtures``)."""

from __future__ import annotations

import io
from html import unescape

import pytest
from openpyxl import load_workbook

from quizapp.extensions import db
from tests.schools.reports_fixtures import report_data, teachers  # noqa: F401

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _urls(data, *, own: bool) -> list[str]:
    game = data.game if own else data.other_game
    contest = data.homework if own else data.other_homework
    cls = data.class1 if own else data.other_class
    return [f"/schools/reports/games/{game.id}", f"/schools/reports/games/{game.id}.xlsx",
            f"/schools/reports/homework/{contest.id}",
            f"/schools/reports/homework/{contest.id}.xlsx",
            f"/schools/reports/classes/{cls.id}", f"/schools/reports/classes/{cls.id}.xlsx"]


def _workbook(response):
    assert response.status_code == 200
    assert response.mimetype == XLSX
    return load_workbook(io.BytesIO(response.data))


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_a_teacher_of_another_school_gets_404_on_every_report(client, auth, report_data,  # noqa: F811
                                                              teachers):  # noqa: F811
    auth.login("teacher2")
    for url in _urls(report_data, own=False):  # their own school's: fine
        assert client.get(url).status_code == 200, url
    for url in _urls(report_data, own=True):
        assert client.get(url).status_code == 404, url
    # ... also when narrowing one of their own reports to the other school's class: no rows.
    page = client.get(f"/schools/reports/games/{report_data.other_game.id}"
                      f"?class={report_data.class1.id}")
    assert page.status_code == 200 and "小明" not in _text(page)


def test_the_teacher_of_the_school_and_an_admin_see_them(client, auth, make_user, report_data,  # noqa: F811
                                                          teachers):  # noqa: F811
    auth.login("teacher1")
    for url in _urls(report_data, own=True):
        assert client.get(url).status_code == 200, url
    auth.logout()
    make_user("root", "admin")
    auth.login("root")
    for url in _urls(report_data, own=True) + _urls(report_data, own=False):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["resident", "statistician", "interviewer"])
def test_other_roles_are_refused(client, auth, make_user, report_data, role):  # noqa: F811
    make_user(role, role)
    auth.login(role)
    for url in _urls(report_data, own=True):
        assert client.get(url).status_code == 403, url


def test_unknown_and_wrong_kind_ids_are_404(client, auth, report_data, teachers):  # noqa: F811
    auth.login("teacher1")
    for url in ("/schools/reports/games/999999", "/schools/reports/homework/999999",
                "/schools/reports/classes/999999", "/schools/reports/games/99999999999999999999",
                f"/schools/reports/homework/{report_data.network.id}"):  # a network contest
        assert client.get(url).status_code == 404, url
    # A class filter that is not a number is ignored, not a 500.
    assert client.get(f"/schools/reports/games/{report_data.game.id}?class=x%00y"
                      ).status_code in (200, 400)
    assert client.get(f"/schools/reports/games/{report_data.game.id}"
                      "?class=99999999999999999999").status_code == 200


def test_game_page_shows_the_figures(client, auth, report_data, teachers):  # noqa: F811
    auth.login("teacher1")
    text = _text(client.get(f"/schools/reports/games/{report_data.game.id}"))
    assert "光合作用小测" in text
    for figure in ("25.0%", "75.0%", "33.3%", "80.0%", "16.7%", "23.3%", "48.3%", "11.7%",
                   "6.7%", "5.0%", "66.7%", "20.0%"):
        assert figure in text, figure
    assert text.count('data-test="reteach"') == 2  # Q1 and Q3
    assert text.count('data-test="student-row"') == 4
    assert "捣蛋" not in text  # removed by the teacher
    assert "需要重新讲解" in text  # Chinese interface: "What to re-teach"
    assert "最常见的错误选项" in text


def test_homework_page_shows_only_names_given(client, auth, report_data, teachers):  # noqa: F811
    auth.login("teacher1")
    response = client.get(f"/schools/reports/homework/{report_data.homework.id}")
    text = _text(response)
    shown = [name for name in ("张三", "王五", "李四", "赵六") if name in text]
    assert shown == ["张三", "王五", "李四"]  # 赵六's attempt is still open
    # No other personal data: the phone number and the IP address given at registration.
    assert "13800000000" not in text and "10.1.2.3" not in text
    workbook = _workbook(client.get(f"/schools/reports/homework/{report_data.homework.id}.xlsx"))
    cells = {str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row}
    assert "13800000000" not in cells and "10.1.2.3" not in cells


def _rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_game_workbook_holds_the_same_numbers(client, auth, report_data, teachers):  # noqa: F811
    auth.login("teacher1")
    response = client.get(f"/schools/reports/games/{report_data.game.id}.xlsx")
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = _workbook(response)
    assert workbook.sheetnames == ["学生", "题目", "班级"]

    students = _rows(workbook["学生"])
    assert students[0][:9] == ["姓名", "班级", "得分", "得分率%", "答对题数", "已答题数",
                               "第1题 答案", "第1题 对错", "第1题 用时（秒）"]
    assert [row[:6] for row in students[1:]] == [
        ["小明", "7 年级 1班", 2400, 80, 3, 3],
        ["小丽", "7 年级 2班", 700, 23.3, 1, 2],
        ["小红", "7 年级 1班", 500, 16.7, 1, 3],
        ["小刚", "7 年级 2班", 0, 0, 0, 3],
    ]
    assert students[1][6:] == ["乙", "答对", 2, "正确", "答对", 5, "甲；丙", "答对", 9]
    assert students[2][6:] == ["丙", "答错", 3, "正确", "答对", 4, None, "未作答", None]

    questions = _rows(workbook["题目"])
    assert questions[0] == ["序号", "题目", "正确答案", "已答人数", "答对人数", "答对率%",
                            "最常见的错误选项", "选择人数", "需要重新讲解"]
    assert [row[:1] + row[2:] for row in questions[1:]] == [
        [1, "乙", 4, 1, 25, "丙", 2, "是"],
        [2, "正确", 4, 3, 75, "错误", 1, "否"],
        [3, "甲；丙", 3, 1, 33.3, "甲", 1, "是"],
    ]
    assert questions[1][1] == "植物进行光合作用需要哪种气体？"

    assert _rows(workbook["班级"]) == [
        ["班级", "参与人数", "班级人数", "参与率%", "平均得分率%", "答对率%"],
        ["7 年级 1班", 2, 30, 6.7, 48.3, 66.7],
        ["7 年级 2班", 2, 40, 5, 11.7, 20],
    ]


def test_class_workbook_over_time(client, auth, report_data, teachers):  # noqa: F811
    auth.login("teacher1")
    page = _text(client.get(f"/schools/reports/classes/{report_data.class1.id}"))
    assert page.count('data-test="session-row"') == 2
    assert page.index("光合作用小测") < page.index("第一单元作业")
    assert "第二场" not in page
    workbook = _workbook(client.get(f"/schools/reports/classes/{report_data.class1.id}.xlsx"))
    assert workbook.sheetnames == ["学生", "题目", "班级"]
    assert _rows(workbook["班级"])[1:] == [
        ["2025-05-01", "课堂竞赛", "光合作用小测", 2, 30, 6.7, 48.3, 66.7],
        ["2025-05-03", "作业竞赛", "第一单元作业", 2, 30, 6.7, 50, 60],
    ]
    assert [(row[1], row[2]) for row in _rows(workbook["题目"])[1:]] == [
        ("光合作用小测", 1), ("光合作用小测", 3), ("第一单元作业", 2), ("第一单元作业", 3)]
    assert [row[1:5] for row in _rows(workbook["学生"])[1:]] == [
        ["光合作用小测", "小明", 2400, 80], ["光合作用小测", "小红", 500, 16.7],
        ["第一单元作业", "张三", 10, 66.7], ["第一单元作业", "李四", 5, 33.3]]


def test_formula_like_names_stay_text(client, auth, report_data, teachers):  # noqa: F811
    player = report_data.game.players[0]
    player.nickname = '=HYPERLINK("x","y")'
    db.session.commit()
    auth.login("teacher1")
    workbook = _workbook(client.get(f"/schools/reports/games/{report_data.game.id}.xlsx"))
    cells = [row[0] for row in workbook["学生"].iter_rows(min_row=2)]
    cell = next(c for c in cells if str(c.value).startswith("="))
    assert cell.value == '=HYPERLINK("x","y")'
    assert cell.data_type == "s"  # text, never a formula


def test_reports_index_lists_only_my_schools(client, auth, report_data, teachers):  # noqa: F811
    auth.login("teacher1")
    text = _text(client.get("/schools/reports/"))
    assert "光合作用小测" in text and "第一单元作业" in text and "7 年级 1班" in text
    assert "二中的游戏" not in text and "二中作业" not in text and "网络竞赛" not in text
