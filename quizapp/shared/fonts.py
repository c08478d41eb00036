"""The Chinese (CJK) font the server draws with: embedded in PDF reports, so they print the
same everywhere.

The font is not in the repository (a CJK font is 15-20 MB): on Debian/Ubuntu the package
``fonts-noto-cjk`` provides it (``.ci/run`` installs it with Chromium; install it on the
server too), or ``CJK_FONT_PATH`` names any .ttf/.otf/.ttc with Chinese glyphs.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_app_context

# Where common Linux packages put a CJK font, most wanted first.
SYSTEM_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian/Ubuntu fonts-noto-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Arch noto-fonts-cjk
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian fonts-wqy-zenhei
)


class FontMissing(RuntimeError):
    """No CJK font: the message says how to provide one."""


def cjk_font_path() -> Path | None:
    """The CJK font file to embed: ``CJK_FONT_PATH`` when set (and present), else the first of
    :data:`SYSTEM_CJK_FONTS` that exists; None when there is none."""
    configured = current_app.config.get("CJK_FONT_PATH") if has_app_context() else None
    for candidate in ((configured,) if configured else ()) + SYSTEM_CJK_FONTS:
        path = Path(candidate)
        if path.is_file():
            return path
    return None


def cjk_bold_font_path() -> Path | None:
    """The bold face beside the regular one (``…-Bold.ttc`` for ``…-Regular.ttc``), if any."""
    regular = cjk_font_path()
    if regular is None or "Regular" not in regular.name:
        return None
    bold = regular.with_name(regular.name.replace("Regular", "Bold"))
    return bold if bold.is_file() else None


def require_cjk_font() -> Path:
    """:func:`cjk_font_path`, or :class:`FontMissing` saying how to install one."""
    path = cjk_font_path()
    if path is None:
        raise FontMissing(
            "No Chinese font found for the PDF: install Debian's fonts-noto-cjk "
            "(apt-get install fonts-noto-cjk) or set CJK_FONT_PATH to a .ttf/.otf/.ttc file.")
    return path
