"""Static files with content-hashed URLs, their cache headers, and the favicon.

Every ``url_for("static", filename=...)`` gets ``?v=<hash of the file's bytes>`` (through
``app.url_defaults``, so templates need no change). A request whose ``v`` is the file's hash is
cached by browsers for a year as ``immutable``: a changed file has another hash, hence another
URL. A URL without the hash, or with an old one, is cached only briefly
(``STATIC_UNHASHED_MAX_AGE``), so nothing stale outlives a release for long.

The hash is computed once per process and file (every time in debug mode, where files are
edited while the server runs). Static responses do not say ``Vary: Cookie`` (the session is
looked at on every request, by Flask-Login): a browser would otherwise ask again for every
cached file each time a cookie changes.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join

from quizapp.access import public

DIGEST_ARG = "v"
FAVICON = "favicon.svg"
STATIC_ENDPOINTS = ("static", "favicon")


@lru_cache(maxsize=512)
def _digest_of(path: str) -> str | None:
    """The first 12 hex digits of the SHA-256 of the file at ``path`` (None: no such file)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def static_digest(filename: str) -> str | None:
    """The content hash of the static file ``filename`` (None when there is no such file)."""
    folder = current_app.static_folder
    path = safe_join(folder, filename) if folder else None
    if path is None:
        return None
    if current_app.debug:
        return _digest_of.__wrapped__(path)
    return _digest_of(path)


def add_static_digest(endpoint: str, values: dict) -> None:
    """``url_defaults`` hook: give a static file's URL the file's content hash."""
    if endpoint != "static" or DIGEST_ARG in values or "filename" not in values:
        return
    digest = static_digest(values["filename"])
    if digest is not None:
        values[DIGEST_ARG] = digest


def set_static_cache(response: Response) -> Response:
    """Cache headers of static files: a year and ``immutable`` when the URL carries the
    file's current hash, briefly otherwise (the favicon's fixed URL included)."""
    if request.endpoint not in STATIC_ENDPOINTS or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", FAVICON)
    asked = request.args.get(DIGEST_ARG)
    hashed = asked is not None and asked == static_digest(filename)
    cache = response.cache_control
    cache.no_cache = None  # Werkzeug's default for files sent without a max-age
    cache.public = True
    if hashed:
        cache.max_age = current_app.config["STATIC_HASHED_MAX_AGE"]
        cache.immutable = True
    else:
        cache.max_age = current_app.config["STATIC_UNHASHED_MAX_AGE"]
        cache.immutable = False
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, whose responses to static files do not vary by cookie."""

    def save_session(self, app: Flask, session, response: Response) -> None:
        """Save as Flask does, then drop ``Cookie`` from a static file's ``Vary``."""
        super().save_session(app, session, response)
        if request.endpoint in STATIC_ENDPOINTS and "Set-Cookie" not in response.headers:
            kept = [name for name in response.vary if name.lower() != "cookie"]
            if kept:
                response.headers["Vary"] = ", ".join(kept)
            else:
                response.headers.pop("Vary", None)


@public
def favicon() -> Response:
    """``/favicon.ico``, which browsers ask for on pages that name no icon (the live game's
    projector page, printed letters): the platform's SVG icon."""
    return current_app.send_static_file(FAVICON)


def register(app: Flask) -> None:
    """Install the hashed static URLs, their cache headers and ``/favicon.ico``."""
    app.session_interface = SessionInterface()
    app.url_defaults(add_static_digest)
    app.after_request(set_static_cache)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
