"""Helpers for the offline app's tests: an interviewer with an assigned PSU and a submission
as the phone sends it (JSON)."""

from __future__ import annotations

import json

from quizapp.extensions import db
from quizapp.surveys import design
from tests.surveys_web.conftest import interview_submission


def assign(wave, user, index: int = 0):
    """Assign the wave's ``index``-th sampled PSU to ``user``; returns its ready case."""
    psu = design.sampled_psus(wave)[index]
    psu.interviewer_id = user.id
    db.session.commit()
    return design.cases_of(psu)[0]


def interview_json(case, client_id: str = "client-0001", **options) -> dict:
    """The JSON the phone sends for ``interview_submission(case, ...)``."""
    submission = interview_submission(case, client_id, **options)
    return {
        "client_id": submission.client_id, "case_id": case.id,
        "consent_at": submission.consent_at.isoformat(),
        "started_at": submission.started_at.isoformat(),
        "ended_at": submission.ended_at.isoformat(),
        "broken_off": submission.broken_off, "profile": dict(submission.profile),
        "answers": [{"item": a.question_version_id, "position": a.position,
                     "option_order": list(a.option_order),
                     "answer": a.answer if isinstance(a.answer, str) else list(a.answer),
                     "elapsed_ms": a.elapsed_ms, "changes": a.changes}
                    for a in submission.answers],
        "page_ms": list(submission.page_ms), "pages": ["consent", "personal", "K", "M"],
        "device": "Mozilla/5.0 (Linux; Android 10) test",
    }


def contact_json(case, client_id: str = "visit-0001", outcome: str = "consent_refused",
                 when: str = "2027-06-10T09:00:00+08:00") -> dict:
    return {"client_id": client_id, "case_id": case.id, "outcome": outcome,
            "attempted_at": when, "note": ""}


def token(client) -> str:
    response = client.get("/fieldwork/api/csrf")
    assert response.status_code == 200
    return response.get_json()["csrf_token"]


def post(client, path: str, payload, csrf: str | None = None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(path, data=body, content_type="application/json",
                       headers={"X-CSRFToken": csrf if csrf is not None else token(client)})
