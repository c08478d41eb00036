"""Make the CJK font subset the server draws certificates with (quizapp/shared/font_files/).

Usage: ``python scripts/subset_cjk_font.py [SOURCE.ttc]`` (needs ``fonttools``, in the
``dev`` extra). SOURCE defaults to Debian's ``fonts-noto-cjk`` collection; its Simplified
Chinese face (Noto Sans CJK SC Regular, SIL Open Font License 1.1) is cut down to:

* every character of the CJK Unified Ideographs block (U+4E00–U+9FFF, 20,992 characters: the
  whole of GBK's hanzi and of the 通用规范汉字表, so a person's name in common use is covered,
  not only the 6,763 of GB 2312),
* Latin letters, digits and Latin-1 punctuation, general and CJK punctuation, full-width
  forms, arrows, circled numbers and a few symbols (✓ ✗ ● ■).

Hinting and vertical metrics are dropped (the font is only rasterised at large sizes). The
result is about 5 MB instead of the collection's 19 MB. Run it again only to change the set of
characters; the file is committed with its licence (OFL.txt beside it).
"""

from __future__ import annotations

import sys
from pathlib import Path

DEBIAN_COLLECTION = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SC_FACE = "Noto Sans CJK SC"
TARGET = (Path(__file__).resolve().parent.parent
          / "quizapp" / "shared" / "font_files" / "NotoSansCJKsc-Regular-subset.otf")
RANGES = (
    (0x0020, 0x007E), (0x00A0, 0x00FF), (0x2000, 0x206F), (0x2190, 0x21FF),
    (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x2700, 0x27BF), (0x3000, 0x303F),
    (0x4E00, 0x9FFF), (0xFF00, 0xFFEF),
)


def _sc_face_index(path: str) -> int:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    for index, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == SC_FACE:
            return index
    raise SystemExit(f"{path} has no {SC_FACE} face")


def main(source: str = DEBIAN_COLLECTION) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=_sc_face_index(source)) if source.endswith(".ttc") \
        else TTFont(source)
    options = subset.Options()
    options.layout_features = ["kern", "palt"]
    options.hinting = False
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={c for low, high in RANGES for c in range(low, high + 1)})
    subsetter.subset(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(TARGET)
    print(f"{TARGET} ({TARGET.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(*sys.argv[1:2])
