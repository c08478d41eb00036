"""Every page each role can reach fits a phone and shows no raw code (issue 13).

For each visitor (a resident without an account, then each demo account) the walk
(``tests/browser/walk.py``) follows every link from the home page, runs the flows only a form
leads to (practice, a competition attempt, an estimate) and opens the pinned pages below; each
page is checked at 360 and 390 px wide in Chinese, English, and both in large type. A public
page is checked by the visitor without an account only; a page open to several roles by the
first of them in :data:`walk.VISITORS`; the home page by everyone.
"""

from __future__ import annotations

import re
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


SAMPLE = """<!doctype html><html lang="zh-CN"><head><meta name="viewport"
content="width=device-width, initial-scale=1"><style>
body { margin: 0; font-size: 16px; } th { width: 1em; } .sr-only { position: absolute;
width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); } ol { padding: 0; }
</style></head><body>
<p>状态：finished，对象：cadre、elder。题号 agriculture-0001。</p>
<p><code>--by sex,urban_rural</code> <a translate="no">resident</a></p>
<p style="display: none">male</p>
<table><tr><th>参与人数</th><td>{wide}</td></tr></table>
<button style="width: 3em">↑<span class="sr-only">上移</span></button>
<ol type="A"><li>选项</li></ol>
</body></html>"""


def test_the_walk_sees_each_kind_of_fault(browser):
    """The checks themselves, on a made-up page: what they must find and what they must not
    (code, ``translate="no"``, hidden text, a screen reader's label, an id with a topic)."""
    page = browser.new_page(viewport={"width": 360, "height": 800})
    try:
        page.set_content(SAMPLE.replace("{wide}", "x" * 80))
        found = walk.measure(page, "/sample", walk.MODES[0], 360, walk.suspicious_codes())
    finally:
        page.close()
    kinds = {f.kind: f.detail for f in found}
    assert kinds.keys() == {"overflow", "raw code", "squeezed", "hanging markers"}
    assert kinds["raw code"] == "cadre, elder, finished"
    assert kinds["squeezed"] == 'th "参与人数"'
    assert re.match(r"6\d\dpx wide; table ", kinds["overflow"])  # 80 x's and the header


def test_raw_codes_come_from_the_label_tables():
    chinese, english = walk.suspicious_codes()
    for code in ("admin", "resident", "finished", "voided", "cadre", "elder", "male",
                 "female", "urban", "rural", "junior_secondary", "bachelor_plus", "health",
                 "digital_life", "work_unit", "question_open", "logit"):
        assert code in chinese, code
    assert english == {code for code in chinese if "_" in code}
    assert "junior_secondary" in english and "finished" not in english


@pytest.mark.parametrize(("url", "expected"), [
    ("http://x/competitions/xinzheng-2025/board?view=township",
     "/competitions/{}/board?view=township"),
    ("http://x/competitions/attempt/OhXjcf3CXJyYkolmJ1CWHA/result",
     "/competitions/attempt/{}/result"),
    ("http://x/admin/questions/?page=3", "/admin/questions/?page={}"),
    ("http://x/admin/questions/12", "/admin/questions/{}"),
])
def test_a_page_shape_blanks_ids_and_keeps_views(url, expected):
    assert walk.shape(url) == expected
