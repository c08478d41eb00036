"""A wave's sample in the database: the frame, the allocation, the PSUs drawn, household
listings and selection, the cases and their base weights, and the design summary.

The rules are ``surveys``' (read_frame_bytes, plan_design, draw_psus, select_households,
assign_forms, kish_tables, select_by_kish / select_by_next_birthday, base_weight,
design_summary); this module feeds them the stored rows and stores what they return.  Every
draw takes ``surveys.stage_rng(wave.seed, stage, unit)``: the same seed gives the same sample
in any order of work.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

import surveys
from quizapp.engine import clock
from quizapp.extensions import db
from quizapp.inputs import strip_control, strip_control_one_line
from quizapp.models import (
    SurveyCase,
    SurveyFramePSU,
    SurveyHousehold,
    SurveySampledPSU,
    SurveyWave,
    Township,
)
from quizapp.surveys.services import WaveRefused, require_status

FRAME_MAX_BYTES = 5 * 1024 * 1024
MAX_LISTING = 5000  # households in one PSU's listing
MAX_ADULTS = 30


# --- frame -----------------------------------------------------------------------------------

def _township_keys() -> dict[str, Township]:
    """Township code or name (as a frame may write either) -> township."""
    keys: dict[str, Township] = {}
    for township in db.session.scalars(select(Township)):
        keys.setdefault(township.code, township)
        keys.setdefault(township.name, township)
    return keys


def has_sample(wave: SurveyWave) -> bool:
    return bool(db.session.scalar(
        select(func.count(SurveySampledPSU.id)).where(SurveySampledPSU.wave_id == wave.id)))


def import_frame(wave: SurveyWave, data: bytes, filename: str) -> int:
    """Replace the wave's frame by the file's PSUs, all or nothing; return how many.

    Raises ``surveys.FrameError`` (every problem with its row and column) for a bad file, and
    :class:`WaveRefused` once a sample has been drawn from the present frame.
    """
    require_status(wave, "design")
    if has_sample(wave):
        raise WaveRefused(_("A sample has been drawn from this frame; it can no longer change."))
    keys = _township_keys()
    frame = surveys.read_frame_bytes(data, filename, townships=keys)
    wave.frame_psus.clear()
    db.session.flush()
    for position, psu in enumerate(frame.psus):
        wave.frame_psus.append(SurveyFramePSU(
            township_id=keys[psu.township].id, position=position,
            code=strip_control_one_line(psu.psu), name=strip_control_one_line(psu.name),
            urban_rural=str(psu.urban_rural), size=psu.size,
            households=psu.households))
    wave.frame_filename = filename[:200]
    wave.frame_imported_at = clock.now()
    wave.design = None  # an allocation was for the old frame
    db.session.commit()
    return len(frame.psus)


def load_frame(wave: SurveyWave) -> surveys.Frame | None:
    """The stored frame as ``surveys.Frame`` (strata are township codes); None if empty."""
    rows = list(db.session.scalars(
        select(SurveyFramePSU).options(selectinload(SurveyFramePSU.township))
        .where(SurveyFramePSU.wave_id == wave.id).order_by(SurveyFramePSU.position)))
    if not rows:
        return None
    return surveys.Frame(tuple(surveys.FramePSU(
        township=row.township.code, psu=row.code, urban_rural=surveys.UrbanRural(row.urban_rural),
        size=row.size, households=row.households, name=row.name) for row in rows))


def townships_by_code() -> dict[str, Township]:
    return {t.code: t for t in db.session.scalars(select(Township))}


# --- allocation ------------------------------------------------------------------------------

def design_spec(wave: SurveyWave) -> surveys.DesignSpec | None:
    """The fixed design of the wave, or None."""
    return None if wave.design is None else surveys.DesignSpec(**wave.design)


def _frame_or_refuse(wave: SurveyWave) -> surveys.Frame:
    frame = load_frame(wave)
    if frame is None:
        raise WaveRefused(_("Import the sampling frame first."))
    return frame


def preview_allocation(wave: SurveyWave, spec: surveys.DesignSpec
                       ) -> tuple[surveys.StratumPlan, ...]:
    """The allocation ``spec`` gives on the wave's frame; nothing is stored.

    Raises ``surveys.SurveyInputError`` when the frame cannot carry it.
    """
    return surveys.plan_design(_frame_or_refuse(wave), spec)


def fix_design(wave: SurveyWave, spec: surveys.DesignSpec) -> tuple[surveys.StratumPlan, ...]:
    """Check ``spec`` on the frame and store it as the wave's design (before any draw)."""
    require_status(wave, "design")
    if has_sample(wave):
        raise WaveRefused(_("The sample has been drawn; the design can no longer change."))
    plan = preview_allocation(wave, spec)
    wave.design = {"interviews": spec.interviews, "take": spec.take,
                   "method": str(spec.method), "power": spec.power, "min_psus": spec.min_psus}
    db.session.commit()
    return plan


# --- first stage: PSUs -----------------------------------------------------------------------

def draw_sample(wave: SurveyWave) -> surveys.PsuSample:
    """Draw the PSUs by systematic PPS with the wave's seed and store them.

    Refused once fieldwork has started, and once any sampled PSU has a household listing
    (that work would be lost).  Before that, drawing again gives the same sample.
    """
    require_status(wave, "design")
    spec = design_spec(wave)
    if spec is None:
        raise WaveRefused(_("Fix the design (the allocation) before drawing the sample."))
    frame = _frame_or_refuse(wave)
    listed = db.session.scalar(
        select(func.count(SurveyHousehold.id)).join(SurveySampledPSU)
        .where(SurveySampledPSU.wave_id == wave.id))
    if listed:
        raise WaveRefused(_("Households have been listed in the sample; it cannot be drawn "
                            "again."))
    sample = surveys.draw_psus(frame, spec, surveys.stage_rng(wave.seed, "psus"))
    for old in db.session.scalars(
            select(SurveySampledPSU).where(SurveySampledPSU.wave_id == wave.id)):
        db.session.delete(old)
    db.session.flush()
    rows = {row.code: row for row in wave.frame_psus}
    for code, row in rows.items():
        row.pi1 = sample.inclusion[code]
        row.certainty = code in sample.certainty
    for psu in sample.psus:
        db.session.add(SurveySampledPSU(wave_id=wave.id, frame_psu_id=rows[psu.psu].id,
                                        pi1=psu.pi, certainty=psu.certainty, take=psu.take))
    wave.drawn_at = clock.now()
    db.session.commit()
    return sample


def sampled_psus(wave: SurveyWave) -> list[SurveySampledPSU]:
    """The wave's sampled PSUs in frame order."""
    return list(db.session.scalars(
        select(SurveySampledPSU).join(SurveyFramePSU)
        .options(selectinload(SurveySampledPSU.frame_psu).selectinload(SurveyFramePSU.township))
        .where(SurveySampledPSU.wave_id == wave.id).order_by(SurveyFramePSU.position)))


def get_sampled_psu(wave: SurveyWave, sampled_psu_id: int) -> SurveySampledPSU | None:
    psu = db.session.get(SurveySampledPSU, sampled_psu_id)
    return psu if psu is not None and psu.wave_id == wave.id else None


# --- second stage: households, cases ---------------------------------------------------------

def listing_lines(text: str) -> list[str]:
    """The households of a typed or uploaded listing: one per non-blank line, as written."""
    lines = (" ".join(strip_control(line).split()) for line in text.splitlines())
    return [line for line in lines if line]


def decode_listing(data: bytes) -> str:
    """An uploaded listing as text: UTF-8, or GB18030 as Excel in China saves it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def list_households(wave: SurveyWave, psu: SurveySampledPSU, lines: list[str]
                    ) -> surveys.HouseholdSample:
    """Store the PSU's listing, select its ``take`` households systematically and create a
    case for each, with its form (permuted blocks) and, for the Kish grid, its table.

    A PSU is listed once: a second listing is refused (its cases may be in the field).
    """
    require_status(wave, "design", "fieldwork")
    if psu.households:
        raise WaveRefused(_("This PSU's households have already been listed."))
    if len(wave.forms) != 2:
        raise WaveRefused(_("Assemble the two forms before creating cases."))
    if len(lines) > MAX_LISTING:
        raise WaveRefused(_("At most %(n)s households in one listing.", n=MAX_LISTING))
    code = psu.frame_psu.code
    ids = [str(line) for line in range(1, len(lines) + 1)]
    try:
        chosen = surveys.select_households(code, ids, psu.take,
                                           surveys.stage_rng(wave.seed, "households", code))
    except surveys.SurveyInputError:
        raise WaveRefused(_("The listing has %(listed)s households; this PSU needs at least "
                            "%(take)s.", listed=len(lines), take=psu.take)) from None
    selected = set(chosen.selected)
    rows = [{"sampled_psu_id": psu.id, "line": int(number), "label": label[:200],
             "selected": number in selected, "pi2": chosen.pi if number in selected else None}
            for number, label in zip(ids, lines, strict=True)]
    # One multi-row INSERT: a listing holds hundreds of lines, and ORM objects for each took
    # as long as the PSU's interviews (the demo lists ~100,000).  Ids come in line order.
    household_ids = dict(db.session.execute(
        insert(SurveyHousehold).returning(SurveyHousehold.line, SurveyHousehold.id,
                                          sort_by_parameter_order=True), rows).all())
    picked = [int(number) for number in ids if number in selected]
    assignment = surveys.assign_forms([str(line) for line in picked],
                                      surveys.stage_rng(wave.seed, "forms", code))
    form_ids = {form.code: form.id for form in wave.forms}
    tables: tuple[str | None, ...] = (None,) * len(picked)
    if wave.selection_method == str(surveys.SelectionMethod.KISH):
        tables = tuple(str(t) for t in surveys.kish_tables(
            len(picked), surveys.stage_rng(wave.seed, "kish", code)))
    for line, form, table in zip(picked, assignment, tables, strict=True):
        db.session.add(SurveyCase(wave_id=wave.id, sampled_psu_id=psu.id,
                                  household_id=household_ids[line], form_id=form_ids[form.form],
                                  kish_table=table))
    psu.listed_at = clock.now()
    db.session.commit()
    return chosen


def cases_of(psu: SurveySampledPSU) -> list[SurveyCase]:
    return list(db.session.scalars(
        select(SurveyCase).join(SurveyHousehold).options(
            selectinload(SurveyCase.household), selectinload(SurveyCase.form))
        .where(SurveyCase.sampled_psu_id == psu.id).order_by(SurveyHousehold.line)))


def get_case(wave: SurveyWave, case_id: int) -> SurveyCase | None:
    case = db.session.get(SurveyCase, case_id)
    return case if case is not None and case.wave_id == wave.id else None


_SEX_WORDS = {"男": surveys.Sex.MALE, "m": surveys.Sex.MALE, "male": surveys.Sex.MALE,
              "女": surveys.Sex.FEMALE, "f": surveys.Sex.FEMALE, "female": surveys.Sex.FEMALE}


def parse_adults(text: str) -> list[surveys.Adult]:
    """The household's eligible adults, one per line: sex, age and, for the next-birthday
    method, the birthday as month-day (``男 45``, ``女 38 3-14``).  Numbered 1, 2, ... as
    listed.  Raises :class:`WaveRefused` naming the first bad line."""
    adults = []
    for number, line in enumerate(listing_lines(text), start=1):
        parts = line.replace(",", " ").replace("，", " ").split()
        try:
            sex = _SEX_WORDS[parts[0].lower()]
            age = int(parts[1])
            month = day = None
            if len(parts) == 3:
                month_text, day_text = parts[2].replace("/", "-").split("-")
                month, day = int(month_text), int(day_text)
                date(2000, month, day)  # a real day of the year (2000 has 29 February)
            elif len(parts) != 2:
                raise ValueError(line)
            if not 0 <= age <= 120:
                raise ValueError(line)
        except (KeyError, IndexError, ValueError):
            raise WaveRefused(_("Line %(line)s: write sex and age, and for the next-birthday "
                                "method the birthday, e.g. “男 45 3-14”.", line=number)) from None
        adults.append(surveys.Adult(str(number), sex, age, month, day))
    if not adults:
        raise WaveRefused(_("List at least one eligible adult."))
    if len(adults) > MAX_ADULTS:
        raise WaveRefused(_("At most %(n)s adults in one household.", n=MAX_ADULTS))
    return adults


def record_adults(wave: SurveyWave, case: SurveyCase, adults: list[surveys.Adult],
                  visit: date | None = None, *, commit: bool = True
                  ) -> surveys.RespondentSelection:
    """Choose the adult to interview by the wave's method, and store the count of eligible
    adults, the choice, its probability and the base weight eligible adults / (π₁ π₂).

    ``adults``: the household's adults aged 18-69 (the target population) as listed; ``visit``:
    the day of the visit, from which the next birthday counts (default: the wave's reference
    date).  ``commit=False`` leaves the commit to the caller (a batch of households).
    """
    require_status(wave, "design", "fieldwork")
    if case.eligible_adults is not None:
        raise WaveRefused(_("The adults of this household have already been recorded."))
    method = surveys.SelectionMethod(wave.selection_method)
    try:
        if method is surveys.SelectionMethod.KISH:
            selection = surveys.select_by_kish(adults, case.kish_table)
        else:
            selection = surveys.select_by_next_birthday(
                adults, visit or wave.reference_date,
                surveys.stage_rng(wave.seed, "birthday", case.id))
    except surveys.SurveyInputError:
        raise WaveRefused(_("Give every adult's birthday (month-day) for the next-birthday "
                            "method.")) from None
    psu = case.sampled_psu
    case.eligible_adults = selection.eligible_adults
    case.selected_adult = (selection.kish_number if selection.kish_number is not None
                           else int(selection.person_id))
    chosen = next(a for a in adults if a.person_id == selection.person_id)
    case.selected_sex, case.selected_age = chosen.sex.value, chosen.age
    case.within_probability = float(selection.probability)
    case.base_weight = surveys.base_weight(psu.pi1, case.household.pi2, selection.eligible_adults)
    case.status = "ready"
    if commit:
        db.session.commit()
    return selection


# --- summary ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class SummaryRow:
    """One township of the design summary: ``surveys.StratumSummary`` and the cases so far."""

    township: Township
    stratum: surveys.StratumSummary
    cases: int
    weighted: int  # cases with a base weight (adults recorded)
    weight_sum: float


@dataclass(frozen=True)
class DesignSummary:
    spec: surveys.DesignSpec
    rows: tuple[SummaryRow, ...]

    @property
    def totals(self) -> dict[str, float]:
        return {
            "frame_psus": sum(r.stratum.frame_psus for r in self.rows),
            "sampled_psus": sum(r.stratum.sampled_psus for r in self.rows),
            "certainty_psus": sum(r.stratum.certainty_psus for r in self.rows),
            "sum_pi": math.fsum(r.stratum.sum_pi for r in self.rows),
            "interviews": sum(r.stratum.interviews for r in self.rows),
            "cases": sum(r.cases for r in self.rows),
            "weighted": sum(r.weighted for r in self.rows),
            "weight_sum": math.fsum(r.weight_sum for r in self.rows),
        }


def design_summary(wave: SurveyWave) -> DesignSummary | None:
    """Per township: PSUs in the frame, sampled, certainty, Σπ, interviews (``surveys.
    design_summary`` on the stored sample), and the cases created and weighted so far."""
    spec, frame = design_spec(wave), load_frame(wave)
    stored = sampled_psus(wave)
    if spec is None or frame is None or not stored:
        return None
    inclusion = {row.code: row.pi1 or 0.0 for row in wave.frame_psus}
    sample = surveys.PsuSample(
        spec=spec, plan=surveys.plan_design(frame, spec),
        psus=tuple(surveys.SelectedPSU(p.frame_psu.township.code, p.frame_psu.code,
                                       p.frame_psu.size, p.frame_psu.households, p.pi1,
                                       p.certainty, p.take) for p in stored),
        inclusion=inclusion, certainty=frozenset(r.code for r in wave.frame_psus if r.certainty))
    township_of = {p.id: p.frame_psu.township.code for p in stored}
    cases = Counter()
    weighted = Counter()
    weight_sum: dict[str, float] = {}
    for psu_id, weight in db.session.execute(
            select(SurveyCase.sampled_psu_id, SurveyCase.base_weight)
            .where(SurveyCase.wave_id == wave.id)):
        code = township_of[psu_id]
        cases[code] += 1
        if weight is not None:
            weighted[code] += 1
            weight_sum[code] = weight_sum.get(code, 0.0) + weight
    townships = townships_by_code()
    rows = tuple(SummaryRow(townships[s.stratum], s, cases[s.stratum], weighted[s.stratum],
                            weight_sum.get(s.stratum, 0.0))
                 for s in surveys.design_summary(sample, frame))
    return DesignSummary(spec, rows)
