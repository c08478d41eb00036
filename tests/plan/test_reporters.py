"""Who reports a plan target (plan_reporters): admins assign staff accounts to targets, and a
reporter enters and uploads figures for their own targets only (issue 14)."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import PlanFigure, PlanTarget, User
from tests.support import csrf_token

HEADER = ["target", "year", "value", "denominator"]
FAULT = re.compile(r'data-test="fault"><td[^>]*>(\d*)</td><td[^>]*>([^<]*)</td>'
                   r'<td[^>]*>([^<]*)</td>')


@pytest.fixture
def demo_plan(app):
    from quizapp.demo.plan import load_demo_plan

    load_demo_plan()


def _target(code: str) -> PlanTarget:
    return db.session.scalar(select(PlanTarget).where(PlanTarget.code == code))


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _figures() -> dict[tuple[str, int], tuple[int, int | None]]:
    db.session.expire_all()
    return {(f.target.code, f.year): (f.value, f.entered_by_id)
            for f in db.session.scalars(select(PlanFigure))}


def _reporter_names(code: str) -> list[str]:
    db.session.expire_all()
    return [u.username for u in _target(code).reporters]


def _post(client, page_url: str, url: str, **data):
    page = client.get(page_url)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **data})


def _assign(code: str, username: str) -> None:
    target = _target(code)
    target.reporters.append(_user(username))
    db.session.commit()


@pytest.fixture
def reporter(client, auth, make_user, demo_plan):
    """A teacher of the education bureau, reporting the rural teachers target, signed in."""
    make_user("bureau", "teacher")
    _assign("rural_teachers", "bureau")
    auth.login("bureau")
    return client


# --- admins assign ------------------------------------------------------------------------------

def test_an_admin_assigns_and_removes_a_reporter(admin, make_user, demo_plan):
    make_user("zhang", "statistician")
    target = _target("volunteers")
    page_url = f"/admin/plan/{target.id}/figure"
    response = _post(admin, page_url, f"/admin/plan/{target.id}/reporters", username=" Zhang ")
    assert response.status_code == 302
    assert _reporter_names("volunteers") == ["zhang"]
    page = admin.get(page_url).text
    assert re.findall(r'data-test="reporter">([^<]*)<', page) == ["zhang "]
    user_id = _user("zhang").id
    response = _post(admin, page_url, f"/admin/plan/{target.id}/reporters/{user_id}/remove")
    assert response.status_code == 302
    assert _reporter_names("volunteers") == []
    assert "该指标还没有填报人" in admin.get(page_url).text


@pytest.mark.parametrize(("username", "message"), [
    ("nobody", "没有这个用户名的账号"),
    ("villager", "居民账号不能填报规划数据"),
    ("zhang", "这个账号已经负责填报该指标"),
    ("", "请输入用户名"),
])
def test_an_assignment_that_cannot_be_is_refused_clearly(admin, make_user, demo_plan, username,
                                                          message):
    make_user("villager", "resident")
    make_user("zhang", "statistician")
    _assign("volunteers", "zhang")
    target = _target("volunteers")
    response = _post(admin, f"/admin/plan/{target.id}/figure",
                     f"/admin/plan/{target.id}/reporters", username=username)
    assert response.status_code == 200
    assert message in response.text
    assert 'data-test="error-summary"' not in response.text  # the figure form is untouched
    assert _reporter_names("volunteers") == ["zhang"]


def test_assigning_needs_the_csrf_token(admin, make_user, demo_plan):
    make_user("zhang", "statistician")
    target = _target("volunteers")
    response = admin.post(f"/admin/plan/{target.id}/reporters", data={"username": "zhang"})
    assert response.status_code == 400
    assert _reporter_names("volunteers") == []


# --- a reporter's own targets -------------------------------------------------------------------

def test_a_reporter_sees_their_targets_and_the_home_page_links_them(reporter):
    home = reporter.get("/").text
    assert 'data-test="personal-links"' in home and 'href="/plan/mine"' in home
    page = reporter.get("/plan/mine").text
    assert re.findall(r'data-target="([a-z_]+)"', page) == ["rural_teachers"]


def test_a_reporter_enters_a_figure_for_their_target(reporter):
    target = _target("rural_teachers")
    url = f"/plan/{target.id}/figure"
    response = _post(reporter, url, url, year="2025", value="47")
    assert response.status_code == 302 and response.headers["Location"] == "/plan/mine"
    assert _figures()[("rural_teachers", 2025)] == (47, _user("bureau").id)


def test_a_reporter_cannot_touch_another_target(reporter, make_user):
    make_user("kexie", "statistician")
    _assign("volunteers", "kexie")  # another unit's target, reported by another account
    other = _target("volunteers")
    before = _figures()
    assert reporter.get(f"/plan/{other.id}/figure").status_code == 404
    own = _target("rural_teachers")
    token = csrf_token(reporter.get(f"/plan/{own.id}/figure").text)
    response = reporter.post(f"/plan/{other.id}/figure",
                             data={"csrf_token": token, "year": "2025", "value": "999"})
    assert response.status_code == 404
    assert _figures() == before


@pytest.mark.parametrize("url", [
    "/admin/plan/", "/admin/plan/upload", "/admin/plan/report.xlsx", "/admin/plan/report.pdf",
    "/admin/plan/template.xlsx", "/admin/plan/{own}/figure"])
def test_a_reporter_gets_no_admin_page(reporter, url):
    assert reporter.get(url.format(own=_target("rural_teachers").id)).status_code == 403


def test_a_reporter_cannot_assign(reporter, make_user):
    make_user("zhang", "statistician")
    own = _target("rural_teachers")
    token = csrf_token(reporter.get("/plan/mine").text)
    response = reporter.post(f"/admin/plan/{own.id}/reporters",
                             data={"csrf_token": token, "username": "zhang"})
    assert response.status_code == 403
    assert _reporter_names("rural_teachers") == ["bureau"]


def test_a_staff_account_without_targets_has_nothing_to_report(client, auth, make_user,
                                                                demo_plan):
    make_user("li", "interviewer")
    auth.login("li")
    assert 'data-test="personal-links"' not in client.get("/").text
    assert 'data-test="no-targets"' in client.get("/plan/mine").text
    assert client.get("/plan/upload").status_code == 404
    assert client.get(f"/plan/{_target('rural_teachers').id}/figure").status_code == 404


def test_residents_are_refused_the_reporters_pages(client, auth, make_user, demo_plan):
    make_user("villager", "resident")
    auth.login("villager")
    assert client.get("/plan/mine").status_code == 403


# --- a reporter's upload ------------------------------------------------------------------------

def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, rows: list[list[object]]):
    page = client.get("/plan/upload")
    return client.post("/plan/upload", data={
        "csrf_token": csrf_token(page.text), "file": (io.BytesIO(_xlsx(rows)), "f.xlsx")},
        content_type="multipart/form-data")


def test_an_upload_with_another_target_is_rejected_whole(reporter, make_user):
    make_user("kexie", "statistician")
    _assign("volunteers", "kexie")
    before = _figures()
    response = _upload(reporter, [HEADER, ["rural_teachers", 2025, 48, None],
                                  ["volunteers", 2025, 180, None]])
    assert response.status_code == 200
    assert FAULT.findall(response.text) == [
        ("3", "target (A)", "您不负责填报指标 volunteers")]
    assert _figures() == before  # not even row 2, the reporter's own


def test_a_reporters_upload_of_their_own_targets_is_stored(reporter):
    response = _upload(reporter, [HEADER, ["rural_teachers", 2025, 48, None]])
    assert response.status_code == 302 and response.headers["Location"] == "/plan/mine"
    assert _figures()[("rural_teachers", 2025)] == (48, _user("bureau").id)


def test_a_reporters_template_lists_only_their_targets(reporter):
    from openpyxl import load_workbook

    response = reporter.get("/plan/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.data))["figures"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["rural_teachers"]


# --- the demo -----------------------------------------------------------------------------------

def test_the_demo_teacher_reports_the_school_targets(app, make_user):
    from quizapp.demo.plan import load_demo_plan

    make_user("teacher", "teacher")
    load_demo_plan()
    load_demo_plan()  # idempotent
    teacher = _user("teacher")
    assigned = db.session.scalars(select(PlanTarget.code).where(
        PlanTarget.reporters.any(User.id == teacher.id)).order_by(PlanTarget.code)).all()
    assert assigned == ["rural_teachers", "school_activity_rooms"]
    assert db.session.scalar(select(func.count()).select_from(
        PlanTarget.reporters.property.secondary)) == 2
