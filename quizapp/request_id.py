"""One id per request, in the ``X-Request-Id`` header of the response and in ``g.request_id``.

nginx (docs/deploy.md) sends its own ``$request_id``; the app keeps an incoming id when it is a
plain token (letters, digits, ``-``, ``_``, ``.``; at most 64 characters), otherwise it makes
one, so a client cannot write arbitrary text into the logs. gunicorn's access log
(gunicorn.conf.py) records the response's header, so one id joins nginx's log, gunicorn's and
the app's own messages about the request.
"""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, request

HEADER = "X-Request-Id"
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{1,64}")


def current_request_id() -> str:
    """This request's id (the incoming one when acceptable, else a new random one)."""
    request_id = getattr(g, "request_id", None)
    if request_id is None:
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _ACCEPTED.fullmatch(incoming) else uuid.uuid4().hex
        g.request_id = request_id
    return request_id


def add_request_id(response: Response) -> Response:
    """``after_request`` hook: name the request's id in the response."""
    response.headers[HEADER] = current_request_id()
    return response


def register(app: Flask) -> None:
    """Give every response (error pages included) its request's id (made when first asked
    for: by a view, a log message, or at the latest by the response)."""
    app.after_request(add_request_id)
