"""QR codes drawn by the app itself (no outside service): inline SVG for pages, PNG for images."""

from __future__ import annotations

import io

import segno
from markupsafe import Markup


def qr_svg(url: str) -> Markup:
    """The QR code of ``url`` as inline SVG. It is scaled by CSS (no fixed size) and uses
    error correction level M, which survives a fold or a smudge on a printed letter and a
    projector's glare."""
    return Markup(segno.make(url, error="m").svg_inline(omitsize=True, border=2,
                                                        svgclass="qr", lineclass=None))


def qr_png(url: str, scale: int = 8) -> bytes:
    """The QR code of ``url`` as a black-on-white PNG, ``scale`` pixels per module, with the
    standard quiet zone of four modules (for images that are printed or photographed)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
