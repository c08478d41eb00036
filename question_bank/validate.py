"""Turn one raw question (a mapping from YAML or a spreadsheet row) into a :class:`QuestionSpec`.

Shared by the YAML loader and the spreadsheet importer, so both enforce the same rules. Every
fault names the field it concerns; the caller turns the field into a file line or a column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from question_bank.schema import (
    BENCHMARKS,
    DIFFICULTIES,
    DIMENSIONS,
    ENEMY_GROUP_NAME,
    GROUPS,
    LETTERS,
    MAX_AUTHORITY,
    MAX_CODE,
    MAX_ENEMY_GROUPS,
    MAX_OPTIONS,
    MIN_OPTIONS,
    QUESTION_TYPES,
    STATUSES,
    TOPICS,
    QuestionSpec,
)

FIELDS = ("id", "version", "type", "stem", "options", "answer", "explanation", "authority",
          "groups", "dimension", "benchmark", "difficulty", "status", "survey", "enemy_groups",
          "review_by")
OPTIONAL = ("options", "benchmark", "enemy_groups", "review_by")
REQUIRED = tuple(f for f in FIELDS if f not in OPTIONAL)
# A review-by date outside these years is a typo, not a plan.
REVIEW_YEARS = range(2000, 2101)
TEXT_FIELDS = ("stem", "explanation", "authority")
MARKUP = re.compile(r"[<>]")
# Control characters (tab and line breaks allowed) break every later XLSX export and are never
# typed on purpose; the web forms strip the same set (quizapp.inputs.CONTROL_CHARACTERS).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
BANK_ID = r"{topic}-\d{{4}}"
ANY_ID = r"[a-z][a-z0-9_]*-[A-Za-z0-9_-]+"


@dataclass(frozen=True)
class Fault:
    """One problem with one field of a raw question."""

    field: str
    kind: str
    message: str
    params: tuple[tuple[str, object], ...] = ()


def _fault(field: str, kind: str, template: str, **params) -> Fault:
    return Fault(field, kind, template % params if params else template,
                 tuple(sorted(params.items())))


def _text(raw, field: str, faults: list[Fault], *, required: bool = True) -> str | None:
    value = raw
    if isinstance(value, bool) or not isinstance(value, str | int):
        if value is None and not required:
            return None
        if value is None or value == "":
            faults.append(_fault(field, "empty", "must not be empty"))
        else:
            faults.append(_fault(field, "not_text", "must be text (put it in quotes)"))
        return None
    value = str(value).strip()
    if not value:
        faults.append(_fault(field, "empty", "must not be empty"))
        return None
    if MARKUP.search(value):
        faults.append(_fault(field, "markup", "must not contain HTML or the characters < >"))
        return None
    control = CONTROL.search(value)
    if control:
        faults.append(_fault(field, "control_character",
                             "contains an invisible control character (%(code)s); delete it",
                             code=f"U+{ord(control.group()):04X}"))
        return None
    return value


def _integer(raw, field: str, allowed, faults: list[Fault]) -> int | None:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in allowed:
        faults.append(_fault(field, "bad_number", "must be a whole number from %(low)s to %(high)s",
                             low=min(allowed), high=max(allowed)))
        return None
    return raw


def _choice(raw, field: str, allowed: tuple[str, ...], faults: list[Fault]) -> str | None:
    if raw not in allowed:
        faults.append(_fault(field, "unknown_value", "%(value)s is not one of %(allowed)s",
                             value=repr(raw), allowed=", ".join(allowed)))
        return None
    return raw


def _answer(raw, qtype: str | None, option_count: int | None, faults: list[Fault]):
    if qtype == "true_false":
        if not isinstance(raw, bool):
            faults.append(_fault("answer", "bad_answer", "a true/false answer is true or false"))
            return None
        return (0,) if raw else (1,)
    if qtype not in ("single", "multiple") or option_count is None:
        return None
    letters = [raw] if qtype == "single" else raw
    if qtype == "single" and not isinstance(raw, str):
        faults.append(_fault("answer", "bad_answer", "a single-choice answer is one letter"))
        return None
    if qtype == "multiple" and not isinstance(raw, list | tuple):
        faults.append(_fault("answer", "bad_answer",
                             "a multiple-choice answer is a list of letters, e.g. [A, C]"))
        return None
    indexes = []
    for letter in letters:
        letter = str(letter).strip().upper() if isinstance(letter, str) else letter
        if letter not in LETTERS[:option_count]:
            faults.append(_fault("answer", "answer_no_option",
                                 "answer %(letter)s points at no option (there are %(count)s)",
                                 letter=repr(letter), count=option_count))
            return None
        indexes.append(LETTERS.index(letter))
    if len(set(indexes)) != len(indexes):
        faults.append(_fault("answer", "bad_answer", "the answer repeats a letter"))
        return None
    if qtype == "multiple" and len(indexes) < 2:
        faults.append(_fault("answer", "multiple_too_few",
                             "a multiple-choice question needs at least two right answers"))
        return None
    if qtype == "multiple" and len(indexes) >= option_count:
        faults.append(_fault("answer", "multiple_all_right",
                             "a multiple-choice question needs at least one wrong option"))
        return None
    return tuple(sorted(indexes))


def _groups(raw, faults: list[Fault]) -> tuple[str, ...] | None:
    if raw == "all":
        return GROUPS
    if not isinstance(raw, list | tuple) or not raw:
        faults.append(_fault("groups", "bad_groups", "list at least one group, or write all"))
        return None
    unknown = [g for g in raw if g not in GROUPS]
    if unknown:
        faults.append(_fault("groups", "unknown_group", "unknown group %(value)s (use %(allowed)s)",
                             value=", ".join(map(str, unknown)), allowed=", ".join(GROUPS)))
        return None
    if len(set(raw)) != len(raw):
        faults.append(_fault("groups", "bad_groups", "a group is listed twice"))
        return None
    return tuple(sorted(raw, key=GROUPS.index))


def _enemy_groups(raw, faults: list[Fault]) -> tuple[str, ...] | None:
    if not isinstance(raw, list | tuple) or not raw:
        faults.append(_fault("enemy_groups", "bad_enemy_groups",
                             "list the enemy group names, e.g. [gamblers-fallacy]"))
        return None
    bad = [str(name) for name in raw
           if not isinstance(name, str) or not ENEMY_GROUP_NAME.fullmatch(name)]
    if bad:
        faults.append(_fault("enemy_groups", "bad_enemy_group",
                             "enemy group %(value)s: use 2–40 lower-case letters, digits and "
                             "hyphens", value=", ".join(bad)))
        return None
    if len(set(raw)) != len(raw) or len(raw) > MAX_ENEMY_GROUPS:
        faults.append(_fault("enemy_groups", "bad_enemy_groups",
                             "list each enemy group once, at most %(max)s",
                             max=MAX_ENEMY_GROUPS))
        return None
    return tuple(sorted(raw))


def _review_by(raw, faults: list[Fault]) -> date | None:
    value = raw
    if isinstance(raw, str):
        try:
            value = date.fromisoformat(raw.strip())
        except ValueError:
            value = None
    if isinstance(value, datetime) or not isinstance(value, date) \
            or value.year not in REVIEW_YEARS:
        faults.append(_fault("review_by", "bad_date", "must be a date such as 2026-06-30"))
        return None
    return value


def validate(raw: dict, topic, *, id_pattern: str = BANK_ID
             ) -> tuple[QuestionSpec | None, list[Fault]]:
    """Check one raw question; return the spec (``None`` when any fault) and the faults.

    ``topic`` is the file's topic (YAML) or the row's ``topic`` value (spreadsheets).
    """
    faults: list[Fault] = []
    for key in raw:
        if key not in FIELDS:
            faults.append(_fault(str(key), "unknown_field", "unknown field %(name)s",
                                 name=repr(key)))
    for key in REQUIRED:
        if key not in raw or raw[key] is None or raw[key] == "":
            if key in TEXT_FIELDS or key == "id":
                faults.append(_fault(key, "empty", "must not be empty"))
            else:
                faults.append(_fault(key, "missing", "this field is missing"))
    present = {k: v for k, v in raw.items() if v is not None and v != ""}
    if topic not in TOPICS:
        faults.append(_fault("topic", "unknown_topic", "unknown topic %(value)s (use %(allowed)s)",
                             value=repr(topic), allowed=", ".join(TOPICS)))

    code = None
    if "id" in present:
        code = str(present["id"]).strip()
        pattern = id_pattern.format(topic=re.escape(str(topic)))
        if not re.fullmatch(pattern, code) or len(code) > MAX_CODE:
            expected = f"{topic}-NNNN" if id_pattern == BANK_ID else "topic-code"
            faults.append(_fault("id", "bad_id", "id %(value)s does not have the form %(form)s",
                                 value=repr(code), form=expected))
    version = _integer(present["version"], "version", range(1, 10_000), faults) \
        if "version" in present else None
    qtype = _choice(present["type"], "type", QUESTION_TYPES, faults) if "type" in present else None
    texts = {f: _text(present[f], f, faults) for f in TEXT_FIELDS if f in present}
    if texts.get("authority") and len(texts["authority"]) > MAX_AUTHORITY:
        faults.append(_fault("authority", "too_long", "longer than %(max)s characters",
                             max=MAX_AUTHORITY))

    options: tuple[str, ...] | None = ()
    raw_options = raw.get("options")
    if qtype == "true_false":
        if raw_options:
            faults.append(_fault("options", "tf_options", "a true/false question has no options"))
    elif qtype in ("single", "multiple"):
        if not isinstance(raw_options, list | tuple) or not (
                MIN_OPTIONS <= len(raw_options) <= MAX_OPTIONS):
            faults.append(_fault("options", "option_count",
                                 "a choice question needs %(low)s to %(high)s options",
                                 low=MIN_OPTIONS, high=MAX_OPTIONS))
            options = None
        else:
            cleaned = [_text(o, "options", faults) for o in raw_options]
            if None in cleaned:
                options = None
            elif len(set(cleaned)) != len(cleaned):
                faults.append(_fault("options", "duplicate_option", "two options are the same"))
                options = None
            else:
                options = tuple(cleaned)
    answer = None
    if "answer" in present:
        answer = _answer(raw["answer"], qtype, None if options is None else len(options), faults)
    groups = _groups(present["groups"], faults) if "groups" in present else None
    dimension = (_choice(present["dimension"], "dimension", DIMENSIONS, faults)
                 if "dimension" in present else None)
    benchmark = (_integer(present["benchmark"], "benchmark", BENCHMARKS, faults)
                 if "benchmark" in present else None)
    difficulty = (_integer(present["difficulty"], "difficulty", DIFFICULTIES, faults)
                  if "difficulty" in present else None)
    status = _choice(present["status"], "status", STATUSES, faults) if "status" in present else None
    survey = raw.get("survey")
    if "survey" in raw and not isinstance(survey, bool):
        faults.append(_fault("survey", "not_bool", "must be true or false"))
    enemy_groups = (_enemy_groups(present["enemy_groups"], faults)
                    if "enemy_groups" in present else ())
    review_by = _review_by(present["review_by"], faults) if "review_by" in present else None

    if faults:
        return None, faults
    return QuestionSpec(
        id=code, topic=topic, version=version, type=qtype, stem=texts["stem"],
        options=options, answer=answer, explanation=texts["explanation"],
        authority=texts["authority"], groups=groups, dimension=dimension, benchmark=benchmark,
        difficulty=difficulty, status=status, survey=survey, enemy_groups=enemy_groups,
        review_by=review_by), []
