"""The two probes (their rules: quizapp/health/__init__.py)."""

from __future__ import annotations

from flask import Response, jsonify

from quizapp.access import public
from quizapp.extensions import limiter
from quizapp.health import bp, services


def _uncached(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@limiter.exempt
@public
def healthz() -> Response:
    """The process is alive: 200 without touching the database or Redis."""
    return _uncached(jsonify(status="ok"))


@bp.get("/readyz")
@limiter.exempt
@public
def readyz() -> tuple[Response, int]:
    """200 when the database (and Redis, if configured) answer, else 503 naming which not."""
    checks, ready = services.readiness()
    return _uncached(jsonify(status="ok" if ready else "unavailable", **checks)), \
        200 if ready else 503
