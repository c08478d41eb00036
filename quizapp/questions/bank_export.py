"""Writing the UI's corrections of bank questions back into the bank's YAML files
(``flask questions export-bank``).

Rules:

- Exported: every bank question whose current version, status or survey flag differs from
  what the files last loaded (:func:`quizapp.questions.services.changed_in_ui`), as its current
  version (the one drawn). A draft waiting for review is not exported: it is not in use yet.
- Each file changes only in the fields that changed (``question_bank.writer``), and is written
  only if it reads back to exactly the exported questions.
- Exporting writes files and nothing else: the next ``flask questions load`` finds the files
  agreeing with the database and records them as loaded (the question is *settled*).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from question_bank.loader import QUESTIONS_DIR
from question_bank.writer import replace_questions
from quizapp.extensions import db
from quizapp.models import Question
from quizapp.questions.services import changed_in_ui, pending_version, spec_of


@dataclass
class ExportReport:
    """What an export wrote (code → file), and the drafts it left out."""

    written: dict[str, Path] = field(default_factory=dict)
    drafts_left: list[str] = field(default_factory=list)


def export_bank(directory: Path = QUESTIONS_DIR, dry_run: bool = False) -> ExportReport:
    """Write the UI's corrections of bank questions into ``directory``'s topic files (see the
    module's rules); with ``dry_run`` report what would be written, writing nothing.

    Raises :class:`question_bank.writer.WriteError` (no file written) when a file has errors
    or would not read back as written.
    """
    report = ExportReport()
    questions = db.session.scalars(
        select(Question).where(Question.source == "bank")
        .options(selectinload(Question.versions), selectinload(Question.current))
        .order_by(Question.code))
    by_topic: dict[str, list] = {}
    for question in questions:
        if pending_version(question) is not None:
            report.drafts_left.append(question.code)
        if changed_in_ui(question):
            by_topic.setdefault(question.current.topic, []).append(spec_of(question))
    results = []  # every file is rewritten in memory first: one that fails writes none
    for topic, specs in sorted(by_topic.items()):
        path = directory / f"{topic}.yaml"
        text = path.read_text(encoding="utf-8") if path.exists() else \
            f"topic: {topic}\nquestions:\n"
        results.append((path, replace_questions(text, path.name, topic, specs), specs))
    for path, result, specs in results:
        if not dry_run:
            path.write_text(result, encoding="utf-8")
        for spec in specs:
            report.written[spec.id] = path
    return report
