"""Every page each role can reach fits a phone and shows no raw code (issue 13).

For each visitor (a resident without an account, then each demo account) the walk
(``tests/browser/walk.py``) follows every link from the home page, runs the flows only a form
leads to (practice, a competition attempt, an estimate) and opens the pinned pages below; each
page is checked at 360 and 390 px wide in Chinese, English, and both in large type. A public
page is checked by the visitor without an account only; a page open to several roles by the
first of them in :data:`walk.VISITORS`; the home page by everyone.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from tests.browser import walk

# The walk of one visitor must stay well under this (seconds; admin's is the longest).
TIME_LIMIT = 240
# Fewer pages than this means the crawl broke (a login or a flow failed), not that all is well.
MIN_PAGES = {None: 12, "resident": 1, "teacher": 12, "interviewer": 4, "statistician": 20,
             "admin": 20}


def pinned_pages(app) -> dict[str | None, list[str]]:
    """Pages no link leads to, or whose interesting case the crawl may miss, by visitor: the
    class-game and survey entry pages, a multiple-choice question (five options, lettered) and
    its item statistics with answers (a chart whose labels must fit)."""
    from quizapp.extensions import db
    from quizapp.models import Question, QuestionVersion
    from quizapp.models.attempts import AttemptItem

    with app.app_context():
        question = db.session.scalar(
            select(Question.id)
            .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
            .where(QuestionVersion.type == "multiple").order_by(Question.id).limit(1))
        answered = db.session.scalar(
            select(AttemptItem.question_version_id)
            .join(QuestionVersion, AttemptItem.question_version_id == QuestionVersion.id)
            .where(QuestionVersion.type == "multiple", AttemptItem.answered_at.is_not(None))
            .group_by(AttemptItem.question_version_id)
            .order_by(func.count().desc(), AttemptItem.question_version_id).limit(1))
    assert question and answered, "the demo has a multiple-choice question with answers"
    return {
        None: ["/join", "/survey/"],
        "statistician": [f"/admin/questions/items/{answered}?source=quiz"],
        "admin": [f"/admin/questions/{question}"],
    }


@pytest.fixture(scope="module")
def pinned(live_server):
    return pinned_pages(live_server.app)


@pytest.mark.parametrize("visitor", walk.VISITORS, ids=lambda v: v or "anonymous")
def test_every_page_fits_a_phone_and_shows_no_code(browser, live_server, pinned, visitor):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 800},
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        the_walk = walk.Walk(page, live_server.url,
                             owns=walk.owner_rule(live_server.app, visitor))
        started = time.monotonic()
        walk.walk_visitor(the_walk, visitor, live_server.passwords, pinned.get(visitor, ()))
        elapsed = time.monotonic() - started
    finally:
        context.close()
    assert len(the_walk.checked) >= MIN_PAGES[visitor], the_walk.checked
    assert not the_walk.findings, (
        f"{len(the_walk.checked)} pages checked; faults:\n" + walk.summary(the_walk.findings))
    assert elapsed < TIME_LIMIT, f"the walk took {elapsed:.0f} s"
