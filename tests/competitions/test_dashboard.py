"""The competitions dashboard, its public board and a round's competition report: who sees
which, the figures against a participation worked out by hand, the public board's small-cell
rule at its boundary (9 withheld, 10 shown), and the report's HTML and PDF.

The participation (tests/participation_support.py; each attempt answers q0..q3, the first k
right, score 25k):

- 甲镇 (population 20,000): 12 people in round 1 — six with 4 right (100), six with 2 right
  (50); three of the first six again in round 2 with 3 right (75).  One more person's attempt
  (4 right) is voided.  Six registered with a school, six with a village.
- 乙镇 (population 5,000): 9 people in round 1, 1 right (25); no organisation.
- 丙乡 (population unknown): 10 people in round 1, 3 right (75), with a work unit.

So: participants 12 / 9 / 10 (31), person-times 15 / 9 / 10 (34); per 10,000: 12 × 10,000 ÷
20,000 = 6.0, 9 × 10,000 ÷ 5,000 = 18.0, none.  Weeks: 2025-04-28 31 people, 31 attempts;
2025-05-05 3 and 3.  Counted (best) scores: 100 ×6, 50 ×6, 25 ×9, 75 ×10.  Items over the 34
attempts: q0 34 right, q1 25, q2 19, q3 6.
"""

from __future__ import annotations

import io
import re

import pytest

from tests import participation_support as data
from tests.surveys_web.dashboard_support import figures, points

ADMIN_URL, PUBLIC_URL = "/admin/competitions/dashboard", "/boards/competitions"


@pytest.fixture
def built(app):
    a = data.township("jia", "甲镇", 20000)
    b = data.township("yi", "乙镇", 5000)
    c = data.township("bing", "丙乡", None, kind="township")
    school = data.organisation(a, "甲镇中学", "school")
    village = data.organisation(a, "甲村", "village")
    works = data.organisation(c, "丙厂", "work_unit")
    competition, rounds = data.competition()
    versions = data.questions()
    people = []
    for k in range(12):
        p = data.participant(competition, data.name(k), a, school if k < 6 else village)
        people.append(p)
        data.attempt(p, rounds[0], versions, 4 if k < 6 else 2, data.ROUND_1_FINISH,
                     seconds=30 + k)
        if k < 3:
            data.attempt(p, rounds[1], versions, 3, data.ROUND_2_FINISH)
    cheat = data.participant(competition, "赵作弊", a)
    data.attempt(cheat, rounds[0], versions, 4, data.ROUND_1_FINISH, seconds=5,
                 status="voided")
    for k in range(9):
        data.attempt(data.participant(competition, data.name(20 + k), b), rounds[0], versions,
                     1, data.ROUND_1_FINISH)
    for k in range(10):
        data.attempt(data.participant(competition, data.name(40 + k), c, works), rounds[0],
                     versions, 3, data.ROUND_1_FINISH)
    return data.Built(competition, rounds, versions, people)


@pytest.fixture
def admin(client, auth, make_user):
    make_user("boss", "admin")
    auth.login("boss")
    return client


@pytest.mark.parametrize("role, internal", [
    (None, 302), ("resident", 403), ("teacher", 403), ("statistician", 403),
    ("interviewer", 403), ("admin", 200)])
def test_who_sees_which_version(built, client, auth, make_user, role, internal):
    if role is not None:
        make_user("someone", role)
        auth.login("someone")
    assert client.get(ADMIN_URL).status_code == internal
    report = f"/admin/competitions/{built.competition.id}/rounds/{built.rounds[0].id}/report.html"
    assert client.get(report).status_code == internal
    page = client.get(PUBLIC_URL)
    assert page.status_code == 200 and 'data-test="public-view"' in page.text


def test_admin_figures_are_the_stored_attempts(built, admin):
    page = admin.get(f"{ADMIN_URL}?competition={built.competition.id}")
    assert page.status_code == 200
    charts = figures(page.text)
    assert points(charts["competitions-townships"]) == {"甲镇": 12, "丙乡": 10, "乙镇": 9}
    assert points(charts["competitions-townships-times"]) == {"甲镇": 15, "丙乡": 10, "乙镇": 9}
    assert points(charts["competitions-per-10000"]) == {"甲镇": 6.0, "丙乡": None, "乙镇": 18.0}
    assert points(charts["competitions-weeks"]) == {"2025-04-28": 31, "2025-05-05": 3}
    assert points(charts["competitions-weeks-times"]) == {"2025-04-28": 31, "2025-05-05": 3}
    assert points(charts["competitions-scores"]) == {
        "0–9": 0, "10–19": 0, "20–29": 9, "30–39": 0, "40–49": 0, "50–59": 6, "60–69": 0,
        "70–79": 10, "80–89": 0, "90–100": 6}
    groups = points(charts["competitions-groups"])
    assert (groups["青少年"], groups["农民"], groups["产业工人"], groups["领导干部和公务员"],
            groups["未知"]) == (6, 6, 10, 0, 9)
    hardest = charts["competitions-hardest"]["data"][0]
    assert hardest["y"] == ["dash-q3", "dash-q2", "dash-q1", "dash-q0"]
    assert hardest["x"] == [round(100 * 6 / 34, 3), round(100 * 19 / 34, 3),
                            round(100 * 25 / 34, 3), 100.0]
    assert 'data-test="totals"' in page.text and "31" in page.text and "34" in page.text


def test_one_round(built, admin):
    page = admin.get(f"{ADMIN_URL}?competition={built.competition.id}&round={built.rounds[1].id}")
    charts = figures(page.text)
    assert points(charts["competitions-townships"]) == {"甲镇": 3, "丙乡": 0, "乙镇": 0}
    assert points(charts["competitions-scores"])["70–79"] == 3
    assert 'data-test="report-html"' in page.text


@pytest.mark.parametrize("query", ["competition=999999", "competition=abc&round=1",
                                   "competition=1&round=999999", "competition=99999999999"])
def test_bad_choices_are_not_found_or_ignored(built, admin, query):
    status = admin.get(f"{ADMIN_URL}?{query}").status_code
    assert status in (200, 404)


def test_unknown_competition_is_404(built, admin):
    assert admin.get(f"{ADMIN_URL}?competition=999999").status_code == 404
    assert admin.get(f"{PUBLIC_URL}?competition=999999").status_code == 404


def test_public_board_withholds_small_cells(built, client):
    page = client.get(PUBLIC_URL)
    charts = figures(page.text)
    # 9 people (乙镇) is a small cell, 10 (丙乡) is not: the threshold is 10. But 乙镇 alone
    # withheld would be the score bands' total less 甲镇 and 丙乡: the smallest other
    # township (丙乡, 10 person-times) is withheld with it.
    assert points(charts["competitions-townships"]) == {"甲镇": 12, "丙乡": None, "乙镇": None}
    assert points(charts["competitions-townships-times"]) == {"甲镇": 15, "丙乡": None,
                                                              "乙镇": None}
    # 乙镇's rate (18.0) would give its count away with its population: withheld too.
    assert points(charts["competitions-per-10000"]) == {"甲镇": 6.0, "丙乡": None, "乙镇": None}
    # One small week (the other, 31, would be the townships' person-times less it).
    assert points(charts["competitions-weeks"]) == {"2025-04-28": None, "2025-05-05": None}
    scores = points(charts["competitions-scores"])
    assert (scores["20–29"], scores["50–59"], scores["70–79"], scores["90–100"]) == (
        None, None, 10, None)
    assert scores["0–9"] == 0
    assert "少于 10" in page.text or "fewer than 10" in page.text
    assert "competitions-hardest" not in charts and "dash-q3" not in page.text
    for person in built.participants:
        assert person.name not in page.text
    assert 'data-test="totals"' not in page.text


def test_public_board_lists_published_competitions_only(built, client, app):
    from quizapp.extensions import db

    built.competition.published = False
    db.session.commit()
    assert client.get(f"{PUBLIC_URL}?competition={built.competition.id}").status_code == 404
    charts = figures(client.get(PUBLIC_URL).text)
    assert points(charts["competitions-townships"]) == {"甲镇": 0, "乙镇": 0, "丙乡": 0}


def _report(admin, built, kind: str):
    url = (f"/admin/competitions/{built.competition.id}/rounds/{built.rounds[0].id}"
           f"/report.{kind}")
    return admin.get(url)


def test_report_html_is_self_contained_with_masked_names(built, admin):
    response = _report(admin, built, "html")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=competition-report-{built.competition.id}-round-1.html")
    text = response.text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in text and "<script" not in text and "url(" not in text
    assert text.count("<svg") == 3
    # Round 1: 31 people, 31 attempts (the voided one and round 2's are not in it).
    assert "31 人参赛，31 人次" in text or "31 participants, 31 person-times" in text
    # The top scorer: the six with 100 rank by time, 甲镇 k=0 (30 s) first; masked.
    first = built.participants[0].name
    assert first not in text and f"{first[0]}*{first[-1]}" in text
    assert "赵作弊" not in text and "赵*弊" not in text
    assert "甲镇中学" in text and "dash-q3" in text


def test_report_pdf_parses(built, admin):
    from pypdf import PdfReader

    response = _report(admin, built, "pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    # Participation; the top scorers; scores and item statistics (each section a new page).
    assert len(reader.pages) == 3
    assert "各乡镇（街道）参与情况" in pages[0] and "各单位参与情况" in pages[0]
    assert "成绩优秀者" in pages[1] and "题目统计分析" in pages[2]
    assert "31 人参赛，31 人次" in pages[0]
    assert "看板测试竞赛" in text and "甲镇" in text
    first = built.participants[0].name
    assert first not in text and f"{first[0]}*{first[-1]}" in text
    fonts = [f for page in reader.pages
             for f in (page["/Resources"].get("/Font") or {}).values()]
    assert fonts, "the PDF embeds its font"


def test_report_of_another_competitions_round_is_404(built, admin, app):
    other, rounds = data.competition(slug="other-cup")
    url = f"/admin/competitions/{built.competition.id}/rounds/{rounds[0].id}/report.html"
    assert admin.get(url).status_code == 404


def test_the_rules_as_plain_functions():
    from datetime import date

    from quizapp.competitions.dashboard import protect, published_count
    from quizapp.engine.boards import per_10000
    from quizapp.engine.participation import score_bin, week_start

    assert per_10000(12, 20000) == 6.0 and per_10000(9, 5000) == 18.0
    assert per_10000(3, 0) is None and per_10000(3, None) is None
    assert [published_count(n, True) for n in (0, 1, 9, 10, 11)] == [0, None, None, 10, 11]
    assert [published_count(n, False) for n in (1, 9)] == [1, 9]
    # Complementary suppression: one small cell takes the smallest other non-zero with it;
    # two small ones are already only known together; zeros are never the complement.
    assert protect([False, True, False, False], [40, 3, 12, 0]) == [False, True, True, False]
    assert protect([True, True, False], [2, 5, 30]) == [True, True, False]
    assert protect([True, False], [4, 0]) == [True, False]
    assert [score_bin(s, 100) for s in (0, 9.99, 10, 89.9, 90, 100)] == [0, 0, 1, 8, 9, 9]
    assert score_bin(25, 20) == 9 and score_bin(1, 0) == 0
    assert week_start(date(2025, 5, 4)) == date(2025, 4, 28)  # a Sunday: its week's Monday
    assert week_start(date(2025, 5, 5)) == date(2025, 5, 5)


def test_residents_find_the_public_board_from_the_competitions_list(built, client):
    page = client.get("/competitions/")
    assert 'href="/boards/competitions"' in page.text
