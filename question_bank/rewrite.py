"""Small, layout-keeping edits of the bank files (no YAML round trip, so comments, quoting and
key order stay as the authors wrote them).

Used by ``flask questions difficulty --apply``. Each edit raises the question's ``version`` by
one, as the format asks for a change of content.
"""

from __future__ import annotations

import re
from pathlib import Path

from question_bank.loader import QUESTIONS_DIR
from question_bank.schema import DIFFICULTIES

_ID = re.compile(r"  - id: (\S+)\s*$")


def set_difficulty(changes: dict[str, int], directory: Path = QUESTIONS_DIR) -> list[str]:
    """Write each question's new difficulty (and version + 1) into its file.

    Returns the ids changed, in file order; raises ``KeyError`` naming an id not in the files
    and ``ValueError`` for a difficulty outside 1–3. Nothing is written unless every id is found.
    """
    bad = {code: value for code, value in changes.items() if value not in DIFFICULTIES}
    if bad:
        raise ValueError(f"difficulty must be 1, 2 or 3: {bad}")
    edited: dict[Path, list[str]] = {}
    done: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").split("\n")
        starts = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _ID.match(line))]
        bounds = [start for start, _ in starts] + [len(lines)]
        touched = False
        for k, (start, code) in enumerate(starts):
            if code not in changes:
                continue
            for i in range(start, bounds[k + 1]):
                if lines[i].startswith("    difficulty:"):
                    lines[i] = f"    difficulty: {changes[code]}"
                elif lines[i].startswith("    version:"):
                    lines[i] = f"    version: {int(lines[i].split(':', 1)[1]) + 1}"
            done.append(code)
            touched = True
        if touched:
            edited[path] = lines
    missing = sorted(set(changes) - set(done))
    if missing:
        raise KeyError(f"not in the bank files: {', '.join(missing)}")
    for path, lines in edited.items():
        path.write_text("\n".join(lines), encoding="utf-8")
    return done
