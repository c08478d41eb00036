"""The CJK font the server draws and embeds text with (certificate images, PDF reports).

The project ships its own font so that a clean clone works after ``make install``, on any
machine, without system fonts: a subset of Noto Sans CJK SC Regular (SIL Open Font License
1.1, ``font_files/OFL.txt``) with the whole CJK Unified Ideographs block, Latin and
punctuation. ``scripts/subset_cjk_font.py`` makes it again. ``CJK_FONT_PATH`` (config.py)
may name another .ttf/.otf/.ttc with Chinese glyphs instead.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_app_context

FONT_FOLDER = Path(__file__).resolve().parent / "font_files"
CJK_FONT = FONT_FOLDER / "NotoSansCJKsc-Regular-subset.otf"
CJK_FONT_LICENSE = FONT_FOLDER / "OFL.txt"


class FontMissing(FileNotFoundError):
    """No CJK font: the message says how to provide one."""


def cjk_font_path() -> Path:
    """The CJK font file: ``CJK_FONT_PATH`` when set and present, else the shipped subset.
    Raises :class:`FontMissing` naming the script that makes it when neither is there."""
    configured = current_app.config.get("CJK_FONT_PATH") if has_app_context() else None
    if configured and Path(configured).is_file():
        return Path(configured)
    if not CJK_FONT.is_file():
        raise FontMissing(
            f"{CJK_FONT} is missing: run `python scripts/subset_cjk_font.py` to make it, or "
            "set CJK_FONT_PATH to a .ttf/.otf/.ttc file with Chinese glyphs")
    return CJK_FONT


def cjk_bold_font_path() -> Path | None:
    """The bold face beside the regular one (``…-Bold…`` for ``…-Regular…``), if any."""
    regular = cjk_font_path()
    if "Regular" not in regular.name:
        return None
    bold = regular.with_name(regular.name.replace("Regular", "Bold"))
    return bold if bold.is_file() else None


def require_cjk_font() -> Path:
    """:func:`cjk_font_path` (kept for the report's callers)."""
    return cjk_font_path()
