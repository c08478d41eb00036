"""Teachers' question sets: finding bank questions, building, ordering, sharing and copying sets.

Rules:

- A set offers only what class quizzes may draw (``quizapp.questions_pool.class_drawable_query``):
  the current, active version of a question not reserved for the survey and in no unclosed
  network competition's pool (a class game reveals its key). A question is checked when
  it is added, whatever the page showed, so a forged id of a survey-reserved, draft, retired or
  unknown question is refused (:class:`SetError`).
- A question already in a set may stay there after the bank retires it or reserves it for the
  survey (the set keeps its order); it is not played (:func:`playable_versions` skips it), a
  copy leaves it out, and the set's page no longer shows a reserved question's text.
- A set belongs to its owner and its school. Shared sets are seen, played and copied by the
  school's other teachers; only the owner (or an admin) changes or deletes a set.
- A set may hold questions of one enemy group (they give each other away); the teacher chose
  them, so the set's pages warn (:attr:`SetEntry.gives_away`) rather than refuse.
- Every change of a set's questions rewrites its rows under a row lock of the set, so two
  requests editing one set at once leave one of the two orders, never a mix or an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from quizapp.engine.clock import now
from quizapp.extensions import db
from quizapp.models import Question, QuestionVersion
from quizapp.models.schools import QuestionSet, QuestionSetItem
from quizapp.questions_pool import class_drawable_query, enemy_groups_by_question

TITLE_MAX = 120  # QuestionSet.title
DESCRIPTION_MAX = 1000
SEARCH_MAX = 100
MAX_ITEMS = 100  # questions in one set: more than any lesson plays
PAGE_SIZE = 20  # candidates shown per page


class SetError(ValueError):
    """A change of a set that the rules refuse; ``code`` says which rule (see ``labels``)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class CandidateFilter:
    """What the teacher narrows the bank to (empty or ``None``: any)."""

    group: str | None = None
    topic: str | None = None
    dimension: str | None = None
    difficulty: int | None = None
    search: str = ""


# --- finding questions -------------------------------------------------------------------

def _candidate_query(filters: CandidateFilter):
    query = class_drawable_query([filters.group] if filters.group else None, now())
    if filters.topic:
        query = query.where(QuestionVersion.topic == filters.topic)
    if filters.dimension:
        query = query.where(QuestionVersion.dimension == filters.dimension)
    if filters.difficulty is not None:
        query = query.where(QuestionVersion.difficulty == filters.difficulty)
    search = filters.search.strip()
    if search:
        query = query.where(or_(QuestionVersion.stem.icontains(search, autoescape=True),
                                Question.code.icontains(search, autoescape=True)))
    return query


def candidate_questions(*, group: str | None = None, topic: str | None = None,
                        dimension: str | None = None, difficulty: int | None = None,
                        search: str = "", limit: int = PAGE_SIZE,
                        offset: int = 0) -> list[QuestionVersion]:
    """Current active versions a set may take (never survey-reserved), filtered, by code."""
    filters = CandidateFilter(group, topic, dimension, difficulty, search)
    query = (_candidate_query(filters).options(selectinload(QuestionVersion.question))
             .order_by(Question.code).limit(limit).offset(offset))
    return list(db.session.scalars(query))


def count_candidates(filters: CandidateFilter) -> int:
    """How many questions :func:`candidate_questions` finds with ``filters`` (all pages)."""
    return db.session.scalar(
        select(func.count()).select_from(_candidate_query(filters).subquery())) or 0


def _drawable_ids(question_ids: list[int]) -> set[int]:
    if not question_ids:
        return set()
    return set(db.session.scalars(
        class_drawable_query(None, now()).with_only_columns(Question.id)
        .where(Question.id.in_(question_ids))))


# --- reading sets --------------------------------------------------------------------------

def get_set(set_id: int) -> QuestionSet | None:
    return db.session.get(QuestionSet, set_id)


def sets_for(user_id: int, school_ids: set[int] | list[int], *,
             everything: bool = False) -> list[QuestionSet]:
    """The person's own sets and the shared sets of their schools (``everything``, for an
    admin: every set of those schools), newest change first."""
    if not school_ids:
        return []
    query = select(QuestionSet).where(QuestionSet.school_id.in_(list(school_ids)))
    if not everything:
        query = query.where(or_(QuestionSet.owner_id == user_id, QuestionSet.shared.is_(True)))
    query = (query.options(selectinload(QuestionSet.items), selectinload(QuestionSet.owner),
                      selectinload(QuestionSet.school))
             .order_by(QuestionSet.updated_at.desc(), QuestionSet.id.desc()))
    return list(db.session.scalars(query))


def can_see(qset: QuestionSet, user_id: int, school_ids: set[int], admin: bool) -> bool:
    """Admins see every set; a teacher sees their own and the shared sets of their schools."""
    if admin:
        return True
    return qset.school_id in school_ids and (qset.owner_id == user_id or qset.shared)


def can_change(qset: QuestionSet, user_id: int, admin: bool) -> bool:
    """Only the owner (or an admin) edits, shares or deletes a set."""
    return admin or qset.owner_id == user_id


@dataclass(frozen=True)
class SetEntry:
    """One question of a set as its page shows it."""

    position: int
    question_id: int
    code: str
    version: QuestionVersion | None  # the current version, None if the question has none
    playable: bool  # current, active, not survey-reserved
    reserved: bool  # reserved for the survey: its text is no longer shown
    # Numbers (1, 2, … in set order) of the other questions sharing an enemy group with it.
    gives_away: tuple[int, ...] = ()


def _enemy_numbers(ids: list[int]) -> dict[int, tuple[int, ...]]:
    """For each question of ``ids`` (in set order), the 1-based numbers of the others in
    ``ids`` that share one of its enemy groups."""
    groups = enemy_groups_by_question()
    numbers: dict[int, tuple[int, ...]] = {}
    for index, question_id in enumerate(ids):
        mine = set(groups.get(question_id, ()))
        numbers[question_id] = tuple(
            other + 1 for other, other_id in enumerate(ids)
            if other != index and mine & set(groups.get(other_id, ())))
    return numbers


def entries(qset: QuestionSet) -> list[SetEntry]:
    """The set's questions in order, each with its current version, whether it plays and
    which others of the set it gives away."""
    ids = [item.question_id for item in qset.items]
    if not ids:
        return []
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(ids)).options(selectinload(Question.current)))}
    playable = _drawable_ids(ids)
    enemies = _enemy_numbers(ids)
    rows = []
    for item in qset.items:
        question = questions[item.question_id]
        rows.append(SetEntry(item.position, question.id, question.code, question.current,
                             question.id in playable, question.survey_reserved,
                             enemies[question.id]))
    return rows


def playable_versions(qset: QuestionSet) -> list[QuestionVersion]:
    """The current active, non-reserved version of each of the set's questions, in set order.

    Raises ``SetError("empty")`` when none is left (what live games and homework play).
    """
    ids = [item.question_id for item in qset.items]
    by_question = {v.question_id: v for v in db.session.scalars(
        class_drawable_query(None, now()).where(Question.id.in_(ids)))} if ids else {}
    versions = [by_question[i] for i in ids if i in by_question]
    if not versions:
        raise SetError("empty")
    return versions


# --- changing sets ------------------------------------------------------------------------

def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise SetError("title_empty")
    if len(title) > TITLE_MAX:
        raise SetError("title_long", max=TITLE_MAX)
    return title


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise SetError("description_long", max=DESCRIPTION_MAX)
    return description


def _checked_ids(question_ids: list[int], keep: set[int]) -> list[int]:
    """``question_ids`` if every id is drawable or already in the set (``keep``), each once."""
    ids = list(question_ids)
    if len(set(ids)) != len(ids):
        raise SetError("duplicate")
    if len(ids) > MAX_ITEMS:
        raise SetError("too_many", max=MAX_ITEMS)
    new = [i for i in ids if i not in keep]
    if set(new) - _drawable_ids(new):
        raise SetError("not_offered")
    return ids


def _write_items(qset: QuestionSet, question_ids: list[int]) -> None:
    qset.items.clear()
    db.session.flush()  # the old rows go first: (set, position) and (set, question) are unique
    qset.items.extend(QuestionSetItem(position=i, question_id=q)
                      for i, q in enumerate(question_ids))


def create_set(school_id: int, owner_id: int, title: str, question_ids: list[int],
               description: str = "", shared: bool = False) -> QuestionSet:
    """A new set of ``question_ids`` in that order (each drawable, each once), committed."""
    qset = QuestionSet(school_id=school_id, owner_id=owner_id, title=_clean_title(title),
                       description=_clean_description(description), shared=bool(shared),
                       created_at=now(), updated_at=now())
    ids = _checked_ids(question_ids, keep=set())
    db.session.add(qset)
    qset.items.extend(QuestionSetItem(position=i, question_id=q) for i, q in enumerate(ids))
    db.session.commit()
    return qset


def _lock(qset: QuestionSet) -> list[int]:
    """Lock the set's row until commit and return its question ids as stored now."""
    db.session.execute(select(QuestionSet.id).where(QuestionSet.id == qset.id).with_for_update())
    db.session.refresh(qset, ["items"])
    return [item.question_id for item in qset.items]


def update_set(qset: QuestionSet, *, title: str | None = None, description: str | None = None,
               question_ids: list[int] | None = None, shared: bool | None = None) -> QuestionSet:
    """Change what is given; ``question_ids`` is the new list in its new order. Committed.

    A question not already in the set must be drawable (never survey-reserved); an id given
    twice, unknown or not offered raises :class:`SetError` and changes nothing.
    """
    try:
        if title is not None:
            qset.title = _clean_title(title)
        if description is not None:
            qset.description = _clean_description(description)
        if shared is not None:
            qset.shared = bool(shared)
        if question_ids is not None:
            stored = _lock(qset)
            _write_items(qset, _checked_ids(question_ids, keep=set(stored)))
    except SetError:
        db.session.rollback()
        raise
    qset.updated_at = now()
    db.session.commit()
    return qset


def _change_items(qset: QuestionSet, change) -> QuestionSet:
    """Apply ``change`` (stored ids → new ids) to the set as stored under its lock."""
    try:
        stored = _lock(qset)
        ids = _checked_ids(change(list(stored)), keep=set(stored))
        _write_items(qset, ids)
    except SetError:
        db.session.rollback()
        raise
    qset.updated_at = now()
    db.session.commit()
    return qset


def add_questions(qset: QuestionSet, question_ids: list[int]) -> int:
    """Append the given questions not yet in the set (in the given order); how many were new."""
    added = []

    def change(ids: list[int]) -> list[int]:
        for question_id in question_ids:
            if question_id not in ids and question_id not in added:
                added.append(question_id)
        return ids + added

    _change_items(qset, change)
    return len(added)


def remove_question(qset: QuestionSet, question_id: int) -> None:
    """Take a question out of the set (``SetError("not_in_set")`` if it is not there)."""

    def change(ids: list[int]) -> list[int]:
        if question_id not in ids:
            raise SetError("not_in_set")
        return [i for i in ids if i != question_id]

    _change_items(qset, change)


def move_question(qset: QuestionSet, question_id: int, step: int) -> None:
    """Move a question ``step`` places later (negative: earlier), stopping at either end."""

    def change(ids: list[int]) -> list[int]:
        if question_id not in ids:
            raise SetError("not_in_set")
        old = ids.index(question_id)
        new = min(max(old + step, 0), len(ids) - 1)
        ids.insert(new, ids.pop(old))
        return ids

    _change_items(qset, change)


def copy_set(qset: QuestionSet, owner_id: int, school_id: int,
             title: str | None = None) -> QuestionSet:
    """A new, unshared set of ``owner_id`` with the playable questions of ``qset`` in order."""
    ids = [v.question_id for v in playable_versions_or_none(qset)]
    return create_set(school_id, owner_id, (title or qset.title)[:TITLE_MAX], ids,
                      description=qset.description, shared=False)


def playable_versions_or_none(qset: QuestionSet) -> list[QuestionVersion]:
    """As :func:`playable_versions`, but an empty list instead of ``SetError("empty")``."""
    try:
        return playable_versions(qset)
    except SetError:
        return []


def delete_set(qset: QuestionSet) -> None:
    """Delete a set; games and homework already made from it keep their questions."""
    db.session.delete(qset)
    db.session.commit()
