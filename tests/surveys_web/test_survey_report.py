"""The survey report of a published run: who may make it, that it is self-contained, that its
numbers are the stored run's, and the PDF (pages, text, the embedded Chinese font)."""

from __future__ import annotations

import io
import re

import pytest

from tests.surveys_web.dashboard_support import publish_wave, report_figures
from tests.surveys_web.weighting_support import build_weighting_wave


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


@pytest.fixture
def two_waves(pool, townships, make_wave):
    """Two published waves (2027, then 2029): the report of the second compares with the
    first."""
    first = publish_wave(build_weighting_wave(make_wave, plant_secrets=False))
    second = publish_wave(build_weighting_wave(make_wave, name="2029 年度调查", year=2029,
                                               seed=777, shift=3, plant_secrets=False))
    return first, second


def _url(run, kind: str) -> str:
    return f"/statistics/surveys/{run.wave_id}/estimates/{run.id}/report.{kind}"


@pytest.fixture
def statistician(client, auth, make_user):
    make_user("stats", "statistician")
    auth.login("stats")
    return client


@pytest.mark.parametrize("role, status", [
    (None, 302), ("resident", 403), ("teacher", 403), ("interviewer", 403),
    ("statistician", 200), ("admin", 200)])
def test_who_may_make_the_report(two_waves, client, auth, make_user, role, status):
    if role is not None:
        make_user("someone", role)
        auth.login("someone")
    response = client.get(_url(two_waves[1], "html"))
    assert response.status_code == status
    if status == 200:
        # The run's own id: PostgreSQL's sequences are not reset between tests.
        assert response.headers["Content-Disposition"] == (
            f"attachment; filename=survey-report-2029-run-{two_waves[1].id}.html")


def test_the_published_runs_page_links_its_report(two_waves, statistician):
    run = two_waves[1]
    page = statistician.get(f"/statistics/surveys/{run.wave_id}/estimates/{run.id}").text
    assert _url(run, "html") in page and _url(run, "pdf") in page


def test_only_a_published_run_has_a_report(pool, townships, make_wave, statistician):
    import surveys
    from quizapp.surveys import estimate_runs, weighting_runs

    wave = build_weighting_wave(make_wave, plant_secrets=False)
    run = weighting_runs.run_weighting(wave, "xinzheng_adults_18_69", surveys.WeightingSettings(
        allow_placeholder_margins=True, trim_lower=0.1, trim_upper=6.0), None)
    draft = estimate_runs.run_estimate(run, surveys.EstimateSettings(), None)
    page = statistician.get(f"/statistics/surveys/{wave.id}/estimates/{draft.id}").text
    assert "report.html" not in page, "no report link on a draft"
    assert statistician.get(_url(draft, "html")).status_code == 404
    assert statistician.get(_url(draft, "pdf")).status_code == 404
    assert statistician.get(f"/statistics/surveys/{wave.id}/estimates/999/report.html"
                            ).status_code == 404


def test_the_html_file_stands_alone(two_waves, statistician):
    text = statistician.get(_url(two_waves[1], "html")).text
    assert "<script" not in text and "<link" not in text and "<img" not in text
    assert "@import" not in text and "url(" not in text, "no font or image to fetch"
    assert not re.search(r'\s(?:src|href)\s*=', text), "nothing loaded from anywhere"
    addresses = set(re.findall(r"[a-z]+://[^\s\"'<>)]+", text))
    assert addresses == {"http://www.w3.org/2000/svg"}, "the SVG namespace only, never fetched"
    assert text.count("<svg") >= 4, "the charts are inline"


def test_every_number_is_the_stored_runs(two_waves, statistician):
    first, second = two_waves
    from quizapp.surveys import estimate_runs

    text = statistician.get(_url(second, "html")).text
    found = report_figures(text)
    stored = second.result["reports"]["meets"]
    for key in ("estimate", "ci_low", "ci_high", "se", "df", "n", "goal", "statistic",
                "p_value"):
        values = {value for value, _shown in found[f"meets.{key}"]}
        assert values == {repr(stored[key])}, key
    shares = [shown for _value, shown in found["meets.estimate"]]
    assert f"{100 * stored['estimate']:.1f}%" in shares
    # the domains, in the page's order, each figure the stored one (suppressed ones absent)
    for key, rows in stored["by"].items():
        shown = [float(v) for name, pairs in found.items()
                 if name.startswith(f"domain.{key}.") and name.endswith(".estimate")
                 for v, _s in pairs]
        assert sorted(shown) == sorted(r["estimate"] for r in rows
                                       if r["n"] >= 30 and r["se"] / r["estimate"] <= 0.3), key
        counts = [int(v) for name, pairs in found.items()
                  if name.startswith(f"domain.{key}.") and name.endswith(".n") for v, _s in pairs]
        assert sorted(counts) == sorted(r["n"] for r in rows), key
    for key in ("total", "score_K", "score_M", "score_S", "score_A"):
        assert found[f"scores.{key}"][0][0] == repr(second.result["reports"][key]["estimate"])
    trend = {name: pairs[0][0] for name, pairs in found.items() if name.startswith("trend.")}
    assert trend == {"trend.2027.share": repr(first.result["reports"]["meets"]["estimate"]),
                     "trend.2029.share": repr(stored["estimate"])}
    change = estimate_runs.compare_runs(second, first)
    assert found["comparison.estimate"][0][0] == repr(change.estimate)
    weighting = second.weighting_run_id
    from quizapp.extensions import db
    from quizapp.models import SurveyWeightingRun

    classes = db.session.get(SurveyWeightingRun, weighting).result["classes"]
    assert found["sample.respondents"][0][0] == str(sum(c["respondents"] for c in classes)) \
        == str(stored["n"])
    assert found["sample.cases"][0][0] == str(sum(c["cases"] for c in classes))


def test_the_report_says_when_the_margins_are_placeholders(two_waves, statistician):
    text = statistician.get(_url(two_waves[1], "html")).text
    assert 'data-test="placeholder-warning"' in text
    assert "xinzheng_adults_18_69" in text


def test_the_pdf_is_a4_with_the_chinese_font_embedded(two_waves, statistician):
    from pypdf import PdfReader

    response = statistician.get(_url(two_waves[1], "pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert 5 <= len(reader.pages) <= 14
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = "\n".join(page.extract_text() for page in reader.pages)
    stored = two_waves[1].result["reports"]["meets"]
    assert "2029 年度调查" in text
    assert f"{100 * stored['estimate']:.1f}%" in text
    first_page = reader.pages[0].extract_text()
    assert f"{100 * stored['estimate']:.1f}%" in first_page, "the summary comes first"
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in \
                font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"])] = embedded
    assert fonts and all(fonts.values()), fonts
    assert any("KexueCJK" in name for name in fonts), fonts
    assert not any("DejaVu" in name for name in fonts), "one font for every glyph"


def test_without_a_chinese_font_or_a_renderer_the_pdf_says_so(two_waves, statistician,
                                                              monkeypatch):
    from quizapp.shared import fonts, pdf

    monkeypatch.setattr(fonts, "CJK_FONT", fonts.FONT_FOLDER / "missing.otf")
    response = statistician.get(_url(two_waves[1], "pdf"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/city")
    page = statistician.get(response.headers["Location"]).text
    assert "subset_cjk_font.py" in page and "CJK_FONT_PATH" in page
    monkeypatch.undo()

    def broken(html, font_files, timeout=0):
        raise pdf.PdfFailed("the renderer crashed")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    response = statistician.get(_url(two_waves[1], "pdf"))
    assert response.status_code == 302
    assert 'role="status"' in statistician.get(response.headers["Location"]).text


def test_the_renderer_reads_no_other_file(tmp_path):
    from quizapp.shared import pdf

    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = (f'<html><head><link rel="stylesheet" href="{secret.as_uri()}"></head>'
            f'<body><img src="{(tmp_path / "x.png").as_uri()}"><p>正文</p></body></html>')
    fetched = []
    import weasyprint

    original = weasyprint.URLFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    weasyprint.URLFetcher.fetch = spy
    try:
        body = pdf.render(html, [])
    finally:
        weasyprint.URLFetcher.fetch = original
    assert body.startswith(b"%PDF")
    assert fetched == [], "refused before WeasyPrint's own fetcher ran"
