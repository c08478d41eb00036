"""我的 (mine): my attempts, certificates, practice and mistakes, and nobody else's: another
device, another account, or the account's own things on a shared phone after signing out."""

from __future__ import annotations

import re

from quizapp.models import Attempt
from tests.competitions.answering import answer_all, right_or_wrong
from tests.competitions.test_certificates import play
from tests.support import csrf_token


def _mine(client) -> str:
    response = client.get("/me/")
    assert response.status_code == 200
    return response.text


def _links(html: str, test_id: str) -> list[str]:
    return re.findall(rf'<a href="([^"]+)" data-test="{test_id}"', html)


def _practise(client) -> Attempt:
    """A whole practice round for older people, every answer wrong."""
    page = client.get("/practice/")
    token = client.post("/practice/start", data={
        "csrf_token": csrf_token(page.text), "group": "elder"}).headers["Location"].split("/")[-1]
    return answer_all(client, token, f"/practice/{token}", f"/practice/{token}/answer",
                      right_or_wrong(0))


def test_mine_lists_my_attempts_certificates_practice_and_mistakes(client, competition):
    attempt = play(client, right=4)
    practice = _practise(client)
    html = _mine(client)
    assert _links(html, "attempt-link") == [f"/competitions/attempt/{attempt.token}/result"]
    assert _links(html, "certificate-link") == [
        f"/competitions/attempt/{attempt.token}/certificate"]
    assert "测试竞赛" in html and "20 分" in html and "答对 4 题，共 6 题" in html
    assert f'href="/practice/{practice.token}/summary"' in html
    assert "今天已答 10 题" in html
    mistakes = re.search(r'<ol class="mistakes">(.*?)</ol>', html, re.S).group(1)
    stems = {i.question_version.stem for i in practice.items}
    assert set(re.findall(r"<li>(.*?)</li>", mistakes)) <= stems
    assert len(re.findall(r"<li>", mistakes)) == 10
    assert 'action="/practice/mistakes"' in html
    assert 'data-test="device-only"' in html, "says the results live on this phone only"


def test_another_device_sees_none_of_it(client, competition):
    attempt = play(client)
    _practise(client)
    stranger = _mine(client.application.test_client())
    assert not _links(stranger, "attempt-link") and not _links(stranger, "certificate-link")
    assert attempt.token not in stranger and "/summary" not in stranger
    assert '<ol class="mistakes">' not in stranger and "今天已答 0 题" in stranger


def test_an_account_sees_its_own_things_and_the_next_person_on_the_phone_does_not(
        client, auth, make_user, competition):
    device_attempt = play(client, name="设备用户")
    make_user("resident1")
    auth.login("resident1")
    signed_in = _mine(client)
    # The device's anonymous attempt is not the account's (until linked on purpose).
    assert device_attempt.token not in signed_in and 'data-test="device-only"' not in signed_in
    account_attempt = play(client, name="账号用户")
    assert account_attempt.user_id is not None and account_attempt.device_id is not None
    signed_in = _mine(client)
    assert _links(signed_in, "attempt-link") == [
        f"/competitions/attempt/{account_attempt.token}/result"]
    auth.logout()
    after = _mine(client)  # the same phone, signed out: the device's own attempt only
    assert account_attempt.token not in after
    assert _links(after, "attempt-link") == [
        f"/competitions/attempt/{device_attempt.token}/result"]


def test_another_account_sees_none_of_it(client, auth, make_user, competition):
    make_user("first")
    auth.login("first")
    attempt = play(client)
    _practise(client)
    other = client.application.test_client()
    make_user("second")
    from tests.support import AuthActions

    AuthActions(other).login("second")
    html = _mine(other)
    assert attempt.token not in html and not _links(html, "certificate-link")
    assert '<ol class="mistakes">' not in html


def test_an_attempt_left_at_its_deadline_is_scored_and_certified_here(client, competition,
                                                                        now):
    page = client.get("/competitions/test-cup")
    client.post("/competitions/test-cup/register", data={
        "csrf_token": csrf_token(page.text), "name": "半途", "township_id": "0",
        "organisation_id": "0", "phone": ""})
    page = client.get("/competitions/test-cup")
    token = client.post("/competitions/test-cup/start", data={
        "csrf_token": csrf_token(page.text)}).headers["Location"].rsplit("/", 1)[-1]
    html = _mine(client)
    assert f'href="/competitions/attempt/{token}"' in html, "offered to continue"
    now.move(hours=1)
    html = _mine(client)
    assert _links(html, "attempt-link") == [f"/competitions/attempt/{token}/result"]
    assert _links(html, "certificate-link") == [f"/competitions/attempt/{token}/certificate"]
    assert "时间到自动交卷" in html
