"""A resident's way into a competition through the test client: every registration problem at
once, details remembered from the last registration (account or device, never mixed), no start
button when no attempt can start (and from when one can), the rules and the round said once."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.competitions import entry
from quizapp.competitions.pool import draw_pool
from quizapp.extensions import db
from quizapp.models import Competition, Organisation, Participant, Round
from tests.competitions.test_views import _post_answer, _register, _right_choice, _start
from tests.support import csrf_token, field_errors


def _selected(html, select_name):
    block = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', html, re.S)
    chosen = re.search(r'<option selected value="(\d+)"|<option value="(\d+)" selected', block[1])
    return chosen and (chosen[1] or chosen[2])


def _name_value(html):
    return re.search(r'<input[^>]*name="name"[^>]*value="([^"]*)"', html)[1]


@pytest.fixture
def second(app, competition, now):
    """Another open competition asking for name and township."""
    contest = Competition(
        slug="second-cup", title="第二场", starts_at=now.value - timedelta(days=1),
        ends_at=now.value + timedelta(days=10),
        registration={"name": "required", "township": "required", "organisation": "optional",
                      "phone": "off"},
        question_count=6, quotas={"type": {"true_false": 2, "single": 2, "multiple": 2}},
        seconds_per_question=30, attempts_per_day=1, points_per_correct=5.0, pool_size=30,
        published=True)
    db.session.add(contest)
    draw_pool(contest, 7)
    db.session.commit()
    return contest


def test_every_problem_is_shown_at_once(client, competition, township):
    competition.registration = {"name": "required", "township": "required",
                                "organisation": "off", "phone": "optional"}
    db.session.commit()
    page = client.get("/competitions/test-cup")
    response = client.post("/competitions/test-cup/register", data={
        "csrf_token": csrf_token(page.text), "name": " ", "township_id": "0", "phone": "123"})
    assert response.status_code == 400
    assert field_errors(response.text) == ["此项为必填项。", "此项为必填项。", "请检查填写的内容。"]
    assert "请更正以下 3 项：" in response.text and 'data-test="error-summary"' in response.text
    assert 'href="#name"' in response.text and 'href="#phone"' in response.text
    assert db.session.scalar(select(Participant)) is None


def test_the_forms_own_errors_and_the_rules_come_together(client, competition, township):
    competition.registration = {"name": "required", "township": "required",
                                "organisation": "off", "phone": "off"}
    db.session.commit()
    page = client.get("/competitions/test-cup")
    response = client.post("/competitions/test-cup/register", data={
        "csrf_token": csrf_token(page.text), "name": "长" * 65, "township_id": "0"})
    assert response.status_code == 400, "a long name is a form error, not a bare 400"
    errors = field_errors(response.text)
    assert len(errors) == 2 and errors[1] == "此项为必填项。"
    assert "64" in errors[0]
    assert db.session.scalar(select(Participant)) is None


def test_a_bad_csrf_token_is_still_refused(client, competition):
    response = client.post("/competitions/test-cup/register",
                           data={"csrf_token": "forged", "name": "小明"})
    assert response.status_code == 400
    assert db.session.scalar(select(Participant)) is None


def test_an_organisation_implies_its_township(client, competition, second, township):
    school = Organisation(name="薛店中学", kind="school", township_id=township.id)
    db.session.add(school)
    db.session.commit()
    page = client.get("/competitions/second-cup")
    response = client.post("/competitions/second-cup/register", data={
        "csrf_token": csrf_token(page.text), "name": "小明", "township_id": "0",
        "organisation_id": str(school.id)})
    assert response.status_code == 302
    assert db.session.scalar(select(Participant)).township_id == township.id


def test_the_next_competition_is_filled_in_from_this_devices_last_registration(
        client, app, competition, second, township):
    first = client.get("/competitions/second-cup").text
    assert _name_value(first) == "" and 'data-test="prefilled"' not in first
    assert _register(client, name="王秀英", township_id=str(township.id)).status_code == 302
    page = client.get("/competitions/second-cup").text
    assert _name_value(page) == "王秀英" and _selected(page, "township_id") == str(township.id)
    assert "已填入您上次报名时的信息" in page
    # One tap registers with them.
    response = client.post("/competitions/second-cup/register", data={
        "csrf_token": csrf_token(page), "name": "王秀英", "township_id": str(township.id),
        "organisation_id": "0"})
    assert response.status_code == 302
    # Another phone sees nothing of it.
    other = app.test_client().get("/competitions/second-cup").text
    assert _name_value(other) == "" and 'data-test="prefilled"' not in other


def test_an_account_and_the_device_never_fill_in_each_others_details(
        client, auth, make_user, competition, second, township):
    make_user("zhang", "resident").display_name = ""
    db.session.commit()
    _register(client, name="设备上的人", township_id=str(township.id))
    auth.login("zhang")
    page = client.get("/competitions/second-cup").text
    assert _name_value(page) == "" and "设备上的人" not in page
    auth.logout()
    assert _name_value(client.get("/competitions/second-cup").text) == "设备上的人"


def test_an_account_without_registrations_offers_its_name(client, auth, make_user, second):
    user = make_user("li", "resident")
    user.display_name = "李四"
    db.session.commit()
    auth.login("li")
    assert _name_value(client.get("/competitions/second-cup").text) == "李四"


def test_a_township_no_longer_in_use_is_not_carried_over(client, competition, township):
    _register(client, name="小明", township_id=str(township.id))
    device = db.session.scalar(select(Participant)).device_id
    township.active = False
    db.session.commit()
    remembered = entry.remembered_details(None, device)
    assert remembered == entry.Remembered("小明", None, None)


def test_no_start_button_once_todays_attempt_is_used(client, competition, second, now,
                                                      township):
    client.post("/competitions/second-cup/register", data={
        "csrf_token": csrf_token(client.get("/competitions/second-cup").text), "name": "小明",
        "township_id": str(township.id), "organisation_id": "0"})
    page = client.get("/competitions/second-cup").text
    assert 'data-test="start"' in page and 'data-test="next-attempt"' not in page
    page = client.get("/competitions/second-cup").text
    token = client.post("/competitions/second-cup/start", data={
        "csrf_token": csrf_token(page)}).headers["Location"].rsplit("/", 1)[-1]
    assert 'data-test="resume"' in client.get("/competitions/second-cup").text
    from tests.competitions.test_time_up import _item
    for position in range(6):
        html = client.get(f"/competitions/attempt/{token}").text
        _post_answer(client, token, html, position, _right_choice(_item(token, position)))
    page = client.get("/competitions/second-cup").text
    assert 'data-test="start"' not in page and "开始答题" not in page
    # 2025-05-01 02:00 UTC is 10:00 in Xinzheng: the next attempt from midnight there.
    assert "今天的答题次数已用完。下次可答题时间：2025-05-02 00:00。" in page
    now.move(hours=14)  # 00:00 the next day in Xinzheng
    assert 'data-test="start"' in client.get("/competitions/second-cup").text


def test_the_next_attempt_waits_for_the_next_round(competition, now):
    participant = Participant(competition_id=competition.id, device_id="d", name="小明")
    db.session.add(participant)
    t = now.value
    competition.rounds.extend([
        Round(number=1, title="第1周", starts_at=t - timedelta(days=1),
              ends_at=t + timedelta(hours=1)),
        Round(number=2, title="第2周", starts_at=t + timedelta(days=2),
              ends_at=t + timedelta(days=9))])
    competition.attempts_per_day = 1
    db.session.commit()
    assert entry.availability(competition, participant, t) == entry.Availability(True)
    from quizapp.competitions import services
    services.start_attempt(competition, participant, ip=None, device_id="d", now=t)
    assert entry.availability(competition, participant, t) == entry.Availability(
        False, "daily_limit", t + timedelta(days=2))
    newcomer = Participant(competition_id=competition.id, device_id="e", name="小红")
    db.session.add(newcomer)
    db.session.commit()
    assert entry.availability(competition, newcomer, t + timedelta(hours=5)) == \
        entry.Availability(False, "between_rounds", t + timedelta(days=2))
    competition.ends_at = t + timedelta(hours=3)
    assert entry.availability(competition, participant, t) == entry.Availability(
        False, "daily_limit", None)


def test_rules_and_round_are_said_once(client, competition, now):
    competition.rules_text = "请独立作答。"
    competition.rounds.append(Round(number=3, title="第3周", starts_at=now.value,
                                    ends_at=now.value + timedelta(days=7)))
    db.session.commit()
    page = client.get("/competitions/test-cup").text
    assert page.count("每题限时 30 秒") == 1 and page.count("请独立作答。") == 1
    assert "每次答完后显示正确答案。" in page
    assert "本轮：第3周，截至 2025-05-08 10:00" in page
    assert "第 3 轮" not in page
    competition.rounds[0].title = ""
    db.session.commit()
    assert "本轮：第 3 轮，截至" in client.get("/competitions/test-cup").text


def test_a_persons_name_is_called_xingming(client, competition):
    page = client.get("/competitions/test-cup").text
    assert '<label for="name">姓名</label>' in page and "名称" not in page


def test_the_start_button_is_not_offered_to_someone_who_used_every_attempt(
        client, competition, now):
    competition.attempts_total = 1
    db.session.commit()
    _register(client)
    token = _start(client)
    now.move(hours=1)
    client.get(f"/competitions/attempt/{token}/result")
    page = client.get("/competitions/test-cup").text
    assert 'data-test="start"' not in page
    assert re.search(r'data-test="done">\s*你已经参加过了：每人只能答一次。', page)


def test_a_refused_update_keeps_the_page_of_someone_registered(client, competition):
    _register(client, name="小明")
    page = client.get("/competitions/test-cup").text
    response = client.post("/competitions/test-cup/register", data={
        "csrf_token": csrf_token(page), "name": "", "township_id": "0"})
    assert response.status_code == 400
    assert 'data-test="start"' in response.text, "still registered: the start button stays"
    assert "<details class=\"card\" open><summary>修改报名信息</summary>" in response.text
    assert field_errors(response.text) == ["此项为必填项。"]
    assert db.session.scalar(select(Participant)).name == "小明"
