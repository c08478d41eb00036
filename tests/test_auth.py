import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import csrf_token, field_errors

ROOT = Path(__file__).resolve().parent.parent


def test_login_and_logout(client, auth, make_user):
    make_user("alice", "resident")
    response = auth.login("alice")
    assert response.status_code == 302
    home = client.get("/")
    assert "alice" in home.text
    response = auth.logout()
    assert response.status_code == 302
    assert "alice" not in client.get("/").text


def test_wrong_password_is_refused_with_a_message(client, auth, make_user):
    make_user("bob", "resident")
    response = auth.login("bob", "not the password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert "bob" not in client.get("/").text.split("</header>")[0]


def test_unknown_user_is_refused_the_same_way(auth):
    response = auth.login("nobody", "whatever")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text


def test_disabled_account_cannot_sign_in(auth, make_user):
    from quizapp.extensions import db

    user = make_user("carol", "teacher")
    user.active = False
    db.session.commit()
    assert auth.login("carol").status_code == 401


def test_eleventh_failed_login_within_a_minute_gets_429(client, auth, make_user):
    make_user("dave", "resident")
    statuses = [auth.login("dave", f"wrong {i}").status_code for i in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    # Even the right password is refused while the limit holds.
    assert auth.login("dave").status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(client, auth, make_user):
    make_user("erin", "resident")
    for _ in range(12):
        assert auth.login("erin").status_code == 302
        auth.logout()


def test_post_without_csrf_token_is_rejected_with_400(client, make_user):
    make_user("frank", "resident")
    response = client.post("/login", data={"username": "frank", "password": "correct horse 42"})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" not in session, "signed in without a CSRF token"


def test_csrf_rejection_on_preferences(client):
    assert client.post("/preferences/large-type", data={"on": "1"}).status_code == 400


def test_open_redirect_is_refused(client, auth, make_user):
    make_user("gina", "resident")
    page = client.get("/login")
    response = client.post("/login?next=//evil.example/", data={
        "username": "gina", "password": "correct horse 42", "csrf_token": csrf_token(page.text)})
    assert response.headers["Location"] == "/"


def test_password_is_stored_hashed(make_user):
    user = make_user("hank", "resident")
    assert "correct horse" not in user.password_hash
    assert user.password_hash.startswith("scrypt:")


def test_field_errors_are_shown_in_chinese(client):
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 400
    assert field_errors(response.text) == ["该字段是必填字段。", "该字段是必填字段。"]




def _worker(database: str, instance: Path, storage: str, count: int) -> list[int]:
    """``count`` failed sign-ins in a separate process, as one gunicorn worker would see them."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.ratelimit_worker", database, str(instance), storage,
         str(count)], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_memory_storage_counts_per_worker_process(migrated_database, tmp_path):
    """Why production refuses to start without REDIS_URL: two workers, twice the limit."""
    first = _worker(migrated_database, tmp_path / "a", "memory", 10)
    second = _worker(migrated_database, tmp_path / "b", "memory", 10)
    assert first == second == [401] * 10


@pytest.mark.redis
def test_rate_limit_is_shared_through_redis_across_worker_processes(
        migrated_database, tmp_path, redis_url):
    """With REDIS_URL set, every worker process counts failures in the same place."""
    first = _worker(migrated_database, tmp_path / "a", redis_url, 6)
    second = _worker(migrated_database, tmp_path / "b", redis_url, 6)
    assert first == [401] * 6
    assert second == [401] * 4 + [429] * 2
