"""Simulated fieldwork for the demo wave (模拟数据, SIMULATED): visits, household screening and
interviews for every case of the worked PSUs, entered through the functions the interviewer's
phone reaches: ``interviews.record_contact``, ``design.record_adults`` and
``interviews.record_interview``.  Every visit's note and every interview's device and paradata
say 模拟数据 / SIMULATED; nothing here describes a real person.

The model is our own, made to look plausible, never an estimate:

* **Outcomes** per case (:data:`OUTCOME_SHARES`): the four city-centre subdistricts answer less
  (more refusals and nobody at home) than the towns and townships; one to four visits per case,
  each with one of ``interviews.CONTACT_OUTCOMES``; about 1.5% of interviews break off.
* **Households**: a roster of the residents aged 18-69 by household type (single, couple,
  couple with grown children, three generations, older couple); the adult the Kish table picks
  answers, with education drawn by age band and urban/rural (younger and urban: more schooling)
  and an occupation fitting age, schooling and place.
* **Literacy**: an ability θ = education + age + urban + sex effects + N(0, 1.1²) and a
  Rasch item response per item, P(knows) = 1 / (1 + exp(-(θ - b))), b from the item's
  difficulty (1-3) and a fixed per-item jitter.  Who does not know says "don't know" or
  guesses.  The effects were set so that the scored share meeting the standard (70 or more)
  among the demo's complete interviews is about 18% (18.4% in the full demo; 17.4% before
  the bank's second review changed the survey items): a plausible
  Xinzheng figure, above Zhengzhou's 14.6% (2022) and near the city's 2025 goal of 17.8%
  (``../shared/domain.md``), with the national 2023 pattern by education (about 3% to 50%),
  age (about 30% at 18-29 to 6% at 60-69) and urban/rural.
* **Paradata**: 15-40 s per item for most people (slower for older respondents), a few answer
  changes, the option order shuffled for choice items (true/false shown as 对, 错).  Some
  careful respondents on form B get a straight-lining flag all the same: its items 16-27 hold
  seven true/false items keyed "true".
* **Review queue**: a few interviews misbehave on purpose (:data:`QUIRK_SHARES` and the planted
  quirks of :data:`PLANTED_QUIRKS`): too fast, straight-lining, one duplicated respondent, one
  recorded outside its PSU, one with many answer changes.

Every draw comes from ``random.Random`` seeded by the demo seed, the PSU code and the household
line, so a case gets the same story whatever was stored before, and each PSU is stored in one
transaction (``commit=False`` on the record functions, one commit per PSU): a run that stopped
half way goes on where it stopped (cases whose last record is stored are skipped).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import selectinload

import surveys
from quizapp.extensions import db
from quizapp.models import (
    QuestionVersion,
    SurveyCase,
    SurveyContactAttempt,
    SurveyForm,
    SurveyFormItem,
    SurveyFramePSU,
    SurveyInterview,
    SurveySampledPSU,
    SurveyWave,
    Township,
    User,
)
from quizapp.surveys import design
from quizapp.surveys.interviews import (
    AnswerRecord,
    ContactRecord,
    FieldworkRefused,
    InterviewSubmission,
    record_contact,
    record_interview,
)

SIMULATED = "模拟数据 SIMULATED"
DEVICE = "模拟数据 SIMULATED demo phone (Android 10, Chrome 120)"
CENTRE_TOWNSHIPS = frozenset({"xinjianlu", "xinhualu", "xinyan", "longhu"})
FIELDWORK_START = date(2026, 6, 8)
DAYS_PER_PSU = 2  # an interviewer opens a new PSU every other day
BEIJING = timezone(timedelta(hours=8))

# Each demo interviewer's area (usernames of quizapp.demo.accounts), in the order the PSUs are
# worked: 小李 first, and one PSU of each interviewer in turn, so that a few worked PSUs
# (``DEMO_SURVEY_LISTED_PSUS`` in the tests) already span the centre and the countryside.
INTERVIEWER_AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("interviewer", ("xuedian", "guodian", "mengzhuang")),  # 调查员小李
    ("interviewer_wang", ("xinjianlu", "xinhualu")),  # 调查员小王
    ("interviewer_zhao", ("xincun", "xindian", "guanyinsi")),  # 调查员小赵
    ("interviewer_zhang", ("xinyan", "longhu")),  # 调查员小张
    ("interviewer_chen", ("lihe", "hezhuang")),  # 调查员小陈
    ("interviewer_liu", ("chengguan", "baqian", "longwang")),  # 调查员小刘
    ("interviewer_zhou", ("gangli", "dama")),  # 调查员小周
)

# Final outcome of a case: "interview" or the last visit's outcome.
OUTCOME_SHARES = {
    "centre": {"interview": 0.52, "refusal": 0.21, "no_contact": 0.16, "unable": 0.03,
               "not_found": 0.03, "not_eligible": 0.05},
    "rest": {"interview": 0.72, "refusal": 0.10, "no_contact": 0.08, "unable": 0.03,
             "not_found": 0.02, "not_eligible": 0.05},
}
# Visits before the one that ends the case (0-3), for interviews and refusals.
PRIOR_VISITS = {"centre": (0.45, 0.33, 0.16, 0.06), "rest": (0.62, 0.26, 0.09, 0.03)}
BREAK_OFF_SHARE = 0.015
# Interviews that misbehave at random, by quirk (the review queue's flags).
QUIRK_SHARES = {"too_fast": 0.003, "straight_lining": 0.001, "outside_psu": 0.001}
# The n-th worked PSU gets this quirk on an interview, so a small run has flags too.
PLANTED_QUIRKS = {1: "duplicate", 2: "too_fast", 3: "straight_lining", 4: "outside_psu",
                  5: "many_changes"}
# 小李's first PSU is half done: the cases after the first HELD_WORKED are screened (an
# appointment, ready to interview) or, the last HELD_UNVISITED, not visited yet.
HELD_WORKED = 6
HELD_UNVISITED = 2

# Highest schooling (surveys.EducationDetail order: none, primary, junior secondary, senior
# secondary, secondary vocational, junior college, bachelor, master, doctorate), by age band
# and urban/rural; our stand-in for the census shape, in percent.
EDUCATION_SHARES = {
    ("18-29", "urban"): (0, 1, 14, 16, 13, 27, 25, 3.6, 0.4),
    ("18-29", "rural"): (0, 3, 36, 19, 15, 17, 9.5, 0.5, 0),
    ("30-39", "urban"): (0, 3, 26, 17, 10, 21, 20, 2.7, 0.3),
    ("30-39", "rural"): (0, 7, 52, 15, 9, 10, 6.5, 0.5, 0),
    ("40-49", "urban"): (1, 8, 40, 22, 8, 11, 9.5, 0.5, 0),
    ("40-49", "rural"): (1, 15, 60, 14, 5, 3.5, 1.5, 0, 0),
    ("50-59", "urban"): (2, 16, 43, 24, 5, 6, 4, 0, 0),
    ("50-59", "rural"): (4, 30, 52, 11, 2, 0.8, 0.2, 0, 0),
    ("60-69", "urban"): (5, 30, 36, 20, 3, 3.5, 2.5, 0, 0),
    ("60-69", "rural"): (12, 48, 32, 7, 0.8, 0.2, 0, 0, 0),
}
# Literacy model (module docstring): θ effects; items' b by difficulty.
ABILITY_BASE = -1.04
EDUCATION_EFFECT = {"primary_or_less": -1.0, "junior_secondary": -0.45, "senior_secondary": 0.0,
                    "junior_college": 0.2, "bachelor_plus": 0.75}
AGE_EFFECT = {"18-29": 0.2, "30-39": 0.1, "40-49": 0.0, "50-59": -0.12, "60-69": -0.3}
URBAN_EFFECT = 0.1
MALE_EFFECT = 0.1
ABILITY_SD = 1.1
ITEM_DIFFICULTY = {1: -0.9, 2: 0.0, 3: 0.9}
ITEM_JITTER_SD = 0.45


@dataclass(frozen=True)
class Season:
    """What differs between the demo's waves: the day fieldwork starts, a shift of every
    respondent's ability θ (a lower literacy level in an earlier year), and whether 小李's
    first PSU is left half done (the current wave's work left for the walkthrough)."""

    start: date = FIELDWORK_START
    ability_shift: float = 0.0
    hold_first: bool = True


CURRENT = Season()


# --- assignment ------------------------------------------------------------------------------

def _area_of(psu: SurveySampledPSU) -> int:
    code = psu.frame_psu.township.code
    for index, (_username, townships) in enumerate(INTERVIEWER_AREAS):
        if code in townships:
            return index
    return 0  # a township added after the demo was written: 小李's


def assign_psus(sampled: Iterable[SurveySampledPSU]) -> int:
    """Give every unassigned PSU to the demo interviewer of its township (the caller
    commits); return how many were assigned.  The statistician's assignment page does this
    for a real wave."""
    users = dict(db.session.execute(select(User.username, User.id).where(
        User.username.in_([name for name, _ in INTERVIEWER_AREAS]))).all())
    assigned = 0
    for psu in sampled:
        user_id = users.get(INTERVIEWER_AREAS[_area_of(psu)][0])
        if psu.interviewer_id is None and user_id is not None:
            psu.interviewer_id = user_id
            assigned += 1
    return assigned


# --- households and respondents --------------------------------------------------------------

def _birthday(rng: random.Random) -> tuple[int, int]:
    return rng.randint(1, 12), rng.randint(1, 28)


def _adult(number: int, sex: str, age: int, rng: random.Random) -> surveys.Adult:
    month, day = _birthday(rng)
    return surveys.Adult(str(number), sex, age, month, day)


def simulate_roster(rng: random.Random, area: str) -> list[surveys.Adult]:
    """The household's residents aged 18-69 as the interviewer lists them; ``area`` is
    ``centre``, ``town`` (an urban community outside the centre) or ``rural``."""
    kinds = ("single", "couple", "with_children", "three_generations", "older_couple")
    weights = {"centre": (14, 30, 32, 14, 10), "town": (10, 28, 32, 20, 10),
               "rural": (7, 22, 30, 27, 14)}[area]
    kind = rng.choices(kinds, weights)[0]
    people: list[tuple[str, int]] = []
    first = rng.choice(("male", "female"))
    second = "female" if first == "male" else "male"

    def spouse_age(age: int) -> int:
        return min(69, max(18, age + rng.randint(-5, 3)))

    if kind == "single":
        people.append((first, rng.randint(19, 40) if rng.random() < 0.7 else
                       rng.randint(41, 69)))
    elif kind == "couple":
        age = rng.randint(22, 66)
        people += [(first, age), (second, spouse_age(age))]
    elif kind == "with_children":
        age = rng.randint(40, 66)
        people += [(first, age), (second, spouse_age(age))]
        for _ in range(1 if rng.random() < 0.7 else 2):
            child = age - rng.randint(22, 32)
            if child >= 18:
                people.append((rng.choice(("male", "female")), child))
    elif kind == "three_generations":
        age = rng.randint(24, 44)
        people += [(first, age), (second, spouse_age(age))]
        for _ in range(1 if rng.random() < 0.6 else 2):
            parent = age + rng.randint(24, 32)
            if parent <= 69:
                people.append((rng.choice(("male", "female")), parent))
    else:
        age = rng.randint(55, 69)
        people += [(first, age), (second, spouse_age(age))]
    return [_adult(k, sex, age, rng) for k, (sex, age) in enumerate(people, start=1)]


def _band(age: int) -> str:
    return str(surveys.age_band(age))


def _occupation(rng: random.Random, age: int, level: str, urban: bool, sex: str) -> str:
    learned = level in ("junior_college", "bachelor_plus")
    if age <= 22 and level != "primary_or_less" and rng.random() < (0.75 if learned else 0.35):
        return "student"
    if age >= 60 or (age >= 55 and sex == "female" and urban):
        if urban:
            return rng.choices(("retired", "homemaker", "service"), (70, 20, 10))[0]
        return rng.choices(("agriculture", "retired", "homemaker"), (60, 15, 25))[0]
    if learned:
        options = ("professional", "clerk", "leader", "civil_servant", "service", "production",
                   "other_employed", "unemployed")
        weights = (34, 22, 6, 8, 14, 8, 4, 4)
    elif urban:
        options = ("service", "production", "clerk", "professional", "other_employed",
                   "homemaker", "unemployed", "agriculture")
        weights = (34, 24, 10, 5, 8, 9 if sex == "female" else 2, 5, 3)
    else:
        options = ("agriculture", "production", "service", "other_employed", "homemaker",
                   "unemployed")
        weights = (34, 26, 20, 6, 10 if sex == "female" else 2, 4)
    return rng.choices(options, weights)[0]


def respondent_profile(rng: random.Random, adult: surveys.Adult, *, township: str,
                       urban_rural: str, reference: date) -> dict[str, object]:
    """The demographic module's answers of the selected adult, consistent with the roster
    (sex, age at the reference date, birthday month)."""
    birth_year = reference.year - adult.age - (1 if adult.birth_month > reference.month else 0)
    urban = urban_rural == "urban"
    table = EDUCATION_SHARES[(_band(adult.age), "urban" if urban else "rural")]
    education = rng.choices(list(surveys.EducationDetail), table)[0]
    if township == "longhu" and adult.age < 40 and rng.random() < 0.25:  # the university town
        education = rng.choice((surveys.EducationDetail.BACHELOR, surveys.EducationDetail.MASTER))
    level = str(surveys.education_level(education))
    profile: dict[str, object] = {
        "sex": str(adult.sex), "birth_year": birth_year, "birth_month": adult.birth_month,
        "education": str(education),
        "occupation": _occupation(rng, adult.age, level, urban, str(adult.sex)),
        "township": township, "urban_rural": urban_rural}
    if rng.random() < 0.78:  # lived here since birth
        profile["in_city_since_year"], profile["in_city_since_month"] = (birth_year,
                                                                         adult.birth_month)
    else:
        moved = birth_year + rng.randint(18, max(18, adult.age))
        profile["in_city_since_year"] = min(moved, reference.year - 1)
        profile["in_city_since_month"] = rng.randint(1, 12)
    return profile


# --- literacy and answers --------------------------------------------------------------------

def ability(rng: random.Random, *, age: int, level: str, urban: bool, sex: str,
            shift: float = 0.0) -> float:
    """The respondent's θ on the logistic scale (module docstring); ``shift``:
    :attr:`Season.ability_shift`."""
    return (ABILITY_BASE + shift + EDUCATION_EFFECT[level] + AGE_EFFECT[_band(age)]
            + (URBAN_EFFECT if urban else 0.0) + (MALE_EFFECT if sex == "male" else 0.0)
            + rng.gauss(0.0, ABILITY_SD))


@dataclass(frozen=True)
class Item:
    """What the simulation needs of one form item (read once, not per interview)."""

    version_id: int
    type: str
    dimension: str
    choices: int
    key: tuple[int, ...]
    b: float  # Rasch difficulty


def item_of(version: QuestionVersion) -> Item:
    """The item with its b: its difficulty level plus a jitter fixed by its content."""
    jitter = random.Random(f"item:{version.content_hash}").gauss(0.0, ITEM_JITTER_SD)
    return Item(version.id, version.type, version.dimension, version.choice_count,
                tuple(version.answer), ITEM_DIFFICULTY.get(version.difficulty, 0.0) + jitter)


def _forms(wave: SurveyWave) -> list[SurveyForm]:
    return list(db.session.scalars(
        select(SurveyForm).where(SurveyForm.wave_id == wave.id)
        .options(selectinload(SurveyForm.items).selectinload(SurveyFormItem.question_version))))


def form_items(wave: SurveyWave) -> dict[int, tuple[Item, ...]]:
    """Each form's items in listing order, by form id."""
    return {form.id: tuple(item_of(i.question_version) for i in form.items)
            for form in _forms(wave)}


@dataclass(frozen=True)
class Respondent:
    """What the answers depend on."""

    theta: float
    age: int
    low_schooling: bool
    quirk: str | None = None


def _guess(rng: random.Random, item: Item) -> tuple[int, ...]:
    count = item.choices
    if item.type == "multiple":
        size = rng.randint(1, min(3, count))
        return tuple(sorted(rng.sample(range(count), size)))
    return (rng.randrange(count),)


def answer_items(rng: random.Random, items: Sequence[Item],
                 respondent: Respondent, presented: int) -> tuple[AnswerRecord, ...]:
    """The first ``presented`` items of the form, in listing order: shown option order,
    answer, seconds on the item and answer changes."""
    dont_know = 0.2 + (0.15 if respondent.low_schooling else 0.0) + (
        0.1 if respondent.age >= 60 else 0.0)
    slower = 1.0 + 0.01 * max(0, respondent.age - 35) + (0.1 if respondent.low_schooling else 0)
    straight = range(8, 8 + rng.randint(14, 24)) if respondent.quirk == "straight_lining" \
        else range(0)
    answers = []
    for position, item in enumerate(items[:presented]):
        order = list(range(item.choices))
        if item.type != "true_false":
            rng.shuffle(order)
        knows = rng.random() < 1.0 / (1.0 + math.exp(-(respondent.theta - item.b)))
        if respondent.quirk == "too_fast":
            knows = knows and rng.random() < 0.5
        answer: tuple[int, ...] | str
        if position in straight:
            answer = (order[0],)
        elif knows:
            answer = item.key
        elif rng.random() < 0.004:
            answer = str(surveys.NonAnswer.BLANK)
        elif rng.random() < dont_know:
            answer = str(surveys.NonAnswer.DONT_KNOW)
        else:
            answer = _guess(rng, item)
        base = {"true_false": 15.0, "single": 22.0}.get(item.type, 30.0)
        seconds = min(120.0, max(7.0, base * slower * rng.lognormvariate(0.0, 0.3)))
        if respondent.quirk == "too_fast":
            seconds = rng.uniform(1.2, 3.0)
        changes = 1 if rng.random() < (0.02 if knows else 0.05) else 0
        if respondent.quirk == "many_changes" and position % 4 == 0:
            changes += 1
        answers.append(AnswerRecord(item.version_id, position, tuple(order), answer,
                                    elapsed_ms=round(seconds * 1000), changes=changes))
    return tuple(answers)


# --- visits ----------------------------------------------------------------------------------

def _at(day: date, rng: random.Random, evening: bool = False) -> datetime:
    """A visit's moment: daytime or, for appointments, evening, Beijing time, stored as UTC."""
    hour = rng.randint(18, 20) if evening else rng.choice((9, 10, 11, 14, 15, 16, 17, 19))
    local = datetime.combine(day, time(hour, rng.randrange(60)), BEIJING)
    return local.astimezone(UTC)


@dataclass(frozen=True)
class CasePlan:
    """A case's story: the visits ``record_contact`` stores (time order), whether the
    household's adults are listed, and when the interview (if any) begins."""

    visits: tuple[tuple[str, datetime], ...]
    screened: bool
    interview_at: datetime | None


def plan_case(rng: random.Random, centre: bool, first_day: date) -> CasePlan:
    """Draw the case's outcome (:data:`OUTCOME_SHARES`) and the visits leading to it."""
    place = "centre" if centre else "rest"
    shares = OUTCOME_SHARES[place]
    final = rng.choices(list(shares), list(shares.values()))[0]
    day = first_day + timedelta(days=rng.randint(0, 2))
    visits: list[tuple[str, datetime]] = []

    def visit(outcome: str, evening: bool = False) -> None:
        nonlocal day
        visits.append((outcome, _at(day, rng, evening)))
        day += timedelta(days=rng.randint(1, 4))

    prior = rng.choices(range(4), PRIOR_VISITS[place])[0]
    if final == "interview":
        for k in range(prior):
            visit("appointment" if k == prior - 1 and rng.random() < 0.4 else "no_contact")
        return CasePlan(tuple(visits), True, _at(day, rng, evening=rng.random() < 0.4))
    if final == "no_contact":
        for k in range(3 if rng.random() < 0.5 else 4):
            visit("appointment" if k == 1 and rng.random() < 0.25 else "no_contact",
                  evening=k >= 2)
        return CasePlan(tuple(visits), False, None)
    if final == "refusal":
        for _ in range(min(prior, 2)):
            visit("no_contact")
        consent = rng.random() < 0.25
        screened = consent or rng.random() < 0.3
        visit("consent_refused" if consent else "refusal")
        return CasePlan(tuple(visits), screened, None)
    if final == "not_found":
        for _ in range(rng.randint(1, 2)):
            visit("not_found")
        return CasePlan(tuple(visits), False, None)
    if rng.random() < 0.3:
        visit("no_contact")
    visit(final)
    return CasePlan(tuple(visits), final == "unable" and rng.random() < 0.7, None)


# --- the PSUs --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PsuWork:
    """A PSU to work, read before the first commit (a commit expires every row)."""

    psu_id: int
    code: str
    households: int  # in the frame: the listing's length
    township: str
    urban_rural: str
    interviewer_id: int | None
    turn: int  # place in work_order: the planted quirks
    first_day: date
    neighbour_code: str  # where an "outside its PSU" interview is recorded
    held: bool  # 小李's half-done PSU

    @property
    def area(self) -> str:
        if self.township in CENTRE_TOWNSHIPS:
            return "centre"
        return "town" if self.urban_rural == "urban" else "rural"


def _stored_client_ids(wave: SurveyWave) -> set[str]:
    return set(db.session.scalars(
        select(SurveyContactAttempt.client_id).join(SurveyCase)
        .where(SurveyCase.wave_id == wave.id)))


def _quirk(rng: random.Random) -> str | None:
    draw = rng.random()
    for name, share in QUIRK_SHARES.items():
        if draw < share:
            return name
        draw -= share
    return None


def work_psu(wave: SurveyWave, work: PsuWork, items: dict[int, tuple[Item, ...]],
             stored: set[str], season: Season = CURRENT) -> int:
    """Simulate the fieldwork of every case of a listed PSU and commit; return the number of
    interviews stored now.  ``items``: :func:`form_items`; ``stored``: the contact client
    ids already stored (their cases are done)."""
    psu = db.session.get(SurveySampledPSU, work.psu_id)
    cases = design.cases_of(psu)
    todo = []
    for index, case in enumerate(cases):
        rng = random.Random(f"{wave.seed}:fieldwork:{work.code}:{case.household.line}")
        plan = plan_case(rng, work.area == "centre", work.first_day)
        roster = simulate_roster(rng, work.area)
        if work.held and index >= len(cases) - HELD_UNVISITED:
            continue
        if work.held and index >= HELD_WORKED:  # screened at a first visit, interview to come
            plan = CasePlan((("appointment", _at(work.first_day, rng, evening=True)),), True,
                            None)
        prefix = f"demo-{wave.id}-{case.id}"
        last = f"{prefix}-i-i" if plan.interview_at else f"{prefix}-v{len(plan.visits) - 1}"
        if last not in stored:
            todo.append((case, rng, plan, roster, prefix))
    if not todo:
        return 0
    # The forms, their items and versions in three queries (the last commit expired them),
    # held here so the session keeps them for every interview of the PSU.
    forms = _forms(wave)
    planted = PLANTED_QUIRKS.get(work.turn)
    created = 0
    for case, rng, plan, roster, prefix in todo:
        for number, (outcome, moment) in enumerate(plan.visits):
            record = ContactRecord(f"{prefix}-v{number}", outcome, moment, note=SIMULATED)
            record_contact(case, record, interviewer_id=work.interviewer_id, commit=False)
        adult = None
        if plan.screened:
            if case.eligible_adults is None:
                selection = design.record_adults(wave, case, roster, commit=False)
            else:
                selection = surveys.select_by_kish(roster, case.kish_table)
            adult = next(a for a in roster if a.person_id == selection.person_id)
        if plan.interview_at is None or adult is None:
            continue
        quirk = _quirk(rng)
        if planted is not None and (planted != "duplicate" or _first_complete(psu)):
            quirk, planted = planted, None
        submission = _submission(wave, case, work, rng, adult, plan.interview_at, quirk,
                                 items[case.form_id], f"{prefix}-i", season.ability_shift)
        try:
            record_interview(case, submission, interviewer_id=work.interviewer_id,
                             commit=False)
        except FieldworkRefused as refused:
            if refused.code != "already_interviewed":  # by hand, on the interviewer's page
                raise
        else:
            created += 1
    db.session.commit()
    del forms
    return created


def _first_complete(psu: SurveySampledPSU) -> SurveyInterview | None:
    return db.session.scalar(
        select(SurveyInterview).join(SurveyCase, SurveyInterview.case_id == SurveyCase.id)
        .where(SurveyCase.sampled_psu_id == psu.id, SurveyInterview.complete.is_(True))
        .order_by(SurveyInterview.id).limit(1))


def _submission(wave: SurveyWave, case: SurveyCase, work: PsuWork, rng: random.Random,
                adult: surveys.Adult, begins: datetime, quirk: str | None,
                items: tuple[Item, ...], client_id: str, shift: float = 0.0
                ) -> InterviewSubmission:
    """The interview as the phone would send it."""
    profile = respondent_profile(rng, adult, township=work.township,
                                 urban_rural=work.urban_rural, reference=wave.reference_date)
    if quirk == "duplicate":  # a made-up respondent copied from the PSU's first interview
        first = _first_complete(case.sampled_psu)
        profile.update({k: first.profile[k] for k in ("sex", "birth_year", "birth_month",
                                                       "education")})
    level = str(surveys.education_level(str(profile["education"])))
    respondent = Respondent(
        theta=ability(rng, age=adult.age, level=level, urban=work.urban_rural == "urban",
                      sex=str(adult.sex), shift=shift),
        age=adult.age, low_schooling=level in ("primary_or_less", "junior_secondary"),
        quirk=quirk)
    broken_off = rng.random() < BREAK_OFF_SHARE and quirk is None
    presented = rng.randint(8, len(items) - 6) if broken_off else len(items)
    answers = answer_items(rng, items, respondent, presented)
    consent_at = begins + timedelta(seconds=rng.randint(150, 480))  # listing the adults
    profile_ms = (rng.randint(40_000, 60_000) if quirk == "too_fast"
                  else rng.randint(150_000, 330_000))
    pages = [rng.randint(40_000, 120_000), profile_ms]  # consent, personal section
    for start in range(0, len(answers), 10):
        pages.append(sum(a.elapsed_ms for a in answers[start:start + 10])
                     + (1000 if quirk == "too_fast" else 4000))
    return InterviewSubmission(
        client_id=client_id, mode="capi", consent_at=consent_at, started_at=consent_at,
        ended_at=consent_at + timedelta(milliseconds=sum(pages[1:])), profile=profile,
        answers=answers, broken_off=broken_off, page_ms=tuple(pages), device=DEVICE,
        recorded_psu_code=work.neighbour_code if quirk == "outside_psu" else work.code,
        extra_paradata={"simulated": True})


def plan_work(sampled: Sequence[SurveySampledPSU], limit: int | None = None,
              season: Season = CURRENT) -> list[PsuWork]:
    """Assign the PSUs (:func:`assign_psus`, committed) and return the first ``limit`` (None:
    all) in the order the demo works them: the first PSU (frame order) of each interviewer's
    area in :data:`INTERVIEWER_AREAS` order, then the second of each, and so on, from
    ``season.start``."""
    assign_psus(sampled)
    areas: list[list[SurveySampledPSU]] = [[] for _ in INTERVIEWER_AREAS]
    for psu in sampled:
        areas[_area_of(psu)].append(psu)
    lead = areas[0][0].interviewer_id if areas[0] else None
    works = []
    for place in range(max(len(area) for area in areas)):
        for area in areas:
            if place < len(area):
                psu, frame_psu = area[place], area[place].frame_psu
                works.append(PsuWork(
                    psu.id, frame_psu.code, frame_psu.households, frame_psu.township.code,
                    frame_psu.urban_rural, psu.interviewer_id, len(works),
                    season.start + timedelta(days=DAYS_PER_PSU * place),
                    area[(place + 1) % len(area)].frame_psu.code,
                    season.hold_first and not works and lead is not None))
    db.session.commit()
    return works[:limit] if limit is not None else works


def work_psus(wave: SurveyWave, works: Sequence[PsuWork], season: Season = CURRENT) -> int:
    """Simulate the fieldwork of the listed PSUs of ``works``, one commit per PSU (小李's
    first PSU is left half done when :func:`plan_work` said so).  Returns the interviews
    stored now."""
    items = form_items(wave)
    stored = _stored_client_ids(wave)
    return sum(work_psu(wave, work, items, stored, season) for work in works)


# --- the figures -----------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoFigures:
    """What the simulated fieldwork gave: AAPOR rates (``surveys.response_rates`` on the case
    dispositions; cases not visited yet are left out) overall, in the city centre and
    elsewhere, and the scored share meeting the standard among complete interviews."""

    interviews: int
    complete: int
    meets: int
    flagged: int
    pending_cases: int  # no disposition yet (小李's unvisited cases)
    rates: surveys.ResponseRates
    centre: surveys.ResponseRates
    rest: surveys.ResponseRates

    @property
    def meets_share(self) -> float:
        return self.meets / self.complete if self.complete else 0.0


def demo_figures(wave: SurveyWave) -> DemoFigures:
    """The demo wave's figures (for the tests and the closing note)."""
    rows = db.session.execute(
        select(SurveyCase.disposition, SurveyFramePSU.township_id)
        .join(SurveySampledPSU, SurveyCase.sampled_psu_id == SurveySampledPSU.id)
        .join(SurveyFramePSU, SurveySampledPSU.frame_psu_id == SurveyFramePSU.id)
        .where(SurveyCase.wave_id == wave.id)).all()
    centre_ids = set(db.session.scalars(
        select(Township.id).where(Township.code.in_(CENTRE_TOWNSHIPS))))
    done = [(d, t in centre_ids) for d, t in rows if d is not None]
    interviews = list(db.session.scalars(
        select(SurveyInterview).where(SurveyInterview.wave_id == wave.id)))
    complete = [i for i in interviews if i.complete]
    return DemoFigures(
        interviews=len(interviews), complete=len(complete),
        meets=sum(1 for i in complete if surveys.meets_standard(i.level)),
        flagged=sum(1 for i in interviews if i.flags),
        pending_cases=len(rows) - len(done),
        rates=surveys.response_rates(d for d, _ in done),
        centre=surveys.response_rates(d for d, c in done if c),
        rest=surveys.response_rates(d for d, c in done if not c))
