"""The shipped CJK font: present with its licence, readable by Pillow, and drawing the
ideographs of names outside GB 2312 (玥, 堃, 喆), not an empty box."""

from __future__ import annotations

from PIL import ImageFont

from quizapp.shared.fonts import CJK_FONT_LICENSE, cjk_font_path

MISSING = "\U00020001"  # CJK Extension B: not in the subset, drawn as the empty box


def _mask(font: ImageFont.FreeTypeFont, text: str) -> bytes:
    return bytes(font.getmask(text))


def test_the_font_and_its_licence_ship_with_the_code():
    path = cjk_font_path()
    assert path.is_file() and path.suffix == ".otf"
    licence = CJK_FONT_LICENSE.read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence


def test_pillow_draws_common_and_rarer_name_characters():
    font = ImageFont.truetype(str(cjk_font_path()), 40)
    box = _mask(font, MISSING)
    assert _mask(font, "\U00020002") == box, "every missing character is the same box"
    for char in "张明玥堃喆科学A9：":
        assert _mask(font, char) != box, f"{char} is not in the font"
