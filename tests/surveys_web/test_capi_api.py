"""The offline app's package and sync API (``quizapp.surveys.capi``): only the interviewer's
own cases, no answer keys on the phone, every record stored once, bad JSON refused."""

from __future__ import annotations

import json
import random

import pytest
from sqlalchemy import func, select

import surveys
from quizapp.extensions import db
from quizapp.models import Attempt, SurveyContactAttempt, SurveyInterview
from quizapp.surveys import design
from tests.surveys_web.capi_support import assign, contact_json, interview_json, post, token

pytestmark = pytest.mark.db

INTERVIEWS = "/fieldwork/api/interviews"
CONTACTS = "/fieldwork/api/contacts"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def ivan(fieldwork_wave, make_user, auth):
    """Interviewer Ivan, signed in, with the wave's first PSU; returns its ready case."""
    user = make_user("ivan", "interviewer")
    case = assign(fieldwork_wave, user, 0)
    auth.login("ivan")
    return case


@pytest.fixture
def olga_case(fieldwork_wave, make_user):
    """The second PSU's ready case, assigned to another interviewer, Olga."""
    return assign(fieldwork_wave, make_user("olga", "interviewer"), 1)


# --- package ----------------------------------------------------------------------------------

def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_the_package_has_only_the_interviewers_cases_and_no_keys(client, ivan, olga_case,
                                                                 fieldwork_wave):
    # Make the keys and explanations recognisable: a single-choice item keyed on its third
    # option, and a unique explanation and source on every item of both forms.
    versions = [item.question_version for form in fieldwork_wave.forms for item in form.items]
    for version in versions:
        version.explanation = f"EXPLANATION-{version.id}-SECRET"
        version.authority = f"SOURCE-{version.id}-SECRET"
    keyed = ivan.form.items[0].question_version
    keyed.type, keyed.options, keyed.answer = "single", ["甲", "乙", "丙", "丁"], [2]
    db.session.commit()

    response = client.get("/fieldwork/api/package")
    assert response.status_code == 200
    package = response.get_json()
    assert [c["id"] for c in package["cases"]] == [ivan.id]  # not Olga's, not unscreened
    text = response.get_data(as_text=True)
    assert "SECRET" not in text
    assert _keys(package) & {"answer", "explanation", "authority", "correct", "key"} == set()
    form = package["forms"][str(ivan.form_id)]
    items = [item for section in form["sections"] for item in section["items"]]
    assert len(items) == 50 and [s["dimension"] for s in form["sections"]] == list("KMSA")
    first = items[0]
    assert first == {"id": keyed.id, "position": 0, "type": "single", "stem": keyed.stem,
                     "options": ["甲", "乙", "丙", "丁"]}
    case = package["cases"][0]
    assert case["household"] == "1号" or case["household"].endswith("号")
    assert case["adult"]["of"] == 3 and case["form_code"] == ivan.form.code
    # The fixture lists 男 50, 女 48, 女 20: the phone says which of them to ask for.
    assert (case["adult"]["sex"], case["adult"]["age"]) in {("male", 50), ("female", 48),
                                                            ("female", 20)}
    assert case["interviewed"] is False
    assert package["waves"][str(fieldwork_wave.id)]["name"] == fieldwork_wave.name
    assert {"who", "what", "why", "kept", "voluntary"} <= set(package["consent"])
    demographics = package["demographics"]
    assert [c["code"] for c in demographics["education"]] == [m.value for m in
                                                              surveys.EducationDetail]
    assert [c["code"] for c in demographics["occupation"]] == [m.value for m in
                                                               surveys.Occupation]
    assert demographics["sex"][0] == {"code": "male", "label": "男", "zh": "男", "en": "Male"}
    assert any(t["code"] == "longhu" for t in demographics["townships"])


def test_the_option_orders_are_the_seeds(client, ivan, fieldwork_wave):
    orders = client.get("/fieldwork/api/package").get_json()["cases"][0]["option_orders"]
    again = client.get("/fieldwork/api/package").get_json()["cases"][0]["option_orders"]
    assert orders == again
    rng = surveys.stage_rng(fieldwork_wave.seed, "options", ivan.id)
    # The fixture's items are true/false: shown in their own order, and no draw is made.
    assert all(order == [0, 1] for order in orders.values())
    keyed = ivan.form.items[3].question_version
    keyed.type, keyed.options = "single", ["a", "b", "c", "d", "e"]
    db.session.commit()
    orders = client.get("/fieldwork/api/package").get_json()["cases"][0]["option_orders"]
    rng = surveys.stage_rng(fieldwork_wave.seed, "options", ivan.id)
    assert orders[str(keyed.id)] == [int(k) for k in rng.permutation(5)]
    assert sorted(orders[str(keyed.id)]) == [0, 1, 2, 3, 4]


def test_the_app_and_the_package_are_for_interviewers_only(client, auth, make_user,
                                                           fieldwork_wave):
    assert client.get("/fieldwork/app").status_code == 302  # to the login page
    worker = client.get("/fieldwork/sw.js")
    worker.close()
    assert worker.status_code == 200
    make_user("stat", "statistician")
    auth.login("stat")
    assert client.get("/fieldwork/api/package").status_code == 403
    assert client.get("/fieldwork/app").status_code == 403


def test_the_app_page_and_service_worker(client, ivan):
    page = client.get("/fieldwork/app")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-sw="/fieldwork/sw.js"' in html and 'data-scope="/fieldwork/"' in html
    assert 'id="capi-text"' in html and "/static/fieldwork/app.js" in html
    worker = client.get("/fieldwork/sw.js")
    text = worker.get_data(as_text=True)
    worker.close()
    assert worker.mimetype == "text/javascript" and "const VERSION" in text


# --- interviews -------------------------------------------------------------------------------

def test_an_interview_is_stored_once_and_a_resend_is_recognised(client, ivan):
    csrf = token(client)
    first = post(client, INTERVIEWS, interview_json(ivan), csrf)
    assert first.status_code == 201, first.get_json()
    assert first.get_json() == {"status": "created", "client_id": "client-0001",
                                "case_id": ivan.id, "disposition": "complete"}
    again = post(client, INTERVIEWS, interview_json(ivan), csrf)
    assert again.status_code == 200 and again.get_json()["status"] == "stored"
    assert _count(SurveyInterview) == 1 and _count(Attempt) == 1
    interview = db.session.scalar(select(SurveyInterview))
    assert interview.interviewer_id is not None and interview.mode == "capi"
    assert interview.paradata["device"].startswith("Mozilla/5.0")
    assert interview.paradata["page_ms"] == [60000] * 6
    assert interview.paradata["pages"] == ["consent", "personal", "K", "M"]
    assert client.get("/fieldwork/api/package").get_json()["cases"][0]["interviewed"] is True


def test_a_second_interview_of_the_case_is_refused_with_409(client, ivan):
    assert post(client, INTERVIEWS, interview_json(ivan, "client-0001")).status_code == 201
    second = post(client, INTERVIEWS, interview_json(ivan, "client-0002"))
    assert second.status_code == 409
    assert second.get_json()["code"] == "already_interviewed"
    assert _count(SurveyInterview) == 1 and _count(Attempt) == 1


def test_a_broken_off_interview_is_a_partial(client, ivan):
    response = post(client, INTERVIEWS, interview_json(ivan, presented=30, broken_off=True))
    assert response.status_code == 201 and response.get_json()["disposition"] == "partial"


def test_an_ineligible_respondent_is_refused_with_422(client, ivan):
    response = post(client, INTERVIEWS, interview_json(ivan, birth_year=1950))
    assert response.status_code == 422 and response.get_json()["code"] == "not_eligible"
    assert _count(SurveyInterview) == 0


def test_another_interviewers_case_is_404_and_stores_nothing(client, ivan, olga_case,
                                                             fieldwork_wave):
    for payload, path in ((interview_json(olga_case), INTERVIEWS),
                          (contact_json(olga_case), CONTACTS)):
        response = post(client, path, payload)
        assert response.status_code == 404 and response.get_json()["code"] == "not_found"
    unassigned = design.cases_of(design.sampled_psus(fieldwork_wave)[1])[1]
    assert post(client, CONTACTS, contact_json(unassigned)).status_code == 404
    assert post(client, CONTACTS, {**contact_json(ivan), "case_id": 2**31 - 1}
                ).status_code == 404
    assert _count(SurveyInterview) == 0 and _count(SurveyContactAttempt) == 0


def test_a_post_without_the_csrf_token_is_refused(client, ivan):
    response = client.post(INTERVIEWS, data=json.dumps(interview_json(ivan)),
                           content_type="application/json")
    assert response.status_code == 400
    assert _count(SurveyInterview) == 0


def test_signed_out_and_other_roles_cannot_send(client, auth, make_user, ivan):
    csrf = token(client)
    auth.logout()
    response = post(client, INTERVIEWS, interview_json(ivan), csrf)
    assert response.status_code in (302, 400)  # to the login page, or the old session's token
    assert _count(SurveyInterview) == 0


# --- contacts ---------------------------------------------------------------------------------

def test_a_consent_refusal_is_stored_once(client, ivan):
    first = post(client, CONTACTS, contact_json(ivan))
    assert first.status_code == 201 and first.get_json()["disposition"] == "refusal"
    assert post(client, CONTACTS, contact_json(ivan)).status_code == 200
    assert _count(SurveyContactAttempt) == 1
    bad = post(client, CONTACTS, contact_json(ivan, "visit-0002", outcome="party"))
    assert bad.status_code == 422 and bad.get_json()["code"] == "bad_outcome"


# --- malformed payloads -----------------------------------------------------------------------

def _bad_interviews(case) -> list[tuple[str, object]]:
    good = interview_json(case)
    answer = good["answers"][0]

    def replace(**changes):
        return {**good, **changes}

    def replace_answer(**changes):
        return replace(answers=[{**answer, **changes}, *good["answers"][1:]])

    return [
        ("empty", b""), ("truncated", b'{"client_id": "abc'), ("null", b"null"),
        ("list", b"[]"), ("string", b'"x"'), ("NaN", b'{"case_id": NaN}'),
        ("deep", b"[" * 100_000 + b"]" * 100_000), ("not UTF-8", b'{"client_id": "\xff\xfe"}'),
        ("raw NUL", b'{"client_id": "client\x00-0001"}'),
        ("too large", b'{"pad": "' + b"x" * 600_000 + b'"}'),
        ("no client id", {k: v for k, v in good.items() if k != "client_id"}),
        ("NUL in client id", replace(client_id="client-\u00000001")),
        ("client id chars", replace(client_id="../../etc/passwd")),
        ("client id short", replace(client_id="abc")),
        ("client id number", replace(client_id=12345678)),
        ("case id string", replace(case_id="1")),
        ("case id bool", replace(case_id=True)),
        ("case id huge", replace(case_id=2**63)),
        ("case id float", replace(case_id=1.5)),
        ("no time zone", replace(started_at="2027-06-10T09:00:00")),
        ("not a date", replace(ended_at="yesterday")),
        ("year 9999", replace(ended_at="9999-01-01T00:00:00+00:00")),
        ("times reversed", replace(ended_at="2027-06-09T09:00:00+00:00")),
        ("broken_off string", replace(broken_off="yes")),
        ("profile list", replace(profile=[])),
        ("profile control", replace(profile={**good["profile"], "sex": "fe\nmale"})),
        ("profile unknown code", replace(profile={**good["profile"], "education": "phd"})),
        ("birth year huge", replace(profile={**good["profile"], "birth_year": 10**30})),
        ("birth month 13", replace(profile={**good["profile"], "birth_month": 13})),
        ("profile missing", replace(profile={"sex": "female"})),
        ("answers object", replace(answers={"0": 1})),
        ("answers empty", replace(answers=[])),
        ("answers too many", replace(answers=[answer] * 201)),
        ("answer duplicated", replace(answers=[answer, answer])),
        ("answer item unknown", replace_answer(item=999_999)),
        ("answer option out of range", replace_answer(answer=[7])),
        ("answer word", replace_answer(answer="maybe")),
        ("answer nested", replace_answer(answer=[[0]])),
        ("option order short", replace_answer(option_order=[0])),
        ("option order negative", replace_answer(option_order=[-1, 0])),
        ("elapsed negative", replace_answer(elapsed_ms=-5)),
        ("elapsed huge", replace_answer(elapsed_ms=10**20)),
        ("changes float", replace_answer(changes=1.0)),
        ("position huge", replace_answer(position=10**9)),
        ("page_ms strings", replace(page_ms=["1"])),
        ("pages control", replace(pages=["K\x07"])),
        ("device too long", replace(device="x" * 201)),
        ("device control", replace(device="ok\x1b[2J")),
    ]


def test_malformed_interviews_are_refused_never_500(client, ivan):
    csrf = token(client)
    for name, payload in _bad_interviews(ivan):
        response = post(client, INTERVIEWS, payload, csrf)
        assert response.status_code in (400, 409, 413, 422), (name, response.status_code)
        if response.status_code != 413:
            body = response.get_json()
            assert body["code"] and body["message"], name
    assert _count(SurveyInterview) == 0 and _count(Attempt) == 0
    assert post(client, INTERVIEWS, interview_json(ivan), csrf).status_code == 201


def test_random_mutations_of_a_record_never_500(client, ivan):
    """Seeded fuzz: one field of a valid record (or of its first answer) replaced by a random
    value of a random type; the server answers 201/200 or a refusal, and stores one interview
    at most."""
    rng = random.Random(20270610)
    values = [None, True, -1, 0, 2**31, 2**64, 1.5, "", "x" * 300, "\x00", "dont_know",
              [], [0], [1, 0], {}, {"a": 1}, "2027-06-10T09:00:00Z"]
    csrf = token(client)
    statuses = set()
    for round_ in range(120):
        payload = interview_json(ivan, f"fuzz-{round_:04d}")
        if rng.random() < 0.5:
            payload[rng.choice(sorted(payload))] = rng.choice(values)
        else:
            answer = payload["answers"][0]
            answer[rng.choice(sorted(answer))] = rng.choice(values)
        response = post(client, INTERVIEWS, payload, csrf)
        statuses.add(response.status_code)
        assert response.status_code in (200, 201, 400, 409, 422), (round_, payload)
    assert _count(SurveyInterview) <= 1
    assert 422 in statuses


def test_malformed_contacts_are_refused(client, ivan):
    csrf = token(client)
    good = contact_json(ivan)
    for payload in (b"{", {**good, "note": "a\x00b"}, {**good, "note": "x" * 201},
                    {**good, "attempted_at": "2027-06-10"}, {**good, "outcome": None},
                    {**good, "outcome": "REFUSAL!"}, {**good, "case_id": -1}):
        response = post(client, CONTACTS, payload, csrf)
        assert response.status_code in (400, 422), payload
    assert _count(SurveyContactAttempt) == 0


def test_unknown_fields_are_ignored(client, ivan):
    payload = {**interview_json(ivan), "gps": [34.4, 113.7], "respondent_name": "张三"}
    assert post(client, INTERVIEWS, payload).status_code == 201
    interview = db.session.scalar(select(SurveyInterview))
    assert "张三" not in json.dumps(interview.paradata, ensure_ascii=False)
    assert "respondent_name" not in interview.profile
