"""The vocabulary of the question bank and the shape of one question (no Flask here).

These constants are the single definition: ``quizapp.models.questions`` imports them.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from dataclasses import dataclass, field
from datetime import date

QUESTION_TYPES = ("true_false", "single", "multiple")
STATUSES = ("draft", "reviewed", "active", "retired")
DIMENSIONS = ("K", "M", "S", "A")
GROUPS = ("youth", "farmer", "worker", "elder", "cadre")
TOPICS = ("basic_science", "method", "health", "emergency", "agriculture", "digital_life",
          "environment", "superstition", "sts")
# Choice indexes of a true/false question: 0 is "true", 1 is "false".
TRUE_FALSE_CHOICES = 2
MIN_OPTIONS, MAX_OPTIONS = 3, 5
LETTERS = string.ascii_uppercase[:MAX_OPTIONS]
BENCHMARKS = range(1, 27)
DIFFICULTIES = (1, 2, 3)
# Column widths of the database (a longer value is a schema error, never truncated).
MAX_CODE = 40
MAX_AUTHORITY = 200
# Enemy groups: a name of lower-case letters, digits and hyphens; a question is in at most a few
# (stored space-separated in one column of MAX_ENEMY_GROUPS_TEXT characters).
ENEMY_GROUP_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,38}[a-z0-9]")
MAX_ENEMY_GROUPS = 4
MAX_ENEMY_GROUPS_TEXT = 200


def groups_to_mask(groups) -> int:
    """Encode target groups as a bit mask (portable filtering on SQLite and PostgreSQL)."""
    return sum(1 << GROUPS.index(group) for group in set(groups))


def mask_to_groups(mask: int) -> list[str]:
    return [group for index, group in enumerate(GROUPS) if mask & (1 << index)]


def letters_of(indexes) -> list[str]:
    """Choice indexes as letters: [0, 2] → ["A", "C"]."""
    return [LETTERS[i] for i in indexes]


@dataclass(frozen=True)
class QuestionSpec:
    """One question as the bank files, the spreadsheets and the database all describe it.

    ``answer`` holds sorted choice indexes: option positions for single/multiple, and for
    true/false 0 = true, 1 = false. ``file``/``line``/``row`` say where the spec was read and
    take no part in comparisons. ``enemy_groups`` and ``review_by`` are bank metadata, outside
    :meth:`content`.
    """

    id: str
    topic: str
    version: int
    type: str
    stem: str
    options: tuple[str, ...]
    answer: tuple[int, ...]
    explanation: str
    authority: str
    groups: tuple[str, ...]
    dimension: str
    benchmark: int | None
    difficulty: int
    status: str
    survey: bool
    # Not content (changing them makes no new version): no two questions sharing an enemy group
    # are ever drawn into one attempt, and a review-by date marks a time-sensitive fact.
    enemy_groups: tuple[str, ...] = ()
    review_by: date | None = None
    file: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    def content(self) -> dict:
        """What a person sees and what is scored: a change here makes a new version."""
        return {
            "topic": self.topic, "type": self.type, "stem": self.stem,
            "options": list(self.options), "answer": list(self.answer),
            "explanation": self.explanation, "authority": self.authority,
            "groups": sorted(self.groups, key=GROUPS.index), "dimension": self.dimension,
            "benchmark": self.benchmark, "difficulty": self.difficulty,
        }

    @property
    def content_hash(self) -> str:
        """SHA-256 of :meth:`content` (status, survey flag and version number excluded)."""
        return content_hash(self.content())

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file else self.id


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Issue:
    """A problem found in the bank or in an imported file.

    ``kind`` is a stable key (the web UI translates by it); ``params`` fill the message.
    ``line`` is a file line (YAML) or a spreadsheet row; ``column`` names a field or column.
    """

    severity: str  # "error" | "warning"
    kind: str
    message: str
    file: str | None = None
    line: int | None = None
    column: str | None = None
    question: str | None = None
    params: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        parts = [p for p in (where, self.severity, self.question and f"[{self.question}]") if p]
        field_part = f"{self.column}: " if self.column else ""
        return f"{' '.join(parts)}: {field_part}{self.message}"
