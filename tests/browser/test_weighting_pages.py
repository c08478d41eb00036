"""The statistician on a phone: a weighting run with the placeholder margins (the override
ticked, the warning shown), the default trimming bounds refused with what to change, the
estimate, its publication (the confirm step), the verdict against 17.8% and the comparison with
an earlier published wave.  Every one of these pages fits 360 px in Chinese, in English and in
large type."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

MARGINS = "xinzheng_adults_18_69"
# Wide enough for 64 respondents raked to four margins (the defaults 0.3-3.5 are not).
WIDE = ("0.1", "6")


def _width(phone) -> int:
    return phone.evaluate("document.documentElement.scrollWidth")


# The deepest elements that stick out on the right (what to fix when a page is too wide).
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 360.5
               && ![...e.children].some(c => c.getBoundingClientRect().right > 360.5))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(
      e.getBoundingClientRect().right) + ': ' + (e.textContent || '').trim().slice(0, 60))"""


def _fits(phone, what: str) -> None:
    width = _width(phone)
    assert width <= 360, f"{what} ({phone.url}) is {width} px wide: {phone.evaluate(WIDEST)}"


@pytest.fixture(scope="module")
def waves(live_server) -> tuple[int, int]:
    """(the wave to weight, the earlier wave's published estimate run): two test waves of
    64 accepted respondents (tests/surveys_web/weighting_support.py) in the live database;
    the earlier one weighted, estimated and published through the services."""
    import surveys
    from quizapp.extensions import db
    from quizapp.surveys import estimate_runs, services, weighting_runs
    from tests.surveys_web.weighting_support import build_weighting_wave

    def make_wave(name: str, seed: int, year: int, **settings):
        values = dict(name=name, year=year, reference_date=date(year, 6, 1),
                      instrument_version=f"{year}.1", seed=seed)
        values.update(settings)
        return services.create_wave(services.WaveSettings(**values))

    with live_server.app.app_context():
        earlier = build_weighting_wave(make_wave, name="2025 年度调查（浏览器测试）", year=2025,
                                       seed=777, shift=3, plant_secrets=False)
        run = weighting_runs.run_weighting(earlier, MARGINS, surveys.WeightingSettings(
            trim_lower=float(WIDE[0]), trim_upper=float(WIDE[1]),
            allow_placeholder_margins=True), None)
        published = estimate_runs.publish(
            estimate_runs.run_estimate(run, surveys.EstimateSettings(), None), None)
        current = build_weighting_wave(make_wave, name="2027 年度调查（浏览器测试）", year=2027,
                                       seed=12345)
        ids = current.id, published.id
        db.session.remove()
    return ids


def _weigh(phone, wave_id: int, bounds: tuple[str, str]) -> None:
    phone.goto(f"/statistics/surveys/{wave_id}/weighting")
    phone.select_option("select[name=margins]", MARGINS)
    phone.check("input[name=allow_placeholder_margins]")
    phone.fill("input[name=trim_lower]", bounds[0])
    phone.fill("input[name=trim_upper]", bounds[1])
    phone.click("[data-test=run-weighting]")


def test_the_statistician_weights_estimates_publishes_and_compares_on_a_phone(
        phone, live_server, waves):
    wave_id, earlier_run = waves
    phone.goto("/login")
    phone.fill("input[name=username]", "statistician")
    phone.fill("input[name=password]", live_server.passwords["statistician"])
    phone.locator("form button.primary").last.click()

    phone.goto(f"/statistics/surveys/{wave_id}/weighting")
    pages = [("weighting form", phone.url)]
    # The default bounds cannot be met by 64 respondents: the page says what to change.
    _weigh(phone, wave_id, ("0.3", "3.5"))
    expect(phone.locator(".field.has-error .error")).to_contain_text("放宽截尾范围")
    _fits(phone, "the refused weighting")

    _weigh(phone, wave_id, WIDE)
    expect(phone.locator("[data-test=placeholder-banner]").first).to_be_visible()
    pages.append(("weighting run", phone.url))

    phone.click("[data-test=run-estimate]")
    expect(phone.locator("[data-test=share]")).to_have_text(re.compile(r"^\d+\.\d\d%$"))
    expect(phone.locator("[data-test=goal-test] h2")).to_contain_text("17.8%")
    expect(phone.locator("[data-test=verdict]")).to_be_visible()
    expect(phone.locator("[data-test=placeholder-banner]").first).to_be_visible()
    estimate_url = phone.url
    estimate_id = int(estimate_url.rstrip("/").rsplit("/", 1)[1])

    # Publishing needs the confirm box: without it the page asks for it.
    phone.click("[data-test=publish-button]")
    expect(phone.locator("[data-test=publish] .error")).to_be_visible()
    _fits(phone, "the unconfirmed publication")
    phone.check("[data-test=publish] input[name=confirm]")
    phone.click("[data-test=publish-button]")
    expect(phone.locator("[data-test=run-status]")).to_have_text("已发布")
    # The mean's interval sits on its own line under the mean, as in the share tables.
    mean = phone.locator("[data-test=score-total] td.num").first
    assert mean.locator(".ci").evaluate("e => getComputedStyle(e).display") == "block"
    assert mean.locator("strong").bounding_box()["y"] < mean.locator(".ci").bounding_box()["y"]
    expect(phone.locator("[data-test=verdict]")).to_be_visible()
    pages.append(("published estimate", phone.url))

    phone.get_by_role("link", name="与其他轮次比较，及趋势").click()
    phone.select_option("select[name=a]", str(estimate_id))
    phone.select_option("select[name=b]", str(earlier_run))
    phone.click("[data-test=compare-button]")
    expect(phone.locator("[data-test=difference]")).to_have_text(re.compile(r"%$"))
    expect(phone.locator("[data-test=trend] tbody tr")).to_have_count(2)
    # The trend table fits its box (no sideways scroll inside the card) and names the waves by
    # year, not by names broken over six lines.
    assert phone.evaluate(NARROW_CELLS) == []
    pages.append(("comparison", phone.url))

    for what, url in pages:
        phone.goto(url)
        _fits(phone, what)
    phone.click("[data-test=lang-switch]")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    for what, url in pages:
        phone.goto(url)
        _fits(phone, f"{what} in English")
    _weigh(phone, wave_id, ("0.3", "3.5"))
    expect(phone.locator(".field.has-error .error")).to_contain_text("Widen the bounds")
    _fits(phone, "the refused weighting in English")
    phone.click("[data-test=large-type]")
    expect(phone.locator("body")).to_have_class(re.compile(r"\blarge-type\b"))
    phone.wait_for_function("parseFloat(getComputedStyle(document.body).fontSize) >= 20")
    for what, url in pages:
        phone.goto(url)
        _fits(phone, f"{what} in English, large type")
    phone.click("[data-test=lang-switch]")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
    for what, url in pages:
        phone.goto(url)
        _fits(phone, f"{what} in large type")
    _weigh(phone, wave_id, ("0.3", "3.5"))
    expect(phone.locator(".field.has-error .error")).to_contain_text("放宽截尾范围")
    _fits(phone, "the refused weighting in large type")


# Text cells that wrap to fewer than 3 characters a line on average (a Chinese name broken one
# character per line), and tables wider than their box (a sideways scroll inside the page).
NARROW_CELLS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (text.length < 2 || !node.parentElement.getClientRects().length) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                 .map(r => Math.round(r.top)));
      if (tops.size > 1 && tops.size > Math.ceil(text.length / 3))
        out.push(`${tops.size} lines: ${text}`);
    }
  }
  for (const box of document.querySelectorAll('main .table-scroll'))
    if (box.scrollWidth > box.clientWidth + 1)
      out.push(`table ${box.scrollWidth} px in ${box.clientWidth} px: ` +
               box.textContent.trim().slice(0, 40));
  return out.slice(0, 8);
}"""


def _demo_weighting_run(live_server) -> str:
    """The demo's earlier wave, loaded with 12 worked PSUs, and its weighting run: every
    township of the demo in both urban and rural classes, most of them merged."""
    from sqlalchemy import select

    from quizapp.demo.earlier import load_earlier_wave
    from quizapp.extensions import db
    from quizapp.models import SurveyWeightingRun

    with live_server.app.app_context():
        wave = load_earlier_wave(listed_psus=12)
        run = db.session.scalars(select(SurveyWeightingRun).where(
            SurveyWeightingRun.wave_id == wave.id)).one()
        url = f"/statistics/surveys/{run.wave_id}/weighting/{run.id}"
        db.session.remove()
    return url


def test_the_demo_weighting_run_reads_on_a_phone_without_one_character_lines(
        phone, live_server):
    url = _demo_weighting_run(live_server)
    phone.goto("/login")
    phone.fill("input[name=username]", "statistician")
    phone.fill("input[name=password]", live_server.passwords["statistician"])
    phone.locator("form button.primary").last.click()
    heights = {}
    for what in ("Chinese", "English, large type", "Chinese, large type"):
        if what.startswith("English"):
            phone.click("[data-test=lang-switch]")
            expect(phone.locator("html")).to_have_attribute("lang", "en")
            phone.click("[data-test=large-type]")
            phone.wait_for_function("parseFloat(getComputedStyle(document.body).fontSize) >= 20")
        elif what.endswith("large type"):
            phone.click("[data-test=lang-switch]")
            expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
        phone.goto(url)
        expect(phone.locator("[data-test=classes] tbody tr").first).to_be_visible()
        _fits(phone, f"the demo weighting run in {what}")
        narrow = phone.evaluate(NARROW_CELLS)
        assert narrow == [], f"{what}: {narrow}"
        heights[what] = phone.evaluate("document.documentElement.scrollHeight")
    assert heights["Chinese"] < 6000, heights
