"""The self-completion questionnaire through the real stack, as a respondent with a code:
consent, the personal section, one page per section, stop and resume, one completion per
code, clear messages for used, expired and unknown codes, and bad input refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from quizapp.engine import clock
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    SurveyContactAttempt,
    SurveyInterview,
    SurveyInvitation,
)
from quizapp.surveys import design, invitations
from quizapp.surveys.interviews import record_interview
from tests.support import csrf_token
from tests.surveys_web.conftest import interview_submission

pytestmark = pytest.mark.db

PROFILE = {"sex": "female", "birth_year": "1980", "birth_month": "5",
           "education": "senior_secondary", "occupation": "agriculture", "township": "longhu",
           "urban_rural": "urban", "in_city_since_year": "", "household_adults": "2"}
USED = "这份问卷已经填写完成，感谢参与"


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def invited(fieldwork_wave):
    """Every case of the wave invited; returns (wave, invitation of an unscreened case)."""
    invitations.issue_invitations(fieldwork_wave)
    case = design.cases_of(design.sampled_psus(fieldwork_wave)[0])[1]  # not screened
    invitation = db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.case_id == case.id))
    return fieldwork_wave, invitation


def _main(html: str) -> str:
    """The page's own content (the header's forms carry the page's path)."""
    return html[html.index("<main>"):html.index("</main>")]


def _url(invitation) -> str:
    return f"/survey/{invitations.format_code(invitation.code)}"


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name} in the page"
    return match.group(1)


def _post(client, url: str, data: dict, page: str | None = None):
    """Post ``data`` on the page the code is on (its CSRF token, step and time stamp)."""
    html = page if page is not None else client.get(url).text
    fields = {"csrf_token": csrf_token(html), "step": _hidden(html, "step"),
              "shown": _hidden(html, "shown")}
    return client.post(url, data={**fields, **data})


def _right_answers(invitation, page: int) -> dict[str, str]:
    """The display index of the right answer of every item on a section page (the pool's
    items are true/false with the key 0)."""
    _dimension, items = invitations.questionnaire(invitation).sections[page - 1]
    return {f"q{item.position}": str(item.order.index(0)) for item in items}


def _answer_through(client, invitation, last_page: int, start: int = 1):
    url = _url(invitation)
    for page in range(start, last_page + 1):
        response = _post(client, url, {"action": "next", **_right_answers(invitation, page)})
        assert response.status_code == 302, response.text


def _consent_and_profile(client, invitation, **profile):
    url = _url(invitation)
    assert _post(client, url, {"action": "accept"}).status_code == 302
    response = _post(client, url, {**PROFILE, **profile})
    assert response.status_code == 302, response.text
    return url


def test_a_respondent_completes_the_questionnaire_once(client, invited):
    wave, invitation = invited
    url = _url(invitation)
    consent = client.get(url)
    assert consent.status_code == 200
    for words in ("新郑市统计局", "自愿", "不询问您的姓名", "随时"):
        assert words in consent.text, words
    _consent_and_profile(client, invitation)
    page = client.get(url).text
    assert "科学知识" in page and page.count('data-test="item"') == 20
    assert "不知道" in page
    # No navigation bar on the questionnaire: it would lead to practice, which shows answers.
    assert 'class="tabbar"' not in consent.text and 'class="tabbar"' not in page
    _answer_through(client, invitation, 4)
    done = client.get(url)
    assert done.status_code == 200 and USED in done.text

    interview = db.session.scalar(select(SurveyInterview))
    case = invitation.case
    assert _count(SurveyInterview) == 1 and interview.mode == "cawi"
    assert interview.client_id == invitation.client_id and interview.interviewer_id is None
    assert interview.complete and interview.total == 100.0 and case.disposition == "complete"
    # The household's two adults set the within-household probability and the weight.
    assert case.eligible_adults == 2 and case.within_probability == 0.5
    assert case.base_weight is not None and case.status == "ready"
    assert interview.profile["age"] == 47 and interview.profile["household_adults"] == 2
    assert interview.profile["years_in_city"] == 47  # since birth
    paradata = interview.paradata
    orders = invitations.option_orders(wave, case)
    assert paradata["option_orders"] == {str(k): list(v) for k, v in orders.items()}
    assert len(paradata["page_ms"]) == 5 and paradata["answer_changes"] == 0
    assert paradata["device"] == "Werkzeug/" + paradata["device"].split("/", 1)[1]
    assert db.session.get(SurveyInvitation, invitation.id).used_at is not None


def test_options_are_shuffled_per_case_reproducibly_from_the_seed(invited):
    wave, invitation = invited
    case = invitation.case
    orders = invitations.option_orders(wave, case)
    assert orders == invitations.option_orders(wave, case)
    assert len(set(orders.values())) == 2  # true/false items: both orders occur
    other = design.cases_of(design.sampled_psus(wave)[1])[1]
    assert invitations.option_orders(wave, other) != orders or other.form_id != case.form_id


def test_the_page_shows_options_in_the_stored_order_and_never_the_key(client, invited):
    wave, invitation = invited
    for item in invitation.case.form.items:
        item.question_version.explanation = "SECRET-EXPLANATION"
        item.question_version.authority = "SECRET-SOURCE"
    db.session.commit()
    url = _consent_and_profile(client, invitation)
    seen = []
    for page in range(1, 5):
        html = client.get(url).text
        assert "SECRET" not in html and "correct" not in html.lower()
        _dimension, items = invitations.questionnaire(invitation).sections[page - 1]
        for item in items:
            # True/false: the label shown first is the original option order[0].
            block = html[html.index(f'name="q{item.position}"') - 200:]
            first = re.search(r'value="0"[^>]*>\s*<span>(.*?)</span>', block).group(1)
            assert first == ("正确" if item.order[0] == 0 else "错误")
        seen.append(html)
        _answer_through(client, invitation, page, start=page)
    done = client.get(url).text
    assert "SECRET" not in done and "分" not in done.split(USED)[1][:200]


def test_stop_and_resume_on_another_device_keeps_answers(app, client, invited):
    _wave, invitation = invited
    first = client
    url = _consent_and_profile(first, invitation)
    answers = _right_answers(invitation, 1)
    _answer_through(first, invitation, 1)
    # Page 2 (mathematics): answer half and save for later.
    half = dict(list(_right_answers(invitation, 2).items())[:5])
    saved = _post(first, url, {"action": "save", **half})
    assert saved.status_code == 302

    second = app.test_client()  # another phone, no cookies: only the code
    entered = second.post("/survey/", data={
        "csrf_token": csrf_token(second.get("/survey/").text),
        "code": invitations.format_code(invitation.code).lower().replace("-", " ")})
    assert entered.status_code == 302 and entered.headers["Location"].endswith(url)
    page = second.get(url).text
    assert "第 3 页，共 5 页" in page and "科学方法" in page
    for name, value in half.items():
        assert re.search(rf'name="{name}" value="{value}"[^>]*checked', page), name
    back = _post(second, url, {"action": "back"}, page=page)
    assert back.status_code == 302
    page = second.get(url).text
    assert "第 2 页，共 5 页" in page
    for name, value in answers.items():
        assert re.search(rf'name="{name}" value="{value}"[^>]*checked', page), name
    # Changing one answer on the way is counted.
    changed = dict(answers)
    name = next(iter(changed))
    changed[name] = "dk"
    assert _post(second, url, {"action": "next", **changed}, page=page).status_code == 302
    _answer_through(second, invitation, 4, start=2)
    interview = db.session.scalar(select(SurveyInterview))
    assert interview.complete and interview.paradata["answer_changes"] == 1
    assert interview.total < 100.0  # the "don't know" counts wrong
    assert interview.paradata["visits"] >= 2


def test_a_double_finish_and_two_tabs_store_one_interview(app, client, invited):
    _wave, invitation = invited
    tab_a, tab_b = client, app.test_client()  # the client fixture isolates each request
    url = _consent_and_profile(tab_a, invitation)
    _answer_through(tab_a, invitation, 3)
    last_a = tab_a.get(url).text
    last_b = tab_b.get(url).text
    data = {"action": "next", **_right_answers(invitation, 4)}
    assert _post(tab_a, url, data, page=last_a).status_code == 302
    again = _post(tab_a, url, data, page=last_a)
    other = _post(tab_b, url, data, page=last_b)
    assert again.status_code == 200 and USED in again.text
    assert other.status_code == 200 and USED in other.text
    assert _count(SurveyInterview) == 1 and _count(Attempt) == 1
    # The service itself: a second finish returns the stored interview.
    first = db.session.scalar(select(SurveyInterview))
    assert invitations.finish(invitation, "x").id == first.id
    assert _count(SurveyInterview) == 1


def test_a_used_code_shows_only_the_thanks(client, invited):
    _wave, invitation = invited
    url = _consent_and_profile(client, invitation)
    _answer_through(client, invitation, 4)
    for path in (url, url.lower(), url.replace("-", "")):
        response = client.get(path)
        assert response.status_code == 200 and USED in response.text
        assert 'name="q' not in response.text and "问卷" in response.text
    entered = client.post("/survey/", data={
        "csrf_token": csrf_token(client.get("/survey/").text), "code": invitation.code})
    assert entered.status_code == 302 and client.get(entered.headers["Location"]).text.count(
        USED) == 1


def test_a_case_interviewed_in_person_shows_its_code_as_used(client, fieldwork_wave):
    invitations.issue_invitations(fieldwork_wave)
    case = design.cases_of(design.sampled_psus(fieldwork_wave)[0])[0]  # screened
    record_interview(case, interview_submission(case))
    invitation = db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.case_id == case.id))
    response = client.get(_url(invitation))
    assert response.status_code == 200 and USED in response.text


def test_an_expired_code_says_whom_to_contact(client, invited, monkeypatch):
    _wave, invitation = invited
    expires = invitation.expires_at
    monkeypatch.setattr(clock, "now", lambda: expires - timedelta(seconds=1))
    assert client.get(_url(invitation)).status_code == 200
    monkeypatch.setattr(clock, "now", lambda: expires)
    response = client.get(_url(invitation))
    assert response.status_code == 410
    assert "不再有效" in response.text and "新郑市统计局" in response.text
    assert "同意" not in response.text


def test_unknown_and_malformed_codes_get_the_same_answer(client, invited):
    _wave, invitation = invited
    alphabet = invitations.CODE_ALPHABET
    other = "".join(alphabet[(alphabet.index(c) + 1) % len(alphabet)] for c in invitation.code)
    pages = [client.get(f"/survey/{code}") for code in (
        invitations.format_code(other), "K7QM-3XTP-9RW0", "short", "x" * 500, "%E4%B8%AD")]
    assert {p.status_code for p in pages} == {404}
    assert len({_main(p.text) for p in pages}) == 1
    assert "找不到这个邀请码" in pages[0].text


def test_declining_at_consent_is_a_refusal_recorded_once(client, invited):
    _wave, invitation = invited
    url = _url(invitation)
    page = client.get(url).text
    first = _post(client, url, {"action": "decline"}, page=page)
    second = _post(client, url, {"action": "decline"}, page=page)
    assert first.status_code == second.status_code == 200
    assert "不参加" in first.text
    assert _count(SurveyContactAttempt) == 1
    contact = db.session.scalar(select(SurveyContactAttempt))
    assert contact.outcome == "consent_refused" and contact.mode == "cawi"
    assert invitation.case.disposition == "refusal"
    # They may change their mind while the code is valid: the interview then decides.
    _consent_and_profile(client, invitation)
    _answer_through(client, invitation, 4)
    assert invitation.case.disposition == "complete" and _count(SurveyInterview) == 1


def test_an_ineligible_age_stays_on_the_personal_section(client, invited):
    _wave, invitation = invited
    url = _url(invitation)
    _post(client, url, {"action": "accept"})
    response = _post(client, url, {**PROFILE, "birth_year": "1950"})
    assert response.status_code == 400 and "18" in response.text and "69" in response.text
    assert "第 1 页" in client.get(url).text


@pytest.mark.parametrize("value", ["2", "-1", "99999999999999999999999", "0 ", "1.0", "dk2",
                                   "٣", ""])
def test_an_option_not_shown_is_refused_and_nothing_saved(client, invited, value):
    _wave, invitation = invited
    url = _consent_and_profile(client, invitation)
    answers = _right_answers(invitation, 1)
    first = next(iter(answers))
    response = _post(client, url, {"action": "next", **answers, first: value})
    assert response.status_code == 400
    assert ("不是显示的选项之一" in response.text) or ("请回答每一道题" in response.text)
    assert "第 2 页" in response.text
    db.session.refresh(invitation)
    assert invitation.progress["page"] == 1 and not invitation.progress.get("answers")


def test_two_values_for_one_choice_item_are_refused(client, invited):
    _wave, invitation = invited
    url = _consent_and_profile(client, invitation)
    answers = _right_answers(invitation, 1)
    first = next(iter(answers))
    html = client.get(url).text
    data = {"csrf_token": csrf_token(html), "step": "p1", "shown": "1", "action": "next",
            **answers}
    data[first] = ["0", "1"]
    assert client.post(url, data=data).status_code == 400
    data[first] = ["0", "dk"]
    assert client.post(url, data=data).status_code == 400


def test_an_unanswered_item_asks_for_an_answer_and_keeps_the_others(client, invited):
    _wave, invitation = invited
    url = _consent_and_profile(client, invitation)
    answers = _right_answers(invitation, 1)
    first = answers.pop(next(iter(answers)))
    del first
    response = _post(client, url, {"action": "next", **answers})
    assert response.status_code == 400 and "请回答每一道题" in response.text
    name, value = next(iter(answers.items()))
    assert re.search(rf'name="{name}" value="{value}"[^>]*checked', response.text)


@pytest.mark.parametrize("field,value", [("birth_year", "99999999999999999999"),
                                         ("birth_year", "1e3"), ("household_adults", "0"),
                                         ("household_adults", "21"), ("education", "phd"),
                                         ("township", "atlantis"), ("sex", "x"),
                                         ("in_city_since_year", "1970")])
def test_bad_personal_answers_are_form_errors(client, invited, field, value):
    _wave, invitation = invited
    url = _url(invitation)
    _post(client, url, {"action": "accept"})
    response = _post(client, url, {**PROFILE, field: value})
    assert response.status_code == 400 and 'class="error"' in response.text
    db.session.refresh(invitation)
    assert invitation.progress["page"] == 0 and "profile" not in invitation.progress


def test_nul_bytes_stale_steps_and_bad_actions_are_clear_errors(client, invited):
    _wave, invitation = invited
    url = _url(invitation)
    html = client.get(url).text
    token = csrf_token(html)
    assert client.post("/survey/", data={"csrf_token": token, "code": "AB\x00C"}
                       ).status_code == 400
    assert client.get("/survey/AB%00CD").status_code == 400
    assert client.post(url, data={"csrf_token": token, "step": "consent",
                                  "action": "jump"}).status_code == 400
    assert client.post(url, data={"step": "consent", "action": "accept"}).status_code == 400
    stale = client.post(url, data={"csrf_token": token, "step": "p3", "action": "next"})
    assert stale.status_code == 302
    assert "已经回答过" in client.get(url).text
    _post(client, url, {"action": "accept"})
    answers = _right_answers(invitation, 1)
    assert client.post(url, data={"csrf_token": token, "step": "p0", "shown": "\x00",
                                  **answers}).status_code == 400
    assert invitations.elapsed_ms("9" * 30) == 0 and invitations.elapsed_ms("-5") == 0
    assert invitations.elapsed_ms(None) == 0


def test_failed_code_lookups_are_rate_limited(app, client, invited):
    _wave, invitation = invited
    app.config["SURVEY_CODE_RATE_LIMIT"] = "3 per minute"
    url = _url(invitation)
    for _ in range(6):  # a respondent paging through a valid code never counts
        assert client.get(url).status_code == 200
    token = csrf_token(client.get("/survey/").text)
    assert client.post("/survey/", data={"csrf_token": token, "code": "2222-2222-2222"}
                       ).status_code == 400
    assert client.get("/survey/3333-3333-3333").status_code == 404
    assert client.get("/survey/nonsense").status_code == 404
    # The limit is shared by both pages, and holds even for the right code.
    assert client.get("/survey/4444-4444-4444").status_code == 429
    assert client.get(url).status_code == 429
    assert client.post("/survey/", data={"csrf_token": token, "code": invitation.code}
                       ).status_code == 429


def test_the_code_entry_page_accepts_what_people_type(client, invited):
    _wave, invitation = invited
    target = _url(invitation)
    page = client.get("/survey/")
    assert page.status_code == 200 and 'name="code"' in page.text
    token = csrf_token(page.text)
    grouped = invitations.format_code(invitation.code)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in grouped.lower())
    for typed in (grouped, grouped.lower(), f"  {invitation.code}  ", fullwidth,
                  grouped.replace("-", " ")):
        response = client.post("/survey/", data={"csrf_token": token, "code": typed})
        assert response.status_code == 302 and response.headers["Location"].endswith(target)
    # A non-canonical link is sent on to the canonical one.
    sent = client.get(f"/survey/{invitation.code.lower()}")
    assert sent.status_code == 302 and sent.headers["Location"].endswith(target)


NASTY = ("\x01\x07\x08\x0b\x1b\x7f\x85\x9f\u2028\ufeff\U0001f600中'\"<>&%=+-@ ")
TEXT = st.one_of(st.text(max_size=40), st.text(alphabet=NASTY + "ab1", max_size=20))
NUMBERS = st.one_of(st.integers(min_value=-(2**80), max_value=2**80).map(str),
                    st.sampled_from(["", "-0", "1e9", "0x10", "٣", "9" * 400, "NaN", "dk"]),
                    TEXT)


def test_fuzzed_pages_never_fail_on_the_server(app, client, invited):
    """Arbitrary text and numbers on every respondent form: a page or a clear 4xx, never a
    5xx, and nothing stored from a refused page."""
    _wave, invitation = invited
    app.config["SURVEY_CODE_RATE_LIMIT"] = "100000 per minute"
    url = _url(invitation)
    token = csrf_token(client.get("/survey/").text)
    fuzz = settings(max_examples=40, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

    @fuzz
    @given(code=TEXT)
    def code_entry(code):
        response = client.post("/survey/", data={"csrf_token": token, "code": code})
        assert response.status_code in (302, 400)

    @fuzz
    @given(values=st.fixed_dictionaries({k: NUMBERS for k in PROFILE}), step=TEXT)
    def profile(values, step):
        response = client.post(url, data={"csrf_token": token, "shown": "1", "step": step,
                                          **values})
        assert response.status_code < 500

    @fuzz
    @given(values=st.lists(NUMBERS, max_size=6), shown=NUMBERS,
           action=st.sampled_from(["save", "", "finish", "中", "save\x01"]))
    def section(values, shown, action):
        before = db.session.get(SurveyInvitation, invitation.id).progress.get("answers")
        data = {"csrf_token": token, "step": "p1", "shown": shown, "action": action,
                **_right_answers(invitation, 1), "q0": values}
        response = client.post(url, data=data)
        assert response.status_code < 500
        db.session.expire_all()
        if response.status_code >= 400:
            assert db.session.get(SurveyInvitation, invitation.id).progress.get(
                "answers") == before

    code_entry()
    client.post(url, data={"csrf_token": token, "step": "consent", "action": "accept"})
    profile()
    client.post(url, data={"csrf_token": token, "step": "p0", "shown": "1", **PROFILE})
    assert invitations.page_of(db.session.get(SurveyInvitation, invitation.id)) == 1
    section()
    assert invitations.page_of(db.session.get(SurveyInvitation, invitation.id)) == 1
