"""Closing a wave deletes its personal data and keeps everything else
(``quizapp.surveys.closing``, ``flask surveys close-wave``, the wave page's button)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptItem,
    SurveyCase,
    SurveyCaseContact,
    SurveyContactAttempt,
    SurveyHousehold,
    SurveyInterview,
    SurveyInvitation,
    SurveySampledPSU,
    SurveyWave,
)
from quizapp.surveys import closing, review
from quizapp.surveys.interviews import ContactRecord, record_contact
from quizapp.surveys.services import WaveRefused
from tests.support import csrf_token
from tests.surveys_web.monitor_support import build_worked_wave

pytestmark = pytest.mark.db

UA = ("Mozilla/5.0 (Linux; Android 13; V2219A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
      "Chrome/116.0.0.0 Mobile Safari/537.36")


@pytest.fixture
def worked(pool, townships, make_wave, make_user):
    """The hand-worked wave with personal data everywhere it can be: a contact row for every
    case, household descriptions, a visit note, invitations with codes and saved progress, a
    full browser string and an unknown paradata key on an interview; c4's review decided."""
    data = build_worked_wave(make_wave, make_user)
    stats = make_user("stats", "statistician")
    for k, case in enumerate(data.cases):
        db.session.add(SurveyCaseContact(case_id=case.id, name=f"张{k}", phone=f"1380000{k:04d}",
                                         address=f"龙湖镇{k}组{k}号"))
    expires = datetime(2027, 12, 31, tzinfo=UTC)
    for k, case in enumerate(data.cases[9:]):
        db.session.add(SurveyInvitation(wave_id=data.wave.id, case_id=case.id,
                                        code=f"CODE{k:08d}", client_id=f"invitation-{k:04d}",
                                        expires_at=expires,
                                        progress={"answers": {"1": [0]}} if k == 0 else {}))
    interview = _interview(data.cases[0])
    interview.paradata = {**interview.paradata, "device": UA, "gps": [34.39, 113.74]}
    db.session.commit()
    review.review_interview(_interview(data.cases[3]), "accepted", "回访核实", stats.id)
    return data


def _interview(case) -> SurveyInterview:
    return db.session.scalar(select(SurveyInterview).where(SurveyInterview.case_id == case.id))


def _personal_data_left(wave: SurveyWave) -> dict[str, list]:
    """Every stored value of the wave's personal-data columns that is not empty."""
    cases = select(SurveyCase.id).where(SurveyCase.wave_id == wave.id)
    psus = select(SurveySampledPSU.id).where(SurveySampledPSU.wave_id == wave.id)
    return {
        "contacts": list(db.session.execute(
            select(SurveyCaseContact.name, SurveyCaseContact.phone, SurveyCaseContact.address)
            .where(SurveyCaseContact.case_id.in_(cases)))),
        "household labels": list(db.session.scalars(
            select(SurveyHousehold.label).where(SurveyHousehold.sampled_psu_id.in_(psus),
                                                SurveyHousehold.label != ""))),
        "visit notes": list(db.session.scalars(
            select(SurveyContactAttempt.note).where(SurveyContactAttempt.case_id.in_(cases),
                                                    SurveyContactAttempt.note != ""))),
        "invitation codes": list(db.session.scalars(
            select(SurveyInvitation.code).where(SurveyInvitation.wave_id == wave.id,
                                                SurveyInvitation.code.is_not(None)))),
        "invitation progress": [p for p in db.session.scalars(
            select(SurveyInvitation.progress).where(SurveyInvitation.wave_id == wave.id)) if p],
        "devices": [p.get("device") for p in db.session.scalars(
            select(SurveyInterview.paradata).where(SurveyInterview.wave_id == wave.id))
            if p.get("device") not in closing.DEVICE_KINDS],
        "unknown paradata": [sorted(set(p) - closing.PARADATA_KEPT) for p in db.session.scalars(
            select(SurveyInterview.paradata).where(SurveyInterview.wave_id == wave.id))
            if set(p) - closing.PARADATA_KEPT],
    }


def _kept(wave: SurveyWave) -> dict[str, object]:
    """What closing must not touch."""
    return {
        "dispositions": list(db.session.execute(
            select(SurveyCase.id, SurveyCase.disposition, SurveyCase.base_weight)
            .where(SurveyCase.wave_id == wave.id).order_by(SurveyCase.id))),
        "interviews": list(db.session.execute(
            select(SurveyInterview.case_id, SurveyInterview.total, SurveyInterview.level,
                   SurveyInterview.complete, SurveyInterview.dimension_scores,
                   SurveyInterview.profile, SurveyInterview.review_status,
                   SurveyInterview.review_reason, SurveyInterview.flags)
            .where(SurveyInterview.wave_id == wave.id).order_by(SurveyInterview.case_id))),
        "answers": db.session.scalar(select(func.count(AttemptItem.id))),
        "attempts": db.session.scalar(select(func.count(Attempt.id))),
        "visits": db.session.scalar(select(func.count(SurveyContactAttempt.id))),
        "households": db.session.scalar(select(func.count(SurveyHousehold.id))),
        "page_ms": [p.get("page_ms") for p in db.session.scalars(
            select(SurveyInterview.paradata).where(SurveyInterview.wave_id == wave.id)
            .order_by(SurveyInterview.case_id))],
    }


def test_closing_deletes_every_personal_datum_and_keeps_the_rest(worked):
    wave = worked.wave
    before = _personal_data_left(wave)
    assert len(before["contacts"]) == 12 and len(before["household labels"]) == 32
    assert before["visit notes"] == ["下午再来"] and len(before["invitation codes"]) == 3
    assert sorted(before["devices"]) == sorted(["test"] * 3 + [UA])
    kept = _kept(wave)

    report = closing.close_wave(wave)

    assert wave.status == "closed"
    assert _personal_data_left(wave) == {key: [] for key in before}
    assert _kept(wave) == kept
    assert (report.contacts_deleted, report.labels_blanked, report.notes_blanked,
            report.codes_deleted, report.progress_cleared, report.paradata_reduced,
            report.paradata_keys_dropped, report.interviews_kept) == (
        12, 32, 1, 3, 1, 4, ("gps",), 4)
    assert _interview(worked.cases[0]).paradata["device"] == "android"
    assert [c.id for c in review.accepted_complete_cases(wave)] == [
        worked.cases[0].id, worked.cases[3].id, worked.cases[6].id]


def test_closing_again_changes_nothing(worked):
    closing.close_wave(worked.wave)
    kept = _kept(worked.wave)
    again = closing.close_wave(worked.wave)
    assert again.was_closed and (again.contacts_deleted, again.labels_blanked,
                                 again.notes_blanked, again.codes_deleted,
                                 again.progress_cleared, again.paradata_reduced) == (0,) * 6
    assert _kept(worked.wave) == kept


def test_a_closed_wave_takes_no_more_fieldwork(worked):
    closing.close_wave(worked.wave)
    with pytest.raises(WaveRefused):
        record_contact(worked.cases[5], ContactRecord(
            "late-visit-0001", "no_contact", datetime(2027, 7, 1, tzinfo=UTC)))


def test_pending_reviews_block_closing(worked):
    interview = _interview(worked.cases[3])
    interview.review_status, interview.reviewed_by_id = "pending", None
    db.session.commit()
    with pytest.raises(closing.ClosingRefused, match="1"):
        closing.close_wave(worked.wave)
    assert worked.wave.status == "fieldwork"
    assert len(_personal_data_left(worked.wave)["contacts"]) == 12


def test_a_wave_being_designed_cannot_be_closed(make_wave, townships):
    wave = make_wave(name="设计中")
    with pytest.raises(closing.ClosingRefused):
        closing.close_wave(wave)


@pytest.mark.parametrize(("device", "kind"), [
    (UA, "android"), ("", ""), (None, ""), (42, ""), ("test", "other"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X)", "ios"),
    ("Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00)", "harmonyos"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1)", "macos"),
    ("Mozilla/5.0 (X11; Linux x86_64)", "linux"), ("android", "android"), ("other", "other"),
])
def test_the_device_is_reduced_to_its_kind(device, kind):
    assert closing.coarse_device(device) == kind
    assert closing.coarse_device(kind) == kind  # reducing twice changes nothing


# --- command line -----------------------------------------------------------------------------

def test_the_command_closes_and_prints_what_it_deleted(worked, runner):
    result = runner.invoke(args=["surveys", "close-wave", str(worked.wave.id)])
    assert result.exit_code == 0, result.output
    assert f"wave {worked.wave.id} closed" in result.output
    assert "contact records deleted (names, phones, addresses): 12" in result.output
    assert "household descriptions blanked: 32" in result.output
    assert "invitation codes deleted: 3" in result.output
    assert "paradata keys dropped: gps" in result.output
    assert _personal_data_left(worked.wave)["contacts"] == []
    again = runner.invoke(args=["surveys", "close-wave", str(worked.wave.id)])
    assert again.exit_code == 0 and "was already closed" in again.output
    assert "contact records deleted (names, phones, addresses): 0" in again.output


@pytest.mark.parametrize("argument", ["99999", "0", "-3", "abc", str(10**30)])
def test_the_command_refuses_unknown_waves(app, runner, argument):
    result = runner.invoke(args=["surveys", "close-wave", argument])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_the_command_refuses_a_wave_with_pending_reviews(worked, runner):
    interview = _interview(worked.cases[3])
    interview.review_status, interview.reviewed_by_id = "pending", None
    db.session.commit()
    result = runner.invoke(args=["surveys", "close-wave", str(worked.wave.id)])
    assert result.exit_code == 1 and "not closed" in result.output
    assert worked.wave.status == "fieldwork"


# --- the wave page's button -------------------------------------------------------------------

@pytest.fixture
def statistician(client, auth, worked):
    auth.login("stats")
    return client


def test_the_button_needs_the_confirmation_box(worked, statistician):
    url = f"/statistics/surveys/{worked.wave.id}"
    page = statistician.get(url)
    assert 'data-test="close-wave"' in page.text
    token = csrf_token(page.text)
    response = statistician.post(f"{url}/close", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SurveyWave, worked.wave.id).status == "fieldwork"
    assert "请勾选方框" in statistician.get(url).text
    response = statistician.post(f"{url}/close", data={"csrf_token": token, "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SurveyWave, worked.wave.id).status == "closed"
    page = statistician.get(url).text
    assert "删除了 12 条联系信息" in page and 'data-test="closed-note"' in page
    assert _personal_data_left(worked.wave)["contacts"] == []


def test_the_button_without_csrf_closes_nothing(worked, statistician):
    statistician.post(f"/statistics/surveys/{worked.wave.id}/close", data={"confirm": "y"})
    db.session.expire_all()
    assert db.session.get(SurveyWave, worked.wave.id).status == "fieldwork"


def test_interviewers_cannot_close_a_wave(worked, client, auth):
    auth.login("ivan")
    token = csrf_token(client.get("/").text)
    assert client.post(f"/statistics/surveys/{worked.wave.id}/close",
                       data={"csrf_token": token, "confirm": "y"}).status_code == 403
    assert client.get(f"/statistics/surveys/{worked.wave.id}/review/1").status_code == 403
    assert worked.wave.status == "fieldwork"
