"""A certificate drawn by the server as a PNG image a phone can save or print.

A4 proportions (1240 × 1754 pixels: A4 at 150 dpi; 16 colours, about 35 kB), drawn with
Pillow in the shipped CJK font (``quizapp.shared.fonts``), in the language of the request.
The image carries its code and the verification link twice: printed with a QR code, and in
the PNG's text chunks (``Certificate-Code``, ``Verification-URL``), so a program can read
them too.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

from flask_babel import format_date
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

from quizapp.engine.certificates import display_code
from quizapp.models import Certificate
from quizapp.shared.fonts import cjk_font_path
from quizapp.shared.qr import qr_png
from quizapp.timezone import to_local

SIZE = (1240, 1754)
MARGIN = 150
PAPER = (255, 253, 245)
INK = (27, 31, 36)
MUTED = (91, 100, 112)
GOLD = (184, 134, 11)
ACCENT = (160, 30, 30)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(cjk_font_path()), size)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` pixels: between any two characters
    in Chinese, at spaces in Latin script (a word longer than a line is broken anyway)."""
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        candidate = (line + token) if line else token.lstrip()
        if line and font.getlength(candidate) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
            while font.getlength(line) > width and len(line) > 1:  # one over-long word
                cut = max(k for k in range(1, len(line) + 1)
                          if font.getlength(line[:k]) <= width or k == 1)
                lines.append(line[:cut])
                line = line[cut:]
        else:
            line = candidate
    if line:
        lines.append(line.rstrip())
    return lines


def wrap_balanced(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """:func:`wrap` into as few lines, but of even lengths (no last line of one character)."""
    lines = wrap(text, font, width)
    low, high = 1, width
    while low < high:  # the narrowest width that still needs no more lines
        middle = (low + high) // 2
        if len(wrap(text, font, middle)) <= len(lines):
            high = middle
        else:
            low = middle + 1
    return wrap(text, font, high)


def _tokens(text: str) -> list[str]:
    """Break opportunities: each CJK character alone, Latin words with their leading space."""
    tokens: list[str] = []
    for char in text:
        if ord(char) > 0x2E7F or not tokens or char == " " or ord(tokens[-1][-1]) > 0x2E7F:
            tokens.append(char)
        else:
            tokens[-1] += char
    return tokens


@dataclass
class _Pen:
    draw: ImageDraw.ImageDraw
    y: int

    def centred(self, text: str, size: int, fill=INK, gap: int = 24, bold: bool = False,
                width: int = SIZE[0] - 2 * MARGIN) -> None:
        font = _font(size)
        for line in wrap_balanced(text, font, width):
            self.draw.text((SIZE[0] // 2, self.y), line, font=font, fill=fill, anchor="ma",
                           stroke_width=(2 if size >= 70 else 1) if bold else 0,
                           stroke_fill=fill)
            self.y += int(size * 1.35)
        self.y += gap


def _title_size(title: str, width: int) -> int:
    """The largest of the title sizes at which the competition's title takes three lines at
    most (a title may be 120 characters long)."""
    for size in (56, 48, 40, 34):
        if len(wrap(title, _font(size), width)) <= 3:
            return size
    return 28


def render_png(certificate: Certificate, verify_url: str, issuer: str) -> bytes:
    """The certificate as PNG bytes (``verify_url``: the public check of its code)."""
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, SIZE[0] - 41, SIZE[1] - 41), outline=GOLD, width=10)
    draw.rectangle((64, 64, SIZE[0] - 65, SIZE[1] - 65), outline=GOLD, width=3)
    pen = _Pen(draw, 170)
    pen.centred(_("Certificate"), 110, fill=ACCENT, gap=50, bold=True)
    if certificate.name:
        pen.centred(certificate.name, 80, gap=40, bold=True)
    pen.centred(_("took part in"), 44, gap=6)
    pen.centred(certificate.title, _title_size(certificate.title, SIZE[0] - 2 * MARGIN), gap=24,
                bold=True)
    pen.centred(_("Score: %(score)s of %(max)s", score=_points(certificate.score),
                  max=_points(certificate.max_score)), 52, gap=20)
    pen.centred(_("Awarded with this certificate."), 44)
    # The signature block and the check sit at fixed places, whatever the text above.
    issued = _Pen(draw, max(pen.y + 30, 1010))
    issued.centred(issuer, 46, gap=4)
    issued.centred(format_date(to_local(certificate.achieved_at).date(), "long"), 42,
                   fill=MUTED)

    side = 280
    qr = Image.open(io.BytesIO(qr_png(verify_url, scale=8))).convert("RGB")
    qr = qr.resize((side, side), Image.Resampling.NEAREST)
    top = max(issued.y + 10, SIZE[1] - 100 - side - 120)
    image.paste(qr, ((SIZE[0] - side) // 2, top))
    footer = _Pen(draw, top + side + 16)
    footer.centred(_("Certificate no. %(code)s", code=display_code(certificate.code)), 40,
                   gap=4)
    footer.centred(_("Scan the code or open %(url)s to check it", url=verify_url), 28,
                   fill=MUTED, gap=0)

    info = PngInfo()
    info.add_text("Title", _("Certificate"))
    info.add_text("Certificate-Code", display_code(certificate.code))
    info.add_text("Verification-URL", verify_url)
    buffer = io.BytesIO()
    # 16 colours (the paper, the inks and their anti-aliased edges) keep it about 35 kB
    # instead of 125 kB: a certificate is saved on cheap phone plans.
    image.quantize(colors=16).save(buffer, format="PNG", pnginfo=info, optimize=True)
    return buffer.getvalue()


def _points(value: float) -> str:
    """85.0 as ``85``, 92.5 as ``92.5``."""
    return f"{value:g}"
