"""Every user-facing string has a Chinese translation (Chinese is the default language)."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "quizapp/translations/zh/LC_MESSAGES/messages.po"
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "quizapp"), METHOD_MAP, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_chinese_translation():
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    translated = {m.id if isinstance(m.id, str) else m.id[0]
                  for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
    missing = sorted(_source_messages() - translated)
    assert missing == [], ("untranslated (run `make i18n-extract` and fill "
                           f"quizapp/translations/zh/LC_MESSAGES/messages.po): {missing}")
