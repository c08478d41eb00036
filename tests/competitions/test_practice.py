"""Practice through the test client: anonymous, feedback after each answer, resume, mistakes."""

import re

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt
from tests.support import csrf_token


def _start(client, group="elder"):
    page = client.get("/practice/")
    response = client.post("/practice/start",
                           data={"csrf_token": csrf_token(page.text), "group": group})
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[-1]


def _answer_current(client, token, right):
    page = client.get(f"/practice/{token}").text
    position = int(re.search(r'name="position" value="(\d+)"', page).group(1))
    db.session.expire_all()
    attempt = db.session.scalar(select(Attempt).where(Attempt.token == token))
    item = next(i for i in attempt.items if i.position == position)
    version = item.question_version
    wanted = version.answer if right else [next(
        i for i in range(version.choice_count) if i not in version.answer)]
    response = client.post(f"/practice/{token}/answer", data={
        "csrf_token": csrf_token(page), "position": str(position),
        "choice": [str(item.option_order.index(c)) for c in wanted]})
    return position, response, version


def test_anonymous_practice_with_feedback_and_summary(client, bank):
    token = _start(client)
    attempt = db.session.scalar(select(Attempt).where(Attempt.token == token))
    assert attempt.question_count == 10 and attempt.user_id is None
    assert len({i.question_version.topic for i in attempt.items}) == 4, "topics balanced"
    for number in range(10):
        position, response, version = _answer_current(client, token, right=number % 2 == 0)
        assert response.headers["Location"].endswith(f"/feedback/{position}")
        feedback = client.get(response.headers["Location"])
        assert version.explanation in feedback.text
        assert ("答对了" if number % 2 == 0 else "答错了") in feedback.text
    summary = client.get(f"/practice/{token}/summary")
    assert "5 / 10" in summary.text


def test_feedback_is_only_shown_after_answering(client, bank):
    token = _start(client)
    assert client.get(f"/practice/{token}/feedback/0").status_code == 404


def test_progress_survives_a_closed_browser(client, app, bank):
    token = _start(client)
    _answer_current(client, token, right=True)
    cookie = client.get_cookie("kx_device")
    reopened = app.test_client()
    reopened.set_cookie("kx_device", cookie.value)
    index = reopened.get("/practice/")
    assert f"/practice/{token}" in index.text
    page = reopened.get(f"/practice/{token}")
    assert "第 2 题" in page.text


def test_practise_my_mistakes_replays_wrong_answers(client, bank):
    token = _start(client)
    wrong = set()
    for number in range(10):
        _, _, version = _answer_current(client, token, right=number < 7)
        if number >= 7:
            wrong.add(version.question_id)
    page = client.get("/practice/")
    assert 'data-test="mistakes"' in page.text
    response = client.post("/practice/mistakes", data={"csrf_token": csrf_token(page.text)})
    replay = response.headers["Location"].rsplit("/", 1)[-1]
    attempt = db.session.scalar(select(Attempt).where(Attempt.token == replay))
    assert {i.question_version.question_id for i in attempt.items} == wrong


def test_survey_items_never_appear_in_practice(client, bank):
    for _ in range(5):
        token = _start(client, group="youth")
        attempt = db.session.scalar(select(Attempt).where(Attempt.token == token))
        assert "调查专用题" not in {i.question_version.stem for i in attempt.items}
        for _ in range(10):
            _answer_current(client, token, right=True)


def test_unknown_group_is_a_bad_request(client, bank):
    page = client.get("/practice/")
    assert client.post("/practice/start", data={
        "csrf_token": csrf_token(page.text), "group": "martians"}).status_code == 400



def test_a_question_ahead_cannot_be_answered_in_practice_either(client, bank):
    token = _start(client)
    page = client.get(f"/practice/{token}").text
    position = int(re.search(r'name="position" value="(\d+)"', page).group(1))
    response = client.post(f"/practice/{token}/answer", data={
        "csrf_token": csrf_token(page), "position": str(position + 3), "choice": "0"})
    assert response.headers["Location"].endswith(f"/practice/{token}")
    assert "请回答屏幕上的题目" in client.get(response.headers["Location"]).text
    assert client.get(f"/practice/{token}/feedback/{position + 3}").status_code == 404
    attempt = db.session.scalar(select(Attempt).where(Attempt.token == token))
    assert all(i.answered_at is None for i in attempt.items)


def test_no_group_is_chosen_for_a_new_visitor(client, bank):
    page = client.get("/practice/").text
    buttons = re.findall(r'<button name="group" value="(\w+)" class="([^"]*)"', page)
    assert [key for key, _ in buttons] == ["youth", "farmer", "worker", "elder", "cadre"]
    assert all(css == "" for _, css in buttons), "no group singled out"
    client.set_cookie("kx_large", "1")
    page = client.get("/practice/").text
    assert "last-choice" not in page and "primary" not in page.split('class="groups"')[1]


def test_the_group_chosen_last_time_is_marked_in_words(client, bank):
    _start(client, group="elder")
    page = client.get("/practice/").text
    assert re.search(r'value="elder" class="last-choice"[^>]*>老年人<small>（上次选择）</small>',
                     page)
    assert page.count("上次选择") == 1


def test_the_summary_marks_each_question_in_words_and_reopens_its_explanation(client, bank):
    token = _start(client)
    answers = {}
    for number in range(10):
        position, _, version = _answer_current(client, token, right=number < 7)
        answers[position] = (number < 7, version)
    summary = client.get(f"/practice/{token}/summary").text
    assert "答对 7 题，答错 3 题。" in summary
    items = re.findall(r'<li data-test="summary-item">\s*<details>\s*<summary>'
                       r'<span class="(result-ok|result-bad)"><span class="mark" '
                       r'aria-hidden="true">(.)</span>\s*<strong>(\w+)</strong>', summary)
    expected = [("result-ok", "✓", "答对") if answers[p][0] else ("result-bad", "✗", "答错")
                for p in range(10)]
    assert items == expected
    for _, version in answers.values():
        assert version.explanation in summary, "each explanation can be opened again"
