"""QR codes drawn by the app itself (no outside service), as inline SVG."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str) -> Markup:
    """The QR code of ``url`` as inline SVG. It is scaled by CSS (no fixed size) and uses
    error correction level M, which survives a fold or a smudge on a printed letter and a
    projector's glare."""
    return Markup(segno.make(url, error="m").svg_inline(omitsize=True, border=2,
                                                        svgclass="qr", lineclass=None))
