"""The Content-Security-Policy in a real browser: Plotly's charts still draw, nothing is blocked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def watched(phone):
    """The phone page, recording every CSP violation and every console error."""
    phone.add_init_script(WATCH_VIOLATIONS)
    errors: list[str] = []
    phone.on("console", lambda message: message.type == "error" and errors.append(message.text))
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.errors = errors
    return phone


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def _sign_in(page, live_server, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", live_server.passwords[username])
    page.click("button.primary")
    expect(page.locator(f"[data-role={username}]")).to_be_visible()


def test_pages_are_served_with_the_policy(watched, live_server):
    response = watched.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_estimates_chart_draws_under_the_policy(watched, live_server):
    _sign_in(watched, live_server, "statistician")
    watched.goto("/statistics/estimates/")
    watched.check("input[name=use_demo]")
    watched.click("[data-test=run-estimate]")
    expect(watched.locator("#estimates-chart .main-svg").first).to_be_visible(timeout=20_000)
    assert watched.locator("#estimates-chart .js-plotly-plot").count() >= 1
    assert _violations(watched) == []
    assert [e for e in watched.errors if "Content Security Policy" in e] == []


def test_item_chart_draws_under_the_policy(watched, live_server):
    from sqlalchemy import func, select

    from quizapp.extensions import db
    from quizapp.models import Attempt, AttemptItem

    with live_server.app.app_context():  # a quiz item: the simulated survey's answers aside
        answered = db.session.scalar(
            select(AttemptItem.question_version_id).join(Attempt)
            .where(AttemptItem.answered_at.is_not(None), Attempt.kind != "survey")
            .group_by(AttemptItem.question_version_id).order_by(func.count().desc()).limit(1))
    assert answered is not None, "the demo data has answered questions"
    _sign_in(watched, live_server, "statistician")
    watched.goto(f"/admin/questions/items/{answered}?source=quiz")
    expect(watched.locator("#choice-chart .main-svg").first).to_be_visible(timeout=20_000)
    assert _violations(watched) == []
    assert [e for e in watched.errors if "Content Security Policy" in e] == []


def test_an_inline_script_would_be_blocked(watched, live_server):
    """The policy is really enforced: a script injected into the page does not run."""
    watched.goto("/")
    watched.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.__injected = true";
        document.body.appendChild(script);
    }""")
    assert watched.evaluate("window.__injected === true") is False
    assert any(v.startswith("script-src") for v in _violations(watched))
