"""Self-completion invitations for the statistics office: one-time unguessable codes, issuing
them for a wave's cases, the list, and the printed letters with the app's own QR codes."""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import timedelta

import pytest
import segno
from sqlalchemy import func, select

import surveys
from quizapp.engine import clock
from quizapp.extensions import db
from quizapp.models import SurveyCase, SurveyInvitation
from quizapp.surveys import design, invitations, services
from quizapp.surveys.interviews import CLIENT_ID, record_interview
from tests.support import csrf_token
from tests.surveys_web.conftest import ONE_STRATUM_CSV, interview_submission

pytestmark = pytest.mark.db
BASE = "/statistics/surveys"


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _invitations() -> list[SurveyInvitation]:
    return list(db.session.scalars(select(SurveyInvitation).order_by(SurveyInvitation.id)))


# --- codes -----------------------------------------------------------------------------------

def test_the_code_alphabet_length_and_entropy_are_pinned():
    assert invitations.CODE_ALPHABET == "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    assert not set("01OIL") & set(invitations.CODE_ALPHABET)
    assert len(set(invitations.CODE_ALPHABET)) == 31 and invitations.CODE_LENGTH == 12
    bits = invitations.CODE_LENGTH * math.log2(len(invitations.CODE_ALPHABET))
    assert bits == pytest.approx(59.45, abs=0.01) and bits >= 50


def test_codes_come_from_the_secrets_module(monkeypatch):
    drawn = []

    def choice(alphabet):
        drawn.append(alphabet)
        return alphabet[-1]

    monkeypatch.setattr(invitations.secrets, "choice", choice)
    assert invitations.new_code() == "Z" * 12
    assert drawn == [invitations.CODE_ALPHABET] * 12


def test_fresh_codes_are_distinct_and_use_the_whole_alphabet():
    codes = [invitations.new_code() for _ in range(20_000)]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 12 and set(c) <= set(invitations.CODE_ALPHABET) for c in codes)
    counts = Counter("".join(codes))
    expected = 20_000 * 12 / 31  # about 7742 per symbol; 6 standard deviations is ±520
    assert set(counts) == set(invitations.CODE_ALPHABET)
    assert all(abs(n - expected) < 520 for n in counts.values())


@pytest.mark.parametrize("typed", ["K7QM-3XTP-9RWD", "k7qm3xtp9rwd", " K7QM 3XTP 9RWD ",
                                   "k7qm–3xtp—9rwd", "Ｋ７ＱＭ－３ＸＴＰ－９ＲＷＤ",
                                   "K7QM_3XTP.9RWD", "K7QM\u30003XTP 9RWD"])
def test_typed_codes_are_normalised(typed):
    assert invitations.normalise_code(typed) == "K7QM3XTP9RWD"


@pytest.mark.parametrize("typed", ["K7QM-3XTP-9RW0", "K7QM-3XTP-9RWO", "K7QM-3XTP-9RWI",
                                   "K7QM-3XTP-9RWL", "K7QM-3XTP-9RW1", "K7QM-3XTP-9RW",
                                   "K7QM-3XTP-9RWDD", "", "K7QM-3XTP-9RW\x00", None, 12,
                                   "K" * 10_000, "中文中文中文中文中文中文"])
def test_malformed_codes_are_refused(typed):
    assert invitations.normalise_code(typed) is None
    assert invitations.lookup(typed).state == invitations.CodeState.UNKNOWN


def test_codes_are_shown_in_groups_of_four():
    assert invitations.format_code("K7QM3XTP9RWD") == "K7QM-3XTP-9RWD"


# --- issuing -----------------------------------------------------------------------------------

def test_issuing_gives_every_case_one_unique_code(fieldwork_wave):
    done = invitations.issue_invitations(fieldwork_wave, days=30)
    rows = _invitations()
    assert done == invitations.Issued(issued=4, skipped=0) and len(rows) == 4
    assert len({r.code for r in rows}) == 4 and len({r.client_id for r in rows}) == 4
    assert all(invitations.normalise_code(r.code) == r.code for r in rows)
    assert all(CLIENT_ID.fullmatch(f"{r.client_id}-c") for r in rows)
    assert all(r.expires_at - r.created_at == timedelta(days=30) for r in rows)
    again = invitations.issue_invitations(fieldwork_wave)
    assert again == invitations.Issued(issued=0, skipped=4) and _count(SurveyInvitation) == 4


def test_issuing_for_one_psu_skips_interviewed_cases(fieldwork_wave):
    first, second = design.sampled_psus(fieldwork_wave)
    interviewed = design.cases_of(first)[0]
    record_interview(interviewed, interview_submission(interviewed))
    done = invitations.issue_invitations(fieldwork_wave, sampled_psu_id=first.id)
    assert done == invitations.Issued(issued=1, skipped=1)
    assert {r.case_id for r in _invitations()} == {design.cases_of(first)[1].id}
    assert invitations.issue_invitations(fieldwork_wave, sampled_psu_id=second.id).issued == 2


@pytest.mark.parametrize("days", [0, 366, -1, True, 2**40])
def test_the_validity_must_be_1_to_365_days(fieldwork_wave, days):
    with pytest.raises(services.WaveRefused):
        invitations.issue_invitations(fieldwork_wave, days=days)
    assert _count(SurveyInvitation) == 0


def test_codes_are_issued_only_in_fieldwork(pool, townships, make_wave):
    wave = make_wave()
    with pytest.raises(services.WaveRefused):
        invitations.issue_invitations(wave)


def test_a_psu_of_another_wave_is_refused(fieldwork_wave):
    with pytest.raises(services.WaveRefused):
        invitations.issue_invitations(fieldwork_wave, sampled_psu_id=999_999)


def test_the_status_of_an_invitation(fieldwork_wave, monkeypatch):
    invitations.issue_invitations(fieldwork_wave)
    issued, opened, started, declined = _invitations()
    opened.opened_at = clock.now()
    started.progress = {"consent_at": "2027-06-10T09:00:00+00:00", "page": 0}
    declined.progress = {"declined_at": "2027-06-10T09:00:00+00:00"}
    db.session.commit()
    now = clock.now()
    status = invitations.InvitationStatus
    assert [invitations.status_of(i, False, now) for i in _invitations()] == [
        status.ISSUED, status.OPENED, status.STARTED, status.DECLINED]
    assert invitations.status_of(issued, True, now) == status.USED
    later = issued.expires_at
    assert invitations.status_of(issued, False, later) == status.EXPIRED
    assert invitations.status_of(started, True, later) == status.USED


def test_a_code_stops_opening_when_it_expires_or_fieldwork_ends(fieldwork_wave, monkeypatch):
    invitations.issue_invitations(fieldwork_wave)
    invitation = _invitations()[0]
    state = invitations.CodeState
    assert invitations.lookup(invitation.code).state == state.OPEN
    moment = invitation.expires_at
    monkeypatch.setattr(clock, "now", lambda: moment - timedelta(microseconds=1))
    assert invitations.lookup(invitation.code).state == state.OPEN
    monkeypatch.setattr(clock, "now", lambda: moment)
    assert invitations.lookup(invitation.code).state == state.EXPIRED
    monkeypatch.undo()
    fieldwork_wave.status = "closed"
    db.session.commit()
    assert invitations.lookup(invitation.code).state == state.EXPIRED


# --- the office's pages --------------------------------------------------------------------------

@pytest.fixture
def statistician(client, auth, make_user):
    make_user("stats", "statistician")
    auth.login("stats")
    return client


def test_the_statistician_issues_codes_and_lists_them(statistician, fieldwork_wave):
    url = f"{BASE}/{fieldwork_wave.id}/invitations"
    assert "自填问卷邀请" in statistician.get(f"{BASE}/{fieldwork_wave.id}").text
    page = statistician.get(url)
    assert page.status_code == 200 and "还没有发放邀请码" in page.text
    psu = design.sampled_psus(fieldwork_wave)[0]
    response = statistician.post(url, data={"csrf_token": csrf_token(page.text),
                                            "scope": str(psu.id), "days": "60"})
    assert response.status_code == 302
    page = statistician.get(url).text
    assert "已发放 2 个邀请码" in page
    for invitation in _invitations():
        assert invitations.format_code(invitation.code) in page
    assert page.count('data-test="invitation-status"') == 2 and "已发出，未打开" in page
    response = statistician.post(url, data={"csrf_token": csrf_token(page),
                                            "scope": "all", "days": "60"})
    assert response.status_code == 302 and _count(SurveyInvitation) == 4
    filtered = statistician.get(f"{url}?psu={psu.id}").text
    assert filtered.count('data-test="invitation-status"') == 2
    huge = statistician.get(f"{url}?psu=99999999999999999999")
    assert huge.status_code == 200 and huge.text.count('data-test="invitation-status"') == 4


@pytest.mark.parametrize("data", [{"scope": "12345678", "days": "60"},
                                  {"scope": "all", "days": "99999999999999999999"},
                                  {"scope": "all", "days": "0"},
                                  {"scope": "all\x01", "days": "60"}])
def test_bad_issue_forms_are_form_errors(statistician, fieldwork_wave, data):
    url = f"{BASE}/{fieldwork_wave.id}/invitations"
    token = csrf_token(statistician.get(url).text)
    response = statistician.post(url, data={"csrf_token": token, **data})
    assert response.status_code == 400 and 'class="error"' in response.text
    assert _count(SurveyInvitation) == 0


def test_issuing_outside_fieldwork_is_refused_on_the_page(statistician, fieldwork_wave):
    url = f"{BASE}/{fieldwork_wave.id}/invitations"
    token = csrf_token(statistician.get(url).text)
    fieldwork_wave.status = "closed"
    db.session.commit()
    response = statistician.post(url, data={"csrf_token": token, "scope": "all", "days": "60"})
    assert response.status_code == 400 and _count(SurveyInvitation) == 0


def test_other_roles_cannot_see_the_invitations(client, auth, make_user, fieldwork_wave):
    invitations.issue_invitations(fieldwork_wave)
    make_user("ivy", "interviewer")
    auth.login("ivy")
    for path in ("invitations", "invitations/letters"):
        assert client.get(f"{BASE}/{fieldwork_wave.id}/{path}").status_code == 403


# --- letters -------------------------------------------------------------------------------------

@pytest.fixture
def big_wave(pool, townships, make_wave):
    """A wave in fieldwork with 10 cases (2 PSUs, 5 households taken of 8 listed)."""
    wave = make_wave(name="2027 大样本", seed=777)
    services.assemble_forms(wave)
    design.import_frame(wave, ONE_STRATUM_CSV, "frame.csv")
    design.fix_design(wave, surveys.DesignSpec(interviews=10, take=5, method="proportional",
                                               min_psus=2))
    design.draw_sample(wave)
    services.start_fieldwork(wave)
    for psu in design.sampled_psus(wave):
        design.list_households(wave, psu, [f"{k}号" for k in range(1, 9)])
    assert _count(SurveyCase) == 10
    return wave


def test_letters_are_eight_to_an_a4_sheet_with_the_apps_own_qr_code(statistician, big_wave):
    invitations.issue_invitations(big_wave)
    page = statistician.get(f"{BASE}/{big_wave.id}/invitations/letters")
    assert page.status_code == 200
    html = page.text
    sheets = html.split('data-test="sheet"')[1:]
    assert [s.count('data-test="letter"') for s in sheets] == [8, 2]
    assert html.count(big_wave.name) >= 10 and "随机抽中" in html and "自愿" in html
    assert "css/letters.css" in html and "<script>" not in html
    for invitation in _invitations():
        code = invitations.format_code(invitation.code)
        url = f"http://localhost/survey/{code}"
        assert f'data-test="letter-code">{code}<' in html and url in html
        # The QR code is segno's drawing of exactly this link (regenerated independently).
        svg = segno.make(url, error="m").svg_inline(omitsize=True, border=2, svgclass="qr",
                                                    lineclass=None)
        assert svg in html
    assert html.count("<svg") == 10 and "api.qrserver" not in html and "https://" not in html
    assert re.search(r"致 \S+ \d号 住户", html)  # the dwelling as the addressee


def test_the_letter_style_sheet_prints_two_by_four_on_a4(app):
    from pathlib import Path

    css = (Path(app.static_folder) / "css" / "letters.css").read_text()
    assert "@page { size: A4 portrait" in css
    assert "grid-template-columns: repeat(2, 105mm)" in css
    assert "grid-template-rows: repeat(4, 74.25mm)" in css
    assert "dashed" in css and "break-after: page" in css


def test_letters_leave_out_used_and_expired_codes_and_follow_the_psu(statistician, big_wave,
                                                                     monkeypatch):
    invitations.issue_invitations(big_wave, days=10)
    first = _invitations()[0]
    first.used_at = clock.now()
    db.session.commit()
    psu = design.sampled_psus(big_wave)[1]
    url = f"{BASE}/{big_wave.id}/invitations/letters"
    assert statistician.get(url).text.count('data-test="letter"') == 9
    assert statistician.get(f"{url}?psu={psu.id}").text.count('data-test="letter"') == 5
    assert invitations.format_code(first.code) not in statistician.get(url).text
    later = clock.now() + timedelta(days=11)
    monkeypatch.setattr(clock, "now", lambda: later)
    empty = statistician.get(url)
    assert empty.status_code == 200 and 'data-test="letter"' not in empty.text
    assert "没有可打印的邀请函" in empty.text


def test_letters_are_in_chinese_whatever_the_page_language(statistician, big_wave):
    invitations.issue_invitations(big_wave)
    statistician.set_cookie("kx_lang", "en")
    assert "Self-completion invitations" in statistician.get(
        f"{BASE}/{big_wave.id}/invitations").text
    letters = statistician.get(f"{BASE}/{big_wave.id}/invitations/letters").text
    assert "随机抽中" in letters and "Hello!" not in letters


def test_a_large_wave_prints_in_runs(statistician, big_wave, monkeypatch):
    from quizapp.surveys import invitation_routes

    invitations.issue_invitations(big_wave)
    monkeypatch.setattr(invitation_routes, "LETTERS_PER_PAGE", 8)
    url = f"{BASE}/{big_wave.id}/invitations/letters"
    first, second = statistician.get(url).text, statistician.get(f"{url}?page=2").text
    assert first.count('data-test="letter"') == 8 and second.count('data-test="letter"') == 2
    assert "第 1 批，共 2 批（共 10 封邀请函）" in first
    codes = {invitations.format_code(i.code) for i in _invitations()}
    assert {c for c in codes if c in first} | {c for c in codes if c in second} == codes
    for page in ("3", "0", "-1", "99999999999999999999", "x"):
        assert statistician.get(f"{url}?page={page}").status_code == 200
