"""The estimates page through the test client: the same figures as the command line."""

from __future__ import annotations

import html
import json
import re
import shlex
import tempfile
from pathlib import Path

import pytest

from tests.estimates.support import (
    DEMO,
    DESIGN,
    MARGINS,
    ROOT,
    URL,
    cli,
    cli_json,
    page_report,
    post_form,
    shown,
)
from tests.support import field_errors

BY = ["--by", "sex", "--by", "urban_rural", "--by", "age_band", "--by", "education",
      "--by", "group"]
VERDICT_TEXT = {"above": "Above the goal", "below": "Below the goal",
                "not distinguishable": "Not distinguishable from the goal"}


def _refusal(text: str) -> str:
    match = re.search(r'data-test="estimator-error".*?<code>(.*?)</code>', text, re.S)
    assert match, "no estimator error on the page"
    return html.unescape(match.group(1))


@pytest.mark.parametrize("margins", ["none", "shipped"])
def test_demo_survey_gives_the_command_lines_figures(statistician, margins):
    fields = {"use_demo": "y", "margins": margins}
    rake = []
    if margins == "shipped":
        fields["allow_placeholder_margins"] = "y"
        rake = ["--rake", MARGINS, "--allow-placeholder-margins"]
    page = post_form(statistician, **fields)
    assert page.status_code == 200
    expected = cli_json(DEMO, *DESIGN, *rake, *BY)

    assert page_report(page.text) == expected
    assert shown(page.text, "share") == f"{100 * expected['estimate']:.2f}%"
    assert shown(page.text, "ci") == (f"95% confidence interval: {100 * expected['ci_low']:.2f}% "
                                      f"to {100 * expected['ci_high']:.2f}%")
    assert shown(page.text, "df") == str(expected["df"])
    assert shown(page.text, "n") == f"{expected['n']:,}"
    assert shown(page.text, "statistic") == f"{expected['statistic']:.4g}"
    assert shown(page.text, "verdict") == VERDICT_TEXT[expected["verdict"]]
    assert "SIMULATED" in shown(page.text, "simulated-banner")
    assert "modelled on the national" in shown(page.text, "modelled-note")
    for variable in ("sex", "urban_rural", "age_band", "education", "group"):
        assert f'data-test="by-{variable}"' in page.text
    assert ('data-test="placeholder-banner"' in page.text) == (margins == "shipped")
    # the command shown on the page is the one that reproduces the figures
    command = html.unescape(
        re.search(r'<pre class="report command"><code>(.*?)</code>', page.text, re.S).group(1))
    words = shlex.split(command)
    assert words[:5] == ["python", "-m", "analysis", "estimate", DEMO]
    assert json.loads(cli(*words[4:]).stdout) == expected


def test_placeholder_margins_are_refused_without_the_box(statistician):
    page = post_form(statistician, use_demo="y", margins="shipped")
    assert page.status_code == 200
    # in words, on the box to tick: no exception text, no command-line flag, no codes
    assert field_errors(page.text) == [
        "These margins hold placeholder figures (stand-ins, not population totals) for Sex, "
        "Urban or rural, Age band, Education. Replace them with sourced figures, or tick "
        "“Allow placeholder margins” to use them anyway; every result will then say so."]
    assert 'data-test="estimator-error"' not in page.text
    for raw in ("allow-placeholder-margins", "allow_placeholders", "placeholder rows",
                "sex=male"):
        assert raw not in page.text
    assert "Traceback" not in page.text and 'data-test="share"' not in page.text

    page = post_form(statistician, use_demo="y", margins="shipped",
                     allow_placeholder_margins="y")
    banner = shown(page.text, "placeholder-banner")
    assert "14 placeholder margins" in banner and "illustrative" in banner
    names = html.unescape(page.text.split('data-test="placeholder-banner"')[1].split("</div>")[0])
    assert "Sex: Male, Sex: Female, Urban or rural: Urban" in names and "sex=male" not in names
    assert 'data-test="share"' in page.text


def test_groups_are_named_and_in_their_tables_order(statistician):
    statistician.set_cookie("kx_lang", "zh_CN")
    page = post_form(statistician, use_demo="y").text
    section = page.split('data-test="by-education"')[1].split("</section>")[0]
    assert re.search(r"<th>文化程度</th>", section)
    assert re.findall(r'<td class="level">([^<]+)</td>', section) == [
        "小学及以下", "初中", "高中（含中专）", "大学专科", "大学本科及以上"]
    groups = page.split('data-test="by-group"')[1].split("</section>")[0]
    assert re.findall(r'<td class="level">([^<]+)</td>', groups) == [
        "青少年", "农民", "产业工人", "老年人", "领导干部和公务员"]
    chart = json.loads(html.unescape(re.search(
        r'id="estimates-chart-data">(.*?)</script>', page, re.S).group(1)))
    education = [f for f in chart if f["layout"]["title"]["text"].startswith("按文化程度")][0]
    assert education["layout"]["yaxis"]["ticktext"][0] == "小学及以下"
    assert education["data"][0]["y"][0] == "primary_or_less"


def test_a_survey_without_the_weight_column_gets_the_estimators_error(statistician, tmp_path):
    source = (ROOT / DEMO).read_text().splitlines()
    columns = source[0].split(",")
    keep = [i for i, name in enumerate(columns) if name != "weight"]
    bad = "\n".join(",".join(row.split(",")[i] for i in keep) for row in source[:50]) + "\n"
    page = post_form(statistician, files={"survey_file": (bad.encode(), "bad.csv")})
    assert page.status_code == 200 and "Traceback" not in page.text
    (tmp_path / "bad.csv").write_text(bad)
    expected = cli(str(tmp_path / "bad.csv"), *DESIGN).stderr.strip()
    assert expected == "error: column 'weight' is not in 'bad.csv'"
    assert f"error: {_refusal(page.text)}" == expected


def test_an_uploaded_survey_and_margins_match_the_command_line(statistician, tmp_path,
                                                               monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    survey = (ROOT / DEMO).read_bytes()
    margins = b"variable,level,population_total\nsex,male,376125\nsex,female,373875\n"
    (tmp_path / "my survey.csv").write_bytes(survey)
    (tmp_path / "sex.csv").write_bytes(margins)
    page = post_form(statistician, margins="upload", by=["sex", "education"],
                     by_other="sex:urban_rural", ci="beta", level="0.9", goal="0.12",
                     files={"survey_file": (survey, "my survey.csv"),
                            "margins_file": (margins, "sex.csv")})
    assert page.status_code == 200
    expected = cli_json(str(tmp_path / "my survey.csv"), *DESIGN, "--rake",
                        str(tmp_path / "sex.csv"), "--by", "sex", "--by", "education", "--by",
                        "sex:urban_rural", "--ci", "beta", "--level", "0.9", "--goal", "0.12")
    assert page_report(page.text) == expected
    assert "SIMULATED" not in page.text and 'data-test="placeholder-banner"' not in page.text
    assert "90% confidence interval" in page.text
    assert list(scratch.iterdir()) == []  # the uploads are gone


def test_standard_groups_missing_from_the_file_are_skipped(statistician):
    source = (ROOT / DEMO).read_text().splitlines()
    without_group = "\n".join(row.rsplit(",", 1)[0] for row in source) + "\n"
    page = post_form(statistician, files={"survey_file": (without_group.encode(), "s.csv")})
    assert page.status_code == 200
    assert 'data-test="by-sex"' in page.text and 'data-test="by-group"' not in page.text
    assert shown(page.text, "skipped-by").endswith(": group")
    # asked for by name, a missing column is the estimator's error
    page = post_form(statistician, by_other="group",
                     files={"survey_file": (without_group.encode(), "s.csv")})
    assert _refusal(page.text) == "column 'group' is not in 's.csv'"


@pytest.mark.parametrize(("content", "filename", "message"), [
    (b"PK\x03\x04\x00\x00binary", "survey.xlsx", "Upload a .csv file"),
    (b"PK\x03\x04\x00\x00binary", "survey.csv", "not a CSV text file"),
    ("性别,weight\n男,1\n".encode("gb18030"), "survey.csv", "not UTF-8 text"),
    (b"", "survey.csv", "The file is empty"),
])
def test_files_that_are_not_csv_are_refused_clearly(statistician, content, filename, message):
    page = post_form(statistician, files={"survey_file": (content, filename)})
    assert page.status_code == 200 and message in page.text
    assert 'data-test="share"' not in page.text


def test_the_form_asks_for_one_survey(statistician):
    page = post_form(statistician)
    assert page.status_code == 200 and "tick the simulated demo survey" in page.text
    page = post_form(statistician, use_demo="y", files={"survey_file": (b"a,b\n1,2\n", "x.csv")})
    assert "not both" in page.text
    page = post_form(statistician, use_demo="y", margins="upload")
    assert "Choose the margins CSV file" in page.text
    page = post_form(statistician, use_demo="y", level="1.5")
    assert "from 0.5 to 0.999" in page.text and 'data-test="share"' not in page.text


def test_the_chart_uses_the_apps_own_plotly(statistician):
    page = post_form(statistician, use_demo="y")
    assert 'id="estimates-chart"' in page.text and 'id="estimates-chart-data"' in page.text
    sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', page.text)
    bundle = [s for s in sources if "/static/vendor/plotly/plotly-cartesian.min.js?v=" in s]
    assert len(bundle) == 1, "the vendored partial bundle, at its hashed URL"
    assert not [s for s in sources if "//" in s]
    assert "https://" not in "".join(re.findall(r"<script[^>]*>", page.text))
    script = statistician.get(bundle[0])
    assert script.status_code == 200 and b"plotly.js (cartesian" in script.data[:2000]
    script.close()  # a static file is streamed from an open file
    download = re.search(r'data-test="download-json"\s+href="data:application/json;[^"]+"',
                         page.text)
    assert download and 'download="estimate-SIMULATED-demo.json"' in page.text


def test_the_post_is_csrf_protected(statistician):
    response = statistician.post(URL, data={"use_demo": "y", "indicator": "meets"})
    assert response.status_code == 400


def test_only_statisticians_and_admins_may_use_it(client, auth, make_user):
    assert client.get(URL).status_code == 302
    assert "/login" in client.get(URL).headers["Location"]
    assert client.post(URL, data={"use_demo": "y"}).status_code in (302, 400)
    make_user("someone", "resident")
    auth.login("someone")
    assert client.get(URL).status_code == 403
    auth.logout()
    make_user("boss", "admin")
    auth.login("boss")
    assert client.get(URL).status_code == 200
    assert URL in client.get("/admin/").text


def test_the_statisticians_home_links_here_in_chinese(client, auth, make_user):
    make_user("stats", "statistician")
    auth.login("stats")
    home = client.get("/").text
    assert f'href="{URL}"' in home
    page = client.get(URL).text
    assert "科学素质" in page and "模拟" in page  # Chinese is the default language


def test_the_demo_survey_ships_with_the_platform():
    from quizapp.estimates.services import DEMO_SURVEY, SHIPPED_MARGINS

    assert DEMO_SURVEY == ROOT / DEMO and DEMO_SURVEY.is_file()
    assert SHIPPED_MARGINS == ROOT / MARGINS and Path(SHIPPED_MARGINS).is_file()


def test_uploads_are_limited_by_the_apps_max_content_length(app, statistician):
    app.config["MAX_CONTENT_LENGTH"] = 100 * 1024
    assert "0.1 MB" in statistician.get(URL).text
    big = b"weight,meets\n" + b"1,0\n" * 40_000
    page = post_form(statistician, files={"survey_file": (big, "big.csv")})
    assert page.status_code == 413 and "Traceback" not in page.text
