"""Weighting and estimate runs from the database: the cases file rows (pinned by hand from
the fixture's design), the page against the two command lines, re-running a stored run,
publication, bad input and the personal-data scan of every download."""

from __future__ import annotations

import contextlib
import io
import json
import shlex
from pathlib import Path

import pytest
from sqlalchemy import event, select

from tests.surveys_web.weighting_support import SECRETS, build_weighting_wave

MARGINS = "xinzheng_adults_18_69"
# The page's form: placeholder margins with the override, default classes, trimming at
# 0.1-6 x the mean weight (wide enough for 64 respondents raked to four margins).
FORM = {"margins": MARGINS, "allow_placeholder_margins": "y", "classes": "stratum,psu_urban_rural",
        "min_class": "20", "trim": "y", "trim_lower": "0.1", "trim_upper": "6"}


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


@pytest.fixture
def weighting_wave(pool, townships, make_wave):
    return build_weighting_wave(make_wave)


@pytest.fixture
def statistician(client, auth, make_user):
    make_user("stats", "statistician")
    assert auth.login("stats").status_code == 302
    return client


def _weigh(client, wave, **changes) -> str:
    response = client.post(f"/statistics/surveys/{wave.id}/weighting", data={**FORM, **changes})
    assert response.status_code == 302, response.text[:2000]
    return response.headers["Location"]


def _estimate(client, weighting_url: str) -> str:
    response = client.post(weighting_url + "/estimate",
                           data={"goal": "17.8", "min_n": "30", "max_cv": "30"})
    assert response.status_code == 302, response.text[:2000]
    return response.headers["Location"]


def test_the_cases_file_is_built_from_the_database_in_two_queries(weighting_wave, app):
    from quizapp.extensions import db
    from quizapp.surveys import weighting_runs

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        rows = weighting_runs.case_rows(weighting_wave)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 2
    # 8 PSUs (all certain: 80 interviews of 10 in 8 PSUs), 12 households listed, 10 taken.
    assert len(rows) == 80
    assert sum(r["respondent"] for r in rows) == 64
    # Every 5th case not interviewed: no contact, not eligible, not found, refusal in turn.
    assert [r["eligibility"] for r in rows if r["respondent"] == 0][:4] == [
        "eligible", "ineligible", "unknown", "eligible"]
    assert sum(r["eligibility"] == "eligible" for r in rows) == 72
    first = rows[0]
    assert first["case_id"] == min(r["case_id"] for r in rows)
    assert (first["stratum"], first["psu"], first["psu_urban_rural"]) == ("longhu", "L1", "urban")
    assert first["pi1"] == 1.0 and first["pi2"] == 10 / 12
    assert first["household_weight"] == 1 / (10 / 12) and first["eligible_adults"] == 3
    assert first["base_weight"] == 3 * (1 / (10 / 12))
    # k = 1: female, born 2000 -> 18-29, primary -> primary_or_less, 20 of 50 right.
    assert (first["sex"], first["age_band"], first["education"], first["urban_rural"]) == (
        "female", "18-29", "primary_or_less", "urban")
    assert first["sex_age_band"] == "female_18-29" and first["township"] == "longhu"
    assert first["total"] == 60.0 and first["level"] == "basic" and first["meets"] == 0
    nonresponse = rows[4]
    assert nonresponse["respondent"] == 0
    assert {nonresponse[c] for c in ("sex", "total", "base_weight", "meets")} == {""}
    assert all(r["meets"] == int(r["level"] in ("meets", "high")) for r in rows if r["level"])


def test_the_page_and_both_command_lines_give_the_same_figures(statistician, weighting_wave,
                                                               tmp_path, app):
    import surveys.cli
    from analysis import cli as analysis_cli
    from quizapp.extensions import db
    from quizapp.models import SurveyEstimateRun, SurveyWeightingRun

    weighting_url = _weigh(statistician, weighting_wave)
    page = statistician.get(weighting_url)
    assert page.status_code == 200 and "placeholder-banner" in page.text
    assert "sex=male" not in page.text and "性别：男" in page.text
    run = db.session.scalar(select(SurveyWeightingRun))
    cases = statistician.get(weighting_url + "/files/cases.csv")
    assert cases.status_code == 200
    assert "PLACEHOLDER-MARGINS" in cases.headers["Content-Disposition"]
    (tmp_path / "cases.csv").write_bytes(cases.data)
    # The command the page shows, run in-process.
    command = weighting_runs_command(run)
    argv = shlex.split(command)[3:]
    assert argv[0] == "weight" and "--allow-placeholder-margins" in argv
    out = io.StringIO()
    with contextlib.chdir(tmp_path), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(io.StringIO()):
        assert surveys.cli.main([*argv, "--format", "json"]) == 0
    assert json.loads(out.getvalue()) == run.result
    assert (tmp_path / "weighted.csv").read_bytes() == statistician.get(
        weighting_url + "/files/weighted.csv").data

    estimate_url = _estimate(statistician, weighting_url)
    estimate = db.session.scalar(select(SurveyEstimateRun))
    shown = statistician.get(estimate_url)
    assert shown.status_code == 200 and "interim" in shown.text
    line = estimate.result["commands"]["meets"]
    # The form's 17.8 (%) is stored as 0.178 exactly, not 17.8 / 100 = 0.17800000000000002.
    assert estimate.settings["goal"] == 0.178 and estimate.settings["max_cv"] == 0.3
    assert "--goal=0.178 " in line + " " and "--goal=0.178" in shown.text
    argv = shlex.split(line)[3:]
    margins = Path(__file__).resolve().parents[2] / "surveys" / "margins" / f"{MARGINS}.csv"
    argv = [a.replace(f"surveys/margins/{MARGINS}.csv", str(margins)) for a in argv]
    out = io.StringIO()
    with contextlib.chdir(tmp_path), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(io.StringIO()):
        assert analysis_cli.main(argv) == 0
    assert json.loads(out.getvalue()) == estimate.result["reports"]["meets"]
    share = estimate.result["reports"]["meets"]["estimate"]
    assert f"{100 * share:.2f}%" in shown.text

    # Re-running the stored run from the database gives every figure again, exactly.
    check = statistician.post(estimate_url + "/rerun")
    assert check.status_code == 200 and 'data-test="rerun-identical"' in check.text


def weighting_runs_command(run) -> str:
    from quizapp.surveys import weighting_runs

    return weighting_runs.cli_command(run)


def test_a_rerun_lists_differences_and_refuses_changed_cases(weighting_wave, monkeypatch, app):
    import dataclasses

    import surveys
    from quizapp.extensions import db
    from quizapp.models import SurveyInterview
    from quizapp.surveys import estimate_runs, review, weighting_runs

    settings = surveys.WeightingSettings(allow_placeholder_margins=True, trim_lower=0.1,
                                         trim_upper=6.0)
    run = weighting_runs.run_weighting(weighting_wave, MARGINS, settings, None)
    estimate = estimate_runs.run_estimate(run, surveys.EstimateSettings(), None)
    assert estimate_runs.rerun(estimate).identical

    real = surveys.weighting.weight_cases

    def nudged(*args, **kwargs):
        result = real(*args, **kwargs)
        final = list(result.final_weight)
        final[0] *= 1.000001
        return dataclasses.replace(result, final_weight=tuple(final))

    monkeypatch.setattr(surveys.weighting, "weight_cases", nudged)
    check = estimate_runs.rerun(estimate)
    assert not check.identical and check.refused is None
    paths = [path for path, _stored, _now in check.differences]
    assert "weighting.final_weight[0]" in paths and "weighted.csv sha256" in paths
    assert "estimate.reports.meets.estimate" in paths
    monkeypatch.undo()

    interview = db.session.scalar(select(SurveyInterview).order_by(SurveyInterview.id))
    review.review_interview(interview, "rejected", "failed the back-check", None)
    check = estimate_runs.rerun(estimate)
    assert not check.identical and "个案自运行后已改变" in check.refused


def test_a_published_run_cannot_be_changed_and_a_new_one_supersedes_it(weighting_wave, app):
    import surveys
    from quizapp.extensions import db
    from quizapp.models import SurveyEstimateRun
    from quizapp.models.surveys import PublishedRunChanged
    from quizapp.surveys import estimate_runs, weighting_runs

    settings = surveys.WeightingSettings(allow_placeholder_margins=True, trim_lower=0.1,
                                         trim_upper=6.0)
    run = weighting_runs.run_weighting(weighting_wave, MARGINS, settings, None)
    first = estimate_runs.run_estimate(run, surveys.EstimateSettings(), None)
    second = estimate_runs.run_estimate(run, surveys.EstimateSettings(), None)
    estimate_runs.publish(first, None)
    assert first.status == "published" and first.published_at is not None
    with pytest.raises(weighting_runs.RunRefused):
        estimate_runs.publish(first, None)

    # A direct edit through the ORM is refused at the flush, and nothing is stored.
    for change in ({"result": {"reports": {}}}, {"settings": {"goal": 0.5}},
                   {"input_sha256": "0" * 64}, {"status": "draft"}, {"wave_status": "closed"}):
        for name, value in change.items():
            setattr(first, name, value)
        with pytest.raises(PublishedRunChanged):
            db.session.commit()
        db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(SurveyEstimateRun, first.id)
    assert stored.status == "published" and stored.result["reports"]["meets"]["n"] == 64
    db.session.delete(stored)
    with pytest.raises(PublishedRunChanged):
        db.session.commit()
    db.session.rollback()
    # A stored weighting run never changes either.
    run = db.session.get(type(run), run.id)
    run.case_ids = [1]
    with pytest.raises(PublishedRunChanged):
        db.session.commit()
    db.session.rollback()

    estimate_runs.publish(db.session.get(SurveyEstimateRun, second.id), None)
    db.session.expire_all()
    first = db.session.get(SurveyEstimateRun, first.id)
    assert (first.status, first.superseded_by_id) == ("superseded", second.id)
    assert [r.id for r in estimate_runs.published_runs()] == [second.id]
    first.status = "published"
    with pytest.raises(PublishedRunChanged):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("changes, message", [
    ({"allow_placeholder_margins": ""}, "使用占位边际"),
    ({"trim_lower": "-0.5"}, None),
    ({"trim_upper": "1e308"}, None),
    ({"trim_upper": "nan"}, None),
    ({"min_class": "99999999999999999999"}, None),
    ({"min_class": "-3"}, None),
    ({"margins": "no-such-margins"}, None),
    ({"classes": "stratum,psu"}, None),
    ({"trim_lower": "0.5", "trim_upper": "0.4"}, None),
])
def test_bad_weighting_input_is_a_message_not_a_500(statistician, weighting_wave, changes,
                                                    message):
    from quizapp.extensions import db
    from quizapp.models import SurveyWeightingRun

    response = statistician.post(f"/statistics/surveys/{weighting_wave.id}/weighting",
                                 data={**FORM, **changes})
    assert response.status_code == 400
    assert 'class="error"' in response.text
    if message:
        assert message in response.text
    assert db.session.scalar(select(SurveyWeightingRun)) is None


def test_nul_bytes_and_bad_estimate_input_are_refused(statistician, weighting_wave):
    wave = weighting_wave.id
    assert statistician.post(f"/statistics/surveys/{wave}/weighting",
                             data={**FORM, "margins": "x\x00"}).status_code == 400
    weighting_url = _weigh(statistician, weighting_wave)
    for data in ({"goal": "-1", "min_n": "30", "max_cv": "30"},
                 {"goal": "17.8", "min_n": "1e400", "max_cv": "30"},
                 {"goal": "inf", "min_n": "30", "max_cv": "30"}):
        response = statistician.post(weighting_url + "/estimate", data=data)
        assert response.status_code == 400 and 'class="error"' in response.text
    assert statistician.get("/statistics/surveys/compare?a=1&b=x").status_code == 400
    assert statistician.get(weighting_url + "/files/passwords.txt").status_code == 404


def test_weighting_without_accepted_interviews_is_refused(statistician, fieldwork_wave):
    response = statistician.post(f"/statistics/surveys/{fieldwork_wave.id}/weighting",
                                 data={**FORM, "margins": ""})
    assert response.status_code == 400 and "没有可加权的受访者" in response.text


def test_no_download_holds_personal_data(statistician, weighting_wave, app):
    from quizapp.extensions import db
    from quizapp.models import SurveyCaseContact, SurveyHousehold, SurveyInvitation
    from quizapp.surveys.export_service import DOWNLOADS
    from surveys.exports import find_forbidden

    # The planted personal data is there to find...
    assert db.session.scalar(select(SurveyCaseContact.name)) == SECRETS[0]
    assert db.session.scalar(select(SurveyInvitation.code)) == "SECRETCODE77"
    assert db.session.scalar(select(SurveyHousehold.label).where(
        SurveyHousehold.label.like(f"{SECRETS[4]}%"))) is not None
    # Raked to the placeholder margins (every file then carries the placeholder notes; its
    # replicates are not re-raked: 64 respondents are too few, and the files say so).
    weighting_url = _weigh(statistician, weighting_wave)
    forbidden = [*SECRETS, "SECRETCODE77"]
    sizes = {}
    for name in DOWNLOADS:
        response = statistician.get(f"{weighting_url}/files/{name}")
        assert response.status_code == 200, name
        assert find_forbidden(response.data, forbidden) == [], name
        sizes[name] = len(response.data)
    assert all(size > 100 for size in sizes.values())
    # The item responses are in: one column per item of both forms, and its _ok.
    header = statistician.get(f"{weighting_url}/files/respondents.csv").data.decode()
    columns = header.splitlines()[0].split(",")
    assert "q_survey_k_000" in columns and "q_survey_k_000_ok" in columns
    assert "final_weight" in columns and "rw_100" in columns and "case_id" not in columns


def test_the_public_view_suppresses_small_domains(statistician, weighting_wave, app):
    from quizapp.extensions import db
    from quizapp.models import SurveyEstimateRun

    estimate_url = _estimate(statistician, _weigh(statistician, weighting_wave))
    estimate = db.session.scalar(select(SurveyEstimateRun))
    rows = {row["level"]: row for row in estimate.result["reports"]["meets"]["by"]["sex"]}
    # 64 respondents, 32 of each sex: fewer than 30? no; by age band (about 13 each): yes.
    bands = estimate.result["reports"]["meets"]["by"]["age_band"]
    assert all(row["n"] < 30 for row in bands)
    public = statistician.get(estimate_url + "/public")
    assert public.status_code == 200 and 'data-test="public-view"' in public.text
    full = statistician.get(estimate_url)
    section = public.text.split('data-test="by-age_band"')[1].split("</section>")[0]
    assert "%" not in section.replace("95%", "")
    full_section = full.text.split('data-test="by-age_band"')[1].split("</section>")[0]
    assert f"{100 * bands[0]['estimate']:.2f}%" in full_section
    assert {row["n"] for row in rows.values()} == {32}


def test_default_bounds_that_cannot_be_met_say_what_to_change(statistician, weighting_wave):
    import math
    import re

    # 64 respondents raked to four placeholder margins: the default bounds 0.3-3.5 x the mean
    # cannot be kept after re-raking.  The page names the bounds, the respondents and the raked
    # weights' range, and what to change, at the bounds' field (not a raw English error).
    response = statistician.post(f"/statistics/surveys/{weighting_wave.id}/weighting",
                                 data={**FORM, "trim_lower": "0.3", "trim_upper": "3.5"})
    assert response.status_code == 400
    text = " ".join(response.text.split())
    found = re.search(r"截尾范围 0\.3–3\.5 × 平均权重与校准到总体边际无法同时满足（64 名受访者）："
                      r"校准后的权重在平均权重的 (\d+\.\d\d) 至 (\d+\.\d\d) 倍之间。", text)
    assert found, text[text.find("截尾"):][:400]
    low, high = float(found.group(1)), float(found.group(2))
    assert low < 0.3 or high > 3.5
    assert "放宽截尾范围" in text and "did not converge" not in text
    # The bounds the message points to (the raked range) are met: the run is made.
    _weigh(statistician, weighting_wave, trim_lower=str(math.floor(100 * low) / 100),
           trim_upper=str(high + 0.01))


def test_a_small_raked_run_gives_the_respondent_file_with_unraked_replicates(
        statistician, weighting_wave, tmp_path):
    import pyreadstat

    # Bootstrap replicates of 64 respondents cannot all be re-raked to the four margins: the
    # file is still given, its replicates not re-raked, and it says so.
    weighting_url = _weigh(statistician, weighting_wave)
    codebook = statistician.get(f"{weighting_url}/files/codebook.html")
    assert codebook.status_code == 200 and "NOT re-raked" in codebook.text
    sav = statistician.get(f"{weighting_url}/files/respondents.sav")
    assert sav.status_code == 200
    path = tmp_path / "respondents.sav"
    path.write_bytes(sav.data)
    _data, meta = pyreadstat.read_sav(str(path), metadataonly=True,
                                       output_format="dict")
    assert meta.column_names_to_labels["rw_1"] == (
        "重复权数 1（未校准） / Replicate weight 1 (not re-raked)")
    assert any("NOT re-raked" in line for line in meta.notes)


def test_two_runs_of_one_wave_are_not_compared_as_independent_samples(statistician,
                                                                      weighting_wave, app):
    from quizapp.extensions import db
    from quizapp.models import SurveyEstimateRun

    weighting_url = _weigh(statistician, weighting_wave)
    _estimate(statistician, weighting_url)
    _estimate(statistician, weighting_url)
    a, b = db.session.scalars(select(SurveyEstimateRun.id).order_by(SurveyEstimateRun.id))
    # Same respondents: sqrt(se_a² + se_b²) would be wrong, so no difference is shown.
    response = statistician.get(f"/statistics/surveys/compare?a={a}&b={b}")
    assert response.status_code == 400
    assert 'data-test="difference"' not in response.text
    assert "同一轮" in response.text


def test_a_stored_run_rakes_to_every_margins_variable(weighting_wave, app):
    import surveys
    from quizapp.extensions import db
    from quizapp.models import SurveyWeightingRun
    from quizapp.surveys import weighting_runs

    # The estimate run rakes to the whole margins file (and the export re-rakes every
    # replicate to it): weights raked to sex only would be moved there, so it is refused.
    settings = surveys.WeightingSettings(allow_placeholder_margins=True, trim_lower=None,
                                         trim_upper=None, rake_variables=("sex",))
    with pytest.raises(weighting_runs.RunRefused, match="全部变量"):
        weighting_runs.run_weighting(weighting_wave, MARGINS, settings, None)
    assert db.session.scalar(select(SurveyWeightingRun)) is None


def test_a_run_under_another_waves_address_is_not_found(statistician, weighting_wave,
                                                        make_wave, app):
    other = make_wave(name="2028 年度调查", year=2028)
    weighting_url = _weigh(statistician, weighting_wave)
    estimate_url = _estimate(statistician, weighting_url)
    run_id, estimate_id = weighting_url.rsplit("/", 1)[1], estimate_url.rsplit("/", 1)[1]
    base = f"/statistics/surveys/{other.id}"
    for url in (f"{base}/weighting/{run_id}", f"{base}/weighting/{run_id}/files/cases.csv",
                f"{base}/weighting/{run_id}/files/respondents.dta",
                f"{base}/estimates/{estimate_id}", f"{base}/estimates/{estimate_id}/public"):
        assert statistician.get(url).status_code == 404, url
    for url in (f"{base}/weighting/{run_id}/estimate", f"{base}/estimates/{estimate_id}/publish",
                f"{base}/estimates/{estimate_id}/rerun"):
        assert statistician.post(url, data={"goal": "17.8", "min_n": "30", "max_cv": "30",
                                            "confirm": "y"}).status_code == 404, url
def test_a_merged_class_is_named_township_by_township(app):
    from quizapp.surveys import run_pages

    townships = {"chengguan": "城关乡", "gangli": "岗李乡"}
    with app.test_request_context():
        assert run_pages.class_label("chengguan+gangli:urban", townships) == "城关乡＋岗李乡 · 城镇"
        assert run_pages.class_label("gangli:rural", townships) == "岗李乡 · 乡村"


def test_the_placeholder_warning_names_the_margins_through_the_label_tables(app):
    from quizapp.surveys import run_pages

    codes = ("sex=male", "urban_rural=urban", "age_band=18-29", "education=primary_or_less")
    with app.test_request_context():
        assert run_pages.placeholder_labels(codes) == (
            "性别：男, 城乡：城镇, 年龄段：18—29岁, 文化程度：小学及以下")
    from flask_babel import refresh

    from quizapp.extensions import LANGUAGE_COOKIE

    with app.test_request_context(headers={"Cookie": f"{LANGUAGE_COOKIE}=en"}):
        refresh()  # the language is cached on the app context the fixture holds
        assert run_pages.placeholder_labels(codes) == (
            "Sex: Male, Urban/rural: Urban, Age band: 18-29, Education: Primary school or less")
