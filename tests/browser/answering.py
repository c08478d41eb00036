"""Submitting a competition answer in a browser: the page's script puts the next question in
place without a page load (static/js/quiz.js), so a test waits for the question it answered
to go, not for a load."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def submit_answer(page: Page) -> None:
    """Tap "submit" and wait until the question on screen is replaced (or the page left)."""
    position = page.locator(".question").first.get_attribute("data-position")
    page.click("[data-test=submit-answer]")
    expect(page.locator(f'.question[data-position="{position}"]')).to_have_count(0)
    page.wait_for_load_state()
