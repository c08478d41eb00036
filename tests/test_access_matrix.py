"""Every URL rule declares who may see it, and every role gets exactly that.

A view without a declared rule fails here; so does a rule whose URL arguments have no sample
value below (add one when you add such a view).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.access import ROLES, access_of

# How to fill each URL argument, given the demo data.
SAMPLE_ARGS = {
    "user_id": lambda db, m: db.session.scalar(
        select(m.User.id).where(m.User.username == "resident")),
    "township_id": lambda db, m: db.session.scalar(select(m.Township.id).limit(1)),
    "organisation_id": lambda db, m: db.session.scalar(
        select(m.Organisation.id).where(m.Organisation.kind == "school").limit(1)),
    "class_id": lambda db, m: db.session.scalar(select(m.SchoolClass.id).limit(1)),
    "filename": lambda db, m: "css/app.css",
    "question_id": lambda db, m: db.session.scalar(select(m.Question.id).limit(1)),
    "version_id": lambda db, m: db.session.scalar(select(m.QuestionVersion.id).limit(1)),
    "competition_id": lambda db, m: db.session.scalar(select(m.Competition.id).limit(1)),
    "slug": lambda db, m: db.session.scalar(select(m.Competition.slug).limit(1)),
    "attempt_id": lambda db, m: db.session.scalar(
        select(m.Attempt.id).where(m.Attempt.kind == "competition").limit(1)),
    "token": lambda db, m: db.session.scalar(
        select(m.Attempt.token).where(m.Attempt.kind == "competition").limit(1)),
    "position": lambda db, m: 0,
    "fmt": lambda db, m: "xlsx",
}
# Attempt pages answer 404 to anyone but the attempt's owner (the sample attempt belongs to a
# simulated demo resident), whatever their role: 404, not 403, so tokens reveal nothing.
OWNER_ONLY = {"competitions.attempt", "competitions.answer", "competitions.result",
              "competitions.certificate", "practice.question", "practice.answer",
              "practice.feedback", "practice.summary"}
# Visited last: they change who is signed in.
LAST = {"auth.logout", "auth.login"}


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


def _rules(app):
    rules = [r for r in app.url_map.iter_rules()]
    return sorted(rules, key=lambda r: (r.endpoint in LAST, "GET" not in r.methods, r.rule))


def _url(app, rule) -> str:
    from quizapp import models
    from quizapp.extensions import db

    values = {}
    for argument in rule.arguments:
        assert argument in SAMPLE_ARGS, f"add a sample value for <{argument}> ({rule.rule})"
        values[argument] = SAMPLE_ARGS[argument](db, models)
        assert values[argument] is not None, f"the demo data has nothing for <{argument}>"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_view_declares_its_access(app):
    missing = [rule.endpoint for rule in app.url_map.iter_rules()
               if rule.endpoint != "static"
               and access_of(app.view_functions[rule.endpoint]) is None]
    assert missing == [], f"views without @public/@login_required/@roles_required: {missing}"


@pytest.mark.parametrize("role", [None, *ROLES])
def test_role_matrix(app, client, auth, role):
    from quizapp.demo import load_demo
    from quizapp.extensions import db

    passwords = load_demo()
    db.session.remove()
    if role is not None:
        assert auth.login(role, passwords[role]).status_code == 302
    user_roles = None if role is None else {role}

    failures = []
    for rule in _rules(app):
        if rule.endpoint == "static":
            continue
        access = access_of(app.view_functions[rule.endpoint])
        url = _url(app, rule)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        if access.allows(user_roles):
            allowed = {200, 302}
            if rule.endpoint in OWNER_ONLY:
                allowed.add(404)
            if method == "POST":
                allowed.add(400)  # the view ran and refused the empty form
            ok = response.status_code in allowed
        elif role is None:
            ok = response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            ok = response.status_code == 403
        if not ok:
            failures.append(f"{method} {url} as {role}: {response.status_code}")
        if rule.endpoint == "auth.logout" and role is not None:
            break
    assert failures == []
