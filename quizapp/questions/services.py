"""The question bank in the database: loading the bank files, listing, editing, reviewing.

(Spreadsheet import and export are in :mod:`quizapp.questions.transfer`, item statistics in
:mod:`quizapp.questions.item_stats`; the files themselves and their rules are the Flask-free
``question_bank`` package; what competitions and practice may draw is
``quizapp.questions_pool``; the tables are ``quizapp.models.questions``.)

Rules:

- A question's *current* version is the one drawn and shown. Answers point at versions, so a
  version that may have been answered (``active`` or ``retired``) is never edited in place:
  editing it adds a new version. A ``draft`` or ``reviewed`` version has never been shown and
  is edited in place (and goes back to ``draft``).
- A new version becomes current at once when it is active or when the current version is not
  active; otherwise (a draft edit of a live question) it waits for review and activation, and the
  live version keeps being drawn. Activating a version makes it current; the version it replaces
  is left exactly as it was.
- Questions from the bank files (``source="bank"``) are loaded by ``sync_bank``; questions
  created in the UI or by importing a spreadsheet are ``source="ui"``. Both are corrected in the
  UI through the same draft → reviewed → active steps (a bank question keeps its topic: its id
  names it).
- **Another person reviews.** Whoever wrote a version, or last changed its content, may neither
  mark it reviewed nor activate it (:func:`review`, :func:`activate`); versions loaded from the
  files or imported on the command line have no writer.
- **The UI's corrections are never silently overwritten by the files.** Each bank question
  remembers the state the files last loaded (content hash, status, survey flag). When loading,
  a question whose current state differs from that (it was corrected in the UI) or that has a
  draft waiting keeps what the UI made: unchanged files leave it be (``ui_kept``), changed ones
  are a conflict that is reported and skipped (``ui_conflicts``) until someone resolves it, by
  writing the UI's version into the files (``flask questions export-bank``) or by editing either
  side to agree. A file that agrees with the current version settles the question.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from question_bank.check import duplicate_ids, lonely_enemy_groups
from question_bank.loader import QUESTIONS_DIR, load_bank
from question_bank.schema import (
    GROUPS,
    Issue,
    QuestionSpec,
    content_hash,
    groups_to_mask,
    mask_to_groups,
)
from quizapp.extensions import db
from quizapp.models import Question, QuestionVersion
from quizapp.models.questions import format_enemy_groups
from quizapp.shared.paging import paging

EDITABLE_STATUSES = ("draft", "reviewed")


class BankError(ValueError):
    """The bank files have errors: nothing was written."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} errors in the question bank")
        self.issues = issues


class WorkflowError(ValueError):
    """A review step that does not apply to the question in its present state."""


class OwnEditError(WorkflowError):
    """A review step refused because the person wrote the version: another person reviews."""


# --- specs and versions ----------------------------------------------------------------------

def version_content(version: QuestionVersion) -> dict:
    """The same content dict as :meth:`QuestionSpec.content`, read from a stored version."""
    return {
        "topic": version.topic, "type": version.type, "stem": version.stem,
        "options": list(version.options or []), "answer": list(version.answer),
        "explanation": version.explanation, "authority": version.authority,
        "groups": mask_to_groups(version.groups_mask), "dimension": version.dimension,
        "benchmark": version.benchmark, "difficulty": version.difficulty,
    }


def spec_of(question: Question, version: QuestionVersion | None = None) -> QuestionSpec:
    """A stored question (its current version unless ``version`` is given) as a spec."""
    version = version or question.current
    return QuestionSpec(
        id=question.code, topic=version.topic, version=version.version, type=version.type,
        stem=version.stem, options=tuple(version.options or ()), answer=tuple(version.answer),
        explanation=version.explanation, authority=version.authority,
        groups=tuple(mask_to_groups(version.groups_mask)), dimension=version.dimension,
        benchmark=version.benchmark, difficulty=version.difficulty, status=version.status,
        survey=question.survey_reserved, enemy_groups=question.enemy_group_names,
        review_by=question.review_by)


def _fill_version(version: QuestionVersion, spec: QuestionSpec, status: str) -> None:
    version.status = status
    version.type = spec.type
    version.topic = spec.topic
    version.stem = spec.stem
    version.options = list(spec.options)
    version.answer = list(spec.answer)
    version.explanation = spec.explanation
    version.authority = spec.authority
    version.groups_mask = groups_to_mask(spec.groups)
    version.dimension = spec.dimension
    version.benchmark = spec.benchmark
    version.difficulty = spec.difficulty
    version.content_hash = spec.content_hash


def _latest(question: Question) -> QuestionVersion | None:
    return max(question.versions, key=lambda v: v.version, default=None)


def _new_version(question: Question, spec: QuestionSpec, status: str) -> QuestionVersion:
    latest = _latest(question)
    number = max(spec.version, (latest.version + 1) if latest else 1)
    version = QuestionVersion(version=number)
    _fill_version(version, spec, status)
    question.versions.append(version)
    return version


def _make_current_if_due(question: Question, version: QuestionVersion) -> None:
    current = question.current
    if version.status == "active" or current is None or current.status != "active":
        question.current = version


# --- loading the bank files -------------------------------------------------------------------

@dataclass
class SyncSummary:
    """What :func:`sync_bank` did, by question code."""

    added: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    status_changed: list[str] = field(default_factory=list)
    flag_changed: list[str] = field(default_factory=list)
    metadata_changed: list[str] = field(default_factory=list)  # enemy groups, review-by date
    retired_missing: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)  # codes taken by UI questions
    # Bank questions corrected in the UI: kept as the UI made them (the files did not change),
    # in conflict (the files changed too: skipped, reported), settled (the files now agree).
    ui_kept: list[str] = field(default_factory=list)
    ui_conflicts: list[str] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.new_versions or self.status_changed or self.flag_changed
                    or self.metadata_changed or self.retired_missing)

    def as_dict(self) -> dict:
        return {"added": len(self.added), "new_versions": len(self.new_versions),
                "status_changed": len(self.status_changed),
                "survey_flag_changed": len(self.flag_changed),
                "metadata_changed": len(self.metadata_changed),
                "retired_missing": len(self.retired_missing), "unchanged": self.unchanged,
                "conflicts": self.conflicts, "ui_kept": self.ui_kept,
                "ui_conflicts": self.ui_conflicts, "settled": self.settled}


def _remember_files(question: Question, content_hash: str, status: str, survey: bool) -> None:
    question.bank_content_hash = content_hash
    question.bank_status = status
    question.bank_survey = survey


def _current_state(question: Question) -> tuple:
    current = question.current
    return (current.content_hash if current else None, current.status if current else None,
            question.survey_reserved)


def _loaded_state(question: Question) -> tuple:
    return (question.bank_content_hash, question.bank_status, question.bank_survey)


def changed_in_ui(question: Question) -> bool:
    """Whether a bank question's current state differs from what the files last loaded (a
    correction made in the UI, not yet in the files). A question loaded before the files'
    state was recorded counts as unchanged."""
    return (question.source == "bank" and question.bank_content_hash is not None
            and _current_state(question) != _loaded_state(question))


def sync_bank(directory: Path = QUESTIONS_DIR) -> SyncSummary:
    """Make the database's bank questions equal to the YAML files, idempotently.

    Rule: a new id adds a question whose first version carries the file's status; changed
    content (see :meth:`QuestionSpec.content`) adds a version, numbered the file's version or
    one past the last, that becomes current; a changed status, survey flag, enemy groups or
    review-by date alone is updated in place; unchanged questions are not touched. A bank
    question no longer in the files has its current version retired. An id already used by a UI
    question is reported, not overwritten. A bank question corrected in the UI is never
    overwritten (see the module's rules: kept, conflict or settled). Any schema error,
    duplicate id or enemy group of one question in the files raises :class:`BankError` before
    anything is written; warnings (near-duplicate stems, reviews due) and the coverage floor do
    not block loading.
    """
    loaded = load_bank(directory)
    errors = loaded.errors + [i for i in duplicate_ids(loaded.specs) + lonely_enemy_groups(
        loaded.specs) if i.severity == "error"]
    if errors:
        raise BankError(errors)

    existing = {q.code: q for q in db.session.scalars(
        select(Question).options(selectinload(Question.versions), selectinload(Question.current)))}
    summary = SyncSummary()
    for spec in loaded.specs:
        question = existing.get(spec.id)
        if question is None:
            question = Question(code=spec.id, source="bank", survey_reserved=spec.survey,
                                enemy_groups=format_enemy_groups(spec.enemy_groups),
                                review_by=spec.review_by)
            version = _new_version(question, spec, spec.status)
            question.current = version
            _remember_files(question, spec.content_hash, spec.status, spec.survey)
            db.session.add(question)
            summary.added.append(spec.id)
            continue
        if question.source != "bank":
            summary.conflicts.append(spec.id)
            continue
        # Enemy groups and review-by dates are kept in the files only (the UI does not edit
        # them), so they follow the files whatever happened to the question's content.
        enemies = format_enemy_groups(spec.enemy_groups)
        metadata_changed = (question.enemy_groups != enemies
                            or question.review_by != spec.review_by)
        if metadata_changed:
            question.enemy_groups, question.review_by = enemies, spec.review_by
            summary.metadata_changed.append(spec.id)
        in_file = (spec.content_hash, spec.status, spec.survey)
        if in_file == _current_state(question):
            if _loaded_state(question) != in_file:
                summary.settled.append(spec.id)  # the files now say what the UI made
            _remember_files(question, *in_file)
            if not metadata_changed:
                summary.unchanged += 1
            continue
        if changed_in_ui(question) or pending_version(question) is not None:
            if in_file == _loaded_state(question):
                if changed_in_ui(question):
                    summary.ui_kept.append(spec.id)
                else:
                    summary.unchanged += 0 if metadata_changed else 1  # only a draft waits
            else:
                summary.ui_conflicts.append(spec.id)
            continue
        touched = metadata_changed
        current = question.current
        if current is None or current.content_hash != spec.content_hash:
            question.current = _new_version(question, spec, spec.status)
            summary.new_versions.append(spec.id)
            touched = True
        elif current.status != spec.status:
            current.status = spec.status
            summary.status_changed.append(spec.id)
            touched = True
        if question.survey_reserved != spec.survey:
            question.survey_reserved = spec.survey
            summary.flag_changed.append(spec.id)
            touched = True
        _remember_files(question, *in_file)
        if not touched:
            summary.unchanged += 1
    in_files = {spec.id for spec in loaded.specs}
    for code, question in existing.items():
        if (question.source == "bank" and code not in in_files and question.current is not None
                and question.current.status != "retired"):
            if changed_in_ui(question) or pending_version(question) is not None:
                summary.ui_conflicts.append(code)  # gone from the files, corrected in the UI
                continue
            question.current.status = "retired"
            question.bank_status = "retired"
            summary.retired_missing.append(code)
    db.session.commit()
    return summary


# --- listing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionFilter:
    """The list page's search: every value optional."""

    q: str = ""
    group: str = ""
    topic: str = ""
    dimension: str = ""
    difficulty: int | None = None
    status: str = ""
    survey: str = ""  # "yes" | "no" | ""
    source: str = ""  # "bank" | "ui" | ""
    review_due: date | None = None  # only questions to review by this day (see reviews_due)


def question_query(filters: QuestionFilter):
    """A SELECT of (Question, its current version) matching ``filters``, ordered by code.

    The status filter matches the current version's status, and for ``draft``/``reviewed`` also
    a newer version waiting for review.
    """
    current = aliased(QuestionVersion)
    query = (select(Question, current)
             .join(current, current.id == Question.current_version_id)
             .order_by(Question.code))
    if filters.q:
        like = f"%{filters.q.strip()}%"
        query = query.where(or_(Question.code.ilike(like), current.stem.ilike(like)))
    if filters.group in GROUPS:
        query = query.where(current.groups_mask.op("&")(groups_to_mask([filters.group])) != 0)
    if filters.topic:
        query = query.where(current.topic == filters.topic)
    if filters.dimension:
        query = query.where(current.dimension == filters.dimension)
    if filters.difficulty:
        query = query.where(current.difficulty == filters.difficulty)
    if filters.status:
        pending = aliased(QuestionVersion)
        query = query.where(or_(
            current.status == filters.status,
            exists().where(pending.question_id == Question.id,
                           pending.status == filters.status,
                           pending.version > current.version)))
    if filters.survey in ("yes", "no"):
        query = query.where(Question.survey_reserved.is_(filters.survey == "yes"))
    if filters.source in ("bank", "ui"):
        query = query.where(Question.source == filters.source)
    if filters.review_due is not None:
        query = _due_by(query, current, filters.review_due)
    return query


def _due_by(query, current, day: date):
    return query.where(Question.review_by.is_not(None), Question.review_by <= day,
                       current.status != "retired")


@dataclass(frozen=True)
class ReviewsDue:
    """The questions whose review-by date has come: how many, and the first few rows
    (question, current version), the longest overdue first."""

    total: int
    rows: list


def reviews_due(today: date, limit: int = 10) -> ReviewsDue:
    """Questions not retired whose review-by date is ``today`` or earlier.

    Rule: a time-sensitive question (a hotline, a regulation, a guideline) carries a review-by
    date in the bank; from that day on admins see it listed until the date is moved on.
    """
    current = aliased(QuestionVersion)
    query = _due_by(select(Question, current).join(
        current, current.id == Question.current_version_id), current, today)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.order_by(Question.review_by, Question.code).limit(limit)).all() if total else []
    return ReviewsDue(total=total, rows=list(rows))


@dataclass(frozen=True)
class QuestionPage:
    """One page of the question list: (question, current version) rows and where it is."""

    rows: list
    page: int
    pages: int
    total: int


def list_questions(filters: QuestionFilter, page: int, per_page: int) -> QuestionPage:
    """The ``page``-th page (clamped to 1 … the last) of the questions matching ``filters``."""
    query = question_query(filters)
    where = paging(db.session.scalar(select(func.count()).select_from(query.subquery())),
                   page, per_page)
    rows = db.session.execute(query.limit(per_page).offset(where.offset)).all()
    return QuestionPage(rows=list(rows), page=where.page, pages=where.pages, total=where.total)


def get_question(question_id: int) -> Question | None:
    return db.session.get(Question, question_id)


def version_of(question: Question, version_id: int) -> QuestionVersion:
    """The version ``version_id`` of ``question``; :class:`WorkflowError` if it is not one."""
    version = db.session.get(QuestionVersion, version_id)
    if version is None or version.question_id != question.id:
        raise WorkflowError("no such version")
    return version


def pending_version(question: Question) -> QuestionVersion | None:
    """A version newer than the current one (an edit waiting for review), if any."""
    latest = _latest(question)
    if latest is not None and question.current is not None and latest.version > \
            question.current.version:
        return latest
    return None


# --- editing and review ------------------------------------------------------------------------

# Who may publish: review a draft, activate a reviewed version, or let an import apply the
# statuses written in its file. The bank pages and the import's confirmation both use this.
REVIEW_ROLES = ("admin",)


def can_review(user) -> bool:
    """Whether ``user`` (a signed-in account, or anonymous) holds review rights."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_any_role(*REVIEW_ROLES)


def next_ui_code(topic: str) -> str:
    """A fresh code for a question authored in the UI: ``<topic>-uNNNN``."""
    prefix = f"{topic}-u"
    codes = db.session.scalars(select(Question.code).where(Question.code.like(f"{prefix}%")))
    numbers = [int(c[len(prefix):]) for c in codes if c[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def create_question(spec: QuestionSpec, by_user_id: int | None = None) -> Question:
    """A new UI question; its first version is a draft and is current (drawn only once active).
    ``by_user_id`` wrote it, so another person reviews it."""
    question = Question(code=spec.id or next_ui_code(spec.topic), source="ui",
                        survey_reserved=spec.survey)
    version = _new_version(question, spec, "draft")
    version.author_id = version.editor_id = by_user_id
    question.current = version
    db.session.add(question)
    db.session.commit()
    return question


def save_edit(question: Question, spec: QuestionSpec, status: str = "draft",
              by_user_id: int | None = None) -> QuestionVersion:
    """Save edited content: in place for a draft/reviewed latest version, else a new version.

    Unchanged content changes nothing. A bank question keeps its topic (its id names it).
    ``by_user_id`` becomes the version's writer (its author when the version is new, its
    editor either way), who may then not review or activate it. Returns the version holding
    the content.
    """
    latest = _latest(question)
    if question.source == "bank" and latest is not None and spec.topic != latest.topic:
        raise WorkflowError("a bank question keeps its topic")
    if latest is not None and latest.content_hash == spec.content_hash:
        return latest
    if latest is not None and latest.status in EDITABLE_STATUSES:
        _fill_version(latest, spec, status)
        latest.reviewed_by_id = None
        version = latest
    else:
        version = _new_version(question, spec, status)
        version.author_id = by_user_id
    version.editor_id = by_user_id
    _make_current_if_due(question, version)
    db.session.commit()
    return version


def wrote(version: QuestionVersion, user_id: int | None) -> bool:
    """Whether ``user_id`` wrote ``version`` or last changed its content in the UI."""
    return user_id is not None and user_id in (version.author_id, version.editor_id)


def review(question: Question, version: QuestionVersion, by_user_id: int) -> None:
    """draft → reviewed, by someone other than its writers (:func:`wrote`)."""
    _check_version(question, version)
    if version.status != "draft":
        raise WorkflowError("only a draft can be marked reviewed")
    if wrote(version, by_user_id):
        raise OwnEditError("another person reviews this version")
    version.status = "reviewed"
    version.reviewed_by_id = by_user_id
    db.session.commit()


def activate(question: Question, version: QuestionVersion, by_user_id: int) -> None:
    """reviewed → active, by someone other than its writers; the version becomes current and
    the previous one is left untouched."""
    _check_version(question, version)
    if version.status != "reviewed":
        raise WorkflowError("only a reviewed version can be activated")
    if wrote(version, by_user_id):
        raise OwnEditError("another person activates this version")
    version.status = "active"
    question.current = version
    db.session.commit()


def retire(question: Question) -> None:
    """Retire the current version: the question is no longer drawn."""
    _check_version(question, question.current)
    if question.current.status == "retired":
        raise WorkflowError("already retired")
    question.current.status = "retired"
    db.session.commit()


def set_survey_reserved(question: Question, reserved: bool) -> None:
    question.survey_reserved = reserved
    db.session.commit()


def take_step(question: Question, step: Callable[[Question], object]) -> str | None:
    """Run one review step on ``question``: ``None`` when done, else why nothing was written
    (``"own_edit"``: the step is another person's; ``"not_applicable"``)."""
    try:
        step(question)
    except OwnEditError:
        db.session.rollback()
        return "own_edit"
    except WorkflowError:
        db.session.rollback()
        return "not_applicable"
    return None


def _check_version(question: Question, version: QuestionVersion | None) -> None:
    if version is None or version.question_id != question.id:
        raise WorkflowError("no such version")


def counts_by_status() -> dict[str, int]:
    current = aliased(QuestionVersion)
    rows = db.session.execute(select(current.status, func.count()).join(
        Question, Question.current_version_id == current.id).group_by(current.status))
    return dict(rows.all())


__all__ = ["REVIEW_ROLES", "BankError", "OwnEditError", "QuestionFilter", "QuestionPage",
           "ReviewsDue", "SyncSummary", "WorkflowError", "activate", "can_review",
           "changed_in_ui", "content_hash", "create_question", "list_questions",
           "question_query", "retire", "review", "reviews_due", "save_edit", "spec_of",
           "sync_bank", "take_step", "version_of", "wrote"]
