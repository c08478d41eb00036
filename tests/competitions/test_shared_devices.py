"""Shared devices: an account's registration and a device's anonymous one never mix on their
own, only by the person's explicit "link" (one phone in a family, a school computer)."""

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, Participant
from tests.support import csrf_token


@pytest.fixture
def resident(make_user):
    return make_user("zhang", "resident")


def _register(client, name):
    page = client.get("/competitions/test-cup")
    return client.post("/competitions/test-cup/register", data={
        "csrf_token": csrf_token(page.text), "name": name, "township_id": "0",
        "organisation_id": "0", "phone": ""})


def _post(client, action):
    page = client.get("/competitions/test-cup")
    return client.post(f"/competitions/test-cup/{action}",
                       data={"csrf_token": csrf_token(page.text)})


def _participants():
    db.session.expire_all()
    return {p.name: p for p in db.session.scalars(select(Participant))}


def _attempts_of(participant) -> int:
    return db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.participant_id == participant.id))


def test_opening_the_page_signed_in_does_not_take_over_the_devices_registration(
        client, auth, competition, resident):
    assert _register(client, "路人甲").status_code == 302  # anonymous, on this device
    auth.login("zhang")
    page = client.get("/competitions/test-cup").text
    anonymous = _participants()["路人甲"]
    assert anonymous.user_id is None and anonymous.device_id is not None
    assert 'value="路人甲"' not in page, "the account does not see it as its own"
    assert 'data-test="link-device"' in page and "路人甲" in page  # but is offered the link
    assert 'data-test="start"' not in page
    assert _post(client, "start").status_code == 302
    assert _attempts_of(anonymous) == 0, "no attempt charged to the device's registration"


def test_after_signing_out_the_next_visitor_cannot_see_use_or_rename_the_accounts_registration(
        client, auth, competition, resident):
    assert _register(client, "张三").status_code == 302
    auth.login("zhang")
    _post(client, "link-device")  # the registration becomes the account's
    assert _participants()["张三"].user_id == resident.id
    assert _post(client, "start").status_code == 302
    auth.logout()
    page = client.get("/competitions/test-cup").text
    assert "张三" not in page and 'data-test="resume"' not in page
    assert "请先报名" in client.post("/competitions/test-cup/start", data={
        "csrf_token": csrf_token(page)}, follow_redirects=True).text
    assert _register(client, "下一位").status_code == 302
    people = _participants()
    assert people["张三"].user_id == resident.id and people["下一位"].user_id is None
    assert _attempts_of(people["张三"]) == 1
    assert _post(client, "start").status_code == 302
    assert _attempts_of(people["张三"]) == 1 and _attempts_of(people["下一位"]) == 1


def test_linking_the_devices_registration_is_explicit_and_moves_its_attempts(
        client, auth, competition, resident, now):
    assert _register(client, "小张").status_code == 302
    assert _post(client, "start").status_code == 302
    auth.login("zhang")
    linked = _post(client, "link-device")
    assert linked.status_code == 302
    person = _participants()["小张"]
    assert (person.user_id, person.device_id) == (resident.id, None)
    attempt = db.session.scalar(select(Attempt).where(Attempt.participant_id == person.id))
    assert attempt.user_id == resident.id
    page = client.get("/competitions/test-cup").text
    assert 'value="小张"' in page and 'data-test="resume"' in page
    assert 'data-test="link-device"' not in page
    auth.logout()
    page = client.get("/competitions/test-cup").text
    assert "小张" not in page and 'data-test="resume"' not in page
    assert client.get(f"/competitions/attempt/{attempt.token}").status_code == 404


def test_an_account_with_its_own_registration_cannot_absorb_another(client, auth, competition,
                                                                     resident):
    assert _register(client, "设备上的").status_code == 302
    auth.login("zhang")
    assert _register(client, "账号的").status_code == 302
    assert 'data-test="link-device"' not in client.get("/competitions/test-cup").text
    refused = client.post("/competitions/test-cup/link-device", data={
        "csrf_token": csrf_token(client.get("/competitions/test-cup").text)},
        follow_redirects=True)
    assert "您的账号已经有自己的报名" in refused.text
    people = _participants()
    assert people["设备上的"].user_id is None and people["账号的"].user_id == resident.id


def test_linking_needs_an_account(client, competition):
    _register(client, "小李")
    response = _post(client, "link-device")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _participants()["小李"].user_id is None


def test_an_accounts_registration_is_never_found_by_its_device(competition, resident):
    """Even one that still carries a device (what the old adoption on sign-in left before
    migration 0006 cleared it) belongs to the account alone."""
    from quizapp.competitions import services

    kept = Participant(competition_id=competition.id, user_id=resident.id, device_id="phone",
                       name="张三")
    db.session.add(kept)
    db.session.commit()
    assert services.find_participant(competition, None, "phone") is None
    assert services.find_participant(competition, resident.id, "other").id == kept.id
    assert services.linkable_registration(competition, None, "phone") is None


def test_a_signed_in_person_cannot_open_the_devices_anonymous_attempt(
        client, auth, competition, resident):
    assert _register(client, "路人乙").status_code == 302  # anonymous, on this device
    assert _post(client, "start").status_code == 302
    token = db.session.scalar(select(Attempt.token))
    assert client.get(f"/competitions/attempt/{token}").status_code == 200
    auth.login("zhang")
    assert client.get(f"/competitions/attempt/{token}").status_code == 404
