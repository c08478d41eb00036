"""Competitions through the Flask test client: registration, answering, results, boards."""

import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, Competition, Participant
from tests.support import csrf_token, without_csrf

RIGHT = {"single": [1], "multiple": [0, 2], "true_false": [0]}
OTHER_KEY = {"single": [3], "multiple": [1, 3], "true_false": [1]}


def _register(client, name="小明", township_id=""):
    page = client.get("/competitions/test-cup")
    return client.post("/competitions/test-cup/register", data={
        "csrf_token": csrf_token(page.text), "name": name, "township_id": township_id,
        "organisation_id": "0", "phone": ""})


def _start(client):
    page = client.get("/competitions/test-cup")
    response = client.post("/competitions/test-cup/start",
                           data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302, response.text
    return response.headers["Location"].rsplit("/", 1)[-1]


def _attempt(token) -> Attempt:
    db.session.expire_all()
    return db.session.scalar(select(Attempt).where(Attempt.token == token))


def _post_answer(client, token, page_html, position, displayed):
    return client.post(f"/competitions/attempt/{token}/answer", data={
        "csrf_token": csrf_token(page_html), "position": str(position),
        "choice": [str(d) for d in displayed]})


def _right_choice(item):
    return [item.option_order.index(c) for c in RIGHT[item.question_version.type]]


def test_registration_requires_the_required_fields(client, competition):
    response = _register(client, name="")
    assert response.status_code == 400
    assert "必填" in response.text
    assert db.session.scalar(select(Participant)) is None


def test_full_attempt_and_the_key_never_shown_before_answering(client, competition, now):
    assert _register(client).status_code == 302
    token = _start(client)
    attempt = _attempt(token)
    explanations = {i.question_version.explanation for i in attempt.items}
    for _ in range(attempt.question_count):
        page = client.get(f"/competitions/attempt/{token}")
        assert page.status_code == 200
        html = page.text
        for secret in explanations:
            assert secret not in html, "an explanation reached the browser before answering"
        position = int(re.search(r'name="position" value="(\d+)"', html).group(1))
        values = re.findall(r'name="choice" value="(\d+)"', html)
        item = next(i for i in _attempt(token).items if i.position == position)
        version = item.question_version
        version.answer = OTHER_KEY[version.type]
        db.session.commit()
        again = client.get(f"/competitions/attempt/{token}").text
        assert without_csrf(again) == without_csrf(html), "the page depends on the answer key"
        version.answer = RIGHT[version.type]
        db.session.commit()
        # Active versions never change in place (an edit makes a new version), so the app
        # caches them per process; this test changed one in place, so it drops that cache.
        client.application.extensions.pop("kexue_answer_cache", None)
        assert values == [str(k) for k in range(len(item.option_order))], \
            "option values must be display positions"
        response = _post_answer(client, token, html, position, _right_choice(item))
        assert response.status_code == 302
    result = client.get(f"/competitions/attempt/{token}/result")
    assert result.status_code == 200
    assert _attempt(token).score == 30.0
    assert ">30.0<" in result.text
    assert any(secret in result.text for secret in explanations), "review after the attempt"
    board = client.get("/competitions/test-cup/board")
    assert "小*" in board.text and "小明" not in board.text and 'class="me"' in board.text


def test_double_submit_counts_once(client, competition):
    _register(client)
    token = _start(client)
    page = client.get(f"/competitions/attempt/{token}").text
    position = int(re.search(r'name="position" value="(\d+)"', page).group(1))
    item = next(i for i in _attempt(token).items if i.position == position)
    for _ in range(3):
        _post_answer(client, token, page, position, _right_choice(item))
    assert _attempt(token).score == 5.0


@pytest.mark.parametrize("position,choice,message", [
    ("99", "0", "不属于"), ("0", "7", "请从"), ("abc", "0", "请从"), ("0", "x", "请从")])
def test_tampered_answers_get_a_message_and_change_nothing(client, competition, position, choice,
                                                            message):
    _register(client)
    token = _start(client)
    page = client.get(f"/competitions/attempt/{token}").text
    response = client.post(f"/competitions/attempt/{token}/answer", data={
        "csrf_token": csrf_token(page), "position": position, "choice": choice},
        follow_redirects=True)
    assert message in response.text
    attempt = _attempt(token)
    assert attempt.score == 0
    assert all(i.answered_at is None for i in attempt.items)


def test_someone_elses_attempt_is_not_found(client, app, competition):
    _register(client)
    token = _start(client)
    stranger = app.test_client()
    assert stranger.get(f"/competitions/attempt/{token}").status_code == 404
    assert stranger.get(f"/competitions/attempt/{token}/result").status_code == 404
    assert client.get("/competitions/attempt/not-a-token").status_code == 404


def test_start_outside_the_window_explains_why(client, competition, now):
    _register(client)
    now.move(days=30)
    page = client.get("/competitions/test-cup")
    response = client.post("/competitions/test-cup/start",
                           data={"csrf_token": csrf_token(page.text)}, follow_redirects=True)
    assert "竞赛当前未开放" in response.text
    assert db.session.scalar(select(Attempt)) is None


def test_answers_hidden_until_the_window_closes_when_the_rules_say_so(client, competition, now):
    competition.reveal = "after_window"
    db.session.commit()
    _register(client)
    token = _start(client)
    attempt = _attempt(token)
    now.move(hours=1)  # the attempt closes at its deadline
    result = client.get(f"/competitions/attempt/{token}/result")
    assert result.status_code == 200
    for item in attempt.items:
        assert item.question_version.explanation not in result.text
    now.move(days=20)
    result = client.get(f"/competitions/attempt/{token}/result")
    assert attempt.items[0].question_version.explanation in result.text


def test_reload_resumes_with_the_time_left(client, competition, now):
    _register(client)
    token = _start(client)
    first = client.get(f"/competitions/attempt/{token}").text
    assert 'data-seconds="30"' in first
    now.move(seconds=12)
    again = client.get(f"/competitions/attempt/{token}").text
    assert 'data-seconds="18"' in again
    assert _start(client) == token


def test_certificate_for_a_finished_attempt(client, competition, now):
    _register(client, name="李华")
    token = _start(client)
    assert client.get(f"/competitions/attempt/{token}/certificate").status_code == 404
    now.move(hours=1)
    client.get(f"/competitions/attempt/{token}/result")
    page = client.get(f"/competitions/attempt/{token}/certificate")
    assert page.status_code == 200 and "李华" in page.text and "测试竞赛" in page.text


def test_township_board_shows_the_participants_township(client, competition, township, now):
    _register(client, township_id=str(township.id))
    token = _start(client)
    now.move(hours=1)
    client.get(f"/competitions/attempt/{token}/result")
    board = client.get("/competitions/test-cup/board?view=township")
    assert "薛店镇" in board.text


def _position(html) -> int:
    return int(re.search(r'name="position" value="(\d+)"', html).group(1))


def test_a_question_ahead_of_the_one_on_screen_cannot_be_answered(client, competition, now):
    _register(client)
    token = _start(client)
    page = client.get(f"/competitions/attempt/{token}").text
    assert _position(page) == 0
    ahead = next(i for i in _attempt(token).items if i.position == 5)
    response = _post_answer(client, token, page, 5, _right_choice(ahead))
    assert "请回答屏幕上的题目" in client.get(response.headers["Location"]).text
    assert all(i.answered_at is None for i in _attempt(token).items)
    shown = []
    for _ in range(6):
        html = client.get(f"/competitions/attempt/{token}").text
        shown.append(_position(html))
        item = next(i for i in _attempt(token).items if i.position == shown[-1])
        now.move(seconds=5)
        _post_answer(client, token, html, shown[-1], _right_choice(item))
    assert shown == [0, 1, 2, 3, 4, 5]
    attempt = _attempt(token)
    assert attempt.score == 30.0 and {i.elapsed_ms for i in attempt.items} == {5000}


def test_answers_after_each_question_when_the_rules_say_so(client, competition, now):
    competition.reveal = "after_item"
    db.session.commit()
    _register(client)
    token = _start(client)
    page = client.get(f"/competitions/attempt/{token}").text
    assert 'data-test="review"' not in page
    items = {i.position: i for i in _attempt(token).items}
    first = items[_position(page)]
    after = client.get(_post_answer(client, token, page, first.position,
                                    _right_choice(first)).headers["Location"]).text
    assert 'data-test="review"' in after and first.question_version.explanation in after
    following = items[_position(after)]
    assert following.question_version.explanation not in after
    assert client.get(f"/competitions/attempt/{token}?answered={following.position}").text \
        .count('data-test="review"') == 0, "no review of a question not answered"


def test_with_the_default_setting_answers_wait_for_the_close(client, competition, now):
    competition.reveal = Competition.__table__.c.reveal.default.arg
    db.session.commit()
    _register(client)
    token = _start(client)
    for _ in range(6):
        html = client.get(f"/competitions/attempt/{token}").text
        item = next(i for i in _attempt(token).items if i.position == _position(html))
        after = client.get(_post_answer(client, token, html, item.position,
                                        _right_choice(item)).headers["Location"]).text
        assert item.question_version.explanation not in after
    result = client.get(f"/competitions/attempt/{token}/result").text
    assert "正确答案将在竞赛结束后公布" in result
    assert not any(i.question_version.explanation in result for i in _attempt(token).items)


@pytest.mark.parametrize("counting,wording,not_wording", [
    ("best", "您目前的最好成绩", "最近一次"), ("last", "您最近一次答题的成绩", "最好成绩")])
def test_the_score_line_names_the_attempt_that_counts(client, competition, now, counting,
                                                      wording, not_wording):
    competition.counting = counting
    db.session.commit()
    _register(client)
    token = _start(client)
    now.move(hours=1)
    client.get(f"/competitions/attempt/{token}/result")
    line = re.search(r'data-test="me">([^<]*)<', client.get("/competitions/test-cup").text)
    assert wording in line.group(1) and not_wording not in line.group(1)


def test_the_countdown_never_runs_past_the_attempts_deadline(client, competition, now):
    _register(client)
    token = _start(client)  # 6 questions × (30 s + 10 s between): the attempt ends after 240 s
    now.move(seconds=230)
    page = client.get(f"/competitions/attempt/{token}").text  # the first question, shown now
    assert 'data-seconds="10"' in page


@pytest.mark.parametrize("reveal, reviewed", [("after_item", True), ("after_attempt", False)])
def test_the_answer_reply_carries_the_next_question_and_no_key(client, competition, now, reveal,
                                                               reviewed):
    """With JavaScript the answer POST replies with the feedback (when the rules show it) and
    the next question, in one request; never the next question's key."""
    competition.reveal = reveal
    db.session.commit()
    _register(client)
    token = _start(client)
    page = client.get(f"/competitions/attempt/{token}").text
    items = {i.position: i for i in _attempt(token).items}
    first = items[_position(page)]
    reply = client.post(f"/competitions/attempt/{token}/answer", data={
        "csrf_token": csrf_token(page), "position": str(first.position),
        "choice": [str(d) for d in _right_choice(first)]},
        headers={"Accept": "application/json"})
    assert reply.status_code == 200 and reply.is_json
    state = reply.get_json()
    assert state["recorded"] is True and state["position"] == first.position + 1
    html = state["html"]
    assert _position(html) == first.position + 1
    assert ('data-test="review"' in html) is reviewed
    assert (first.question_version.explanation in html) is reviewed
    following = items[first.position + 1].question_version
    assert following.explanation not in html and "correct" not in state
    assert 'data-test="timer"' in html and 'data-test="time-up" hidden' in html
    again = client.post(f"/competitions/attempt/{token}/answer", data={
        "csrf_token": csrf_token(page), "position": str(first.position),
        "choice": [str(d) for d in _right_choice(first)]},
        headers={"Accept": "application/json"})
    assert again.get_json() == {"redirect": f"/competitions/attempt/{token}"}
    assert _attempt(token).score == 5.0, "a repeated answer counts once"
