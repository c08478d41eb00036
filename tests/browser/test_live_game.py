"""A live class game in real browsers: the demo teacher's projector and three phones.

The teacher opens a game from a set, the phones join by the code on the screen, every screen
follows the game by itself (the phones by their event stream, the projector by its quick poll),
one student reloads in the middle of a question and keeps seat, answer and score, and the
game ends on a podium. Each phone page fits 360 px.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import PHONE

STUDENTS = ("小红", "小明", "小刚")


def _make_set(live_server) -> tuple[int, int]:
    """A three-question set of the demo teacher (single, true/false, multiple choice)."""
    from quizapp.extensions import db
    from quizapp.models import QuestionSet, QuestionSetItem, User
    from quizapp.schools.sets_services import candidate_questions

    with live_server.app.app_context():
        teacher = db.session.scalar(select(User).where(User.username == "teacher"))
        # What a set may hold: never a question of the demo's open network competition.
        versions = candidate_questions(limit=1000)
        chosen = [next(v for v in versions if v.type == kind)
                  for kind in ("single", "true_false", "multiple")]
        qset = QuestionSet(school_id=teacher.schools[0].id, owner_id=teacher.id,
                           title="浏览器测试题组", shared=False)
        qset.items = [QuestionSetItem(position=k, question_id=v.question_id)
                      for k, v in enumerate(chosen)]
        db.session.add(qset)
        db.session.commit()
        return qset.id, len(chosen)


def _right(live_server, nickname: str, position: int) -> list[int]:
    """The displayed positions of the right options on this player's phone."""
    from quizapp.extensions import db
    from quizapp.models import LivePlayer

    with live_server.app.app_context():
        player = db.session.scalar(select(LivePlayer).where(LivePlayer.nickname == nickname)
                                   .order_by(LivePlayer.id.desc()))
        item = next(i for i in player.attempt.items if i.position == position)
        return sorted(item.option_order.index(o) for o in item.question_version.answer)


def _explanation(live_server, position: int) -> str:
    from quizapp.extensions import db
    from quizapp.models import LiveGame, QuestionVersion

    with live_server.app.app_context():
        game = db.session.scalar(select(LiveGame).order_by(LiveGame.id.desc()))
        return db.session.get(QuestionVersion, game.version_ids[position]).explanation


def _answer(page, displayed: list[int]) -> None:
    if page.locator("input[type=checkbox]").count():
        for index in displayed:
            page.locator("label.option").nth(index).click()
        page.click("[data-test=submit-answer]")
    else:
        page.click(f"[data-test=choice-{displayed[0]}]")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_a_whole_live_game_with_a_projector_and_three_phones(browser, live_server):
    set_id, count = _make_set(live_server)
    desk = browser.new_context(base_url=live_server.url, locale="zh-CN",
                               viewport={"width": 1280, "height": 800})
    desk.set_default_timeout(10_000)
    projector = desk.new_page()
    projector.goto("/login")
    projector.fill("input[name=username]", "teacher")
    projector.fill("input[name=password]", live_server.passwords["teacher"])
    projector.locator("form button.primary").last.click()
    projector.goto(f"/schools/live/new?set_id={set_id}")
    projector.select_option("select[name=seconds_per_question]", "120")
    projector.uncheck("input[name=speed_points]")  # 1000 for every right answer
    projector.click("[data-test=create-game]")
    code = projector.locator("[data-test=join-code]").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    expect(projector.locator(".join-qr svg")).to_be_visible()

    contexts = [browser.new_context(base_url=live_server.url, **PHONE) for _ in STUDENTS]
    phones = {}
    requested: dict[str, list[str]] = {name: [] for name in STUDENTS}
    for name, context in zip(STUDENTS, contexts, strict=True):
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("request", lambda request, name=name: requested[name].append(request.url))
        page.goto("/join")
        page.fill("[data-test=code]", code)
        page.click("[data-test=join-code]")
        page.fill("[data-test=nickname]", name)
        page.select_option("[data-test=class]", index=1)
        page.click("[data-test=join]")
        expect(page.locator("[data-test=lobby]")).to_be_visible()
        expect(page.locator("[data-test=me-nickname]")).to_have_text(name)
        _fits(page)
        phones[name] = page
    # The projector's lobby fills up by itself.
    for name in STUDENTS:
        expect(projector.locator("[data-test=lobby-players]")).to_contain_text(name)
    expect(projector.locator("[data-test=player-count]")).to_have_text("3")

    delays = []
    pressed = time.monotonic()
    projector.click("[data-test=action-start]")
    for position in range(count):
        expect(projector.locator("[data-test=host-stem]")).to_be_visible()
        stem = projector.locator("[data-test=host-stem]").inner_text()
        for page in phones.values():  # no reload: the event stream brings the question
            expect(page.locator("[data-test=stem]")).to_have_text(stem)
        delays.append(time.monotonic() - pressed)
        for page in phones.values():
            _fits(page)
            assert _explanation(live_server, position) not in page.content()
        assert _explanation(live_server, position) not in projector.content()
        # 小红 always right, 小明 always wrong, 小刚 right and then reloads.
        _answer(phones["小红"], _right(live_server, "小红", position))
        right = _right(live_server, "小明", position)
        options = phones["小明"].locator("label.option, .live-choice").count()
        _answer(phones["小明"], [next(k for k in range(options) if k not in right)])
        expect(phones["小明"].locator("[data-test=answered]")).to_be_visible()
        if position == 0:
            expect(projector.locator("[data-test=answered]")).to_have_text("2")
        _answer(phones["小刚"], _right(live_server, "小刚", position))
        if position == 1:  # a reload after answering: same seat, answer kept
            phones["小刚"].reload()
            expect(phones["小刚"].locator("[data-test=me-nickname]")).to_have_text("小刚")
            expect(phones["小刚"].locator("[data-test=answered]")).to_be_visible()
            # Only the revealed first question counts so far.
            expect(phones["小刚"].locator("[data-test=me-score]")).to_have_text("1000")
        # Everyone answered: the question closes by itself; then the teacher reveals.
        expect(projector.locator("body")).to_have_attribute("data-status", "question_closed")
        projector.click("[data-test=action-reveal]")
        expect(projector.locator("[data-test=host-explanation]")).to_contain_text(
            _explanation(live_server, position))
        expect(projector.locator("[data-test=share-correct]")).to_contain_text("67%")
        expect(projector.locator("[data-test=host-board]")).to_contain_text("小红")
        expect(phones["小红"].locator("[data-test=verdict]")).to_contain_text("答对了")
        expect(phones["小明"].locator("[data-test=verdict]")).to_contain_text("答错了")
        expect(phones["小刚"].locator("[data-test=verdict]")).to_contain_text("答对了")
        expect(phones["小明"].locator("[data-test=me-score]")).to_have_text("0")
        expect(phones["小刚"].locator("[data-test=me-rank]")).to_be_visible()
        _fits(phones["小刚"])
        pressed = time.monotonic()
        projector.click("[data-test=action-next]")

    expect(projector.locator("[data-test=podium]")).to_be_visible()
    podium = projector.locator("[data-test=podium] li")
    expect(podium).to_have_count(3)
    expect(podium.nth(2)).to_contain_text("小明")
    for page in phones.values():
        expect(page.locator("[data-test=finished]")).to_be_visible()
        expect(page.locator("[data-test=phone-podium]")).to_contain_text("小明")
        _fits(page)
    expect(phones["小红"].locator("[data-test=me-score]")).to_have_text(str(1000 * count))
    expect(phones["小刚"].locator("[data-test=me-score]")).to_have_text(str(1000 * count))
    expect(phones["小明"].locator("[data-test=me-score]")).to_have_text("0")
    # The phones followed the game on their event streams, never falling back to polling.
    for name in STUDENTS:
        assert any("/events" in url for url in requested[name]), requested[name]
        assert not any("/state" in url for url in requested[name]), requested[name]
    # From the teacher's click to the question on all three phones (the click's own page
    # load included): a stream wakes within one watcher poll (0.1 s).
    print(f"advance to visible on 3 phones: {[round(d, 2) for d in delays]} s")
    assert max(delays) < 2.0, delays
    for context in (*contexts, desk):
        context.close()
