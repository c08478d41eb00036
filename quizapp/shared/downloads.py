"""Files a page hands out (reports): an attachment with an ASCII file name, never cached by a
shared cache nor kept by the browser (a report may carry personal or unpublished figures)."""

from __future__ import annotations

from flask import Response


def private_file(body: bytes | str, mimetype: str, name: str) -> Response:
    """``body`` as the download ``name`` (ASCII), private and not stored."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response
