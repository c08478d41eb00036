"""gunicorn's settings for Kexue: ``gunicorn wsgi:app`` reads this file from the working
directory (``make serve``; command-line options and ``GUNICORN_CMD_ARGS`` override it).

Live class games decide the worker class. Every student's phone holds one server-sent-events
stream (``play.events``, quizapp/schools/live_push.py) for the whole game, so a class of 60
holds 60 open requests and 40 classes hold 2,400. gevent workers hold each stream as a
greenlet (a few KB) instead of an OS thread or a whole sync worker; a stream gives its
database connection back to the pool while it waits, so the pool does not have to be as large
as the number of phones. A sync worker would be taken whole by one phone's stream (four
workers: four phones). Measured by benchmarks/live_game.py (figures in
docs/live-games-benchmark.md). Deployment: docs/deploy.md.

Settings from the environment (the systemd unit deploy/kexue.service sets them):

- ``GUNICORN_BIND`` (default ``127.0.0.1:8000``; nginx in front),
- ``GUNICORN_WORKERS`` (default: one per core — a gevent worker is one core's worth of
  Python; gunicorn's usual 2 × cores + 1 is for sync workers that sit idle in I/O),
- ``GUNICORN_WORKER_CLASS`` (default ``gevent``; ``sync`` only without live games),
- ``GUNICORN_ACCESS_LOG`` (default ``-``, standard output, i.e. the journal; ``off`` for none).

The access log is one JSON object a line (:class:`JsonAccessLogger`): time, request id (the
``X-Request-Id`` the app answers with, quizapp/request_id.py), method, path without the query
string (invitation and join codes travel there), status, bytes, duration in ms, client
address as nginx forwarded it, user agent, worker pid.
"""

import json
import os
from datetime import UTC, datetime

from gunicorn.glogging import Logger


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


# (the figures behind every number: docs/live-games-benchmark.md)
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gevent")
# One process per core (2 on the measured server); a gevent worker is one core's worth of Python.
workers = int(os.environ.get("GUNICORN_WORKERS") or _cores() or 1)
# Waiting phones per worker (gunicorn's default is 1,000): 40 games × 60 students spread over
# two workers, plus teachers, projectors and joins, with room for reconnects.
worker_connections = 2000
# A stream lasts up to 5 minutes (a long poll 25 s); the timeout is the worker's heartbeat
# (gevent workers beat while their greenlets wait), not a limit on one request.
timeout = 60
# On restart (systemctl reload: HUP) a worker finishes its requests for up to 30 s; open event
# streams are then cut and the phones reconnect to a new worker by themselves.
graceful_timeout = 30
# Phones answer every few seconds: keep their connections open between answers (nginx's
# upstream keepalive reuses them too).
keepalive = 30
# Not preloaded: each worker builds the app after gevent has patched the standard library,
# and opens its own database connections.
preload_app = False
# Forwarded headers: the app's ProxyFix reads them (TRUSTED_PROXIES=1 behind nginx);
# gunicorn's own forwarded_allow_ips keeps its default (FORWARDED_ALLOW_IPS, else loopback).

_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access_log in ("", "off") else _access_log
errorlog = "-"


class JsonAccessLogger(Logger):
    """gunicorn's logger whose access log is one JSON object a line (escaped by ``json``, so a
    user agent with quotes cannot break a line)."""

    def access(self, resp, req, environ, request_time) -> None:
        """Write one request's line (see the module's docstring for the fields)."""
        if not getattr(self, "access_log_enabled", True):
            return
        atoms = self.atoms(resp, req, environ, request_time)
        record = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": atoms.get("{x-request-id}o") or atoms.get("{x-request-id}i"),
            "method": atoms["m"],
            "path": atoms["U"],
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"],
            "duration_ms": round(atoms["D"] / 1000, 3),
            "remote": atoms.get("{x-forwarded-for}i") or atoms["h"],
            "user_agent": atoms["a"],
            "pid": os.getpid(),
        }
        try:
            self.access_log.info(json.dumps(record, ensure_ascii=False))
        except Exception:  # a log line must never fail the request
            self.exception("could not write the access log")


logger_class = JsonAccessLogger
