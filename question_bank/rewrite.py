"""Small, layout-keeping edits of the bank files, through the one writer
(:mod:`question_bank.writer`: only the changed fields are rewritten, comments, quoting and
key order stay as the authors wrote them).

Used by ``flask questions difficulty --apply``. Each edit raises the question's ``version`` by
one, as the format asks for a change of content.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from question_bank.loader import QUESTIONS_DIR, load_text
from question_bank.schema import DIFFICULTIES
from question_bank.writer import replace_questions


def set_difficulty(changes: dict[str, int], directory: Path = QUESTIONS_DIR) -> list[str]:
    """Write each question's new difficulty (and version + 1) into its file.

    Returns the ids changed, in file order; raises ``KeyError`` naming an id not in the files
    and ``ValueError`` for a difficulty outside 1–3. Nothing is written unless every id is found.
    """
    bad = {code: value for code, value in changes.items() if value not in DIFFICULTIES}
    if bad:
        raise ValueError(f"difficulty must be 1, 2 or 3: {bad}")
    edited: dict[Path, str] = {}
    done: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        specs = [spec for spec in load_text(text, path.name, topic=path.stem).specs
                 if spec.id in changes]
        if not specs:
            continue
        edited[path] = replace_questions(text, path.name, path.stem, [
            replace(spec, difficulty=changes[spec.id], version=spec.version + 1)
            for spec in specs])
        done.extend(spec.id for spec in specs)
    missing = sorted(set(changes) - set(done))
    if missing:
        raise KeyError(f"not in the bank files: {', '.join(missing)}")
    for path, text in edited.items():
        path.write_text(text, encoding="utf-8")
    return done
