"""The boards on a phone: pages, one's own row in context, masked names, no sideways scroll
at 360 px in Chinese, English and large type."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from quizapp.engine import clock

SLUG = "board-phone-test"
SCREENSHOTS = None  # a folder to look at the pages while working on them


@pytest.fixture(scope="module")
def board_competition(live_server):
    """A published competition with 40 scored participants and this phone's registration at
    rank 33, in 薛店镇."""
    from quizapp.device import _serializer
    from quizapp.extensions import db
    from quizapp.models import Attempt, Competition, Participant, Township

    with live_server.app.app_context():
        now = clock.now()
        contest = Competition(slug=SLUG, title="排行榜测试", starts_at=now - timedelta(days=2),
                              ends_at=now + timedelta(days=5), published=True,
                              registration={"name": "required", "township": "required"})
        db.session.add(contest)
        db.session.commit()
        towns = list(db.session.query(Township).order_by(Township.id).limit(5))
        mine = next(t for t in db.session.query(Township) if t.name == "薛店镇")
        for index in range(41):
            is_me = index == 32
            person = Participant(competition_id=contest.id, name="王小明" if is_me else
                                 f"参赛者{index:02d}", device_id="phone-me" if is_me else
                                 f"other-{index}", township_id=(mine if is_me else
                                                                towns[index % 5]).id)
            db.session.add(person)
            db.session.flush()
            db.session.add(Attempt(kind="competition", token=f"board-{index}",
                                   competition_id=contest.id, participant_id=person.id,
                                   status="finished", score=100 - index, duration_ms=60_000,
                                   started_at=now - timedelta(hours=1), finished_at=now,
                                   question_count=20))
        db.session.commit()
        return _serializer().dumps("phone-me")


def _as_me(phone, live_server, device, **preferences):
    cookies = [{"name": "kx_device", "value": device, "url": live_server.url}]
    cookies += [{"name": name, "value": value, "url": live_server.url}
                for name, value in preferences.items()]
    phone.context.add_cookies(cookies)


def _fits(phone):
    # Against 360, not innerWidth: a mobile browser widens its layout viewport to the page.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, \
        "the page scrolls sideways"


def test_my_row_in_context_then_my_page(phone, live_server, board_competition):
    _as_me(phone, live_server, board_competition)
    phone.goto(f"/competitions/{SLUG}/board")
    expect(phone.locator("[data-test=my-rank]")).to_contain_text("第 33 名")
    around = phone.locator("[data-test=around] tr.me")
    expect(around).to_contain_text("王*明")
    expect(phone.locator("[data-test=around] tbody tr")).to_have_count(5)
    assert "王小明" not in phone.content() and "参赛者00" not in phone.content()
    _fits(phone)
    phone.click("[data-test=my-page]")
    expect(phone.locator("[data-test=board] tr.me")).to_contain_text("33")
    expect(phone.locator("[data-test=around]")).to_have_count(0)
    expect(phone.locator("[data-test=pager-page] strong")).to_have_text("2")
    phone.get_by_role("link", name="1", exact=True).click()
    expect(phone.locator("[data-test=board] tbody tr").first).to_contain_text("参***0")


# The township board in English, and English in large type, are left to the tables' own
# layout work (issue 13's page walk covers every page in every mode).
@pytest.mark.parametrize(("view", "preferences"), [
    ("people", {}), ("people", {"kx_large": "1"}), ("people", {"kx_lang": "en"}),
    ("township", {}), ("township", {"kx_large": "1"})])
def test_the_board_fits_a_360_px_phone(phone, live_server, board_competition, view,
                                       preferences):
    _as_me(phone, live_server, board_competition, **preferences)
    phone.goto(f"/competitions/{SLUG}/board?view={view}")
    expect(phone.locator("tr.me").first).to_be_visible()
    if SCREENSHOTS:
        name = "-".join([view, *preferences.values()]) or view
        phone.screenshot(path=f"{SCREENSHOTS}/board-{name}.png", full_page=True)
    _fits(phone)
