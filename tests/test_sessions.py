"""Signing out, a new password and disabling an account end every session of the account.

A browser's cookies are copied into a second client, as a thief or a shared computer would keep
them; after the action the copy must open nothing.
"""

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import IsolatedClient
from tests.support import csrf_token

SESSION = "session"
REMEMBER = "remember_token"


def _login(client, username, password="correct horse 42", remember=False):
    page = client.get("/login")
    data = {"username": username, "password": password, "csrf_token": csrf_token(page.text)}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.text
    return response


def _browser(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


def _copy(app, client, *names):
    """A second browser holding copies of ``client``'s cookies ``names``."""
    thief = _browser(app)
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(cookie.key, cookie.value)
    return thief


def _signed_in_as_admin(client) -> bool:
    return client.get("/admin/users").status_code == 200


def _submit(client, path, data, form_page):
    page = client.get(form_page)
    return client.post(path, data={**data, "csrf_token": csrf_token(page.text)})


@pytest.fixture
def root(app, client, make_user):
    make_user("root", "admin")
    make_user("second", "admin")
    _login(client, "root", remember=True)
    return client


def test_a_copied_session_cookie_dies_at_sign_out(app, root):
    copy = _copy(app, root, SESSION)
    assert _signed_in_as_admin(copy), "the copy works while the owner is signed in"
    page = root.get("/")
    root.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert not _signed_in_as_admin(copy)
    assert copy.get("/admin/users").status_code == 302


def test_a_copied_remember_me_cookie_dies_at_sign_out(app, root):
    copy = _copy(app, root, REMEMBER)
    assert _signed_in_as_admin(copy), "the remember-me cookie alone signs in"
    page = root.get("/")
    root.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert not _signed_in_as_admin(_copy(app, copy, REMEMBER))
    assert not _signed_in_as_admin(copy)


def test_a_new_password_from_the_admin_ends_the_accounts_sessions(app, client, root, make_user):
    make_user("wang", "teacher")
    teacher = _browser(app)
    _login(teacher, "wang", remember=True)
    remembered = _copy(app, teacher, REMEMBER)
    assert teacher.get("/admin/").status_code == 403, "signed in (a teacher, not an admin)"
    user = db.session.scalar(select(User).where(User.username == "wang"))
    response = _submit(root, f"/admin/users/{user.id}", {
        "username": "wang", "password": "a new long passphrase", "roles": ["teacher"],
        "active": "y"}, f"/admin/users/{user.id}")
    assert response.status_code == 302
    assert teacher.get("/admin/").status_code == 302, "sent to the login page"
    assert remembered.get("/admin/").status_code == 302


def test_editing_without_a_new_password_keeps_the_sessions(app, root, make_user):
    make_user("wang", "teacher")
    teacher = _browser(app)
    _login(teacher, "wang")
    user = db.session.scalar(select(User).where(User.username == "wang"))
    _submit(root, f"/admin/users/{user.id}", {
        "username": "wang", "display_name": "王老师", "password": "", "roles": ["teacher"],
        "active": "y"}, f"/admin/users/{user.id}")
    assert teacher.get("/admin/").status_code == 403, "still signed in"


def test_disabling_ends_sessions_and_enabling_again_does_not_revive_them(app, root, make_user):
    make_user("wang", "teacher")
    teacher = _browser(app)
    _login(teacher, "wang", remember=True)
    remembered = _copy(app, teacher, REMEMBER)
    user = db.session.scalar(select(User).where(User.username == "wang"))
    _submit(root, f"/admin/users/{user.id}/toggle", {}, "/admin/users")
    assert teacher.get("/admin/").status_code == 302
    _submit(root, f"/admin/users/{user.id}/toggle", {}, "/admin/users")
    db.session.refresh(user)
    assert user.active is True
    assert teacher.get("/admin/").status_code == 302
    assert remembered.get("/admin/").status_code == 302


def test_making_a_resident_staff_ends_their_sessions(app, root, make_user):
    """The resident's 90-day remember-me cookie must not outlive the staff limit of 14 days."""
    make_user("zhao", "resident")
    resident = _browser(app)
    _login(resident, "zhao", remember=True)
    remembered = _copy(app, resident, REMEMBER)
    assert remembered.get("/admin/").status_code == 403, "signed in (a resident)"
    user = db.session.scalar(select(User).where(User.username == "zhao"))
    response = _submit(root, f"/admin/users/{user.id}", {
        "username": "zhao", "password": "", "roles": ["resident", "teacher"], "active": "y"},
        f"/admin/users/{user.id}")
    assert response.status_code == 302
    assert resident.get("/admin/").status_code == 302, "sent to the login page"
    assert remembered.get("/admin/").status_code == 302


def test_disabling_in_the_edit_form_ends_sessions(app, root, make_user):
    make_user("wang", "teacher")
    teacher = _browser(app)
    _login(teacher, "wang")
    user = db.session.scalar(select(User).where(User.username == "wang"))
    _submit(root, f"/admin/users/{user.id}", {
        "username": "wang", "password": "", "roles": ["teacher"]}, f"/admin/users/{user.id}")
    db.session.refresh(user)
    assert user.active is False
    _submit(root, f"/admin/users/{user.id}", {
        "username": "wang", "password": "", "roles": ["teacher"], "active": "y"},
        f"/admin/users/{user.id}")
    assert teacher.get("/admin/").status_code == 302


def test_cli_password_reset_ends_sessions(app, runner, make_user):
    make_user("wang", "teacher")
    teacher = _browser(app)
    _login(teacher, "wang", remember=True)
    remembered = _copy(app, teacher, REMEMBER)
    result = runner.invoke(args=["users", "reset-password", "wang"],
                           input="a new long passphrase\na new long passphrase\n")
    assert result.exit_code == 0, result.output
    assert teacher.get("/admin/").status_code == 302
    assert remembered.get("/admin/").status_code == 302


def test_an_admin_changing_their_own_password_stays_signed_in_here_only(app, root):
    elsewhere = _browser(app)
    _login(elsewhere, "root")
    user = db.session.scalar(select(User).where(User.username == "root"))
    response = _submit(root, f"/admin/users/{user.id}", {
        "username": "root", "password": "my new long passphrase", "roles": ["admin"],
        "active": "y"}, f"/admin/users/{user.id}")
    assert response.status_code == 302
    assert _signed_in_as_admin(root)
    assert not _signed_in_as_admin(elsewhere)


def test_sessions_made_before_the_session_token_sign_nobody_in(app, make_user):
    """A session or remember-me cookie naming the bare user id (as before migration 0007)."""
    from flask_login.utils import encode_cookie

    user = make_user("old", "admin")
    browser = _browser(app)
    _login(browser, "old")
    assert _signed_in_as_admin(browser)
    with browser.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert not _signed_in_as_admin(browser)
    remembered = _browser(app)
    remembered.set_cookie(REMEMBER, encode_cookie(str(user.id)))
    assert not _signed_in_as_admin(remembered)
    remembered.set_cookie(REMEMBER, encode_cookie(user.get_id()))
    assert _signed_in_as_admin(remembered), "the same cookie with the token signs in"


def _remember_expiry(response) -> datetime:
    cookie = next(header for header in response.headers.getlist("Set-Cookie")
                  if header.startswith(f"{REMEMBER}="))
    expires = next(part.split("=", 1)[1] for part in cookie.split("; ")
                   if part.lower().startswith("expires="))
    return parsedate_to_datetime(expires)


@pytest.mark.parametrize("roles,days", [
    (("admin",), 14),
    (("statistician",), 14),
    (("teacher",), 14),
    (("interviewer",), 14),
    (("resident", "teacher"), 14),
    (("resident",), 90),
])
def test_remember_me_is_shorter_for_staff(client, make_user, roles, days):
    make_user("person", *roles)
    response = _login(client, "person", remember=True)
    left = _remember_expiry(response) - datetime.now(UTC)
    assert timedelta(days=days) - timedelta(minutes=5) < left <= timedelta(days=days)


def test_a_disabled_account_opens_nothing_even_with_its_token(app, make_user):
    """Disabling anywhere (even straight in the database, with no new token) signs out."""
    user = make_user("wang", "admin")
    make_user("root", "admin")
    browser = _browser(app)
    _login(browser, "wang", remember=True)
    remembered = _copy(app, browser, REMEMBER)
    user.active = False
    db.session.commit()
    assert not _signed_in_as_admin(browser)
    assert not _signed_in_as_admin(remembered)
