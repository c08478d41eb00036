"""Fill the Chinese msgstrs from a JSON mapping {msgid: msgstr}.

Usage: `python scripts/fill_translations.py FILE.json`.

A helper for translators; the .po file stays the source of truth.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "quizapp/translations/zh/LC_MESSAGES/messages.po"


def main(mapping_file: str) -> None:
    mapping = json.loads(Path(mapping_file).read_text(encoding="utf-8"))
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    for message in catalog:
        if message.id and message.id in mapping:
            message.string = mapping[message.id]
            message.flags.discard("fuzzy")
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(missing)} untranslated", *missing, sep="\n  ")


if __name__ == "__main__":
    main(sys.argv[1])
