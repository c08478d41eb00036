"""The one password policy, and the ``flask users`` commands that apply it."""

import pytest
from sqlalchemy import select

from quizapp.credentials import min_length, password_problem
from quizapp.extensions import db

STAFF = ("admin", "statistician", "teacher", "interviewer")


@pytest.mark.parametrize("password,username,roles,problem", [
    # Length: 10 for staff, 8 for residents; 256 at most.
    ("a", "", ["admin"], "too_short"),
    ("bamboo7", "", ["resident"], "too_short"),
    ("bamboo7!x", "", ["teacher"], "too_short"),
    ("bamboo7!x", "", ["resident", "interviewer"], "too_short"),
    ("x" * 200 + "y" * 57, "", ["resident"], "too_long"),
    # The common list, whatever the case.
    ("password", "", ["resident"], "common"),
    ("PASSWORD1", "", ["resident"], "common"),
    ("woaini1314", "", ["admin"], "common"),
    ("88888888", "", ["resident"], "common"),
    ("qq123456", "", ["resident"], "common"),
    ("1qaz2wsx3edc", "", ["statistician"], "common"),
    ("5201314520", "", ["teacher"], "common"),
    # Trivial patterns.
    ("aaaaaaaa", "", ["resident"], "pattern"),
    ("zzzzzzzzzzzz", "", ["admin"], "pattern"),
    ("abababab", "", ["resident"], "pattern"),
    ("abcdabcdabcd", "", ["admin"], "pattern"),
    ("23456789", "", ["resident"], "pattern"),
    ("9876543210", "", ["admin"], "common"),
    ("mnopqrstuvwx", "", ["admin"], "pattern"),
    ("poiuytrewq", "", ["admin"], "pattern"),
    # The username inside the password, whatever the case.
    ("wanglaoshi2024", "WangLaoshi", ["teacher"], "username"),
    ("my-li.ming-pass", "li.ming", ["resident"], "username"),
])
def test_weak_passwords_are_refused(password, username, roles, problem):
    assert password_problem(password, username=username, roles=roles) == problem


@pytest.mark.parametrize("password,username,roles", [
    ("bamboo7!", "", ["resident"]),
    ("bamboo river 7", "", ["admin"]),
    ("长城在北方的山上", "", ["resident"]),
    ("x" * 128 + "y" * 128, "", ["admin"]),
    ("wangwei-tea-42", "li", ["teacher"]),  # two-letter usernames are not searched for
])
def test_reasonable_passwords_pass(password, username, roles):
    assert password_problem(password, username=username, roles=roles) is None


def test_minimum_lengths():
    assert [min_length([role]) for role in STAFF] == [10, 10, 10, 10]
    assert min_length(["resident"]) == 8
    assert min_length([]) == 8


def _create(runner, username, password, *roles):
    args = ["users", "create", username]
    for role in roles:
        args += ["--role", role]
    return runner.invoke(args=args, input=f"{password}\n{password}\n")


def test_cli_refuses_a_one_character_admin_password(app, runner):
    from quizapp.models import User

    result = _create(runner, "boss", "x", "admin")
    assert result.exit_code != 0
    assert "password refused: too short: at least 10 characters" in result.output
    assert db.session.scalar(select(User)) is None


@pytest.mark.parametrize("password,reason", [
    ("woaini1314", "one of the most common passwords"),
    ("7777777777", "a trivial pattern"),
    ("boss-is-here", "contains the username"),
])
def test_cli_create_refuses_weak_passwords(app, runner, password, reason):
    result = _create(runner, "boss", password, "admin")
    assert result.exit_code != 0 and reason in result.output


def test_cli_reset_applies_the_accounts_roles(app, runner, make_user):
    from quizapp.models import User

    make_user("resi", "resident")
    make_user("stat", "statistician")
    ok = runner.invoke(args=["users", "reset-password", "RESI"], input="bamboo7!\nbamboo7!\n")
    assert ok.exit_code == 0, ok.output
    short = runner.invoke(args=["users", "reset-password", "stat"], input="bamboo7!\nbamboo7!\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    stat = db.session.scalar(select(User).where(User.username == "stat"))
    assert stat.check_password("correct horse 42")


def test_cli_usernames_ignore_case(app, runner, auth):
    from quizapp.models import User

    assert _create(runner, "Boss", "bamboo river 7", "admin").exit_code == 0
    again = _create(runner, "BOSS", "bamboo river 8", "admin")
    assert again.exit_code != 0 and "already exists" in again.output
    assert db.session.scalar(select(User.username)) == "boss"
    assert auth.login("Boss", "bamboo river 7").status_code == 302


@pytest.mark.parametrize("username", ["ab", "with space", "名字", "a/b"])
def test_cli_refuses_bad_usernames(app, runner, username):
    result = _create(runner, username, "bamboo river 7", "admin")
    assert result.exit_code != 0 and "3 to 64" in result.output


def test_the_model_stores_usernames_in_lower_case(app, make_user, auth):
    user = make_user(" Zhang.San ", "resident")
    assert user.username == "zhang.san"
    assert auth.login("ZHANG.SAN").status_code == 302


def test_every_role_but_resident_is_staff():
    """A new role must be placed: staff get the longer passwords and the shorter remember-me."""
    from quizapp.access import ROLES
    from quizapp.models.accounts import STAFF_ROLES

    assert set(STAFF) == STAFF_ROLES
    assert set(ROLES) == {*STAFF, "resident"}
