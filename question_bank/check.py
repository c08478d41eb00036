"""Everything ``python -m question_bank check`` verifies, as plain functions.

Errors (exit non-zero): every schema fault the loader finds (file and line), ids used twice,
two questions with the same stem and the same options, an enemy group with a single question
(a misspelt name: a group keeps at least two questions apart), and the coverage floor (at least
600 active questions, at least 100 active questions serving each group).

Warnings (reported, exit zero): near-duplicate stems, i.e. two questions whose stems share at
least ``NEAR_DUPLICATE`` of their character bigrams (Jaccard similarity after dropping
punctuation and spaces). True/false pairs that state a fact and its opposite look alike to this
measure, so a human decides; the check only points at them. Also a warning: an active question
whose review-by date has come (the fact it rests on may have changed; see the item, then move
the date on).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from question_bank.loader import QUESTIONS_DIR, LoadResult, load_bank
from question_bank.schema import GROUPS, Issue, QuestionSpec

MIN_ACTIVE = 600
MIN_PER_GROUP = 100
NEAR_DUPLICATE = 0.6
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass
class CheckReport:
    specs: list[QuestionSpec]
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise(text: str) -> str:
    """Lower-cased NFKC text without punctuation or spaces (full-width marks included)."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def bigrams(text: str) -> frozenset[str]:
    text = normalise(text)
    if len(text) < 2:
        return frozenset({text})
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def duplicate_ids(specs: list[QuestionSpec]) -> list[Issue]:
    """Every use of an id after its first (ids are unique across all files)."""
    first: dict[str, QuestionSpec] = {}
    issues = []
    for spec in specs:
        if spec.id in first:
            issues.append(Issue("error", "duplicate_id",
                                f"id {spec.id} is also used at {first[spec.id].where}",
                                file=spec.file, line=spec.line, column="id", question=spec.id,
                                params=(("other", first[spec.id].where), ("value", spec.id))))
        else:
            first[spec.id] = spec
    return issues


def similar_stems(specs: list[QuestionSpec], threshold: float = NEAR_DUPLICATE) -> list[Issue]:
    """Identical questions (same stem and options) as errors; near-duplicate stems as warnings.

    Candidate pairs share a rare bigram (an inverted index keeps this far below n² work).
    """
    grams = [bigrams(s.stem) for s in specs]
    index: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        for gram in g:
            index[gram].append(i)
    issues = []
    seen: set[tuple[int, int]] = set()
    for i, spec in enumerate(specs):
        candidates: Counter[int] = Counter()
        for gram in grams[i]:
            for j in index[gram]:
                if j > i:
                    candidates[j] += 1
        for j, shared in candidates.items():
            # Jaccard ≥ t needs shared ≥ t·|A ∪ B| ≥ t·max(|A|, |B|).
            if shared < threshold * max(len(grams[i]), len(grams[j])) or (i, j) in seen:
                continue
            seen.add((i, j))
            other = specs[j]
            same = (normalise(spec.stem) == normalise(other.stem)
                    and [normalise(o) for o in spec.options]
                    == [normalise(o) for o in other.options])
            score = jaccard(grams[i], grams[j])
            if same:
                issues.append(Issue("error", "duplicate_question",
                                    f"same stem and options as {other.id} ({other.where})",
                                    file=other.file, line=other.line, column="stem",
                                    question=other.id, params=(("other", spec.id),)))
            elif score >= threshold:
                issues.append(Issue("warning", "near_duplicate",
                                    f"stem is {score:.0%} similar to {spec.id} ({spec.where})",
                                    file=other.file, line=other.line, column="stem",
                                    question=other.id,
                                    params=(("other", spec.id), ("score", round(score, 2)))))
    return issues


def coverage(specs: list[QuestionSpec], min_active: int = MIN_ACTIVE,
             min_per_group: int = MIN_PER_GROUP) -> list[Issue]:
    """The floor the issue sets: enough active questions in all, and for every group."""
    active = [s for s in specs if s.status == "active"]
    issues = []
    if len(active) < min_active:
        issues.append(Issue("error", "coverage_total",
                            f"{len(active)} active questions; at least {min_active} needed",
                            params=(("count", len(active)), ("min", min_active))))
    for group in GROUPS:
        count = sum(1 for s in active if group in s.groups)
        if count < min_per_group:
            issues.append(Issue("error", "coverage_group",
                                f"{count} active questions for {group}; at least "
                                f"{min_per_group} needed",
                                params=(("group", group), ("count", count),
                                        ("min", min_per_group))))
    return issues


def enemy_group_members(specs: list[QuestionSpec]) -> dict[str, list[str]]:
    """Each enemy group's question ids, in bank order."""
    members: dict[str, list[str]] = defaultdict(list)
    for spec in specs:
        for name in spec.enemy_groups:
            members[name].append(spec.id)
    return dict(members)


def lonely_enemy_groups(specs: list[QuestionSpec]) -> list[Issue]:
    """An enemy group named by one question only (an error: the name is misspelt somewhere)."""
    where = {spec.id: spec for spec in specs}
    issues = []
    for name, ids in enemy_group_members(specs).items():
        if len(ids) == 1:
            spec = where[ids[0]]
            issues.append(Issue("error", "enemy_group_alone",
                                f"enemy group {name} has no other question (misspelt?)",
                                file=spec.file, line=spec.line, column="enemy_groups",
                                question=spec.id, params=(("group", name),)))
    return issues


def reviews_due(specs: list[QuestionSpec], today: date) -> list[Issue]:
    """Active questions whose review-by date is ``today`` or earlier (warnings)."""
    return [Issue("warning", "review_due", f"due for review since {spec.review_by.isoformat()}",
                  file=spec.file, line=spec.line, column="review_by", question=spec.id,
                  params=(("date", spec.review_by.isoformat()),))
            for spec in specs
            if spec.status == "active" and spec.review_by is not None and spec.review_by <= today]


def check_specs(specs: list[QuestionSpec], *, with_coverage: bool = True,
                today: date | None = None) -> list[Issue]:
    """The checks across questions (the per-question checks happen while loading)."""
    issues = duplicate_ids(specs) + similar_stems(specs) + lonely_enemy_groups(specs)
    issues += reviews_due(specs, today or date.today())
    if with_coverage:
        issues += coverage(specs)
    return issues


def check_bank(directory: Path = QUESTIONS_DIR, *, with_coverage: bool = True,
               today: date | None = None) -> CheckReport:
    """Load and check the bank; ``report.ok`` is false when there is any error."""
    loaded: LoadResult = load_bank(directory)
    report = CheckReport(specs=loaded.specs, issues=list(loaded.issues))
    report.issues += check_specs(loaded.specs, with_coverage=with_coverage, today=today)
    return report
