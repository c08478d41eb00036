"""Compressed responses: flask-compress, with the settings in ``config.py`` (``COMPRESS_*``).

flask-compress replaces a streamed body (a static file, sent from an open file) with a
compressing generator and drops the original, so the file was closed only when the garbage
collector found it; :class:`Compress` closes it with the response.
"""

from __future__ import annotations

import flask_compress
from flask import Response


class Compress(flask_compress.Compress):
    """flask-compress, closing the body it replaces when the response is closed."""

    def after_request(self, response: Response | None) -> Response:
        """Compress as flask-compress does; the replaced body is closed with the response."""
        body = getattr(response, "response", None)
        response = super().after_request(response)
        if response.response is not body and hasattr(body, "close"):
            response.call_on_close(body.close)
        return response
