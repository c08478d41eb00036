"""Questions in and out of spreadsheets: export, templates, and the all-or-nothing import.

Rules of the import:

- Reading (``question_bank.tabular``) never returns part of a file: any fault and nothing is
  written. An upload is previewed first and kept (staged) for a day, in Redis when
  ``REDIS_URL`` is set (every worker and app server sees it), else under the instance folder;
  confirming re-reads the staged file and writes in one transaction.
- **Imports land as drafts.** A new question, or new content for an existing one, is written as
  a draft whatever its ``status`` column says, and existing versions keep their statuses; the
  live version keeps being drawn until the draft is reviewed and activated on the bank pages.
  The statuses in the file are applied only when the person confirming holds review rights
  (:data:`quizapp.questions.services.REVIEW_ROLES`) *and* ticks the box that says so, and then,
  from the web, only as review steps on someone else's work: content the import writes stays
  a draft (its importer wrote it, so another person reviews it), a version the confirming
  person wrote keeps its status, and a status only moves forward (draft → reviewed → active
  → retired). The command line (an operator on the server, no account) applies them as they
  are.
- The survey flag in the file may always reserve a question; releasing one (which puts it in
  practice and competitions, so publishes it) is applied only with the statuses.
- A row whose id belongs to a bank question must equal it (so exports round-trip): the bank
  files own those questions.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from question_bank.schema import STATUSES, Issue, QuestionSpec
from question_bank.tabular import (
    SHEET_TITLE,
    TEMPLATE_EXAMPLES,
    TEMPLATE_NOTES,
    TableError,
    read_table,
    spec_table,
)
from quizapp import spreadsheets
from quizapp.extensions import db
from quizapp.models import Question
from quizapp.models.questions import format_enemy_groups
from quizapp.questions.services import (
    EDITABLE_STATUSES,
    _fill_version,
    _latest,
    _make_current_if_due,
    _new_version,
    spec_of,
    wrote,
)

STAGING_HOURS = 24
_TOKEN = re.compile(r"[0-9a-f]{32}")
NOTES_TITLE = "说明"


# --- export ------------------------------------------------------------------------------------

def export_specs() -> list[QuestionSpec]:
    """Every question's current version, ordered by code."""
    query = (select(Question).where(Question.current_version_id.is_not(None))
             .options(selectinload(Question.current)).order_by(Question.code))
    return [spec_of(q) for q in db.session.scalars(query)]


def questions_csv(specs) -> bytes:
    """The specs as CSV, through the app's one safe CSV writer."""
    return spreadsheets.csv_bytes(*spec_table(specs))


def questions_xlsx(specs, *, with_help: bool = False) -> bytes:
    """The specs as the sheet ``questions`` and, for the template, a sheet of notes."""
    sheets = {SHEET_TITLE: spec_table(specs)}
    if with_help:
        sheets[NOTES_TITLE] = ((), [[line] for line in TEMPLATE_NOTES])
    return spreadsheets.xlsx_bytes(sheets, freeze_panes="B2")


def template_csv() -> bytes:
    return questions_csv(TEMPLATE_EXAMPLES)


def template_xlsx() -> bytes:
    return questions_xlsx(TEMPLATE_EXAMPLES, with_help=True)


# --- planning and writing an import ----------------------------------------------------------

@dataclass
class ImportPlan:
    """What importing some specs would do; ``faults`` non-empty means nothing may be written."""

    added: list[QuestionSpec] = field(default_factory=list)
    changed: list[tuple[QuestionSpec, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    faults: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults


def plan_import(specs: list[QuestionSpec], rows: dict[str, int] | None = None) -> ImportPlan:
    """Compare imported specs with each question's current version, writing nothing.

    A row whose id belongs to a bank question must equal it (so exports round-trip); changing a
    bank question from a spreadsheet is a fault, as the files own those questions.
    """
    rows = rows or {}
    plan = ImportPlan()
    codes = [s.id for s in specs]
    existing = {q.code: q for q in db.session.scalars(
        select(Question).where(Question.code.in_(codes))
        .options(selectinload(Question.versions), selectinload(Question.current)))}
    for spec in specs:
        question = existing.get(spec.id)
        if question is None:
            plan.added.append(spec)
            continue
        stored = spec_of(question, question.current or _latest(question))
        differences = [name for name in ("content", "status", "survey", "metadata") if (
            (name == "content" and stored.content_hash != spec.content_hash)
            or (name == "status" and stored.status != spec.status)
            or (name == "survey" and stored.survey != spec.survey)
            or (name == "metadata" and (stored.enemy_groups, stored.review_by)
                != (spec.enemy_groups, spec.review_by)))]
        if not differences:
            plan.unchanged += 1
        elif question.source == "bank":
            plan.faults.append(Issue(
                "error", "bank_owned", "this question belongs to the bank files; change it there",
                line=rows.get(spec.id), column="id", question=spec.id))
        else:
            plan.changed.append((spec, differences))
    return plan


@dataclass(frozen=True)
class ImportOutcome:
    """How many questions an applied import added and changed."""

    added: int
    changed: int


def apply_import(plan: ImportPlan, *, apply_statuses: bool = False,
                 by_user_id: int | None = None) -> ImportOutcome:
    """Write a fault-free plan in one transaction, as drafts unless ``apply_statuses``.

    ``apply_statuses`` (the file's statuses take effect, publishing its active rows) is for a
    reviewer's explicit confirmation only; see the module's rules. ``by_user_id`` (who
    imported) writes every version the import adds or changes, so another person reviews the
    drafts.
    """
    if not plan.ok:
        raise ValueError("a plan with faults is never applied")
    # A person applies statuses to others' unchanged work only; the operator (no account) as is.
    publish_new = apply_statuses and by_user_id is None
    for spec in plan.added:
        question = Question(code=spec.id, source="ui", survey_reserved=spec.survey,
                            enemy_groups=format_enemy_groups(spec.enemy_groups),
                            review_by=spec.review_by)
        question.current = _new_version(question, spec,
                                         spec.status if publish_new else "draft")
        question.current.author_id = question.current.editor_id = by_user_id
        db.session.add(question)
    changed = 0
    for spec, differences in plan.changed:
        question = db.session.scalar(select(Question).where(Question.code == spec.id))
        # Releasing a survey question puts it in practice and competitions, which publishes
        # it: like a status, that needs the reviewer's confirmation. Reserving never does.
        survey = spec.survey if apply_statuses else spec.survey or question.survey_reserved
        # Enemy groups and the review-by date publish nothing: they apply as they are.
        if not apply_statuses and "content" not in differences \
                and "metadata" not in differences and survey == question.survey_reserved:
            continue  # only what is not applied differs (the status, a release)
        changed += 1
        question.survey_reserved = survey
        question.enemy_groups = format_enemy_groups(spec.enemy_groups)
        question.review_by = spec.review_by
        latest = _latest(question)
        status = spec.status if publish_new else "draft"
        if latest.content_hash != spec.content_hash:
            if latest.status in EDITABLE_STATUSES:
                _fill_version(latest, spec, status)
                version = latest
            else:
                version = _new_version(question, spec, status)
                version.author_id = by_user_id
            version.editor_id = by_user_id
        else:
            version = latest
            if publish_new or (apply_statuses and _may_step(version, spec.status, by_user_id)):
                version.status = spec.status
        _make_current_if_due(question, version)
    db.session.commit()
    return ImportOutcome(added=len(plan.added), changed=changed)


def _may_step(version, status: str, by_user_id: int | None) -> bool:
    """Whether a person may move ``version`` to ``status`` by an import: forward only, and
    not on a version they wrote (the same rules as the review buttons). ``STATUSES`` is in
    workflow order."""
    return (status in STATUSES and version.status in STATUSES
            and STATUSES.index(status) > STATUSES.index(version.status)
            and not wrote(version, by_user_id))


# --- previewing an upload, staging it, confirming it ------------------------------------------

@dataclass
class Preview:
    """An upload read and planned: a plan and its staging token, or the faults, or the error."""

    plan: ImportPlan | None = None
    faults: list[Issue] = field(default_factory=list)
    error: TableError | None = None
    token: str | None = None


def _plan(data: bytes, filename: str) -> Preview:
    try:
        table = read_table(data, filename)
    except TableError as error:
        return Preview(error=error)
    if not table.ok:
        return Preview(faults=table.faults)
    plan = plan_import(table.specs, table.rows)
    return Preview(plan=plan, faults=plan.faults)


def _redis_key(token: str) -> str:
    return f"kexue:question_import:{token}"


def _stage(token: str, data: bytes, filename: str) -> None:
    """Keep an upload between its preview and its confirmation (a day at most): in Redis when
    ``REDIS_URL`` is set, so the confirmation may reach another worker or app server; else in
    the instance folder (one server)."""
    client = _redis()
    if client is not None:
        with client:
            client.hset(_redis_key(token), mapping={"data": data, "filename": filename})
            client.expire(_redis_key(token), STAGING_HOURS * 3600)
        return
    directory = _staging_dir()
    (directory / f"{token}.data").write_bytes(data)
    (directory / f"{token}.json").write_text(json.dumps({"filename": filename}))


def _take(token: str) -> tuple[bytes, str] | None:
    """The staged upload ``token`` (its bytes and file name), removed; ``None`` if none."""
    client = _redis()
    if client is not None:
        with client:
            pipe = client.pipeline(transaction=True)
            pipe.hgetall(_redis_key(token))
            pipe.delete(_redis_key(token))
            staged, _deleted = pipe.execute()
        if not staged or b"data" not in staged:
            return None
        return staged[b"data"], staged[b"filename"].decode("utf-8")
    directory = _staging_dir()
    data_file, meta_file = directory / f"{token}.data", directory / f"{token}.json"
    if not data_file.exists() or not meta_file.exists():
        return None
    staged_file = data_file.read_bytes(), json.loads(meta_file.read_text())["filename"]
    data_file.unlink(missing_ok=True)
    meta_file.unlink(missing_ok=True)
    return staged_file


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url)


def _staging_dir() -> Path:
    """The folder of staged uploads, cleared of those older than a day."""
    path = Path(current_app.instance_path) / "question_imports"
    path.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STAGING_HOURS * 3600
    for old in path.glob("*"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return path


def preview_upload(data: bytes, filename: str) -> Preview:
    """Read and plan an upload; when it can be imported, stage it and set ``token``."""
    preview = _plan(data, filename)
    if preview.plan is not None and preview.plan.ok:
        token = secrets.token_hex(16)
        _stage(token, data, filename)
        preview.token = token
    return preview


class ImportExpired(LookupError):
    """No staged upload under this token (too old, already imported, or never staged)."""


class ImportChanged(ValueError):
    """The staged upload no longer imports cleanly (the questions changed since the preview)."""


def confirm_upload(token: str, *, apply_statuses: bool = False,
                   by_user_id: int | None = None) -> ImportOutcome:
    """Import the staged upload ``token`` (used up either way); see :func:`apply_import`."""
    if not _TOKEN.fullmatch(token or ""):
        raise ImportExpired(token)
    staged = _take(token)
    if staged is None:
        raise ImportExpired(token)
    data, filename = staged
    preview = _plan(data, filename)
    if preview.plan is None or not preview.plan.ok:
        raise ImportChanged(token)
    return apply_import(preview.plan, apply_statuses=apply_statuses, by_user_id=by_user_id)
