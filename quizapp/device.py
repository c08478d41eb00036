"""Anonymous participation: a signed, long-lived device token kept in a cookie.

Residents may practise or compete without an account. The token is a random id signed with the
app's secret key, so it cannot be forged or guessed; features key progress on it.
"""

from __future__ import annotations

import secrets

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer

from quizapp.security import set_cookie

DEVICE_COOKIE = "kx_device"
_SALT = "kexue-device"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def known_device_id() -> str | None:
    """This browser's device id if it already has one (a valid cookie); never creates one."""
    if "device_id" in g:
        return g.device_id
    token = request.cookies.get(DEVICE_COOKIE)
    if not token:
        return None
    try:
        found = _serializer().loads(token)
    except BadSignature:
        return None
    return found if isinstance(found, str) else None


def device_id() -> str:
    """This browser's device id, creating one (sent back by :func:`attach_device_cookie`)."""
    if "device_id" in g:
        return g.device_id
    found = known_device_id()
    if found is None:
        found = secrets.token_urlsafe(16)
        g.device_is_new = True
    g.device_id = found
    return found


def attach_device_cookie(response):
    """Send the device cookie when this request created a new device id."""
    if g.get("device_is_new"):
        set_cookie(response, DEVICE_COOKIE, _serializer().dumps(g.device_id),
                   max_age=2 * 365 * 24 * 3600)
    return response


def register(app) -> None:
    """Send a freshly created device token back with the response."""
    app.after_request(attach_device_cookie)


def current_owner():
    """Whose attempts this request may see (:class:`quizapp.engine.history.Owner`): the
    signed-in account, else this device. Reading one's own things never creates a device id
    (a first visit to the home page sets no cookie)."""
    from flask_login import current_user

    from quizapp.engine.history import Owner

    if current_user.is_authenticated:
        return Owner(current_user.id, None)
    return Owner(None, known_device_id())
