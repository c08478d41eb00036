"""The fieldwork pages through the real stack: the statistician assigns interviewers, and each
interviewer lists households, records adults, visits and contact details for their own cases
only."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (
    SurveyCase,
    SurveyCaseContact,
    SurveyContactAttempt,
    SurveyHousehold,
    SurveySampledPSU,
)
from tests.support import csrf_token, field_errors
from tests.surveys_web.conftest import ONE_STRATUM_CSV, interview_submission

BASE = "/statistics/surveys"


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _post(client, url: str, data: dict | None = None, page: str | None = None, **kwargs):
    token = csrf_token(client.get(page or url).text)
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def _psus(wave) -> list[SurveySampledPSU]:
    from quizapp.surveys import design

    return design.sampled_psus(wave)


@pytest.fixture
def people(app, make_user, townships):
    """Two interviewers (Ann works 龙湖街道, the frame's township; Bob works elsewhere), a
    resident and a statistician."""
    from quizapp.models import Township

    ann = make_user("ann", "interviewer")
    bob = make_user("bob", "interviewer")
    ann.townships = [db.session.scalar(select(Township).where(Township.code == "longhu"))]
    bob.townships = [db.session.scalar(select(Township).where(Township.code == "xincun"))]
    db.session.commit()
    return {"ann": ann, "bob": bob, "resident": make_user("res", "resident"),
            "stats": make_user("stats", "statistician")}


@pytest.fixture
def assigned(fieldwork_wave, people):
    """The fieldwork wave's first PSU worked by Ann, the second by Bob."""
    from quizapp.surveys import fieldwork

    first, second = _psus(fieldwork_wave)
    fieldwork.assign_interviewers(fieldwork_wave, {first.id: people["ann"].id,
                                                   second.id: people["bob"].id})
    return fieldwork_wave, first, second


def _cases(psu) -> list[SurveyCase]:
    from quizapp.surveys import design

    return design.cases_of(psu)


# --- the statistician's assignment page --------------------------------------------------------

def test_the_statistician_assigns_interviewers(client, auth, fieldwork_wave, people):
    first, second = _psus(fieldwork_wave)
    auth.login("stats")
    url = f"{BASE}/{fieldwork_wave.id}/interviewers"
    assert f'href="{url}"' in client.get(f"{BASE}/{fieldwork_wave.id}").text  # wave page link
    page = client.get(url).text
    assert "龙湖街道" in page and "城镇" in page
    assert "需访问 2 户，已抽中 2 户，已完成 0 份" in page
    # Ann works the PSUs' township: listed first and marked; Bob after her, unmarked.
    select_html = page[page.index(f'name="psu_{first.id}"'):]
    select_html = select_html[:select_html.index("</select>")]
    assert select_html.index("ann（本乡镇）") < select_html.index(">bob<")
    assert "尚未分配任何人" in page

    response = _post(client, url, {f"psu_{first.id}": str(people["ann"].id),
                                   f"psu_{second.id}": str(people["bob"].id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert [p.interviewer_id for p in _psus(fieldwork_wave)] == [people["ann"].id,
                                                                 people["bob"].id]
    page = client.get(url).text
    assert "分配已保存（更改 2 处）" in page
    assert "ann: 1 个村（社区），2 户，已完成 0 份" in page
    assert "bob: 1 个村（社区），2 户，已完成 0 份" in page

    # Unassigning is a choice too.
    assert _post(client, url, {f"psu_{first.id}": "", f"psu_{second.id}": str(
        people["bob"].id)}).status_code == 302
    db.session.expire_all()
    assert [p.interviewer_id for p in _psus(fieldwork_wave)] == [None, people["bob"].id]


@pytest.mark.parametrize("value, message", [
    ("resident", "所选账号不是在用的调查员"),
    ("stats", "所选账号不是在用的调查员"),
    ("99999999999999999999", "请从列表中选择调查员"),
    ("-3", "请从列表中选择调查员"),
    ("abc", "请从列表中选择调查员"),
    ("2147483647", "所选账号不是在用的调查员"),
])
def test_an_assignment_to_anyone_but_an_interviewer_saves_nothing(client, auth, fieldwork_wave,
                                                                   people, value, message):
    first, second = _psus(fieldwork_wave)
    user_id = {"resident": people["resident"].id, "stats": people["stats"].id}.get(value, value)
    auth.login("stats")
    url = f"{BASE}/{fieldwork_wave.id}/interviewers"
    response = _post(client, url, {f"psu_{first.id}": str(people["ann"].id),
                                   f"psu_{second.id}": str(user_id)})
    assert response.status_code == 200
    assert message in response.text
    db.session.expire_all()
    assert [p.interviewer_id for p in _psus(fieldwork_wave)] == [None, None]  # all or nothing


def test_a_disabled_interviewer_is_refused_but_keeps_what_they_hold(fieldwork_wave, people):
    from quizapp.surveys import fieldwork
    from quizapp.surveys.services import WaveRefused

    first, second = _psus(fieldwork_wave)
    fieldwork.assign_interviewers(fieldwork_wave, {first.id: people["ann"].id, second.id: None})
    people["ann"].active = False
    db.session.commit()
    with pytest.raises(WaveRefused, match="不是在用的调查员"):
        fieldwork.assign_interviewers(fieldwork_wave, {first.id: None,
                                                       second.id: people["ann"].id})
    # Saving the page unchanged keeps Ann on the PSU she holds.
    assert fieldwork.assign_interviewers(fieldwork_wave, {first.id: people["ann"].id,
                                                          second.id: people["bob"].id}) == 1
    page = fieldwork.assignment_page(fieldwork_wave)
    assert page.rows[0].current.id == people["ann"].id
    assert [c.user.username for c in page.rows[0].choices] == ["bob"]


def test_a_missing_row_or_another_waves_psu_saves_nothing(client, auth, fieldwork_wave, people):
    from quizapp.surveys import fieldwork
    from quizapp.surveys.services import WaveRefused

    first, second = _psus(fieldwork_wave)
    with pytest.raises(WaveRefused, match="请刷新页面"):
        fieldwork.assign_interviewers(fieldwork_wave, {first.id: people["ann"].id})
    with pytest.raises(WaveRefused, match="请刷新页面"):
        fieldwork.assign_interviewers(fieldwork_wave, {first.id: None, second.id: None,
                                                       second.id + 1000: None})
    auth.login("stats")
    url = f"{BASE}/{fieldwork_wave.id}/interviewers"
    response = _post(client, url, {f"psu_{first.id}": str(people["ann"].id)})
    assert response.status_code == 200
    assert "表单中缺少此项，请刷新页面" in response.text
    assert "未保存任何内容" in response.text
    db.session.expire_all()
    assert [p.interviewer_id for p in _psus(fieldwork_wave)] == [None, None]


def test_a_closed_wave_takes_no_assignment(client, auth, fieldwork_wave, people):
    first, second = _psus(fieldwork_wave)
    url = f"{BASE}/{fieldwork_wave.id}/interviewers"
    auth.login("stats")
    token = csrf_token(client.get(url).text)
    fieldwork_wave.status = "closed"
    db.session.commit()
    page = client.get(url).text
    assert 'data-test="save-assignments"' not in page and "— 未分配 —" in page
    response = client.post(url, data={"csrf_token": token,
                                      f"psu_{first.id}": str(people["ann"].id),
                                      f"psu_{second.id}": ""})
    assert response.status_code == 200 and "当前状态" in response.text
    db.session.expire_all()
    assert [p.interviewer_id for p in _psus(fieldwork_wave)] == [None, None]


def test_interviewers_cannot_open_the_assignment_page(client, auth, fieldwork_wave, people):
    auth.login("ann")
    assert client.get(f"{BASE}/{fieldwork_wave.id}/interviewers").status_code == 403


# --- the interviewer's pages ----------------------------------------------------------------

def test_the_interviewer_home_lists_only_their_psus_with_progress(client, auth, assigned):
    wave, first, second = assigned
    auth.login("ann")
    home = client.get("/").text
    assert 'href="/fieldwork/"' in home and "我负责的村（社区）" in home
    page = client.get("/fieldwork/").text
    assert page.count('data-test="assigned-psu"') == 1
    assert f"/fieldwork/psu/{first.id}" in page and f"/fieldwork/psu/{second.id}" not in page
    progress = page[page.index('data-test="progress"'):]
    # 2 cases, the first screened (ready), none interviewed, no disposition yet
    assert "<dt>需访问的住户</dt><dd>2</dd>" in progress
    assert "<dt>待访问</dt><dd>1</dd>" in progress
    assert "<dt>已访问</dt><dd>0</dd>" in progress


def test_the_offline_app_is_linked_when_installed(app, client, auth, assigned):
    """The offline app is another module's page; while it is absent the link is left out."""
    wave, first, _second = assigned
    if "fieldwork.app" not in app.view_functions:
        app.add_url_rule("/fieldwork/app", "fieldwork.app", lambda: "app")
    auth.login("ann")
    assert 'href="/fieldwork/app"' in client.get("/fieldwork/").text
    assert "开始访问（可离线）" in client.get("/fieldwork/").text
    ready = _cases(first)[0]
    page = client.get(f"/fieldwork/case/{ready.id}").text
    assert f'href="/fieldwork/app#case-{ready.id}"' in page
    to_screen = _cases(first)[1]
    assert "/fieldwork/app#case" not in client.get(f"/fieldwork/case/{to_screen.id}").text


def test_the_psu_page_lists_the_cases_with_labels(client, auth, assigned):
    wave, first, _second = assigned
    auth.login("ann")
    page = client.get(f"/fieldwork/psu/{first.id}").text
    cases = page[page.index('data-test="cases"'):]
    assert cases.count("<li>") == 2
    assert "待访问" in cases and "待登记成人" in cases and "尚未入户" in cases
    assert "ready" not in cases.replace("status-ready", "") and "to_screen" not in \
        cases.replace("status-to_screen", "")
    assert "已登记 8 户，抽中 2 户。" in page


def test_an_interviewer_cannot_open_or_write_to_anothers_psu_or_case(client, auth, assigned):
    wave, first, second = assigned
    theirs = _cases(second)
    auth.login("ann")
    assert client.get(f"/fieldwork/psu/{second.id}").status_code == 404
    for case in theirs:
        assert client.get(f"/fieldwork/case/{case.id}").status_code == 404
    token = csrf_token(client.get(f"/fieldwork/case/{_cases(first)[0].id}").text)
    to_screen = theirs[1]
    assert client.post(f"/fieldwork/psu/{second.id}", data={
        "csrf_token": token, "lines": "1\n2\n3"}).status_code == 404
    assert client.post(f"/fieldwork/case/{to_screen.id}/adults", data={
        "csrf_token": token, "adults": "男 50"}).status_code == 404
    assert client.post(f"/fieldwork/case/{theirs[0].id}/visit", data={
        "csrf_token": token, "client_id": "web-abcdefghijkl", "outcome": "refusal"}
    ).status_code == 404
    assert client.post(f"/fieldwork/case/{theirs[0].id}/contact", data={
        "csrf_token": token, "name": "张三", "phone": "13800000000"}).status_code == 404
    db.session.expire_all()
    assert _count(SurveyContactAttempt) == 0 and _count(SurveyCaseContact) == 0
    assert db.session.get(SurveyCase, to_screen.id).eligible_adults is None
    # A case id past the INTEGER range names no case.
    assert client.get("/fieldwork/case/99999999999999999").status_code == 404
    assert client.get("/fieldwork/psu/99999999999999999").status_code == 404


def test_the_statistician_and_residents_do_not_get_the_interviewer_pages(client, auth, assigned):
    wave, first, _second = assigned
    auth.login("stats")
    assert client.get(f"/fieldwork/psu/{first.id}").status_code == 403
    assert client.get("/fieldwork/").status_code == 403


def test_a_closed_wave_hides_everything(client, auth, assigned):
    wave, first, _second = assigned
    case = _cases(first)[0]
    auth.login("ann")
    token = csrf_token(client.get(f"/fieldwork/case/{case.id}").text)
    wave.status = "closed"
    db.session.commit()
    assert 'data-test="nothing-assigned"' in client.get("/fieldwork/").text
    assert client.get(f"/fieldwork/psu/{first.id}").status_code == 404
    assert client.get(f"/fieldwork/case/{case.id}").status_code == 404
    assert client.post(f"/fieldwork/case/{case.id}/visit", data={
        "csrf_token": token, "client_id": "web-abcdefghijkl", "outcome": "refusal"}
    ).status_code == 404
    assert client.post(f"/fieldwork/case/{case.id}/contact", data={
        "csrf_token": token, "name": "张三"}).status_code == 404
    assert _count(SurveyContactAttempt) == 0 and _count(SurveyCaseContact) == 0


# --- listing ------------------------------------------------------------------------------

@pytest.fixture
def unlisted(pool, townships, make_wave, people):
    """A wave in fieldwork whose two PSUs are not listed yet; Ann works the first."""
    import surveys
    from quizapp.surveys import design, fieldwork, services

    wave = make_wave(name="未登记", seed=777)
    services.assemble_forms(wave)
    design.import_frame(wave, ONE_STRATUM_CSV, "frame.csv")
    design.fix_design(wave, surveys.DesignSpec(interviews=4, take=2, method="proportional",
                                               min_psus=2))
    design.draw_sample(wave)
    services.start_fieldwork(wave)
    first, second = design.sampled_psus(wave)
    fieldwork.assign_interviewers(wave, {first.id: people["ann"].id, second.id: None})
    return wave, first


def test_the_interviewer_lists_the_households_of_their_psu(client, auth, unlisted):
    wave, psu = unlisted
    auth.login("ann")
    home = client.get("/fieldwork/").text
    assert 'data-test="to-list"' in home and "将从中抽取 2 户" in home
    url = f"/fieldwork/psu/{psu.id}"
    response = _post(client, url, {"lines": "3组1号\n\n3组2号\n 3组3号 \n3组4号\n3组5号"})
    assert response.status_code == 302
    page = client.get(url).text
    assert "已登记 5 户，抽中 2 户。" in page
    db.session.expire_all()
    labels = list(db.session.scalars(select(SurveyHousehold.label)
                                     .where(SurveyHousehold.sampled_psu_id == psu.id)
                                     .order_by(SurveyHousehold.line)))
    assert labels == ["3组1号", "3组2号", "3组3号", "3组4号", "3组5号"]
    assert _count(SurveyCase, SurveyCase.sampled_psu_id == psu.id) == 2
    # A second listing is refused with the reason.
    again = client.post(url, data={"csrf_token": csrf_token(page), "lines": "1\n2\n3"})
    assert again.status_code == 200
    assert "该村（居）的住户已登记" in " ".join(field_errors(again.text))


def test_an_uploaded_listing_in_gb18030_with_control_bytes(client, auth, unlisted):
    wave, psu = unlisted
    auth.login("ann")
    data = "东1号\r\n东2\x00号\r\n东3\x07号\r\n".encode("gb18030")
    response = _post(client, f"/fieldwork/psu/{psu.id}",
                     {"file": (io.BytesIO(data), "listing.csv")},
                     content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert list(db.session.scalars(select(SurveyHousehold.label).where(
        SurveyHousehold.sampled_psu_id == psu.id).order_by(SurveyHousehold.line))) == [
        "东1号", "东2号", "东3号"]


def test_a_listing_file_over_the_limit_is_refused(client, auth, unlisted, monkeypatch):
    from quizapp.surveys import fieldwork_routes

    wave, psu = unlisted
    # A small limit, so the upload stays in memory (werkzeug spools larger ones to a file).
    monkeypatch.setattr(fieldwork_routes, "LISTING_MAX_BYTES", 100 * 1024)
    auth.login("ann")
    data = ("1号\n" * 30_000).encode()  # 150 KB
    response = _post(client, f"/fieldwork/psu/{psu.id}",
                     {"file": (io.BytesIO(data), "listing.txt")},
                     content_type="multipart/form-data")
    assert response.status_code == 200
    assert "文件超过 0.1 MB" in " ".join(field_errors(response.text))
    assert _count(SurveyHousehold) == 0


@pytest.mark.parametrize("lines, message", [
    ("只有一户", "清单只有 1 户；该村（居）至少需要 2 户"),
    ("", "请填写住户或上传住户清单"),
])
def test_a_short_or_empty_listing_is_explained(client, auth, unlisted, lines, message):
    wave, psu = unlisted
    auth.login("ann")
    response = _post(client, f"/fieldwork/psu/{psu.id}", {"lines": lines})
    assert response.status_code == 200
    assert message in " ".join(field_errors(response.text))
    assert _count(SurveyHousehold, SurveyHousehold.sampled_psu_id == psu.id) == 0


def test_a_nul_byte_in_a_form_is_a_400_not_a_500(client, auth, unlisted):
    wave, psu = unlisted
    auth.login("ann")
    response = _post(client, f"/fieldwork/psu/{psu.id}", {"lines": "1号\x00\n2号\n3号"})
    assert response.status_code == 400
    assert _count(SurveyHousehold) == 0


# --- adults, visits, contact details ------------------------------------------------------

def test_the_interviewer_records_the_adults_and_sees_whom_to_interview(client, auth, assigned):
    wave, first, _second = assigned
    case = _cases(first)[1]  # not screened yet; Kish grid (the wave's default)
    auth.login("ann")
    url = f"/fieldwork/case/{case.id}"
    page = client.get(url).text
    assert 'data-test="adults-form"' in page and "待登记成人" in page
    response = _post(client, f"{url}/adults", {"adults": "女 48\n男 50\n女 20"}, page=url)
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(SurveyCase, case.id)
    assert stored.status == "ready" and stored.eligible_adults == 3
    # Kish order: 男 50 (1), 女 48 (2), 女 20 (3); the table names one of them.
    kish_order = {1: (2, "男", 50), 2: (1, "女", 48), 3: (3, "女", 20)}
    line, sex, age = kish_order[stored.selected_adult]
    page = client.get(url).text
    assert f"请访问您所列的第 {line} 位：{sex}，{age} 岁。" in page
    assert f"基什编号第 {stored.selected_adult} 位" in page
    # Kept on the case, so the page (and the offline app) still says whom to ask later.
    assert (stored.selected_sex, stored.selected_age) == ({"男": "male", "女": "female"}[sex], age)
    assert f"{sex}，{age} 岁" in client.get(url).text
    assert 'data-test="adults-form"' not in page


@pytest.mark.parametrize("adults, message", [
    ("男 abc", "第 1 行"),
    ("女 48\n猫 3", "第 2 行"),
    ("男 99999999999999999999999", "第 1 行"),
    ("男 50\x07", None),  # a control character is dropped, the line is fine
    ("\n".join(["男 30"] * 31), "一户最多 30 名成年人"),
])
def test_bad_adults_are_explained(client, auth, assigned, adults, message):
    wave, first, _second = assigned
    case = _cases(first)[1]
    auth.login("ann")
    url = f"/fieldwork/case/{case.id}"
    response = _post(client, f"{url}/adults", {"adults": adults}, page=url)
    db.session.expire_all()
    if message is None:
        assert response.status_code == 302
        assert db.session.get(SurveyCase, case.id).eligible_adults == 1
        return
    assert response.status_code == 200
    assert message in " ".join(field_errors(response.text))
    assert db.session.get(SurveyCase, case.id).eligible_adults is None


def test_a_visit_sets_the_disposition_and_a_resent_form_stores_it_once(client, auth, assigned):
    wave, first, _second = assigned
    case = _cases(first)[0]
    auth.login("ann")
    url = f"/fieldwork/case/{case.id}"
    page = client.get(url).text
    assert "无人在家" in page and "知情同意时拒绝" in page and "邀请函未回复" not in page
    client_id = page.split('name="client_id" type="hidden" value="')[1].split('"')[0]
    assert client_id.startswith("web-") and len(client_id) >= 20
    data = {"csrf_token": csrf_token(page), "client_id": client_id, "outcome": "no_contact",
            "note": "晚上 6 点后再来"}
    assert client.post(f"{url}/visit", data=data).status_code == 302
    assert client.post(f"{url}/visit", data=data).status_code == 302  # a double tap
    assert _count(SurveyContactAttempt, SurveyContactAttempt.case_id == case.id) == 1
    db.session.expire_all()
    assert db.session.get(SurveyCase, case.id).disposition == "non_contact"
    page = client.get(url).text
    assert "入户记录已保存" in page
    assert "未接触到" in page and "无人在家" in page and "晚上 6 点后再来" in page
    # A second visit with a fresh form: refused, and the disposition follows the latest visit.
    second = client.get(url).text
    new_id = second.split('name="client_id" type="hidden" value="')[1].split('"')[0]
    assert new_id != client_id
    assert client.post(f"{url}/visit", data={"csrf_token": csrf_token(second),
                                             "client_id": new_id,
                                             "outcome": "refusal"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(SurveyCase, case.id).disposition == "refusal"
    stored = db.session.scalars(select(SurveyContactAttempt).where(
        SurveyContactAttempt.case_id == case.id).order_by(SurveyContactAttempt.id)).all()
    assert [(a.outcome, a.interviewer_id) for a in stored] == [
        ("no_contact", case.sampled_psu.interviewer_id), ("refusal",
                                                           case.sampled_psu.interviewer_id)]
    page = client.get(f"/fieldwork/psu/{first.id}").text
    assert "拒访" in page and "已访 2 次" in page


@pytest.mark.parametrize("data, message", [
    ({"outcome": "exploded"}, None),
    ({"outcome": "no_reply"}, None),  # the invitation letter's outcome, not a visit's
    ({}, "请选择本次入户的结果"),
    ({"outcome": "refusal", "client_id": "short"}, "表单不完整"),
    ({"outcome": "refusal", "note": "x" * 201}, None),
])
def test_a_bad_visit_is_explained_and_stores_nothing(client, auth, assigned, data, message):
    wave, first, _second = assigned
    case = _cases(first)[0]
    auth.login("ann")
    url = f"/fieldwork/case/{case.id}"
    page = client.get(url).text
    client_id = page.split('name="client_id" type="hidden" value="')[1].split('"')[0]
    response = client.post(f"{url}/visit", data={"csrf_token": csrf_token(page),
                                                 "client_id": client_id, **data})
    assert response.status_code == 200
    assert field_errors(response.text), "the page says what is wrong"
    if message:
        assert message in " ".join(field_errors(response.text))
    assert _count(SurveyContactAttempt) == 0
    db.session.expire_all()
    assert db.session.get(SurveyCase, case.id).disposition is None


def test_an_interviewed_case_shows_its_status_and_takes_no_visit(client, auth, assigned):
    from quizapp.surveys.interviews import record_interview

    wave, first, _second = assigned
    case = _cases(first)[0]
    record_interview(case, interview_submission(case), interviewer_id=first.interviewer_id)
    auth.login("ann")
    page = client.get(f"/fieldwork/case/{case.id}").text
    assert "已访问" in page and "完成访问" in page and 'data-test="visit-form"' not in page
    assert "进行访问" in page  # the interview's own line in the visit history
    home = client.get("/fieldwork/").text
    progress = home[home.index('data-test="progress"'):]
    assert "<dt>已访问</dt><dd>1</dd>" in progress and "<dt>完成访问</dt><dd>1</dd>" in progress


def test_contact_details_are_kept_apart_and_seen_by_the_interviewer_and_statistician(
        client, auth, assigned):
    wave, first, _second = assigned
    case = _cases(first)[0]
    auth.login("ann")
    url = f"/fieldwork/case/{case.id}"
    response = _post(client, f"{url}/contact", {"name": "张\x07三", "phone": "138 0000 0000",
                                                "address": "3组12号"}, page=url)
    assert response.status_code == 302
    contact = db.session.scalar(select(SurveyCaseContact))
    assert (contact.case_id, contact.name, contact.phone) == (case.id, "张三", "138 0000 0000")
    page = client.get(url).text
    assert 'value="张三"' in page and 'value="138 0000 0000"' in page
    bad = _post(client, f"{url}/contact", {"name": "张三", "phone": "call me"}, page=url)
    assert bad.status_code == 200 and "只能填写数字" in " ".join(field_errors(bad.text))
    auth.logout()

    auth.login("bob")
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login("stats")
    stats_page = client.get(f"{BASE}/{wave.id}/cases/{case.id}").text
    assert "张三" in stats_page and "138 0000 0000" in stats_page
    auth.logout()

    auth.login("ann")  # all blank: the details are deleted
    assert _post(client, f"{url}/contact", {"name": "", "phone": "", "address": ""},
                 page=url).status_code == 302
    assert _count(SurveyCaseContact) == 0


def test_an_admin_sees_the_fieldwork_overview_without_assignments(client, auth, make_user):
    make_user("root", "admin")
    auth.login("root")
    page = client.get("/fieldwork/")
    assert page.status_code == 200 and 'data-test="nothing-assigned"' in page.text


def test_every_visit_outcome_has_both_labels_in_order():
    from quizapp.models.surveys import CASE_STATUSES
    from quizapp.surveys.interviews import CONTACT_OUTCOMES, INTERVIEW_OUTCOME
    from quizapp.surveys.labels import CASE_PROGRESS_LABELS, CONTACT_OUTCOME_LABELS

    assert list(CONTACT_OUTCOME_LABELS) == [*CONTACT_OUTCOMES, INTERVIEW_OUTCOME]
    assert list(CASE_PROGRESS_LABELS) == [*CASE_STATUSES, "interviewed"]
    for names in [*CONTACT_OUTCOME_LABELS.values(), *CASE_PROGRESS_LABELS.values()]:
        assert set(names) == {"zh", "en"} and all(names.values())



def test_next_birthday_counts_from_the_day_of_the_visit(client, auth, pool, townships,
                                                        make_wave, people, monkeypatch):
    """Birthdays 1-1, 3-11 and 12-31; the visit is at 16:30 UTC on 10 March, which is already
    11 March in Beijing, so the next birthday is 12-31 (adult 3), not 3-11 (adult 2)."""
    from datetime import UTC, datetime

    import surveys
    from quizapp.engine import clock
    from quizapp.surveys import design, fieldwork, services

    wave = make_wave(name="生日法", seed=99, selection_method="next_birthday")
    services.assemble_forms(wave)
    design.import_frame(wave, ONE_STRATUM_CSV, "frame.csv")
    design.fix_design(wave, surveys.DesignSpec(interviews=4, take=2, method="proportional",
                                               min_psus=2))
    design.draw_sample(wave)
    services.start_fieldwork(wave)
    first, second = design.sampled_psus(wave)
    fieldwork.assign_interviewers(wave, {first.id: people["ann"].id, second.id: None})
    design.list_households(wave, first, [f"{k}号" for k in range(1, 6)])
    case = design.cases_of(first)[0]
    monkeypatch.setattr(clock, "now", lambda: datetime(2027, 3, 10, 16, 30, tzinfo=UTC))
    auth.login("ann")
    url = f"/fieldwork/case/{case.id}"
    response = _post(client, f"{url}/adults", {"adults": "男 50 1-1\n女 48 3-11\n女 20 12-31"},
                     page=url)
    assert response.status_code == 302
    page = client.get(url).text
    assert "请访问您所列的第 3 位：女，20 岁。" in page
    assert "按您列出的顺序第 3 位（下一个生日法）" in page
    db.session.expire_all()
    assert db.session.get(SurveyCase, case.id).within_probability == pytest.approx(1 / 3)


def test_a_refused_form_keeps_a_working_visit_form(client, auth, assigned):
    wave, first, _second = assigned
    case = _cases(first)[1]
    auth.login("ann")
    url = f"/fieldwork/case/{case.id}"
    response = _post(client, f"{url}/adults", {"adults": "猫 3"}, page=url)
    assert response.status_code == 200
    client_id = response.text.split('name="client_id" type="hidden" value="')[1].split('"')[0]
    assert client.post(f"{url}/visit", data={"csrf_token": csrf_token(response.text),
                                             "client_id": client_id,
                                             "outcome": "appointment"}).status_code == 302
    assert _count(SurveyContactAttempt, SurveyContactAttempt.case_id == case.id) == 1


# --- fuzz: arbitrary text and numbers in every form are a message, never a 5xx -------------------

NASTY = "\x00\x01\x07\x09\x0a\x0b\x0d\x1b\x7f\x85\u2028\ufeff\U0001f600中男女'\"<>&%=+- 0123456789"
FUZZ_TEXT = st.one_of(st.text(max_size=60), st.text(alphabet=NASTY, max_size=40),
                      st.integers(min_value=-(2**80), max_value=2**80).map(str),
                      st.sampled_from(["9" * 5000, "男 " + "9" * 40, "女 48 2-30", "-0"]))


def _fuzz(examples: int):
    return settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


def test_fuzz_the_interviewer_forms(client, auth, assigned):
    wave, first, _second = assigned
    case = _cases(first)[1]
    auth.login("ann")
    url = f"/fieldwork/case/{case.id}"
    token = csrf_token(client.get(url).text)

    @_fuzz(60)
    @given(adults=FUZZ_TEXT, outcome=FUZZ_TEXT, note=FUZZ_TEXT, client_id=FUZZ_TEXT,
           name=FUZZ_TEXT, phone=FUZZ_TEXT, lines=FUZZ_TEXT)
    def run(adults, outcome, note, client_id, name, phone, lines):
        posts = [(f"{url}/adults", {"adults": adults}),
                 (f"{url}/visit", {"outcome": outcome, "note": note, "client_id": client_id}),
                 (f"{url}/contact", {"name": name, "phone": phone, "address": note}),
                 (f"/fieldwork/psu/{first.id}", {"lines": lines})]
        for target, data in posts:
            response = client.post(target, data={"csrf_token": token, **data})
            assert response.status_code < 500, (target, data, response.status_code)

    run()


def test_fuzz_the_assignment_form(client, auth, fieldwork_wave, people):
    first, second = _psus(fieldwork_wave)
    auth.login("stats")
    url = f"{BASE}/{fieldwork_wave.id}/interviewers"
    token = csrf_token(client.get(url).text)

    @_fuzz(60)
    @given(one=FUZZ_TEXT, two=FUZZ_TEXT)
    def run(one, two):
        response = client.post(url, data={"csrf_token": token, f"psu_{first.id}": one,
                                          f"psu_{second.id}": two})
        assert response.status_code < 500, (one, two, response.status_code)

    run()
