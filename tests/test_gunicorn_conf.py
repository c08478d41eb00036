"""gunicorn.conf.py serves the app for real: the probes answer and the access log is one JSON
object a line with the request id and the duration."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as reply:
        return reply.status, dict(reply.headers)


def test_gunicorn_serves_with_a_json_access_log(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN")}
    env.update({
        "QUIZAPP_ENV": "testing",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kexue.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log"),
        "PYTHONPATH": str(ROOT),
    })
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
         "--error-logfile", str(tmp_path / "error.log"), "wsgi:app"],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers = _get(f"http://127.0.0.1:{port}/healthz",
                                       {"X-Request-Id": "probe-1", "User-Agent": 'say "hi"'})
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "error.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
                time.sleep(0.2)
        assert status == 200
        assert headers["X-Request-Id"] == "probe-1"
        for _ in range(50):  # the worker writes the line after the reply
            lines = (tmp_path / "access.log").read_text().splitlines() \
                if (tmp_path / "access.log").exists() else []
            if lines:
                break
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=40)
    record = json.loads(lines[-1])
    assert record["request_id"] == "probe-1"
    assert record["method"] == "GET"
    assert record["path"] == "/healthz"
    assert record["status"] == 200
    assert record["user_agent"] == 'say "hi"'
    assert isinstance(record["duration_ms"], float) and 0 < record["duration_ms"] < 60_000
    assert set(record) == {"time", "request_id", "method", "path", "status", "bytes",
                           "duration_ms", "remote", "user_agent", "pid"}


def test_the_worker_count_and_class_come_from_the_environment(monkeypatch):
    import runpy

    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    monkeypatch.setenv("GUNICORN_WORKER_CLASS", "sync")
    monkeypatch.setenv("GUNICORN_ACCESS_LOG", "off")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == 5
    assert settings["worker_class"] == "sync"
    assert settings["accesslog"] is None
    monkeypatch.delenv("GUNICORN_WORKERS")
    monkeypatch.delenv("GUNICORN_WORKER_CLASS")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == len(os.sched_getaffinity(0))
    assert settings["worker_class"] == "gevent"
