"""People's names as they are published (boards, public pages): masked the way Chinese
contests publish them, unless a competition says otherwise.

Rule (:func:`mask_name`):

- A name written as one word (Chinese names, or one Latin word) keeps its first and last
  character and masks each character between them: 张三丰 → 张*丰, 司马相如 → 司**如. Two
  characters keep the first: 张三 → 张*. One character is followed by a mask: 张 → 张*.
- A name of several words (separated by spaces or the middle dot of transcribed names, 买买提·艾力)
  keeps each word's first character and masks the rest of it: John Smith → J*** S****,
  买买提·艾力 → 买**·艾*. The separators stay.
- Spaces inside a name written in Chinese characters are typing slips (李 四 is 李四) and are
  dropped first, so they never turn a two-character name into two fully shown words.
- Surrounding spaces are dropped; an empty name stays empty (callers show an id instead).

So at most the surname (or initials) and one more character are ever published.
"""

from __future__ import annotations

import re

MASK = "*"
# Spaces and the middle dots used between the parts of transcribed names (·, •, ・, ‧).
_SEPARATORS = re.compile(r"(\s+|[\u00b7\u2022\u30fb\u2027])")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def _mask_word(word: str) -> str:
    if len(word) <= 2:
        return word[:1] + MASK
    return word[0] + MASK * (len(word) - 2) + word[-1]


def _mask_part(word: str) -> str:
    return word[:1] + MASK * max(len(word) - 1, 1)


def mask_name(name: str | None) -> str:
    """``name`` masked for publication (see the module's rule)."""
    name = (name or "").strip()
    if not name:
        return ""
    if _CJK.search(name):
        name = re.sub(r"\s+", "", name)
    parts = _SEPARATORS.split(name)
    words = [p for p in parts[::2] if p]
    if len(words) <= 1:
        return _mask_word(name)
    return "".join(part if index % 2 else (_mask_part(part) if part else part)
                   for index, part in enumerate(parts))
