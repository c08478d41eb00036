"""Object-level access to live games: a teacher of another school gets 404 on every live URL
of this school's game (GET and POST), and nothing changes; an admin sees it; a phone's seat
works only in its own game."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import LiveGame, LivePlayer
from tests.schools.liveweb_fixtures import *  # noqa: F403
from tests.schools.liveweb_fixtures import csrf_token, join
from tests.support import AuthActions


def _live_urls(game, player_id):
    base = f"/schools/live/{game.id}"
    return {"GET": [base, f"{base}/state"],
            "POST": [(f"{base}/action", {"action": "start"}),
                     (f"{base}/action", {"action": "end"}),
                     (f"{base}/players/{player_id}", {"do": "remove"}),
                     (f"{base}/players/{player_id}", {"do": "extra", "seconds": "30"})]}


def test_another_schools_teacher_gets_404_everywhere(app, teacher, game, qset, other_school,
                                                     make_user, phone_client):
    join(phone_client(), game, "小明")
    player_id = db.session.scalar(select(LivePlayer.id))
    stranger_user = make_user("teacher2", "teacher")
    stranger_user.schools = [other_school]
    db.session.commit()
    stranger = app.test_client()
    AuthActions(stranger).login("teacher2")
    token = csrf_token(stranger.get("/schools/live/").text)
    urls = _live_urls(game, player_id)
    for url in urls["GET"]:
        assert stranger.get(url).status_code == 404, url
    for url, data in urls["POST"]:
        assert stranger.post(url, data={"csrf_token": token, **data}).status_code == 404, url
    assert stranger.get(f"/schools/live/new?set_id={qset.id}").status_code == 404
    assert f"/schools/live/{game.id}\"" not in stranger.get("/schools/live/").text
    assert f"/schools/live/{game.id}\"" in teacher.get("/schools/live/").text
    db.session.expire_all()
    fresh = db.session.get(LiveGame, game.id)
    assert fresh.status == "lobby" and fresh.state_version == game.state_version
    player = db.session.get(LivePlayer, player_id)
    assert not player.removed and player.extra_seconds == 0
    # The school's own teacher sees it all; so does an admin.
    for url in urls["GET"]:
        assert teacher.get(url).status_code == 200, url
    make_user("root", "admin")
    admin = app.test_client()
    AuthActions(admin).login("root")
    assert admin.get(f"/schools/live/{game.id}").status_code == 200


def test_a_player_of_another_game_is_not_found_here(teacher, game, qset, phone_client):
    page = teacher.get(f"/schools/live/new?set_id={qset.id}")
    teacher.post(f"/schools/live/new?set_id={qset.id}", data={
        "csrf_token": csrf_token(page.text), "title": "第二场", "seconds_per_question": "20",
        "team_count": "0"})
    second = db.session.scalar(select(LiveGame).where(LiveGame.title == "第二场"))
    phone = phone_client()
    join(phone, game, "小明")
    secret = phone.get_cookie("live_seat", path=f"/play/{game.token}").value
    # The seat cookie is scoped to its own game's path; even sent to another game it finds
    # no seat there.
    assert phone.get_cookie("live_seat", path=f"/play/{second.token}") is None
    phone.set_cookie("live_seat", secret, path=f"/play/{second.token}")
    assert phone.get(f"/play/{second.token}/state").status_code == 404
    assert 'name="nickname"' in phone.get(f"/play/{second.token}").text
    assert phone.get("/play/not-a-game").status_code == 404
    assert phone.get("/play/" + "x" * 500).status_code == 404
    assert phone.get(f"/play/{game.token}/state?v=99999999999999&wait=abc").status_code == 200
