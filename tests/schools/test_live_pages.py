"""The teacher's live-game pages and the students' join and play pages, through the test
client: a whole game, rejoining, removing, extra time, bad input."""

from __future__ import annotations

import re

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import LiveGame, LivePlayer
from quizapp.schools.labels import GAME_ERRORS, JOIN_ERRORS
from tests.schools.liveweb_fixtures import *  # noqa: F403
from tests.schools.liveweb_fixtures import (
    csrf_token,
    join,
    post_action,
    right_choices,
    wrong_choices,
)


def _said(table, code: str) -> str:
    """A label as the (Chinese) pages show it, whatever its translation."""
    from flask import current_app

    with current_app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        return str(table[code])


def _fresh(game) -> LiveGame:
    db.session.expire_all()
    return db.session.get(LiveGame, game.id)


def _answer(phone, game, displayed, position=None):
    page = phone.get(f"/play/{game.token}")
    position = _fresh(game).current_index if position is None else position
    return phone.post(f"/play/{game.token}/answer", data={
        "csrf_token": csrf_token(page.text), "position": str(position),
        "choice": [str(d) for d in displayed]})


def _player(nickname) -> LivePlayer:
    db.session.expire_all()
    return db.session.scalar(select(LivePlayer).where(LivePlayer.nickname == nickname))


def test_lobby_shows_code_qr_and_who_joined(teacher, game, phone_client, school):
    page = teacher.get(f"/schools/live/{game.id}")
    assert page.status_code == 200
    assert game.code in page.text and "<svg" in page.text
    assert f"/join?code={game.code}" in page.text
    phone = phone_client()
    response = join(phone, game, "小红")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/play/{game.token}"
    cookie = response.headers["Set-Cookie"]
    assert "live_seat=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert f"Path=/play/{game.token}" in cookie
    lobby = phone.get(f"/play/{game.token}")
    assert "小红" in lobby.text and 'data-test="lobby"' in lobby.text
    assert "小红" in teacher.get(f"/schools/live/{game.id}").text


def test_a_whole_game_scores_and_boards(teacher, game, phone_client, now):
    ann, bob = phone_client(), phone_client()
    join(ann, game, "安")
    join(bob, game, "波")
    assert post_action(teacher, game, "start").status_code == 302
    assert _fresh(game).status == "question_open"
    # 安 right at once (speed points: 1000), 波 wrong after 10 s.
    assert _answer(ann, game, right_choices(_player("安"), 0)).status_code == 302
    now.move(seconds=10)
    _answer(bob, game, wrong_choices(_player("波"), 0))
    # Everyone answered: the lazy clock closes the question on the next read.
    assert 'data-test="answered"' in ann.get(f"/play/{game.token}").text
    assert _fresh(game).status == "question_closed"
    post_action(teacher, game, "reveal")
    host = teacher.get(f"/schools/live/{game.id}").text
    assert 'data-test="host-board"' in host and "50%" in host
    ann_page = ann.get(f"/play/{game.token}").text
    assert 'data-test="me-score">1000<' in ann_page and "+1000" in ann_page
    bob_page = bob.get(f"/play/{game.token}").text
    assert 'data-test="me-score">0<' in bob_page and "第 2 名（共 2 人）" in bob_page
    for _ in range(3):
        post_action(teacher, game, "next")
        post_action(teacher, game, "reveal")
    post_action(teacher, game, "next")
    assert _fresh(game).status == "finished"
    final = teacher.get(f"/schools/live/{game.id}").text
    assert 'data-test="podium"' in final and "安" in final
    assert 'data-test="phone-podium"' in ann.get(f"/play/{game.token}").text


def test_reload_and_rejoin_by_link_keep_seat_and_score(teacher, game, phone_client, now):
    phone = phone_client()
    join(phone, game, "小明")
    post_action(teacher, game, "start")
    _answer(phone, game, right_choices(_player("小明"), 0))
    _answer(phone, game, right_choices(_player("小明"), 0))  # a double tap counts once
    post_action(teacher, game, "reveal")
    assert 'data-test="me-score">1000<' in phone.get(f"/play/{game.token}").text
    # The QR code again (a closed tab): the same seat, not a join form.
    again = phone.get(f"/join?code={game.code}", follow_redirects=True)
    assert 'data-test="me-score">1000<' in again.text
    assert db.session.scalar(select(LivePlayer.id).where(
        LivePlayer.game_id == game.id).order_by(LivePlayer.id.desc())) == _player("小明").id
    # Another phone without the cookie is asked for a nickname; 小明 is taken.
    other = phone_client()
    response = join(other, game, "小明")
    assert response.status_code == 400 and _said(JOIN_ERRORS, "taken") in response.text


def test_nickname_and_class_errors_are_shown(game, phone_client, other_school):
    phone = phone_client()
    empty = join(phone, game, "   ")
    assert empty.status_code == 400 and 'role="alert"' in empty.text
    wrong_class = join(phone, game, "小刚", class_id=other_school.classes[0].id)
    assert wrong_class.status_code == 400 and _said(JOIN_ERRORS, "class") in wrong_class.text
    assert db.session.scalar(select(LivePlayer)) is None


def test_unknown_code_is_a_clear_404(client):
    response = client.get("/join?code=000000")
    assert response.status_code == 404 and _said(JOIN_ERRORS, "not_found") in response.text
    assert client.get("/join").status_code == 200
    token = csrf_token(client.get("/join").text)
    for code in ("12", "0000000", "12\x00", "x" * 500):
        posted = client.post("/join", data={"csrf_token": token, "code": code, "nickname": "x"})
        assert posted.status_code in (400, 404), code
    assert client.get("/join?code=" + "9" * 300).status_code == 404


def test_removed_player_is_told_so(teacher, game, phone_client):
    phone = phone_client()
    join(phone, game, "捣蛋")
    player = _player("捣蛋")
    page = teacher.get(f"/schools/live/{game.id}")
    response = teacher.post(f"/schools/live/{game.id}/players/{player.id}", data={
        "csrf_token": csrf_token(page.text), "do": "remove"})
    assert response.status_code == 302
    told = phone.get(f"/play/{game.token}")
    assert told.status_code == 403 and _said(JOIN_ERRORS, "removed") in told.text
    assert phone.get(f"/play/{game.token}/state").status_code == 404
    assert "已将 捣蛋 移出竞赛" in teacher.get(f"/schools/live/{game.id}").text  # the flash
    assert "捣蛋" not in teacher.get(f"/schools/live/{game.id}").text


def test_extra_time_and_bad_values(teacher, game, phone_client):
    phone = phone_client()
    join(phone, game, "慢慢")
    player = _player("慢慢")
    url = f"/schools/live/{game.id}/players/{player.id}"
    token = csrf_token(teacher.get(f"/schools/live/{game.id}").text)
    assert teacher.post(url, data={"csrf_token": token, "do": "extra",
                                   "seconds": "30"}).status_code == 302
    assert _player("慢慢").extra_seconds == 30
    for bad in ("-1", "121", "99999999999999999999", "abc", "1\x00"):
        response = teacher.post(url, data={"csrf_token": token, "do": "extra", "seconds": bad})
        assert response.status_code == 400, bad
    assert teacher.post(url, data={"csrf_token": token, "do": "dance"}).status_code == 400
    assert _player("慢慢").extra_seconds == 30


def test_illegal_and_unknown_actions(teacher, game):
    response = post_action(teacher, game, "reveal")  # nothing to reveal in the lobby
    assert response.status_code == 302
    assert _said(GAME_ERRORS, "illegal") in teacher.get(f"/schools/live/{game.id}").text
    assert post_action(teacher, game, "explode").status_code == 400
    assert post_action(teacher, game, "extend", seconds="9999").status_code == 400
    assert _fresh(game).status == "lobby"


def test_bad_answers_change_nothing(teacher, game, phone_client):
    phone = phone_client()
    join(phone, game, "小林")
    post_action(teacher, game, "start")
    page = phone.get(f"/play/{game.token}").text
    token = csrf_token(page)
    for position, choice in (("0", "9"), ("0", "x"), ("7", "0"), ("abc", "0"),
                             ("0", "99999999999999999999")):
        response = phone.post(f"/play/{game.token}/answer", data={
            "csrf_token": token, "position": position, "choice": choice},
            follow_redirects=True)
        assert response.status_code == 200
        assert 'class="flash"' in response.text
    assert _player("小林").attempt.score == 0
    assert all(i.answered_at is None for i in _player("小林").attempt.items)
    # JSON answers say why, with the new state.
    json_response = phone.post(f"/play/{game.token}/answer", data={
        "csrf_token": token, "position": "0", "choice": "9"},
        headers={"Accept": "application/json"})
    assert json_response.status_code == 400 and json_response.json["message"]
    assert re.search(r"html", json_response.text)


def test_a_game_of_the_teachers_set_only(teacher, qset, school, other_school, make_user):
    from quizapp.models import QuestionSet

    colleague = make_user("colleague", "teacher")
    foreign = QuestionSet(school_id=other_school.id, title="别校", shared=True)
    private = QuestionSet(school_id=school.id, owner_id=colleague.id, title="私有", shared=False)
    shared = QuestionSet(school_id=school.id, owner_id=colleague.id, title="共享", shared=True)
    db.session.add_all([foreign, private, shared])
    db.session.commit()
    assert teacher.get(f"/schools/live/new?set_id={foreign.id}").status_code == 404
    assert teacher.get(f"/schools/live/new?set_id={private.id}").status_code == 404
    assert teacher.get(f"/schools/live/new?set_id={shared.id}").status_code == 200
    assert teacher.get("/schools/live/new?set_id=99999999999").status_code == 302
    assert teacher.get("/schools/live/new").status_code == 302
