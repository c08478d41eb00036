"""Data-quality flags on completed interviews: pure functions over simple records.

A flag is a reason to look at a case again, never a verdict: supervisors check the flagged
interviews (call-backs, audio, GPS) before dropping any.  Each flag carries a stable code
(:class:`FlagCode`, bilingual names in :mod:`surveys.labels`), a sentence in Chinese and in
English, and the evidence as numbers.  Thresholds are parameters (:class:`Thresholds`); the
defaults are project choices, stated here, to be tuned on the pilot's data:

* **too fast**: fewer than 5 seconds per presented item (a 50-item form in under about 4
  minutes, when an interviewer reading each stem and its options aloud takes several times
  that).  Flagged when seconds per item < the threshold.
* **straight-lining**: the same option position chosen for 10 or more items in a row, at least
  one of them wrong.  Blanks and "don't know" break a run.  A run of right answers only is not
  counted when correctness is given: a knowledgeable respondent meets it whenever several keys
  sit in one position (true/false items keep 对 before 错, and a form may hold seven "true"
  items in a row), and a respondent ticking one position regardless gets some wrong.
  Flagged when the longest counted run >= the threshold.
* **duplicate respondent**: two or more completed cases with the same sex, birth year and
  month, education, township and assigned PSU: the same person interviewed twice, or a
  fabricated copy.  Cases missing any of these fields are not compared.
* **outside the assigned PSU**: the PSU where the interview was recorded (e.g. by the
  tablet's location) differs from the one the case was assigned to.  Not checked when the
  recorded PSU is unknown.
* **many answer changes**: more than 10 changed answers in one interview.  Flagged when
  changes > the threshold.

Checks for speeding, straight-lining, duplicates and location are the usual CAPI paradata
checks (e.g. Kreuter (ed.) 2013, *Improving Surveys with Paradata*, Wiley).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from numbers import Integral, Real
from types import MappingProxyType

from surveys.errors import SurveyInputError

__all__ = [
    "DEFAULT_THRESHOLDS",
    "FINGERPRINT_FIELDS",
    "FlagCode",
    "InterviewRecord",
    "QualityFlag",
    "Thresholds",
    "check_quality",
    "flag_duplicates",
    "flag_many_changes",
    "flag_outside_psu",
    "flag_straight_lining",
    "flag_too_fast",
    "longest_run",
]


class FlagCode(StrEnum):
    TOO_FAST = "too_fast"
    STRAIGHT_LINING = "straight_lining"
    DUPLICATE = "duplicate"
    OUTSIDE_PSU = "outside_psu"
    MANY_CHANGES = "many_changes"


FINGERPRINT_FIELDS = ("sex", "birth_year", "birth_month", "education", "township",
                      "assigned_psu")


@dataclass(frozen=True)
class Thresholds:
    """When a flag fires (module docstring): seconds per item below ``min_seconds_per_item``;
    a run of at least ``straight_run`` equal positions; more than ``max_answer_changes``
    changes; equal values of every field in ``fingerprint``."""

    min_seconds_per_item: float = 5.0
    straight_run: int = 10
    max_answer_changes: int = 10
    fingerprint: tuple[str, ...] = FINGERPRINT_FIELDS

    def __post_init__(self) -> None:
        if not self.min_seconds_per_item > 0:
            raise SurveyInputError("min_seconds_per_item must be > 0")
        if self.straight_run < 2:
            raise SurveyInputError("straight_run must be at least 2")
        if self.max_answer_changes < 0:
            raise SurveyInputError("max_answer_changes must be >= 0")
        unknown = [f for f in self.fingerprint if f not in FINGERPRINT_FIELDS]
        if unknown or not self.fingerprint:
            raise SurveyInputError(
                f"fingerprint fields must come from {', '.join(FINGERPRINT_FIELDS)}")


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class InterviewRecord:
    """What the checks need of one completed interview.

    ``positions``: the option position chosen for each presented item, in the order asked
    (0 = first option, for true/false 0 = true), ``None`` for a blank or "don't know".
    ``correct``: optionally, whether each of those answers was right (same length).
    """

    case_id: str
    duration_seconds: float
    items_presented: int
    positions: tuple[int | None, ...] = ()
    correct: tuple[bool, ...] = ()
    answer_changes: int = 0
    assigned_psu: str | None = None
    interview_psu: str | None = None
    sex: str | None = None
    birth_year: int | None = None
    birth_month: int | None = None
    education: str | None = None
    township: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.case_id, str) or not self.case_id:
            raise SurveyInputError(f"case id must be non-empty text, got {self.case_id!r}")
        if (isinstance(self.duration_seconds, bool) or not isinstance(self.duration_seconds, Real)
                or not self.duration_seconds >= 0):
            raise SurveyInputError(f"case {self.case_id}: duration must be a number >= 0")
        for name in ("items_presented", "answer_changes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
                raise SurveyInputError(f"case {self.case_id}: {name} must be a whole number >= 0")
        object.__setattr__(self, "positions", tuple(self.positions))
        object.__setattr__(self, "correct", tuple(bool(c) for c in self.correct))
        if self.correct and len(self.correct) != len(self.positions):
            raise SurveyInputError(f"case {self.case_id}: correct and positions differ in "
                                   "length")


_REASONS = {
    FlagCode.TOO_FAST: (
        "每题平均用时 {seconds_per_item:.2f} 秒，少于 {threshold:g} 秒",
        "{seconds_per_item:.2f} seconds per item, under {threshold:g}"),
    FlagCode.STRAIGHT_LINING: (
        "从第 {first_item} 题起连续 {run} 题选第 {option} 个选项（阈值 {threshold} 题）",
        "option {option} chosen {run} times in a row from item {first_item} "
        "(threshold {threshold})"),
    FlagCode.DUPLICATE: (
        "与 {others} 的性别、出生年月、文化程度、乡镇和村居相同",
        "same sex, birth year-month, education, township and PSU as {others}"),
    FlagCode.OUTSIDE_PSU: (
        "在 {interview_psu} 访问，但分配的村居是 {assigned_psu}",
        "interviewed in {interview_psu}, assigned to {assigned_psu}"),
    FlagCode.MANY_CHANGES: (
        "改答 {changes} 次，超过 {threshold} 次",
        "{changes} answer changes, more than {threshold}"),
}


@dataclass(frozen=True)
class QualityFlag:
    """A flagged case: ``code``, the ``evidence`` (numbers and ids) and the reason sentence."""

    case_id: str
    code: FlagCode
    evidence: Mapping[str, object]

    def reason(self, language: str = "zh") -> str:
        """The reason in ``zh`` (default) or ``en``, filled from the evidence."""
        zh, en = _REASONS[self.code]
        values = dict(self.evidence)
        if "others" in values:
            values["others"] = ", ".join(values["others"])
        return (zh if language == "zh" else en).format(**values)


def _flag(record: InterviewRecord, code: FlagCode, **evidence: object) -> QualityFlag:
    return QualityFlag(record.case_id, code, MappingProxyType(evidence))


def flag_too_fast(record: InterviewRecord, thresholds: Thresholds = DEFAULT_THRESHOLDS
                  ) -> QualityFlag | None:
    """Seconds per presented item below ``min_seconds_per_item``."""
    if record.items_presented == 0:
        raise SurveyInputError(f"case {record.case_id}: no item was presented")
    per_item = record.duration_seconds / record.items_presented
    if per_item < thresholds.min_seconds_per_item:
        return _flag(record, FlagCode.TOO_FAST, seconds_per_item=per_item,
                     duration_seconds=record.duration_seconds,
                     items_presented=record.items_presented,
                     threshold=thresholds.min_seconds_per_item)
    return None


def longest_run(positions: Iterable[int | None], correct: Iterable[bool] = ()
                ) -> tuple[int, int, int | None]:
    """(length, index of its first item from 0, position) of the longest run of equal
    positions; blanks (None) break runs.  The earliest run wins a tie.  With ``correct``
    (one flag per position), runs of right answers only are skipped."""
    listed = list(positions)
    right = list(correct) or [False] * len(listed)
    best = (0, 0, None)
    start = 0
    for index in range(len(listed) + 1):
        if index < len(listed) and listed[index] is not None and listed[index] == listed[start]:
            continue
        # A maximal run ended at index (exclusive) or there was none (a blank at start).
        if listed[start:index] and listed[start] is not None \
                and not all(right[start:index]) and index - start > best[0]:
            best = (index - start, start, listed[start])
        start = index
    return best


def flag_straight_lining(record: InterviewRecord, thresholds: Thresholds = DEFAULT_THRESHOLDS
                         ) -> QualityFlag | None:
    """A run of at least ``straight_run`` equal option positions, not all of them right."""
    run, start, position = longest_run(record.positions, record.correct)
    if run >= thresholds.straight_run:
        return _flag(record, FlagCode.STRAIGHT_LINING, run=run, first_item=start + 1,
                     option=position + 1, position=position, threshold=thresholds.straight_run)
    return None


def flag_outside_psu(record: InterviewRecord) -> QualityFlag | None:
    """Recorded in another PSU than the assigned one (both known)."""
    if record.interview_psu is None or record.assigned_psu is None:
        return None
    if record.interview_psu != record.assigned_psu:
        return _flag(record, FlagCode.OUTSIDE_PSU, assigned_psu=record.assigned_psu,
                     interview_psu=record.interview_psu)
    return None


def flag_many_changes(record: InterviewRecord, thresholds: Thresholds = DEFAULT_THRESHOLDS
                      ) -> QualityFlag | None:
    """More than ``max_answer_changes`` changed answers."""
    if record.answer_changes > thresholds.max_answer_changes:
        return _flag(record, FlagCode.MANY_CHANGES, changes=record.answer_changes,
                     threshold=thresholds.max_answer_changes)
    return None


def flag_duplicates(records: Iterable[InterviewRecord],
                    thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list[QualityFlag]:
    """Every case sharing its fingerprint with another case (each gets a flag naming the
    others), in the records' order; cases missing a fingerprint field are skipped."""
    listed = list(records)
    groups: dict[tuple, list[InterviewRecord]] = {}
    for record in listed:
        values = tuple(getattr(record, f) for f in thresholds.fingerprint)
        if any(v is None or v == "" for v in values):
            continue
        groups.setdefault(values, []).append(record)
    flags = []
    for record in listed:
        values = tuple(getattr(record, f) for f in thresholds.fingerprint)
        members = groups.get(values, [])
        if len(members) > 1 and record in members:
            others = tuple(m.case_id for m in members if m.case_id != record.case_id)
            flags.append(_flag(record, FlagCode.DUPLICATE, others=others,
                               fingerprint=dict(zip(thresholds.fingerprint, values,
                                                    strict=True))))
    return flags


def check_quality(records: Iterable[InterviewRecord],
                  thresholds: Thresholds = DEFAULT_THRESHOLDS) -> tuple[QualityFlag, ...]:
    """All flags, case by case in the records' order, each case's flags in
    :class:`FlagCode` order."""
    listed = list(records)
    ids = [r.case_id for r in listed]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise SurveyInputError(f"case {dup} appears twice")
    duplicates = {f.case_id: f for f in flag_duplicates(listed, thresholds)}
    out: list[QualityFlag] = []
    for record in listed:
        found = [flag_too_fast(record, thresholds), flag_straight_lining(record, thresholds),
                 duplicates.get(record.case_id), flag_outside_psu(record),
                 flag_many_changes(record, thresholds)]
        out.extend(f for f in found if f is not None)
    return tuple(out)
