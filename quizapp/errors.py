"""Friendly error pages (the app has no API, so every error is a page).

A database that cannot be reached (restarted, down, out of connections) or cannot write just
now (a full disk, a server switched to read-only) is a 503 with a ``Retry-After``, not a 500:
the page says so in both languages and needs no database itself. The failed transaction wrote
nothing (it is rolled back whole).
"""

from __future__ import annotations

import contextlib

from flask import Flask, render_template
from flask_babel import gettext as _
from sqlalchemy.exc import DisconnectionError, InterfaceError, InternalError, OperationalError
from werkzeug.exceptions import HTTPException

from quizapp.extensions import db

# Long enough for a restarting PostgreSQL, short enough that nobody waits in vain.
RETRY_AFTER_SECONDS = 10
# PostgreSQL's "read_only_sql_transaction": the server (or the database) is read-only. psycopg
# raises it as an InternalError, which otherwise means a fault of ours (a 500).
READ_ONLY_SQLSTATE = "25006"


def register(app: Flask) -> None:
    """Install handlers for 400, 403, 404, 405, 413, 429 and 500, and the 503 page for a
    database that cannot be reached."""
    messages = {
        400: lambda: _("The request could not be understood. Please go back and try again."),
        403: lambda: _("You do not have permission to see this page."),
        404: lambda: _("This page does not exist."),
        405: lambda: _("This action is not allowed here."),
        413: lambda: _("The file is too large."),
        429: lambda: _("Too many attempts. Please wait a minute and try again."),
        500: lambda: _("Something went wrong on our side. Please try again later."),
    }

    def handle(error: HTTPException):
        code = error.code or 500
        if code == 500:
            db.session.rollback()
        message = messages.get(code, lambda: error.description)()
        if code == 400 and error.description and "CSRF" in error.description:
            message = _("This form has expired. Please reload the page and try again.")
        return render_template("errors/error.html", code=code, message=message), code

    for code in messages:
        app.register_error_handler(code, handle)

    def unavailable(error: Exception):
        app.logger.warning("database unavailable: %s", error.__class__.__name__)
        with contextlib.suppress(Exception):  # the connection is gone; the pool reconnects
            db.session.rollback()
        body = render_template("errors/unavailable.html", retry_after=RETRY_AFTER_SECONDS)
        return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS),
                           "Cache-Control": "no-store"}

    for kind in (OperationalError, DisconnectionError, InterfaceError):
        app.register_error_handler(kind, unavailable)

    def read_only(error: InternalError):
        if getattr(error.orig, "sqlstate", None) == READ_ONLY_SQLSTATE:
            return unavailable(error)
        raise error  # any other internal error is ours: the 500 page

    app.register_error_handler(InternalError, read_only)
