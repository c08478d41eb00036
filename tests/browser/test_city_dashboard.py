"""The city literacy dashboard and the survey report in a real browser (Debian's chromium).

A server of its own (a small database: the townships, a reserved item pool and one wave of 64
respondents, weighted, estimated and published through the services), so the shared demo
server's waves are left as the other browser tests expect them.  Checks: the rendered Plotly
figure holds the stored estimate and the goal line; the page fits 360 px; the PNG and SVG
downloads (Chinese labels, the CJK font stack); the report opens with the network off.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import make_app

PASSWORD = "correct horse 42"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory, browser):
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from quizapp.extensions import db
    from quizapp.models import User
    from quizapp.reference_data import seed_townships
    from quizapp.surveys import services
    from tests.surveys_web.conftest import POOL, make_question
    from tests.surveys_web.dashboard_support import publish_wave
    from tests.surveys_web.weighting_support import build_weighting_wave

    folder = tmp_path_factory.mktemp("dashboard")
    app = make_app(f"sqlite:///{folder / 'dash.sqlite3'}", str(folder / "instance"),
                   TESTING=False)

    def make_wave(name: str, seed: int, year: int, **settings):
        values = dict(name=name, year=year, reference_date=date(year, 6, 1),
                      instrument_version=f"{year}.1", target_sample_size=80, seed=seed)
        values.update(settings)
        return services.create_wave(services.WaveSettings(**values))

    with app.app_context():
        upgrade()
        seed_townships()
        for dimension, count in POOL.items():
            for k in range(count):
                make_question(f"survey-{dimension}-{k:03d}", dimension, 1 + k % 3, reserved=True)
        user = User(username="stats", display_name="stats", roles={"statistician"})
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        run = publish_wave(build_weighting_wave(make_wave, plant_secrets=False))
        stored = dict(run.result["reports"]["meets"], run_id=run.id, wave_id=run.wave_id)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", stored
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def page(browser, dashboard):
    from tests.browser.conftest import PHONE

    context = browser.new_context(base_url=dashboard[0], accept_downloads=True, **PHONE)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
    tab.errors = errors
    yield tab
    context.close()


def _sign_in(page) -> None:
    page.goto("/login")
    page.fill("input[name=username]", "stats")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    expect(page.locator("[data-role=statistician]")).to_be_visible()


def test_the_rendered_figure_holds_the_estimate_and_the_goal_line(page, dashboard):
    _url, stored = dashboard
    page.goto("/literacy/")
    expect(page.locator("#city-headline .main-svg").first).to_be_visible()
    figure = page.evaluate("""() => {
        const gd = document.getElementById('city-headline');
        return {data: gd.data.map(t => ({x: t.x, y: t.y, error: t.error_x})),
                shapes: gd.layout.shapes.map(s => ({x0: s.x0, x1: s.x1, name: s.name,
                                                     dash: s.line.dash}))};
    }""")
    city = figure["data"][0]
    assert city["x"] == [round(100 * stored["estimate"], 3)]
    assert city["error"]["array"] == [round(100 * (stored["ci_high"] - stored["estimate"]), 3)]
    goal = [s for s in figure["shapes"] if s["dash"] == "dash"]
    assert [(s["x0"], s["x1"]) for s in goal] == [(17.8, 17.8)] and "17.8%" in goal[0]["name"]
    # what a person sees: the goal's legend entry and the city's label, drawn in the SVG
    drawn = page.evaluate("document.getElementById('city-headline').textContent")
    assert "17.8%" in drawn and "新郑市" in drawn
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the dashboard is {width} px wide"
    assert page.locator(".js-plotly-plot").count() >= 8
    assert page.errors == []


def test_a_chart_downloads_as_png_and_as_svg_with_its_chinese_labels(page, dashboard):
    _sign_in(page)
    page.goto("/statistics/surveys/city")
    chart = page.locator("#city-sex")
    expect(chart.locator(".main-svg").first).to_be_visible()
    chart.hover()
    with page.expect_download() as png:
        chart.locator(".modebar-btn[data-title='下载 PNG 图片']").click()
    assert png.value.suggested_filename == "city-sex.png"
    data = Path(png.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000
    chart.hover()
    with page.expect_download() as svg:
        chart.locator(".modebar-btn[data-title='下载 SVG 矢量图']").click()
    assert svg.value.suggested_filename == "city-sex.svg"
    text = Path(svg.value.path()).read_text(encoding="utf-8")
    assert text.startswith("<svg") and "按性别" in text and "女" in text
    assert "Noto Sans CJK SC" in text and "Microsoft YaHei" in text, "a CJK font stack"
    assert page.errors == []


def test_the_report_opens_with_the_network_off(browser, page, dashboard, tmp_path):
    _url, stored = dashboard
    _sign_in(page)
    page.goto("/statistics/surveys/city")
    with page.expect_download() as download:
        page.evaluate("document.querySelector('[data-test=report-html]').click()")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)

    context = browser.new_context(offline=True, viewport={"width": 794, "height": 1123})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    offline = context.new_page()
    offline.goto(path.as_uri())
    expect(offline.locator("h1")).to_have_text("公民科学素质调查报告")
    assert requests == [path.as_uri()], "nothing but the file itself is asked for"
    assert offline.locator("svg.chart-svg").count() >= 4
    summary = offline.locator("[data-test=summary]").inner_text()
    assert f"{100 * stored['estimate']:.1f}%" in summary
    box = offline.locator("[data-test=summary] svg.chart-svg").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100, "the chart is drawn"
    context.close()
