"""The answer key never leaves the server before the reveal: every response of a whole game
(phones' pages, their JSON states, event streams and answer replies, the projector's page and
its JSON),
in every state before each reveal, is checked three ways:

- no explanation of the current or any later question appears in it;
- it does not depend on the key or on anyone's correctness: with the question's key changed
  and every stored answer's correctness and points flipped (and the scores with them), the
  same requests give the same responses, byte for byte (CSRF tokens aside);
- its JSON carries no reveal.

A skipped question is never revealed: its explanation never appears, even after the game.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, LiveGame, LivePlayer, QuestionVersion
from tests.schools.liveweb_fixtures import *  # noqa: F403
from tests.schools.liveweb_fixtures import csrf_token, join, post_action
from tests.support import without_csrf

OTHER_KEY = {"single": [3], "multiple": [1, 3], "true_false": [1]}
NAMES = ("甲同学", "乙同学", "丙同学")


def _game(game) -> LiveGame:
    db.session.expire_all()
    return db.session.get(LiveGame, game.id)


def _player(name) -> LivePlayer:
    db.session.expire_all()
    return db.session.scalar(select(LivePlayer).where(LivePlayer.nickname == name))


def _normal(response) -> str:
    """A response's content with its CSRF tokens blanked (JSON: its html field too)."""
    if response.is_json:
        body = response.get_json()
        if "html" in body:
            body["html"] = without_csrf(body["html"])
        return json.dumps(body, sort_keys=True, ensure_ascii=False)
    return without_csrf(response.get_data(as_text=True))


def _snapshot(teacher, phones, game) -> dict[str, str]:
    """Every GET response of the game now, by name."""
    g = _game(game)
    seen = {"host page": teacher.get(f"/schools/live/{g.id}"),
            "host json": teacher.get(f"/schools/live/{g.id}/state")}
    for name, phone in phones.items():
        seen[f"{name} page"] = phone.get(f"/play/{g.token}")
        seen[f"{name} json"] = phone.get(f"/play/{g.token}/state?v={g.state_version}&wait=0")
    for label, response in seen.items():
        assert response.status_code == 200, label
    normal = {label: _normal(response) for label, response in seen.items()}
    for name, phone in phones.items():
        normal[f"{name} event"] = _first_event(phone, g)
    return normal


def _first_event(phone, game) -> str:
    """The first event of the phone's stream (play.events), normalised like the JSON."""
    response = phone.get(f"/play/{game.token}/events", buffered=False)
    assert response.status_code == 200
    try:
        chunks = iter(response.response)
        text = ""
        while "event: state" not in text:
            chunk = next(chunks)
            text = chunk.decode() if isinstance(chunk, bytes) else chunk
    finally:
        response.close()
    body = json.loads(text.split("data: ", 1)[1])
    body["html"] = without_csrf(body["html"])
    return json.dumps(body, sort_keys=True, ensure_ascii=False)


def _flip(index: int):
    """Change question ``index``'s key, and flip every stored answer to it: correct ↔ wrong,
    with other points (the scores move with them). Returns the function that undoes it."""
    g = db.session.scalar(select(LiveGame))
    version = db.session.get(QuestionVersion, g.version_ids[index])
    saved_key = list(version.answer)
    version.answer = OTHER_KEY[version.type]
    saved = []
    for item in db.session.scalars(select(AttemptItem).where(
            AttemptItem.position == index, AttemptItem.answered_at.is_not(None))):
        attempt = db.session.get(Attempt, item.attempt_id)
        saved.append((item.id, item.correct, item.points, attempt.score, attempt.correct_count))
        new_points = 777.0 if not item.points else 0.0
        attempt.score += new_points - (item.points or 0)
        attempt.correct_count += -1 if item.correct else 1
        item.correct, item.points = not item.correct, new_points
    db.session.commit()

    def undo() -> None:
        db.session.get(QuestionVersion, g.version_ids[index]).answer = saved_key
        for item_id, correct, points, score, count in saved:
            item = db.session.get(AttemptItem, item_id)
            attempt = db.session.get(Attempt, item.attempt_id)
            item.correct, item.points = correct, points
            attempt.score, attempt.correct_count = score, count
        db.session.commit()

    return undo


def _no_key_leaves(teacher, phones, game, explanations, *, hidden: set[int]) -> None:
    """The checks of the module docstring, for the game's current question."""
    index = _game(game).current_index
    before = _snapshot(teacher, phones, game)
    for label, text in before.items():
        for k in hidden:
            assert explanations[k] not in text, f"explanation {k} in {label}"
        if label.endswith("json"):
            body = json.loads(text)
            assert body.get("reveal") is None, label
            assert "correct_options" not in text, label
    if index >= 0:
        undo = _flip(index)
        after = _snapshot(teacher, phones, game)
        undo()
        for label in before:
            assert after[label] == before[label], f"{label} depends on the key or correctness"


def _answer(phone, game, name, correct: bool):
    from tests.schools.live_fixtures import right_choices, wrong_choices

    g = _game(game)
    player = _player(name)
    choices = (right_choices if correct else wrong_choices)(player, g.current_index)
    page = phone.get(f"/play/{g.token}")
    response = phone.post(f"/play/{g.token}/answer", headers={"Accept": "application/json"},
                          data={"csrf_token": csrf_token(page.text),
                                "position": str(g.current_index),
                                "choice": [str(c) for c in choices]})
    assert response.status_code == 200, response.text
    return response


def test_no_response_carries_the_key_before_the_reveal(teacher, game, phone_client, now):
    phones = {name: phone_client() for name in NAMES}
    for name, phone in phones.items():
        assert join(phone, game, name).status_code == 302
    g = _game(game)
    explanations = [db.session.get(QuestionVersion, v).explanation for v in g.version_ids]
    everything = set(range(len(explanations)))
    _no_key_leaves(teacher, phones, game, explanations, hidden=everything)  # the lobby

    # Question 1: answers (their replies too), a pause, closed by the teacher, revealed.
    post_action(teacher, game, "start")
    _no_key_leaves(teacher, phones, game, explanations, hidden=everything)
    for name, correct in zip(NAMES[:2], (True, False), strict=True):
        reply = _answer(phones[name], game, name, correct)
        # What was taken, and nothing of whether it is right (no score, no key).
        assert explanations[0] not in reply.text
        assert set(reply.json) == {"v", "answer"}
        assert set(reply.json["answer"]) == {"position", "recorded", "chosen"}
    now.move(seconds=3)
    _no_key_leaves(teacher, phones, game, explanations, hidden=everything)
    post_action(teacher, game, "pause")
    _no_key_leaves(teacher, phones, game, explanations, hidden=everything)
    post_action(teacher, game, "resume")
    post_action(teacher, game, "close")
    assert _game(game).status == "question_closed"
    _no_key_leaves(teacher, phones, game, explanations, hidden=everything)
    post_action(teacher, game, "reveal")
    revealed = _snapshot(teacher, phones, game)
    assert explanations[0] in revealed["host page"] and explanations[0] in revealed["甲同学 json"]
    assert json.loads(revealed["甲同学 json"])["me"]["score"] == 1000

    # Question 2: everyone answers, the lazy clock closes it, then the reveal.
    post_action(teacher, game, "next")
    hidden = everything - {0}
    for name in NAMES:
        _answer(phones[name], game, name, correct=name != "丙同学")
    assert _game(game).status == "question_closed"
    _no_key_leaves(teacher, phones, game, explanations, hidden=hidden)
    post_action(teacher, game, "reveal")

    # Question 3 is skipped after one answer: never revealed, its explanation never shown.
    post_action(teacher, game, "next")
    hidden = everything - {0, 1}
    _answer(phones["甲同学"], game, "甲同学", correct=True)
    _no_key_leaves(teacher, phones, game, explanations, hidden=hidden)
    post_action(teacher, game, "skip")
    assert _game(game).current_index == 3
    hidden = everything - {0, 1}
    _no_key_leaves(teacher, phones, game, explanations, hidden=hidden)
    # Question 4 times out (20 s + grace): closed by the clock on the next read.
    _answer(phones["乙同学"], game, "乙同学", correct=True)
    now.move(seconds=23)
    _no_key_leaves(teacher, phones, game, explanations, hidden=hidden)
    assert _game(game).status == "question_closed"
    post_action(teacher, game, "reveal")
    post_action(teacher, game, "next")
    final = _snapshot(teacher, phones, game)
    assert _game(game).status == "finished"
    for label, text in final.items():
        assert explanations[2] not in text, f"the skipped question's explanation in {label}"
    assert 'data-test="podium"' in final["host page"]
