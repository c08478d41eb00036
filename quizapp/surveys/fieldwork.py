"""Fieldwork in the browser: the statistician assigns interviewers to sampled PSUs, and each
interviewer lists households, records a household's adults, visits and contact details for
their own cases.

Ownership: every interviewer-facing function starts from :func:`psu_page` or
:func:`case_page`, which look the PSU or case up through :mod:`.assignments` (assigned to
this interviewer, wave in fieldwork) and return ``None`` otherwise; the writing functions take
those pages, so nothing is written to a case found by id alone.

The rules stay where they are: household selection and the choice of the adult are
:mod:`.design`'s, visits and dispositions :func:`.interviews.record_contact`'s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import surveys
from quizapp.engine import clock
from quizapp.extensions import db
from quizapp.models import (
    SurveyCase,
    SurveyCaseContact,
    SurveyContactAttempt,
    SurveyInterview,
    SurveySampledPSU,
    SurveyWave,
    User,
    UserRole,
)
from quizapp.surveys import assignments, design, labels
from quizapp.surveys.interviews import CONTACT_OUTCOMES, ContactRecord, record_contact
from quizapp.surveys.services import WaveRefused, require_status
from quizapp.timezone import to_local

# The outcomes an interviewer records after a visit; "no_reply" belongs to invitation letters.
VISIT_OUTCOMES = tuple(code for code in CONTACT_OUTCOMES if code != "no_reply")
DISPOSITION_ORDER = tuple(d.value for d in surveys.Disposition)


# --- the statistician: who works which PSU -------------------------------------------------

@dataclass(frozen=True)
class InterviewerChoice:
    """An interviewer account offered for a PSU; ``local`` when the PSU's township is one of
    the account's townships."""

    user: User
    local: bool


@dataclass(frozen=True)
class AssignmentRow:
    """One sampled PSU on the assignment page, with the accounts offered for it (local
    interviewers first)."""

    psu: SurveySampledPSU
    cases: int
    completes: int
    choices: tuple[InterviewerChoice, ...]
    current: User | None  # the assigned account (also when it is no longer an interviewer)


@dataclass(frozen=True)
class Workload:
    """What one interviewer holds in the wave."""

    interviewer: User
    psus: int
    cases: int
    completes: int


@dataclass(frozen=True)
class AssignmentPage:
    wave: SurveyWave
    rows: tuple[AssignmentRow, ...]
    workload: tuple[Workload, ...]

    @property
    def editable(self) -> bool:
        """Assignments change while the wave is designed or in fieldwork, not once closed."""
        return self.wave.status in ("design", "fieldwork")


def interviewer_accounts() -> list[User]:
    """Active accounts holding the interviewer role, by display name."""
    return list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .options(selectinload(User.townships))
        .where(UserRole.role == "interviewer", User.active.is_(True))
        .order_by(User.display_name, User.username)))


def _case_counts(wave: SurveyWave) -> tuple[Counter, Counter]:
    cases: Counter = Counter()
    completes: Counter = Counter()
    for psu_id, disposition, count in db.session.execute(
            select(SurveyCase.sampled_psu_id, SurveyCase.disposition, func.count(SurveyCase.id))
            .where(SurveyCase.wave_id == wave.id)
            .group_by(SurveyCase.sampled_psu_id, SurveyCase.disposition)):
        cases[psu_id] += count
        if disposition == surveys.Disposition.COMPLETE.value:
            completes[psu_id] += count
    return cases, completes


def assignment_page(wave: SurveyWave) -> AssignmentPage:
    """The wave's sampled PSUs (frame order) with their cases, completes, the interviewer
    accounts to choose from and each interviewer's workload."""
    psus = design.sampled_psus(wave)
    accounts = interviewer_accounts()
    cases, completes = _case_counts(wave)
    assigned = {p.interviewer_id for p in psus if p.interviewer_id is not None}
    people = {u.id: u for u in accounts}
    missing = assigned - set(people)
    if missing:
        people.update({u.id: u for u in db.session.scalars(
            select(User).where(User.id.in_(missing)))})
    rows = []
    for psu in psus:
        township = psu.frame_psu.township_id
        offered = [InterviewerChoice(u, any(t.id == township for t in u.townships))
                   for u in accounts]
        offered.sort(key=lambda choice: not choice.local)  # stable: local first, by name
        rows.append(AssignmentRow(psu, cases[psu.id], completes[psu.id], tuple(offered),
                                  people.get(psu.interviewer_id)))
    load = []
    for user_id in sorted(assigned, key=lambda i: (people[i].display_name, people[i].username)):
        mine = [p for p in psus if p.interviewer_id == user_id]
        load.append(Workload(people[user_id], len(mine), sum(cases[p.id] for p in mine),
                             sum(completes[p.id] for p in mine)))
    return AssignmentPage(wave, tuple(rows), tuple(load))


def assign_interviewers(wave: SurveyWave, wanted: Mapping[int, int | None]) -> int:
    """Store who works each sampled PSU of the wave, all or nothing; return how many changed.

    ``wanted`` maps every sampled PSU id of the wave to a user id, or ``None`` to leave the PSU
    unassigned.  Refused when the wave is closed, when ``wanted`` does not name exactly the
    wave's PSUs, and when a PSU is given to an account that is not an active interviewer (an
    account keeps a PSU it already holds, so a page can be saved after someone left).
    """
    require_status(wave, "design", "fieldwork")
    psus = {p.id: p for p in design.sampled_psus(wave)}
    if set(wanted) != set(psus):
        raise WaveRefused(_("The list of villages and communities has changed; reload the page "
                            "and choose again."))
    interviewers = {u.id for u in interviewer_accounts()}
    for psu_id, user_id in wanted.items():
        psu = psus[psu_id]
        if user_id is not None and user_id not in interviewers \
                and user_id != psu.interviewer_id:
            raise WaveRefused(_("%(psu)s: the chosen account is not an active interviewer.",
                                psu=psu.frame_psu.name or psu.frame_psu.code))
    changed = 0
    for psu_id, user_id in wanted.items():
        if psus[psu_id].interviewer_id != user_id:
            psus[psu_id].interviewer_id = user_id
            changed += 1
    db.session.commit()
    return changed


# --- the interviewer: own PSUs and cases ---------------------------------------------------

@dataclass(frozen=True)
class PsuProgress:
    """An assigned PSU on the interviewer's home page."""

    psu: SurveySampledPSU
    wave: SurveyWave
    cases: int
    ready: int
    interviewed: int
    dispositions: tuple[tuple[str, int], ...]  # (disposition code, cases), AAPOR order

    @property
    def listed(self) -> bool:
        return self.psu.listed_at is not None


def _interviewed_case_ids(case_ids: list[int]) -> set[int]:
    if not case_ids:
        return set()
    return set(db.session.scalars(
        select(SurveyInterview.case_id).where(SurveyInterview.case_id.in_(case_ids))))


def my_assignments(user_id: int) -> list[PsuProgress]:
    """The interviewer's PSUs in waves now in fieldwork, with the progress of their cases."""
    psus = assignments.interviewer_psus(user_id)
    if not psus:
        return []
    cases = list(db.session.scalars(
        select(SurveyCase).where(SurveyCase.sampled_psu_id.in_([p.id for p in psus]))))
    interviewed = _interviewed_case_ids([c.id for c in cases])
    waves = {w.id: w for w in db.session.scalars(
        select(SurveyWave).where(SurveyWave.id.in_({p.wave_id for p in psus})))}
    progress = []
    for psu in psus:
        mine = [c for c in cases if c.sampled_psu_id == psu.id]
        tally = Counter(c.disposition for c in mine if c.disposition)
        progress.append(PsuProgress(
            psu=psu, wave=waves[psu.wave_id], cases=len(mine),
            ready=sum(1 for c in mine if c.status == "ready" and c.id not in interviewed),
            interviewed=sum(1 for c in mine if c.id in interviewed),
            dispositions=tuple((code, tally[code]) for code in DISPOSITION_ORDER if tally[code])))
    return progress


@dataclass(frozen=True)
class CaseRow:
    """A selected household on the PSU page."""

    case: SurveyCase
    interviewed: bool
    visits: int

    @property
    def progress(self) -> str:
        """``to_screen``, ``ready`` or ``interviewed`` (labels.case_progress names it)."""
        return "interviewed" if self.interviewed else self.case.status


@dataclass(frozen=True)
class PsuPage:
    psu: SurveySampledPSU
    wave: SurveyWave
    cases: tuple[CaseRow, ...]


def psu_page(user_id: int, sampled_psu_id: int) -> PsuPage | None:
    """The interviewer's PSU with its cases, or ``None`` when it is not theirs (or its wave
    is not in fieldwork)."""
    psu = assignments.interviewer_psu(user_id, sampled_psu_id)
    if psu is None:
        return None
    cases = design.cases_of(psu)
    ids = [c.id for c in cases]
    interviewed = _interviewed_case_ids(ids)
    visits = Counter(dict(db.session.execute(
        select(SurveyContactAttempt.case_id, func.count(SurveyContactAttempt.id))
        .where(SurveyContactAttempt.case_id.in_(ids))
        .group_by(SurveyContactAttempt.case_id)).all())) if ids else Counter()
    return PsuPage(psu, db.session.get(SurveyWave, psu.wave_id),
                   tuple(CaseRow(c, c.id in interviewed, visits[c.id]) for c in cases))


def list_households(page: PsuPage, lines: list[str]) -> surveys.HouseholdSample:
    """List the interviewer's PSU and select its households (:func:`.design.list_households`:
    once per PSU, dwelling descriptions only)."""
    return design.list_households(page.wave, page.psu, lines)


@dataclass(frozen=True)
class CasePage:
    case: SurveyCase
    wave: SurveyWave
    interview: SurveyInterview | None
    attempts: tuple[SurveyContactAttempt, ...]  # oldest first
    contact: SurveyCaseContact | None

    @property
    def progress(self) -> str:
        return "interviewed" if self.interview is not None else self.case.status


def case_page(user_id: int, case_id: int) -> CasePage | None:
    """The interviewer's case with its visits and contact details, or ``None`` when it is not
    theirs (or its wave is not in fieldwork)."""
    case = assignments.interviewer_case(user_id, case_id)
    if case is None:
        return None
    attempts = tuple(db.session.scalars(
        select(SurveyContactAttempt).where(SurveyContactAttempt.case_id == case.id)
        .order_by(SurveyContactAttempt.attempted_at, SurveyContactAttempt.id)))
    interview = db.session.scalar(
        select(SurveyInterview).where(SurveyInterview.case_id == case.id))
    return CasePage(case, db.session.get(SurveyWave, case.wave_id), interview, attempts,
                    case.contact)


@dataclass(frozen=True)
class ChosenAdult:
    """The adult to interview: their number in the interviewer's list, sex and age."""

    number: int
    sex: str
    age: int

    def describe(self) -> str:
        return _("Interview adult number %(n)s of your list: %(sex)s, aged %(age)s.",
                 n=self.number, sex=labels.sex(self.sex), age=self.age)


def record_adults(page: CasePage, text: str, visit: date | None = None) -> ChosenAdult:
    """Record the household's eligible adults (one a line, ``女 48``) and choose the one to
    interview by the wave's method (:func:`.design.record_adults`); ``visit`` defaults to
    today in the city.  Raises :class:`WaveRefused` with the reason."""
    adults = design.parse_adults(text)
    selection = design.record_adults(page.wave, page.case, adults,
                                     visit or to_local(clock.now()).date())
    chosen = next(a for a in adults if a.person_id == selection.person_id)
    return ChosenAdult(int(chosen.person_id), chosen.sex.value, chosen.age)


def record_visit(page: CasePage, interviewer_id: int, client_id: str, outcome: str,
                 note: str = "") -> bool:
    """Store a visit and the case's new disposition (:func:`.interviews.record_contact`).

    ``client_id`` is the one the server put in the visit form when it showed it, so a double
    tap or a resent form stores one visit; returns whether this one was new.  Raises
    :class:`.interviews.FieldworkRefused` (a :class:`WaveRefused`) with the reason."""
    if outcome not in VISIT_OUTCOMES:
        raise WaveRefused(_("Choose what came of the visit."))
    _attempt, created = record_contact(
        page.case, ContactRecord(client_id=client_id, outcome=outcome,
                                 attempted_at=clock.now(), note=note),
        interviewer_id=interviewer_id)
    return created


def save_contact(page: CasePage, name: str, phone: str, address: str) -> SurveyCaseContact | None:
    """Keep the household's contact details for call-backs, apart from the answers
    (:class:`SurveyCaseContact`, deleted when the wave closes); all blank deletes them."""
    require_status(page.wave, "fieldwork")
    values = {"name": name.strip(), "phone": phone.strip(), "address": address.strip()}
    contact = page.case.contact
    if not any(values.values()):
        if contact is not None:
            db.session.delete(contact)
            db.session.commit()
        return None
    if contact is None:
        contact = SurveyCaseContact(case_id=page.case.id)
        db.session.add(contact)
    for key, value in values.items():
        setattr(contact, key, value)
    db.session.commit()
    return contact
