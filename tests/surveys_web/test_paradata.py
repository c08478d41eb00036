"""The paradata export: one row per interview, no personal data (pinned header)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import SurveyCaseContact, SurveyHousehold, SurveyInterview
from quizapp.surveys import monitoring
from tests.surveys_web.monitor_support import build_worked_wave

pytestmark = pytest.mark.db

HEADER = ["interview_id", "case_id", "mode", "form", "interviewer_id", "started_at",
          "ended_at", "duration_seconds", "items_presented", "answer_changes", "page_ms",
          "device", "complete", "flags", "review_status"]


@pytest.fixture
def worked(pool, townships, make_wave, make_user):
    data = build_worked_wave(make_wave, make_user)
    for k, case in enumerate(data.cases):
        db.session.add(SurveyCaseContact(case_id=case.id, name=f"王秀英{k}",
                                         phone=f"1391234{k:04d}", address=f"幸福路{k}号院"))
    first = db.session.scalar(select(SurveyInterview).where(
        SurveyInterview.case_id == data.cases[0].id))
    first.paradata = {**first.paradata,
                      "device": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X)"}
    db.session.commit()
    make_user("stats", "statistician")
    return data


@pytest.fixture
def statistician(client, auth, worked):
    auth.login("stats")
    return client


def test_the_columns_are_pinned():
    assert list(monitoring.PARADATA_COLUMNS) == HEADER


def test_one_row_per_interview(worked):
    rows = monitoring.paradata_rows(worked.wave)
    assert len(rows) == 4
    by_case = {row[1]: dict(zip(HEADER, row, strict=True)) for row in rows}
    c1 = by_case[worked.cases[0].id]
    assert (c1["mode"], c1["interviewer_id"], c1["items_presented"], c1["answer_changes"],
            c1["duration_seconds"], c1["complete"], c1["flags"], c1["review_status"]) == (
        "capi", worked.ivan.id, 50, 0, 1200.0, 1, "", "accepted")
    assert c1["started_at"] == "2027-06-10T09:00:00+00:00"
    assert c1["page_ms"] == ";".join(["60000"] * 6) and c1["device"] == "ios"
    assert c1["form"] in ("A", "B")
    c4 = by_case[worked.cases[3].id]
    assert (c4["flags"], c4["review_status"], c4["duration_seconds"]) == (
        "too_fast", "pending", 100.0)
    c3 = by_case[worked.cases[2].id]
    assert (c3["complete"], c3["items_presented"]) == (0, 30)


def _personal_values(worked) -> list[str]:
    names = [c.name for c in db.session.scalars(select(SurveyCaseContact))]
    phones = [c.phone for c in db.session.scalars(select(SurveyCaseContact))]
    addresses = [c.address for c in db.session.scalars(select(SurveyCaseContact))]
    labels = [h.label for h in db.session.scalars(select(SurveyHousehold)) if h.label]
    return [*names, *phones, *addresses, *labels, worked.ivan.username, worked.xia.username,
            "Mozilla", "iPhone OS"]


def test_the_csv_has_no_personal_data(worked, statistician):
    response = statistician.get(f"/statistics/surveys/{worked.wave.id}/paradata.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER and len(rows) == 5
    leaked = [value for value in _personal_values(worked) if value in text]
    assert leaked == []


def test_the_xlsx_has_the_same_rows(worked, statistician):
    response = statistician.get(f"/statistics/surveys/{worked.wave.id}/paradata.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADER and len(values) == 5
    flat = " ".join(str(v) for row in values for v in row)
    assert [value for value in _personal_values(worked) if value in flat] == []


@pytest.mark.parametrize("fmt", ["pdf", "csv%00", "CSV", "xlsx.exe"])
def test_other_formats_are_404_or_400(worked, statistician, fmt):
    response = statistician.get(f"/statistics/surveys/{worked.wave.id}/paradata.{fmt}")
    assert response.status_code in (400, 404)


def test_odd_stored_paradata_does_not_break_the_export(worked, statistician):
    interview = db.session.scalar(select(SurveyInterview).where(
        SurveyInterview.case_id == worked.cases[6].id))
    interview.paradata = {"page_ms": "not a list", "answer_changes": "many", "device": 7}
    interview.flags = ["not a dict", {"code": "=HYPERLINK(1)"}]
    db.session.commit()
    response = statistician.get(f"/statistics/surveys/{worked.wave.id}/paradata.csv")
    assert response.status_code == 200
    row = next(r for r in csv.reader(io.StringIO(response.data.decode("utf-8-sig")))
               if r[1] == str(worked.cases[6].id))
    assert (row[9], row[10], row[11], row[13]) == ("", "", "", "'=HYPERLINK(1)")
    assert statistician.get(f"/statistics/surveys/{worked.wave.id}/paradata.xlsx"
                            ).status_code == 200
