"""The countdown and the 时间到 step through the test client: the server's clock decides, the
page shows it (a bar that turns urgent in the last ten seconds) and, when a question runs out
of time, says so and what comes next before going on, with or without JavaScript."""

import re

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt
from tests.competitions.test_views import _post_answer, _register, _right_choice, _start


def _attempt(token) -> Attempt:
    db.session.expire_all()
    return db.session.scalar(select(Attempt).where(Attempt.token == token))


def _item(token, position):
    return next(i for i in _attempt(token).items if i.position == position)


def _position(html) -> int:
    return int(re.search(r'name="position" value="(\d+)"', html).group(1))


def test_the_question_page_shows_the_servers_time_as_a_bar(client, competition, now):
    _register(client)
    token = _start(client)
    page = client.get(f"/competitions/attempt/{token}").text
    assert 'data-seconds="30" data-total="30"' in page
    assert 'style="width: 100.0%"' in page and 'class="timer"' in page
    assert "剩余 30 秒" in page and 'role="timer"' in page and 'aria-live="polite"' in page
    assert '<meta http-equiv="refresh" content="33">' in page  # no JavaScript: reload after
    now.move(seconds=21)
    page = client.get(f"/competitions/attempt/{token}").text
    assert 'data-seconds="9"' in page and 'class="timer urgent"' in page
    assert 'style="width: 30.0%"' in page
    now.move(seconds=0.4)  # 8.6 s left: rounded up, so the page never ends before the server
    assert 'data-seconds="9"' in client.get(f"/competitions/attempt/{token}").text


def test_time_up_is_a_step_of_its_own_before_the_next_question(client, competition, now):
    _register(client)
    token = _start(client)
    first = client.get(f"/competitions/attempt/{token}").text
    assert _position(first) == 0
    assert f'href="/competitions/attempt/{token}?next=1"' in first, "the page's own step link"
    now.move(seconds=31)  # within the grace for late answers: still the first question
    assert _position(client.get(f"/competitions/attempt/{token}").text) == 0
    now.move(seconds=3)
    for _ in range(2):  # a reload shows the step again; the next question waits
        step = client.get(f"/competitions/attempt/{token}")
        assert step.status_code == 200
        assert "时间到" in step.text and "第 1 题未在限时内作答，不得分。" in step.text
        assert "接下来：第 2 题（共 6 题）。" in step.text
        assert 'name="choice"' not in step.text
        assert f'content="4;url=/competitions/attempt/{token}?next=1"' in step.text
        assert _item(token, 1).shown_at is None, "the next question's clock has not started"
    wrong = client.get(f"/competitions/attempt/{token}?next=2").text
    assert "时间到" in wrong, "only the step's own link goes on"
    page = client.get(f"/competitions/attempt/{token}?next=1").text
    assert _position(page) == 1 and 'data-seconds="30"' in page
    assert _item(token, 1).shown_at == now.value
    assert "第 1 题未在限时内作答" not in client.get(f"/competitions/attempt/{token}").text


def test_an_answer_too_late_says_so_and_shows_the_step(client, competition, now):
    _register(client)
    token = _start(client)
    page = client.get(f"/competitions/attempt/{token}").text
    now.move(seconds=40)
    response = _post_answer(client, token, page, 0, _right_choice(_item(token, 0)))
    after = client.get(response.headers["Location"]).text
    assert "时间已到：该答案提交太晚，未计分。" in after
    assert "第 1 题未在限时内作答" in after
    assert _item(token, 0).answered_at is None


def test_after_the_last_question_the_step_leads_to_the_result(client, competition, now):
    _register(client)
    token = _start(client)
    for position in range(5):
        page = client.get(f"/competitions/attempt/{token}").text
        _post_answer(client, token, page, position, _right_choice(_item(token, position)))
    last = client.get(f"/competitions/attempt/{token}").text
    assert _position(last) == 5
    assert f'href="/competitions/attempt/{token}?next=end"' in last
    now.move(seconds=35)
    step = client.get(f"/competitions/attempt/{token}").text
    assert "第 6 题未在限时内作答" in step and "这是最后一题。接下来：查看成绩。" in step
    assert _attempt(token).status == "open"
    going = client.get(f"/competitions/attempt/{token}?next=end")
    assert going.status_code == 302 and going.headers["Location"].endswith("/result")
    assert _attempt(token).status == "finished" and _attempt(token).score == 25.0


def test_when_the_attempt_itself_runs_out_the_result_says_time_is_up(client, competition,
                                                                       now):
    competition.seconds_per_question = None
    competition.seconds_per_attempt = 60
    db.session.commit()
    _register(client)
    token = _start(client)
    page = client.get(f"/competitions/attempt/{token}").text
    assert 'data-seconds="60" data-total="60"' in page
    assert f'href="/competitions/attempt/{token}/result"' in page, "time up ends the attempt"
    assert "本次答题时间已用完" in page  # the hidden panel the page shows at 0
    now.move(seconds=63)
    response = client.get(f"/competitions/attempt/{token}")
    assert response.headers["Location"].endswith("/result")
    result = client.get(response.headers["Location"]).text
    assert 'data-test="time-up"' in result and "时间到" in result
    assert "本次答题时间已用完，已作答的题目照常计分。" in result


def test_an_answered_question_is_no_time_up(client, competition, now):
    _register(client)
    token = _start(client)
    page = client.get(f"/competitions/attempt/{token}").text
    now.move(seconds=10)
    _post_answer(client, token, page, 0, _right_choice(_item(token, 0)))
    # the answer shows the next question at once (its reply, or the page it redirects to), so
    # the second question's clock starts with the answer, in the same transaction
    assert _item(token, 1).shown_at == now.value
    now.move(seconds=5)
    page = client.get(f"/competitions/attempt/{token}").text
    assert "第 1 题未在限时内作答" not in page and _position(page) == 1
    assert 'data-test="time-up" hidden' in page, "only the hidden panel the page shows at 0"
    now.move(seconds=100)  # left unanswered: the second question is the one out of time
    page = client.get(f"/competitions/attempt/{token}").text
    assert "第 1 题未在限时内作答" not in page and "第 2 题未在限时内作答" in page
