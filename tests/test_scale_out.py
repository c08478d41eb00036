"""State that two workers or app servers must agree on is not kept in one process's memory or
on one server's disk (docs/deploy.md, "Several app servers")."""

from __future__ import annotations

import http.cookiejar
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import make_app
from tests.support import IN_CI

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _require_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        (pytest.fail if IN_CI else pytest.skip)(f"Redis not reachable at {REDIS_URL}")


@pytest.mark.redis
def test_a_question_upload_previewed_on_one_server_is_confirmed_on_another(
        tmp_path, migrated_database):
    from quizapp.questions import transfer

    _require_redis()
    first = make_app(migrated_database, str(tmp_path / "server-a"), REDIS_URL=REDIS_URL)
    second = make_app(migrated_database, str(tmp_path / "server-b"), REDIS_URL=REDIS_URL)
    token = uuid.uuid4().hex
    with first.app_context():
        transfer._stage(token, b"id,stem\n", "questions.csv")
    with second.app_context():
        assert transfer._take(token) == (b"id,stem\n", "questions.csv")
        assert transfer._take(token) is None  # used up
    with first.app_context():
        assert transfer._take(token) is None
    assert not (tmp_path / "server-a" / "question_imports").exists()


def test_without_redis_an_upload_is_staged_in_the_instance_folder(tmp_path, migrated_database):
    from quizapp.questions import transfer

    app = make_app(migrated_database, str(tmp_path / "instance"))
    token = uuid.uuid4().hex
    with app.app_context():
        transfer._stage(token, "题目\n".encode(), "题库.csv")
        assert (tmp_path / "instance" / "question_imports" / f"{token}.data").exists()
        assert transfer._take(token) == ("题目\n".encode(), "题库.csv")
        assert transfer._take(token) is None


def _start_gunicorn(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
         "--worker-class", "sync", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--error-logfile", str(log), "wsgi:app"],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(log.read_text() if log.exists() else "no log") from None
            time.sleep(0.2)


@pytest.mark.redis
def test_two_app_servers_count_failed_sign_ins_together(tmp_path, migrated_database):
    """The sign-in limit holds across servers: 4 failures spread over two gunicorn instances,
    then the 5th is refused by whichever server gets it (the count is in Redis)."""
    from tests.support import csrf_token

    _require_redis()
    limit = f"4 per {random.randint(1000, 9999)} second"  # a fresh counter in the shared Redis
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN", "QUIZAPP"))
           and k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"QUIZAPP_ENV": "development", "SECRET_KEY": "scale-out-test-secret",
                "DATABASE_URL": migrated_database, "REDIS_URL": REDIS_URL,
                "LOGIN_RATE_LIMIT": limit, "GUNICORN_ACCESS_LOG": "off",
                "PYTHONPATH": str(ROOT)})
    ports = [_free_port(), _free_port()]
    servers = [_start_gunicorn(port, env, tmp_path / f"server-{i}.log")
               for i, port in enumerate(ports)]
    try:
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with browser.open(f"http://127.0.0.1:{ports[0]}/login", timeout=10) as page:
            token = csrf_token(page.read().decode())
        form = urllib.parse.urlencode({"username": "nobody", "password": "wrong password 1",
                                       "csrf_token": token}).encode()
        statuses = []
        for attempt in range(5):
            port = ports[attempt % 2]
            try:
                with browser.open(f"http://127.0.0.1:{port}/login", form, timeout=10) as reply:
                    statuses.append(reply.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=40)
    assert statuses == [401, 401, 401, 401, 429]  # wrong password ×4, then the limit


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
