"""The schools dashboard: who may see it, that a teacher sees only their own school, and that
its figures are the reports' (every expected number worked out by hand from the table in
``reports_fixtures``; the school of 一中 has 7年级1班 of 30 and 7年级2班 of 40).

Sessions of 一中, oldest first: the game 光合作用小测 (05-01), the game 第二场 (05-02, only 小丽
of 2班) and the homework 第一单元作业 (05-03; 张三 10/15 and 李四 5/15 of 1班, 王五 10/15 of
2班; 赵六's open attempt does not count).
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from quizapp.schools import dashboard_services as dashboard
from quizapp.shared.charts import to_plotly
from tests.schools.reports_fixtures import report_data, teachers  # noqa: F401

URL = "/schools/dashboard"


def _figure(html: str, key: str) -> dict:
    found = re.search(r'<script type="application/json" class="chart-data" data-for="'
                      + re.escape(key) + r'">(.*?)</script>', html, re.S)
    assert found, key
    return json.loads(found.group(1))


def _series(figure: dict) -> dict[str, list]:
    return {trace["name"]: trace["y"] for trace in figure["data"]}


# --- who may see it --------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["resident", "statistician", "interviewer"])
def test_other_roles_get_403(client, auth, make_user, role):
    make_user("someone", role)
    auth.login("someone")
    assert client.get(URL).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


def test_a_teacher_sees_only_their_own_school(client, auth, report_data, teachers):  # noqa: F811
    auth.login("teacher2")  # of 二中
    page = client.get(URL)
    assert page.status_code == 200
    text = unescape(page.get_data(as_text=True))
    assert "学校看板" in text  # Chinese first: the class labels below are Chinese
    assert "二中的游戏" in text and "二中作业" in text
    assert "一中" not in text and "光合作用小测" not in text and "7 年级 2班" not in text
    # another school's id, or no id at all: 404, never its figures
    assert client.get(f"{URL}?school={report_data.school.id}").status_code == 404
    assert client.get(f"{URL}?school=abc").status_code == 404
    assert client.get(f"{URL}?school={report_data.other_school.id}").status_code == 200


def test_the_school_s_teacher_and_an_admin_see_it(client, auth, make_user, report_data,  # noqa: F811
                                                  teachers):  # noqa: F811
    auth.login("teacher1")
    text = unescape(client.get(URL).get_data(as_text=True))
    assert "光合作用小测" in text and "二中作业" not in text
    auth.logout()
    make_user("root", "admin")
    auth.login("root")
    page = client.get(URL)
    assert page.status_code == 200
    assert 'data-test="school-picker"' in page.get_data(as_text=True)
    other = client.get(f"{URL}?school={report_data.other_school.id}")
    assert other.status_code == 200 and "二中作业" in unescape(other.get_data(as_text=True))


def test_the_teacher_home_links_to_it(client, auth, report_data, teachers):  # noqa: F811
    auth.login("teacher1")
    assert 'href="/schools/dashboard"' in client.get("/schools/").get_data(as_text=True)


# --- the figures -----------------------------------------------------------------------------

def test_school_figures_per_session(app, report_data):  # noqa: F811
    page = dashboard.school_dashboard([report_data.school.id, report_data.other_school.id],
                                      report_data.school.id)
    assert page.school.id == report_data.school.id
    # game 1: 4 of the 70 students of the two classes in the room; mean of 80, 23.3, 16.7, 0.
    # game 2: only 2班 was in the room: 1 of 40; 小丽 1000 of 3000.
    # homework: every class invited: 3 of 70; mean of 66.7, 33.3, 66.7.
    assert [(s.title, s.day, s.participants, s.invited_size, round(100 * s.participation, 2),
             round(s.mean_percent, 2)) for s in page.sessions] == [
        ("光合作用小测", "2025-05-01", 4, 70, 5.71, 30.0),
        ("第二场", "2025-05-02", 1, 40, 2.5, 33.33),
        ("第一单元作业", "2025-05-03", 3, 70, 4.29, 55.56),
    ]


def test_class_trends_in_the_figure(app, report_data):  # noqa: F811
    page = dashboard.school_dashboard([report_data.school.id])
    participation = _series(to_plotly(page.participation_chart))
    # 1班 (30): 2 in game 1, not in game 2's room (no point), 2 in the homework.
    # 2班 (40): 2, 1, 1.
    assert participation == {"7 年级 1班": [6.667, 6.667], "7 年级 2班": [5.0, 2.5, 2.5],
                             "全校": [5.714, 2.5, 4.286]}
    scores = _series(to_plotly(page.score_chart))
    # 1班: mean of 80 and 16.7; mean of 66.7 and 33.3.  2班: 0 and 23.3; 33.3; 66.7.
    assert scores == {"7 年级 1班": [48.333, 50.0], "7 年级 2班": [11.667, 33.333, 66.667],
                      "全校": [30.0, 33.333, 55.556]}
    assert to_plotly(page.participation_chart)["data"][0]["x"] == ["2025-05-01", "2025-05-03"]


def test_an_invited_class_nobody_of_took_part_scores_zero(app, report_data):  # noqa: F811
    from quizapp.extensions import db
    from quizapp.models import SchoolClass

    db.session.add(SchoolClass(organisation_id=report_data.school.id, grade=8, name="1班",
                               size=20))
    db.session.commit()
    page = dashboard.school_dashboard([report_data.school.id])
    participation = _series(to_plotly(page.participation_chart))
    # invited to the homework only (not in either game's room): 0 of 20; the school's
    # homework figure is now 3 of 90.
    assert participation["8 年级 1班"] == [0.0]
    assert participation["全校"] == [5.714, 2.5, 3.333]


def test_most_missed_questions_per_class(app, report_data):  # noqa: F811
    page = dashboard.school_dashboard([report_data.school.id])
    missed = {c.label: [(q.stem[:4], q.answered, q.wrong, round(100 * q.wrong_rate, 1))
                        for q in c.missed] for c in page.classes}
    # 1班 (小明, 小红; 张三, 李四): Q3 wrong by 小红 and 张三 of 3 answers (李四 left it);
    # Q1 wrong by 小红 of 4; Q2 wrong by 李四 of 4 (a tie with Q1: Q1 was asked first).
    # 2班 (小刚, 小丽 twice, 王五): Q1 3 of 4 wrong; Q3 1 of 2; Q2 1 of 3.
    assert missed == {
        "7 年级 1班": [("下列哪些", 3, 2, 66.7), ("植物进行", 4, 1, 25.0),
                     ("水在标准", 4, 1, 25.0)],
        "7 年级 2班": [("植物进行", 4, 3, 75.0), ("下列哪些", 2, 1, 50.0),
                     ("水在标准", 3, 1, 33.3)],
    }
    assert [c.sessions for c in page.classes] == [2, 3]
    bars = to_plotly(page.classes[1].chart)["data"][0]
    assert bars["x"] == [75.0, 50.0, 33.333]


def test_the_page_carries_the_figures(client, auth, report_data, teachers):  # noqa: F811
    auth.login("teacher1")
    html = client.get(URL).get_data(as_text=True)
    assert _series(_figure(html, "mean-score"))["全校"] == [30.0, 33.333, 55.556]
    assert _figure(html, f"missed-{report_data.class1.id}")["data"][0]["x"] == [
        66.667, 25.0, 25.0]
    assert "plotly" in html  # the chart bundle, on this page only


def test_a_teacher_without_a_school_is_told_so(client, auth, make_user):
    make_user("newcomer", "teacher")
    auth.login("newcomer")
    page = client.get(URL)
    assert page.status_code == 200 and 'data-test="no-school"' in page.text
    assert "plotly" not in page.text  # no chart, no chart bundle
