"""Fieldwork monitoring on a hand-worked wave (``monitor_support``): every figure pinned.

The rates are AAPOR's (2023, *Standard Definitions*, 10th ed., section "Response rates"):

* RR1 = I / ((I+P) + (R+NC+O) + (UH+UO))
* RR3 = I / ((I+P) + (R+NC+O) + e(UH+UO))
* COOP1 = I / ((I+P) + R + O)
* CON1 = ((I+P) + R + O) / ((I+P) + R + O + NC + (UH+UO))

with e = (I+P+R+NC+O) / (I+P+R+NC+O+NE) (proportional allocation), and the three cases not
yet worked counted as 3.11 "not attempted or worked", i.e. UH.

The wave's twelve cases: I = 3 (c1, c4, c7), P = 1 (c3), R = 1 (c2), NC = 1 (c5), O = 0,
UH = 1 (c9) + 3 not worked (c6, c10, c11) = 4, UO = 1 (c12), NE = 1 (c8).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from quizapp.surveys import monitoring
from tests.surveys_web.monitor_support import build_worked_wave

pytestmark = pytest.mark.db

E = Fraction(6, 7)  # (3+1+1+1+0) / (3+1+1+1+0+1)


@pytest.fixture
def worked(pool, townships, make_wave, make_user):
    return build_worked_wave(make_wave, make_user)


def _approx(value: Fraction):
    return pytest.approx(float(value), abs=1e-12)


def test_overall_rates_match_the_aapor_formulas_worked_by_hand(worked):
    m = monitoring.monitoring(worked.wave)
    counts = m.overall.counts
    assert (counts.I, counts.P, counts.R, counts.NC, counts.O, counts.UH, counts.UO,
            counts.NE) == (3, 1, 1, 1, 0, 4, 1, 1)
    assert m.unworked == 3 and m.cases == 12
    assert m.overall.e == _approx(E)
    # RR1 = 3 / (3+1+1+1+0+4+1) = 3/11
    assert m.overall.rr1 == _approx(Fraction(3, 11))
    # RR3 = 3 / (6 + 6/7 x 5) = 3 / (72/7) = 7/24
    assert m.overall.rr3 == _approx(Fraction(7, 24))
    # COOP1 = 3 / (3+1+1+0) = 3/5; CON1 = 5 / (5+1+5) = 5/11
    assert m.overall.coop1 == _approx(Fraction(3, 5))
    assert m.overall.con1 == _approx(Fraction(5, 11))


def test_rates_by_township_and_interviewer_use_the_wave_e(worked):
    m = monitoring.monitoring(worked.wave)
    longhu, xincun = m.by_township
    assert (longhu.name, longhu.unworked, xincun.name, xincun.unworked) == (
        "龙湖街道", 1, "新村镇", 2)
    # 龙湖: I=2 P=1 R=1 NC=1 UH=1 (c6). RR1 = 2/6; RR3 = 2/(5 + 6/7) = 14/41;
    # COOP1 = 2/4; CON1 = 4/(4+1+1).
    assert longhu.rates.e == _approx(E)
    assert longhu.rates.rr1 == _approx(Fraction(1, 3))
    assert longhu.rates.rr3 == _approx(Fraction(14, 41))
    assert longhu.rates.coop1 == _approx(Fraction(1, 2))
    assert longhu.rates.con1 == _approx(Fraction(2, 3))
    # 新村: I=1 NE=1 UH=3 (c9, c10, c11) UO=1. RR1 = 1/5; RR3 = 1/(1 + 6/7 x 4) = 7/31.
    assert xincun.rates.rr1 == _approx(Fraction(1, 5))
    assert xincun.rates.rr3 == _approx(Fraction(7, 31))
    assert xincun.rates.coop1 == 1.0 and xincun.rates.con1 == _approx(Fraction(1, 5))

    ivan, xia, nobody = m.by_interviewer
    assert (ivan.name, xia.name, nobody.key) == ("ivan", "xia", "")
    assert ivan.rates.rr3 == longhu.rates.rr3
    # xia: c7 I, c8 NE, c9 UH: RR1 = 1/2, RR3 = 1/(1 + 6/7) = 7/13, CON1 = 1/2.
    assert xia.rates.rr1 == 0.5 and xia.rates.rr3 == _approx(Fraction(7, 13))
    assert xia.rates.con1 == 0.5
    # Nobody: c10, c11 not worked, c12 unanswered letter: no interview, no cooperation rate.
    assert nobody.rates.rr1 == 0.0 and nobody.rates.coop1 is None and nobody.unworked == 2


def test_completes_against_targets_by_township_and_psu(worked):
    m = monitoring.monitoring(worked.wave)
    assert [(r.name, r.target, r.cases, r.completes, r.accepted) for r in m.strata] == [
        ("龙湖街道", 6, 6, 2, 1), ("新村镇", 6, 6, 1, 1)]
    assert [(r.target, r.cases, r.completes, r.accepted) for r in m.psus] == [
        (3, 3, 1, 1), (3, 3, 1, 0), (3, 3, 1, 1), (3, 3, 0, 0)]
    assert (m.target, m.completes) == (12, 3)
    assert m.strata[0].percent == pytest.approx(100 * 2 / 6)
    # c4 was too fast: its complete interview waits for review.
    assert m.review == {"pending": 1, "accepted": 2, "rejected": 0}
    assert [(r.code, r.aapor, r.cases) for r in m.dispositions] == [
        ("complete", "1.1", 3), ("partial", "1.2", 1), ("refusal", "2.11", 1),
        ("break_off", "2.12", 0), ("non_contact", "2.20", 1), ("other", "2.30", 0),
        ("unknown_household", "3.10", 1), ("unknown_other", "3.90", 1),
        ("not_eligible", "4.0", 1), ("not_worked", "3.11", 3)]


def test_interviewer_workload_and_productivity(worked):
    m = monitoring.monitoring(worked.wave)
    ivan, xia = m.interviewers
    # ivan: visits = c1 no contact + c1 interview + c2 refusal + c3 interview + c4 interview
    # + c5 two visits = 7; completes c1 (20 min) and c4 (100 s): median (20 + 5/3) / 2.
    assert (ivan.name, ivan.psus, ivan.cases, ivan.visits, ivan.completes) == (
        "ivan", 2, 6, 7, 2)
    assert ivan.completes_per_visit == pytest.approx(2 / 7)
    assert ivan.median_minutes == pytest.approx((20 + 100 / 60) / 2)
    assert (xia.psus, xia.cases, xia.visits, xia.completes, xia.median_minutes) == (
        1, 3, 3, 1, 30.0)
    assert xia.completes_per_visit == pytest.approx(1 / 3)


def test_a_wave_without_cases_has_no_rates(fieldwork_wave):
    m = monitoring.monitoring(fieldwork_wave)
    assert m.overall.rr1 is not None  # the fixture's four cases are all not worked (UH)
    assert m.overall.rr1 == 0.0 and m.overall.e is None and m.overall.rr3 is None
    assert m.unworked == 4 and m.interviewers == ()


@pytest.fixture
def statistician(client, auth, make_user):
    make_user("stats", "statistician")
    auth.login("stats")
    return client


def test_the_page_shows_the_pinned_rates_and_states_its_rules(worked, statistician):
    page = statistician.get(f"/statistics/surveys/{worked.wave.id}/monitoring")
    assert page.status_code == 200
    html = page.text
    assert 'data-test="rr1">27.3%' in html  # 3/11
    assert 'data-test="rr3">29.2%' in html  # 7/24
    assert 'data-test="coop1">60.0%' in html and 'data-test="con1">45.5%' in html
    assert 'data-test="e">0.857' in html
    assert "3.11" in html and "尚未" in html  # the rule for cases not worked, in Chinese
    assert "龙湖街道" in html and "新村镇" in html and "ivan" in html
    assert "未接触到" in html and "完成访问" in html  # dispositions by name, not by code
    assert "non_contact" not in html and "unknown_household" not in html
    # The wave page and the design summary link here.
    wave_page = statistician.get(f"/statistics/surveys/{worked.wave.id}").text
    assert f"/statistics/surveys/{worked.wave.id}/monitoring" in wave_page
    summary = statistician.get(f"/statistics/surveys/{worked.wave.id}/summary").text
    assert f"/statistics/surveys/{worked.wave.id}/monitoring" in summary


def test_the_page_in_english(worked, statistician):
    statistician.set_cookie("kx_lang", "en")
    html = statistician.get(f"/statistics/surveys/{worked.wave.id}/monitoring").text
    assert "not attempted or worked" in html and "Non-contact" in html


@pytest.mark.parametrize("role", ["interviewer", "resident", "teacher"])
def test_interviewers_and_residents_cannot_see_monitoring(worked, client, auth, make_user,
                                                         role):
    make_user(f"someone-{role}", role)
    auth.login(f"someone-{role}")
    wave_id = worked.wave.id
    for url in (f"/statistics/surveys/{wave_id}/monitoring",
                f"/statistics/surveys/{wave_id}/review",
                f"/statistics/surveys/{wave_id}/paradata.csv"):
        assert client.get(url).status_code == 403, url


def test_bad_wave_ids_are_404_not_500(statistician):
    for url in ("/statistics/surveys/99999/monitoring",
                f"/statistics/surveys/{2**31}/monitoring",
                f"/statistics/surveys/{10**30}/monitoring",
                "/statistics/surveys/-1/monitoring"):
        assert statistician.get(url).status_code == 404, url


def test_a_wave_still_being_designed_shows_empty_pages(statistician, make_wave, townships):
    wave = make_wave(name="设计中")
    m = monitoring.monitoring(wave)
    assert (m.strata, m.cases, m.overall.rr1, m.by_township) == ((), 0, None, ())
    for url in (f"/statistics/surveys/{wave.id}/monitoring",
                f"/statistics/surveys/{wave.id}/review",
                f"/statistics/surveys/{wave.id}/paradata.csv"):
        assert statistician.get(url).status_code == 200, url
    assert "尚未抽取样本" in statistician.get(f"/statistics/surveys/{wave.id}/monitoring").text
