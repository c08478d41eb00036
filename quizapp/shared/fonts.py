"""The CJK font the server draws text with (certificates; charts rendered as images).

The project ships its own font so that a clean clone works after ``make install``, on any
machine, without system fonts: a subset of Noto Sans CJK SC Regular (SIL Open Font License
1.1, ``font_files/OFL.txt``) with the whole CJK Unified Ideographs block, Latin and
punctuation. ``scripts/subset_cjk_font.py`` makes it again.
"""

from __future__ import annotations

from pathlib import Path

FONT_FOLDER = Path(__file__).resolve().parent / "font_files"
CJK_FONT = FONT_FOLDER / "NotoSansCJKsc-Regular-subset.otf"
CJK_FONT_LICENSE = FONT_FOLDER / "OFL.txt"


def cjk_font_path() -> Path:
    """The path of the shipped CJK font (an OpenType file FreeType, Pillow and matplotlib
    read). Raises ``FileNotFoundError`` naming the script that makes it when it is missing."""
    if not CJK_FONT.is_file():
        raise FileNotFoundError(
            f"{CJK_FONT} is missing: run `python scripts/subset_cjk_font.py` to make it")
    return CJK_FONT

