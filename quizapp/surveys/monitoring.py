"""The statistician's view of a wave in the field: completes against targets, dispositions,
AAPOR rates, interviewers' workload and productivity, and the paradata export.

Targets: a sampled PSU's target is its ``take`` (the households to interview there); a
township's is the sum of its sampled PSUs' takes, i.e. the interviews the design allocated to
it (``surveys.StratumPlan.interviews`` = PSUs x take).

Rates are ``surveys.response_rates`` / ``surveys.rates_by`` (AAPOR 2023, Standard
Definitions; formulas in :mod:`surveys.dispositions`) over every case created so far (every
household selected from a listing).  **A case without a disposition has not been worked yet**
and enters the rates as AAPOR's 3.11 "not attempted or worked", which the Standard Definitions
file under unknown eligibility (3.10, UH): it counts in the denominators of RR1 and CON1 in
full and in RR3's with the weight e, so RR1 rises as the work proceeds and reads as "the rate
if fieldwork stopped today".  e is ``surveys``' default, the eligible share of the cases whose
eligibility is known, (I+P+R+NC+O) / (I+P+R+NC+O+NE) (AAPOR's proportional allocation), from
all cases of the wave together; every group (township, interviewer) uses that same e.

A case belongs to the interviewer its PSU is assigned to (self-completion cases too); visits,
completes and interview minutes are those the interviewer recorded.  The review changes no
disposition: a rejected interview still counts as complete in the rates, and only accepted
complete interviews go on (:func:`quizapp.surveys.review.accepted_complete_cases`).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

import surveys
from quizapp.extensions import db
from quizapp.models import (
    SurveyCase,
    SurveyContactAttempt,
    SurveyForm,
    SurveyInterview,
    SurveyWave,
    User,
)
from quizapp.surveys import design
from quizapp.surveys.closing import coarse_device
from surveys.dispositions import AAPOR_CODE

# AAPOR 3.11 "not attempted or worked", in the unknown-eligibility group 3.10 (UH).
UNWORKED = surveys.Disposition.UNKNOWN_HOUSEHOLD
UNWORKED_AAPOR_CODE = "3.11"
NOT_WORKED = "not_worked"  # the disposition table's row of cases without a disposition


@dataclass(frozen=True)
class Progress:
    """Completes against the target of one township or sampled PSU."""

    key: int | str  # sampled PSU id, or township code
    name: str
    township: str
    target: int
    cases: int
    completes: int
    accepted: int
    listed: bool = True

    @property
    def percent(self) -> float:
        """Completes as a share of the target, in percent (0 when there is no target)."""
        return 100.0 * self.completes / self.target if self.target else 0.0

    @property
    def bar(self) -> float:
        """The share for a bar, capped at 100."""
        return min(100.0, self.percent)


@dataclass(frozen=True)
class DispositionRow:
    code: str  # a surveys.Disposition value, or NOT_WORKED
    aapor: str
    cases: int


@dataclass(frozen=True)
class RateRow:
    """The AAPOR rates of one group (a township, an interviewer)."""

    key: str
    name: str
    rates: surveys.ResponseRates
    unworked: int


@dataclass(frozen=True)
class InterviewerRow:
    """One interviewer's workload and productivity."""

    interviewer_id: int | None
    name: str
    psus: int
    cases: int
    visits: int
    completes: int
    median_minutes: float | None

    @property
    def completes_per_visit(self) -> float | None:
        return None if self.visits == 0 else self.completes / self.visits


@dataclass(frozen=True)
class Monitoring:
    """Everything the monitoring page shows (module docstring for the rules)."""

    wave: SurveyWave
    strata: tuple[Progress, ...]
    psus: tuple[Progress, ...]
    dispositions: tuple[DispositionRow, ...]
    overall: surveys.ResponseRates
    unworked: int
    by_township: tuple[RateRow, ...]
    by_interviewer: tuple[RateRow, ...]
    interviewers: tuple[InterviewerRow, ...]
    review: dict[str, int]  # complete interviews by review status

    @property
    def cases(self) -> int:
        return sum(row.cases for row in self.dispositions)

    @property
    def target(self) -> int:
        return sum(row.target for row in self.strata)

    @property
    def completes(self) -> int:
        return sum(row.completes for row in self.strata)


@dataclass(frozen=True)
class _Interview:
    case_id: int
    interviewer_id: int | None
    complete: bool
    review_status: str
    minutes: float


def _user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {uid: display or username for uid, display, username in db.session.execute(
        select(User.id, User.display_name, User.username).where(User.id.in_(ids)))}


def _minutes(started: datetime, ended: datetime) -> float:
    return max(0.0, (ended - started).total_seconds() / 60)


def monitoring(wave: SurveyWave) -> Monitoring:
    """The wave's monitoring figures (module docstring)."""
    psus = design.sampled_psus(wave)
    cases = list(db.session.execute(
        select(SurveyCase.id, SurveyCase.sampled_psu_id, SurveyCase.disposition)
        .where(SurveyCase.wave_id == wave.id).order_by(SurveyCase.id)))
    interviews = {row.case_id: row for row in (
        _Interview(case_id, interviewer_id, complete, review, _minutes(started, ended))
        for case_id, interviewer_id, complete, review, started, ended in db.session.execute(
            select(SurveyInterview.case_id, SurveyInterview.interviewer_id,
                   SurveyInterview.complete, SurveyInterview.review_status,
                   SurveyInterview.started_at, SurveyInterview.ended_at)
            .where(SurveyInterview.wave_id == wave.id)))}
    visits = dict(db.session.execute(
        select(SurveyContactAttempt.interviewer_id, func.count(SurveyContactAttempt.id))
        .join(SurveyCase, SurveyContactAttempt.case_id == SurveyCase.id)
        .where(SurveyCase.wave_id == wave.id, SurveyContactAttempt.interviewer_id.is_not(None))
        .group_by(SurveyContactAttempt.interviewer_id)).all())

    psu_by_id = {p.id: p for p in psus}
    cases_of_psu: dict[int, list] = defaultdict(list)
    for case in cases:
        cases_of_psu[case.sampled_psu_id].append(case)

    psu_rows = []
    for psu in psus:
        members = cases_of_psu[psu.id]
        done = [interviews[c.id] for c in members if c.id in interviews]
        psu_rows.append(Progress(
            key=psu.id, name=psu.frame_psu.name or psu.frame_psu.code,
            township=psu.frame_psu.township.name, target=psu.take, cases=len(members),
            completes=sum(i.complete for i in done),
            accepted=sum(i.complete and i.review_status == "accepted" for i in done),
            listed=psu.listed_at is not None))
    strata: dict[str, list[Progress]] = {}
    township_code = {}
    for psu, row in zip(psus, psu_rows, strict=True):
        code = psu.frame_psu.township.code
        township_code[psu.id] = code
        strata.setdefault(code, []).append(row)
    stratum_rows = tuple(Progress(
        key=code, name=rows[0].township, township=rows[0].township,
        target=sum(r.target for r in rows), cases=sum(r.cases for r in rows),
        completes=sum(r.completes for r in rows), accepted=sum(r.accepted for r in rows))
        for code, rows in strata.items())

    rate_cases = [surveys.Case(
        case_id=str(c.id), disposition=c.disposition or UNWORKED,
        stratum=township_code.get(c.sampled_psu_id),
        interviewer=str(psu_by_id[c.sampled_psu_id].interviewer_id or ""))
        for c in cases if c.sampled_psu_id in psu_by_id]
    unworked_of: Counter[str] = Counter()
    unworked_by_interviewer: Counter[str] = Counter()
    for c in cases:
        if c.disposition is None and c.sampled_psu_id in psu_by_id:
            unworked_of[township_code[c.sampled_psu_id]] += 1
            unworked_by_interviewer[str(psu_by_id[c.sampled_psu_id].interviewer_id or "")] += 1
    overall = surveys.response_rates(c.disposition for c in rate_cases)

    interviewer_ids = ({p.interviewer_id for p in psus if p.interviewer_id is not None}
                       | {i.interviewer_id for i in interviews.values()
                          if i.interviewer_id is not None}
                       | set(visits))
    names = _user_names(interviewer_ids)
    by_township = tuple(
        RateRow(code, strata[code][0].township, rates, unworked_of[code])
        for code, rates in surveys.rates_by(rate_cases, surveys.GroupBy.STRATUM).items()
    ) if rate_cases else ()
    by_interviewer = tuple(sorted(
        (RateRow(key, names.get(int(key), "") if key else "", rates,
                 unworked_by_interviewer[key])
         for key, rates in surveys.rates_by(rate_cases, surveys.GroupBy.INTERVIEWER).items()),
        key=lambda r: (r.key == "", r.name, r.key))) if rate_cases else ()

    interviewer_rows = []
    for uid in interviewer_ids:
        own_psus = [p for p in psus if p.interviewer_id == uid]
        done = [i for i in interviews.values() if i.interviewer_id == uid]
        minutes = [i.minutes for i in done if i.complete]
        interviewer_rows.append(InterviewerRow(
            interviewer_id=uid, name=names.get(uid, ""), psus=len(own_psus),
            cases=sum(len(cases_of_psu[p.id]) for p in own_psus), visits=visits.get(uid, 0),
            completes=sum(i.complete for i in done),
            median_minutes=statistics.median(minutes) if minutes else None))
    interviewer_rows.sort(key=lambda r: (r.name, r.interviewer_id))

    tally = Counter(c.disposition for c in cases)
    dispositions = tuple(DispositionRow(str(d), AAPOR_CODE[d], tally[str(d)])
                         for d in surveys.Disposition)
    dispositions += (DispositionRow(NOT_WORKED, UNWORKED_AAPOR_CODE, tally[None]),)
    review = Counter(i.review_status for i in interviews.values() if i.complete)
    return Monitoring(
        wave=wave, strata=stratum_rows, psus=tuple(psu_rows), dispositions=dispositions,
        overall=overall, unworked=tally[None], by_township=by_township,
        by_interviewer=by_interviewer, interviewers=tuple(interviewer_rows),
        review={status: review[status] for status in ("pending", "accepted", "rejected")})


# --- paradata export -------------------------------------------------------------------------

#: The paradata export's columns: no name, phone, address or household description, and the
#: interviewer by account id only.
PARADATA_COLUMNS: tuple[str, ...] = (
    "interview_id", "case_id", "mode", "form", "interviewer_id", "started_at", "ended_at",
    "duration_seconds", "items_presented", "answer_changes", "page_ms", "device", "complete",
    "flags", "review_status",
)


def _whole(value: object) -> int | str:
    """A count from the paradata JSON, or empty when it is not a whole number."""
    return value if isinstance(value, int) and not isinstance(value, bool) else ""


def paradata_rows(wave: SurveyWave) -> list[Sequence[object]]:
    """One row per interview of the wave, in :data:`PARADATA_COLUMNS` order (by case id).

    Times are ISO 8601 in UTC; ``page_ms`` is the time on each page in the order shown, joined
    by ``;``; ``device`` is only its kind (:func:`quizapp.surveys.closing.coarse_device`);
    ``flags`` the quality-flag codes joined by ``;``.
    """
    rows = []
    for (interview_id, case_id, mode, form_code, interviewer_id, started, ended, presented,
         paradata, complete, flags, review_status) in db.session.execute(
            select(SurveyInterview.id, SurveyInterview.case_id, SurveyInterview.mode,
                   SurveyForm.code, SurveyInterview.interviewer_id,
                   SurveyInterview.started_at, SurveyInterview.ended_at,
                   SurveyInterview.items_presented, SurveyInterview.paradata,
                   SurveyInterview.complete, SurveyInterview.flags,
                   SurveyInterview.review_status)
            .join(SurveyForm, SurveyInterview.form_id == SurveyForm.id)
            .where(SurveyInterview.wave_id == wave.id).order_by(SurveyInterview.case_id)):
        paradata = paradata if isinstance(paradata, dict) else {}
        pages = paradata.get("page_ms")
        pages = pages if isinstance(pages, list) else []
        flags = flags if isinstance(flags, list) else []
        rows.append((
            interview_id, case_id, mode, form_code,
            interviewer_id if interviewer_id is not None else "",
            started.isoformat(), ended.isoformat(),
            round((ended - started).total_seconds(), 3), presented,
            _whole(paradata.get("answer_changes")), ";".join(str(_whole(ms)) for ms in pages),
            coarse_device(paradata.get("device")), int(complete),
            ";".join(str(f.get("code", "")) for f in flags if isinstance(f, dict)),
            review_status))
    return rows
