"""The same interview sent twice at the same moment (two tabs, or a retry racing the first
send) stores one interview and one attempt: on SQLite here, on PostgreSQL in the
``KEXUE_TEST_DATABASE=postgres`` pass (the test uses the ``app`` fixture, so it is a ``db``
test and runs there against the real server)."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, SurveyContactAttempt, SurveyInterview
from tests.conftest import IsolatedClient
from tests.support import AuthActions
from tests.surveys_web.capi_support import assign, interview_json, token

pytestmark = pytest.mark.db


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _signed_in_clients(app, count: int) -> list[tuple[object, str]]:
    """``count`` separate sessions of the interviewer ``ivan``, each with its CSRF token."""
    app.test_client_class = IsolatedClient
    clients = []
    for _ in range(count):
        client = app.test_client()
        assert AuthActions(client).login("ivan").status_code == 302
        clients.append((client, token(client)))
    return clients


def _race(app, requests: list[tuple[object, str, dict]]) -> list[int]:
    """Send every ``(client, csrf, payload)`` from its own thread, all released at once."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int | None] = [None] * len(requests)

    def send(index: int, client, csrf: str, payload: dict) -> None:
        body = json.dumps(payload).encode()
        barrier.wait(10)
        response = client.post("/fieldwork/api/interviews", data=body,
                               content_type="application/json", headers={"X-CSRFToken": csrf})
        statuses[index] = response.status_code

    threads = [threading.Thread(target=send, args=(k, *request))
               for k, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    db.session.remove()  # read what the threads committed
    return sorted(statuses)


@pytest.fixture
def ivan_case(app, fieldwork_wave, make_user):
    case = assign(fieldwork_wave, make_user("ivan", "interviewer"), 0)
    return case.id, interview_json(case, "race-0001"), interview_json(case, "race-0002")


def test_the_same_interview_sent_twice_at_once_is_stored_once(app, ivan_case):
    case_id, payload, _other = ivan_case
    (first, first_csrf), (second, second_csrf) = _signed_in_clients(app, 2)
    statuses = _race(app, [(first, first_csrf, payload), (second, second_csrf, payload)])
    assert statuses == [200, 201]  # one created, one "already stored"
    assert _count(SurveyInterview, SurveyInterview.case_id == case_id) == 1
    assert _count(Attempt) == 1
    assert _count(SurveyContactAttempt, SurveyContactAttempt.outcome == "interview") == 1


def test_two_interviews_of_one_case_at_once_store_one(app, ivan_case):
    case_id, payload, other = ivan_case
    (first, first_csrf), (second, second_csrf) = _signed_in_clients(app, 2)
    statuses = _race(app, [(first, first_csrf, payload), (second, second_csrf, other)])
    assert statuses == [201, 409]  # the second is "already_interviewed"
    assert _count(SurveyInterview, SurveyInterview.case_id == case_id) == 1
    assert _count(Attempt) == 1
