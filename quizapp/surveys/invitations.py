"""Self-completion (CAWI): one-time invitation codes, the printed letters that carry them, and
the respondent's questionnaire, saved page by page until :func:`finish` stores the interview.

**Codes.**  :data:`CODE_LENGTH` (12) symbols drawn with :mod:`secrets` from
:data:`CODE_ALPHABET`, the 31 digits and capitals that cannot be mistaken for one another on
paper (no 0/O, 1/I/L): 12 × log2(31) ≈ 59.4 bits, so with every household of a wave holding
a code a guesser still needs about 2⁵⁹ / households tries per hit, and the public pages
count failed look-ups against a rate limit (``respond_routes``).  A code is printed in groups
of four ("K7QM-3XTP-9RWD"); what people type is normalised (full-width characters, case,
dashes and spaces do not matter) and stored without dashes.

**Plain text, not hashed.**  The statistician must be able to reprint a lost or spoilt letter
with the same code (the household may already have started), and a code opens nothing but the
household's questionnaire: it shows no name, no address and, once used, no answers.  The
codes sit in a table only the statistics office's pages read, and they are deleted (set to
NULL) when the wave closes.  A look-up is one query for the exact normalised code through its
unique index: no comparison in Python, no prefix or pattern search that could leak how close
a guess was, and the same answer for an unknown and a malformed code.

**Progress** is ``SurveyInvitation.progress`` (JSON, replaced whole on every save): consent
time, the page reached (0 = personal section, then one page per dimension K, M, S, A), the
personal answers, the answers as *original* option indexes with their change counts, the time
spent on each page, the option orders shown and the devices seen.  Any device with the code
resumes where the last one stopped.  :func:`finish` hands everything to
:func:`quizapp.surveys.interviews.record_interview` with the invitation's own ``client_id``,
so a double submit or two tabs store one interview.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

import surveys
from quizapp.engine import clock
from quizapp.extensions import db
from quizapp.models import (
    SurveyCase,
    SurveyFormItem,
    SurveyHousehold,
    SurveyInterview,
    SurveyInvitation,
    SurveySampledPSU,
    SurveyWave,
    Township,
)
from quizapp.shared.qr import qr_svg
from quizapp.surveys.interviews import (
    AnswerRecord,
    ContactRecord,
    InterviewSubmission,
    record_contact,
    record_interview,
)
from quizapp.surveys.services import WaveRefused, require_status

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0 O 1 I L
CODE_LENGTH = 12
CODE_GROUP = 4
DEFAULT_DAYS = 60
MAX_DAYS = 365
SECTIONS = ("K", "M", "S", "A")
DONT_KNOW = "dk"  # the form value of the "don't know" choice
PAGE_MS_MAX = 3 * 3600 * 1000  # a page left open overnight counts as three hours
MAX_DEVICES = 5
DEVICE_CHARS = 200
_SEPARATORS = str.maketrans("", "", " -_.\u2010\u2011\u2012\u2013\u2014\u2212\u3000\t")


class CodeState(StrEnum):
    """What a typed code opens."""

    UNKNOWN = "unknown"  # malformed or not issued: one answer for both
    USED = "used"  # the questionnaire was completed (here or by an interviewer)
    EXPIRED = "expired"  # past its date, or the wave's fieldwork is over
    OPEN = "open"


class InvitationStatus(StrEnum):
    """An invitation's state on the statistician's list."""

    ISSUED = "issued"
    OPENED = "opened"
    STARTED = "started"
    DECLINED = "declined"
    USED = "used"
    EXPIRED = "expired"


# --- codes -----------------------------------------------------------------------------------

def new_code() -> str:
    """A fresh code (normalised, without dashes) from the operating system's CSPRNG."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: object) -> str | None:
    """The stored form of a typed code, or None when it cannot be one (wrong length or a
    symbol outside the alphabet).  Full-width characters, case, dashes and spaces are
    ignored."""
    if not isinstance(text, str) or len(text) > 4 * CODE_LENGTH:
        return None
    code = unicodedata.normalize("NFKC", text).translate(_SEPARATORS).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def format_code(code: str) -> str:
    """The code in groups of four for reading and typing: ``K7QM-3XTP-9RWD``."""
    return "-".join(code[k:k + CODE_GROUP] for k in range(0, len(code), CODE_GROUP))


@dataclass(frozen=True)
class Lookup:
    """A typed code and what it opens (``invitation`` is None only for an unknown code)."""

    state: CodeState
    invitation: SurveyInvitation | None = None

    @property
    def code(self) -> str:
        return format_code(self.invitation.code) if self.invitation else ""


def _has_interview(case_id: int) -> bool:
    return db.session.scalar(
        select(SurveyInterview.id).where(SurveyInterview.case_id == case_id)) is not None


def lookup(text: object) -> Lookup:
    """Find the invitation for a typed code: one indexed query for the exact code."""
    code = normalise_code(text)
    if code is None:
        return Lookup(CodeState.UNKNOWN)
    invitation = db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.code == code))
    if invitation is None:
        return Lookup(CodeState.UNKNOWN)
    if invitation.used_at is not None or _has_interview(invitation.case_id):
        return Lookup(CodeState.USED, invitation)
    wave = db.session.get(SurveyWave, invitation.wave_id)
    if invitation.expires_at <= clock.now() or wave.status != "fieldwork":
        return Lookup(CodeState.EXPIRED, invitation)
    return Lookup(CodeState.OPEN, invitation)


# --- issuing and listing (the statistics office) ---------------------------------------------

@dataclass(frozen=True)
class Issued:
    """What one issue run did."""

    issued: int
    skipped: int  # cases that already had an invitation or an interview


def _free_codes(count: int) -> list[str]:
    """``count`` new codes, none already stored (a clash is about 2⁻⁵⁹ per pair, but the
    unique index would turn one into an error page)."""
    codes: set[str] = set()
    while len(codes) < count:
        fresh = {new_code() for _ in range(count - len(codes))} - codes
        taken = set(db.session.scalars(
            select(SurveyInvitation.code).where(SurveyInvitation.code.in_(fresh))))
        codes |= fresh - taken
    return sorted(codes)


def issuable_cases(wave: SurveyWave, sampled_psu_id: int | None = None) -> list[SurveyCase]:
    """The wave's cases (of one sampled PSU, or all) with neither an invitation nor an
    interview."""
    invited = select(SurveyInvitation.case_id)
    interviewed = select(SurveyInterview.case_id)
    query = (select(SurveyCase).where(SurveyCase.wave_id == wave.id,
                                      SurveyCase.id.not_in(invited),
                                      SurveyCase.id.not_in(interviewed))
             .order_by(SurveyCase.sampled_psu_id, SurveyCase.id))
    if sampled_psu_id is not None:
        query = query.where(SurveyCase.sampled_psu_id == sampled_psu_id)
    return list(db.session.scalars(query))


def issue_invitations(wave: SurveyWave, *, sampled_psu_id: int | None = None,
                      days: int = DEFAULT_DAYS) -> Issued:
    """Give every case of the wave (or of one sampled PSU) that has neither an invitation nor
    an interview a new code valid for ``days`` days.  The wave must be in fieldwork."""
    require_status(wave, "fieldwork")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise WaveRefused(_("An invitation is valid for 1 to %(max)s days.", max=MAX_DAYS))
    if sampled_psu_id is not None and db.session.scalar(
            select(SurveySampledPSU.id).where(SurveySampledPSU.id == sampled_psu_id,
                                              SurveySampledPSU.wave_id == wave.id)) is None:
        raise WaveRefused(_("Choose a village or community of this wave."))
    total = db.session.scalar(select(func.count()).select_from(SurveyCase).where(
        SurveyCase.wave_id == wave.id,
        *([SurveyCase.sampled_psu_id == sampled_psu_id] if sampled_psu_id else [])))
    cases = issuable_cases(wave, sampled_psu_id)
    now = clock.now()
    for case, code in zip(cases, _free_codes(len(cases)), strict=True):
        db.session.add(SurveyInvitation(
            wave_id=wave.id, case_id=case.id, code=code,
            client_id=f"cawi-{secrets.token_urlsafe(18)}", created_at=now,
            expires_at=now + timedelta(days=days), progress={}))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise WaveRefused(_("Someone else issued invitations at the same time; "
                            "try again.")) from None
    return Issued(issued=len(cases), skipped=total - len(cases))


@dataclass(frozen=True)
class InvitationRow:
    """One line of the statistician's list."""

    invitation: SurveyInvitation
    case: SurveyCase
    psu_name: str
    township: str
    household: str
    status: InvitationStatus


def status_of(invitation: SurveyInvitation, interviewed: bool, now: datetime
              ) -> InvitationStatus:
    """Where an invitation stands: used beats everything, then expiry, then progress."""
    progress = invitation.progress or {}
    if invitation.used_at is not None or interviewed:
        return InvitationStatus.USED
    if invitation.expires_at <= now:
        return InvitationStatus.EXPIRED
    if progress.get("consent_at"):
        return InvitationStatus.STARTED
    if progress.get("declined_at"):
        return InvitationStatus.DECLINED
    if invitation.opened_at is not None:
        return InvitationStatus.OPENED
    return InvitationStatus.ISSUED


def list_invitations(wave: SurveyWave, sampled_psu_id: int | None = None
                     ) -> list[InvitationRow]:
    """The wave's invitations (of one sampled PSU, or all) in PSU and listing order."""
    query = (select(SurveyInvitation, SurveyCase, SurveySampledPSU, SurveyHousehold)
             .join(SurveyCase, SurveyInvitation.case_id == SurveyCase.id)
             .join(SurveySampledPSU, SurveyCase.sampled_psu_id == SurveySampledPSU.id)
             .join(SurveyHousehold, SurveyCase.household_id == SurveyHousehold.id)
             .options(selectinload(SurveySampledPSU.frame_psu))
             .where(SurveyInvitation.wave_id == wave.id)
             .order_by(SurveySampledPSU.id, SurveyHousehold.line))
    if sampled_psu_id is not None:
        query = query.where(SurveyCase.sampled_psu_id == sampled_psu_id)
    interviewed = set(db.session.scalars(
        select(SurveyInterview.case_id).where(SurveyInterview.wave_id == wave.id)))
    now = clock.now()
    rows = []
    for invitation, case, psu, household in db.session.execute(query):
        frame_psu = psu.frame_psu
        rows.append(InvitationRow(
            invitation=invitation, case=case, psu_name=frame_psu.name or frame_psu.code,
            township=frame_psu.township.name, household=household.label,
            status=status_of(invitation, case.id in interviewed, now)))
    return rows


def status_counts(rows: Sequence[InvitationRow]) -> dict[InvitationStatus, int]:
    """How many invitations stand at each status, in :class:`InvitationStatus` order."""
    counts = {status: 0 for status in InvitationStatus}
    for row in rows:
        counts[row.status] += 1
    return counts


@dataclass(frozen=True)
class Letter:
    """One printed invitation: who it goes to, the link, the code and the link's QR code."""

    addressee: str
    url: str
    code: str
    expires_at: datetime
    qr_svg: Markup


def letters(wave: SurveyWave, url_of, sampled_psu_id: int | None = None, *, start: int = 0,
            count: int | None = None) -> tuple[list[Letter], int]:
    """The letters of the wave's invitations that can still be answered (not used, not
    expired), in PSU and listing order, ``count`` of them from ``start``, and how many there
    are in all; ``url_of(code)`` is the absolute link for a code.  (Drawing a QR code takes
    about 15 ms, so a page of letters is cut to a few hundred.)"""
    printable = (InvitationStatus.ISSUED, InvitationStatus.OPENED, InvitationStatus.STARTED,
                 InvitationStatus.DECLINED)
    rows = [row for row in list_invitations(wave, sampled_psu_id)
            if row.status in printable and row.invitation.code is not None]
    chosen = rows[start:] if count is None else rows[start:start + count]
    result = []
    for row in chosen:
        code = format_code(row.invitation.code)
        url = url_of(code)
        result.append(Letter(addressee=f"{row.psu_name} {row.household}".strip(), url=url,
                             code=code, expires_at=row.invitation.expires_at,
                             qr_svg=qr_svg(url)))
    return result, len(rows)


def sheets(items: Sequence, per_sheet: int = 8) -> list[list]:
    """``items`` cut into printed sheets of ``per_sheet``."""
    return [list(items[k:k + per_sheet]) for k in range(0, len(items), per_sheet)]


# --- the respondent's questionnaire ------------------------------------------------------------

@dataclass(frozen=True)
class ShownItem:
    """An item as the respondent sees it: only the stem and the options in the shown order
    (display index -> original index), never the key."""

    position: int  # place in the order shown, 0-based over the whole questionnaire
    version_id: int
    type: str
    stem: str
    options: tuple[str, ...]  # labels in the shown order; empty for true/false
    order: tuple[int, ...]  # original option index of each display index


@dataclass(frozen=True)
class Questionnaire:
    """The case's questionnaire: its sections in K, M, S, A order."""

    sections: tuple[tuple[str, tuple[ShownItem, ...]], ...]

    @property
    def pages(self) -> int:
        """Pages after the consent screen: the personal section, then one per section."""
        return 1 + len(self.sections)

    @property
    def items(self) -> tuple[ShownItem, ...]:
        return tuple(item for _dimension, items in self.sections for item in items)


def option_orders(wave: SurveyWave, case: SurveyCase) -> dict[int, tuple[int, ...]]:
    """Each item's option order for this case: a shuffle reproducible from the wave's seed
    and the case (``surveys.stage_rng(seed, "options", case.id)``), drawn in the form's
    listing order."""
    rng = surveys.stage_rng(wave.seed, "options", case.id)
    return {item.question_version_id: tuple(int(k) for k in rng.permutation(
        item.question_version.choice_count)) for item in _form_items(case)}


def _form_items(case: SurveyCase) -> list[SurveyFormItem]:
    return list(db.session.scalars(
        select(SurveyFormItem).options(selectinload(SurveyFormItem.question_version))
        .where(SurveyFormItem.form_id == case.form_id).order_by(SurveyFormItem.position)))


def questionnaire(invitation: SurveyInvitation) -> Questionnaire:
    """The invitation's case's form as shown: one section per dimension, options shuffled."""
    case = invitation.case
    wave = db.session.get(SurveyWave, invitation.wave_id)
    orders = option_orders(wave, case)
    by_dimension: dict[str, list[SurveyFormItem]] = {d: [] for d in SECTIONS}
    for item in _form_items(case):
        by_dimension.setdefault(item.question_version.dimension, []).append(item)
    sections = []
    position = 0
    for dimension, items in by_dimension.items():
        shown = []
        for item in items:
            version = item.question_version
            order = orders[version.id]
            labels = () if version.type == "true_false" else tuple(
                version.options[k] for k in order)
            shown.append(ShownItem(position, version.id, version.type, version.stem, labels,
                                   order))
            position += 1
        if shown:
            sections.append((dimension, tuple(shown)))
    return Questionnaire(tuple(sections))


def page_of(invitation: SurveyInvitation) -> int | None:
    """The page the respondent is on (0 = personal section), None before consent."""
    progress = invitation.progress or {}
    return progress.get("page") if progress.get("consent_at") else None


def _save(invitation: SurveyInvitation, progress: dict) -> None:
    invitation.progress = progress  # a new dict: the JSON column sees the change
    db.session.commit()


def _device(user_agent: str) -> str:
    return "".join(c for c in user_agent if c.isprintable())[:DEVICE_CHARS]


def mark_opened(invitation: SurveyInvitation, user_agent: str, *, new_visit: bool) -> None:
    """Note the first opening, each visit (a browser session opening the code: a resume
    counts), and the devices (browsers) the code was opened on."""
    progress = dict(invitation.progress or {})
    devices = list(progress.get("devices", []))
    device = _device(user_agent)
    changed = new_visit or invitation.opened_at is None
    if invitation.opened_at is None:
        invitation.opened_at = clock.now()
    if device and device not in devices and len(devices) < MAX_DEVICES:
        progress["devices"] = [*devices, device]
        changed = True
    if new_visit:
        progress["visits"] = int(progress.get("visits", 0)) + 1
    if changed:
        _save(invitation, progress)


def accept_consent(invitation: SurveyInvitation) -> None:
    """The respondent agreed: the questionnaire starts on the personal section (a second
    agreement, from another tab, changes nothing)."""
    progress = dict(invitation.progress or {})
    if progress.get("consent_at"):
        return
    now = clock.now().isoformat()
    progress.update(consent_at=now, started_at=now, page=0)
    _save(invitation, progress)


def decline_consent(invitation: SurveyInvitation) -> None:
    """The respondent declined at the consent screen: a refusal (AAPOR 2.11) recorded once for
    the invitation whatever the number of clicks.  The code stays valid, should they change
    their mind."""
    progress = dict(invitation.progress or {})
    if progress.get("consent_at"):
        return  # already answering: declining now is stopping, which needs no record
    record_contact(invitation.case, ContactRecord(
        client_id=f"{invitation.client_id}-c", outcome="consent_refused",
        attempted_at=clock.now(), mode="cawi"))
    progress.setdefault("declined_at", clock.now().isoformat())
    _save(invitation, progress)


def now_ms() -> int:
    """The server's time in epoch milliseconds: a page's ``shown`` stamp."""
    return int(clock.now().timestamp() * 1000)


def elapsed_ms(shown_at: object, now: datetime | None = None) -> int:
    """Milliseconds since a page was shown (its ``shown`` field: epoch milliseconds), within
    0 … :data:`PAGE_MS_MAX`; 0 for anything that is not such a number."""
    if not isinstance(shown_at, str) or not shown_at.isdigit() or len(shown_at) > 15:
        return 0
    current = int((now or clock.now()).timestamp() * 1000)
    return max(0, min(PAGE_MS_MAX, current - int(shown_at)))


def _add_page_ms(progress: dict, page: int, ms: int, pages: int) -> None:
    times = list(progress.get("page_ms", []))
    times += [0] * (pages - len(times))
    times[page] = min(PAGE_MS_MAX * 10, int(times[page]) + ms)
    progress["page_ms"] = times


# The personal section: field -> stored profile key.
PROFILE_KEYS = ("sex", "birth_year", "birth_month", "education", "occupation", "township",
                "urban_rural", "in_city_since_year", "household_adults")


def township_choices() -> list[tuple[str, str]]:
    """The city's active townships as (code, name), in their usual order."""
    return [(t.code, t.name) for t in db.session.scalars(
        select(Township).where(Township.active.is_(True))
        .order_by(Township.sort_order, Township.name))]


def profile_problem(invitation: SurveyInvitation, profile: Mapping[str, object]
                    ) -> tuple[str, str] | None:
    """(field, message) when the personal answers cannot be taken (not eligible, moved to the
    city before birth or after the survey), else None."""
    wave = db.session.get(SurveyWave, invitation.wave_id)
    birth_year, birth_month = profile["birth_year"], profile["birth_month"]
    try:
        derived = surveys.derive_profile(
            reference=wave.reference_date, birth_year=birth_year, birth_month=birth_month,
            sex=profile["sex"], education=profile["education"],
            occupation=profile["occupation"], urban_rural=profile["urban_rural"])
    except (surveys.SurveyInputError, TypeError, ValueError):
        return "birth_year", _("Check the year and month of birth.")
    if not derived.eligible:
        return "birth_year", _(
            "This survey is for residents aged %(low)s to %(high)s. Please ask the adult of "
            "that age in your household whose birthday comes next to answer.",
            low=wave.age_min, high=wave.age_max)
    since = profile.get("in_city_since_year")
    if since is not None and not birth_year <= since <= wave.reference_date.year:
        return "in_city_since_year", _("Give a year from your birth year to %(year)s.",
                                       year=wave.reference_date.year)
    return None


def saved_profile(invitation: SurveyInvitation) -> dict[str, object]:
    """The personal answers saved so far (for the form, when the respondent comes back)."""
    saved = dict((invitation.progress or {}).get("profile") or {})
    if saved.get("birth_month") is not None:
        saved["birth_month"] = str(saved["birth_month"])
    return saved


def save_profile(invitation: SurveyInvitation, profile: Mapping[str, object],
                 shown_at: object) -> None:
    """Keep the personal answers (already checked by :func:`profile_problem`) and go on to
    the first section."""
    progress = dict(invitation.progress or {})
    pages = questionnaire(invitation).pages
    progress["profile"] = {key: profile.get(key) for key in PROFILE_KEYS}
    _add_page_ms(progress, 0, elapsed_ms(shown_at), pages)
    progress["page"] = max(1, int(progress.get("page", 0)))
    _save(invitation, progress)


class BadAnswer(ValueError):
    """A posted choice that is not one of the choices shown (a tampered or stale page)."""


def _parse_item(item: ShownItem, values: Sequence[str]) -> list[int] | str | None:
    """The posted values of one item as original option indexes, ``"dont_know"``, or None
    when unanswered.  Only the exact strings the page offered are accepted."""
    if not values:
        return None
    count = 2 if item.type == "true_false" else len(item.order)
    offered = {str(k) for k in range(count)}
    if DONT_KNOW in values:
        if len(values) != 1:
            raise BadAnswer(item.position)
        return surveys.NonAnswer.DONT_KNOW.value
    if any(v not in offered for v in values) or len(set(values)) != len(values):
        raise BadAnswer(item.position)
    if item.type != "multiple" and len(values) != 1:
        raise BadAnswer(item.position)
    return sorted(item.order[int(v)] for v in values)


def parse_section(items: Sequence[ShownItem], form: Mapping[str, Sequence[str]]
                  ) -> dict[int, list[int] | str | None]:
    """Version id -> answer for each item of a section page (see :func:`_parse_item`)."""
    return {item.version_id: _parse_item(item, list(form.get(f"q{item.position}", ())))
            for item in items}


def shown_choices(items: Sequence[ShownItem], stored: Mapping[str, dict]
                  ) -> dict[int, set[str]]:
    """The saved answers as the page's form values (display indexes, or ``dk``), so a page
    seen again shows what was chosen."""
    chosen: dict[int, set[str]] = {}
    for item in items:
        saved = stored.get(str(item.version_id))
        if saved is None:
            continue
        answer = saved["a"]
        chosen[item.version_id] = ({DONT_KNOW} if isinstance(answer, str)
                                   else {str(item.order.index(k)) for k in answer})
    return chosen


def posted_choices(items: Sequence[ShownItem], form: Mapping[str, Sequence[str]]
                   ) -> dict[int, set[str]]:
    """The posted values of a page, to show them again beside an error (only values the page
    offered; anything else is dropped)."""
    chosen = {}
    for item in items:
        count = 2 if item.type == "true_false" else len(item.order)
        offered = {str(k) for k in range(count)} | {DONT_KNOW}
        chosen[item.version_id] = set(form.get(f"q{item.position}", ())) & offered
    return chosen


def stored_answers(invitation: SurveyInvitation) -> dict[str, dict]:
    """The answers saved so far, by version id (as text): ``{"a": ..., "c": changes}``."""
    return dict((invitation.progress or {}).get("answers", {}))


def save_section(invitation: SurveyInvitation, page: int,
                 answers: Mapping[int, list[int] | str | None], shown_at: object, *,
                 move: int) -> None:
    """Keep one section's answers (counting every changed answer) and move ``move`` pages
    (1 forward, -1 back, 0 stay).  Unanswered items keep their earlier answer, if any."""
    progress = dict(invitation.progress or {})
    shown = questionnaire(invitation)
    stored = dict(progress.get("answers", {}))
    orders = dict(progress.get("option_orders", {}))
    _dimension, items = shown.sections[page - 1]
    for item in items:
        key = str(item.version_id)
        orders[key] = list(item.order)
        answer = answers.get(item.version_id)
        before = stored.get(key)
        if answer is None:
            continue
        changes = int(before["c"]) if before else 0
        if before is not None and before["a"] != answer:
            changes += 1
        stored[key] = {"a": answer, "c": changes}
    progress.update(answers=stored, option_orders=orders)
    _add_page_ms(progress, page, elapsed_ms(shown_at), shown.pages)
    progress["page"] = max(0, page + move)
    _save(invitation, progress)


def finish(invitation: SurveyInvitation, user_agent: str) -> SurveyInterview:
    """Store the interview (exactly once: the invitation's ``client_id``), mark the code used.

    Raises :class:`FieldworkRefused` when the case cannot take it (e.g. an interviewer's
    interview already stored)."""
    progress = dict(invitation.progress or {})
    shown = questionnaire(invitation)
    stored = progress.get("answers", {})
    records = []
    for item in shown.items:
        saved = stored.get(str(item.version_id))
        answer: tuple[int, ...] | str
        if saved is None:
            answer = surveys.NonAnswer.BLANK.value
        elif isinstance(saved["a"], str):
            answer = saved["a"]
        else:
            answer = tuple(saved["a"])
        records.append(AnswerRecord(item.version_id, item.position, item.order, answer,
                                    elapsed_ms=None, changes=int(saved["c"]) if saved else 0))
    profile = dict(progress.get("profile") or {})
    if profile.get("in_city_since_year") is None:  # lived in the city since birth
        profile["in_city_since_year"] = profile.get("birth_year")
        profile["in_city_since_month"] = profile.get("birth_month")
    consent = datetime.fromisoformat(progress["consent_at"])
    devices = list(progress.get("devices", []))
    submission = InterviewSubmission(
        client_id=invitation.client_id, mode="cawi", consent_at=consent,
        started_at=datetime.fromisoformat(progress.get("started_at", progress["consent_at"])),
        ended_at=max(clock.now(), consent), profile=profile, answers=tuple(records),
        page_ms=tuple(int(ms) for ms in progress.get("page_ms", [])),
        device=_device(user_agent),
        extra_paradata={"devices": devices, "visits": int(progress.get("visits", 0)),
                        "invitation_id": invitation.id})
    interview, _created = record_interview(invitation.case, submission)
    if invitation.used_at is None:
        invitation.used_at = clock.now()
        db.session.commit()
    return interview

