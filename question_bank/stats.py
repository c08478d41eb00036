"""Counts of the bank's active questions, for CI logs and the closing note of a release."""

from __future__ import annotations

from collections import Counter

from question_bank.schema import (
    DIFFICULTIES,
    DIMENSIONS,
    GROUPS,
    QUESTION_TYPES,
    TOPICS,
    QuestionSpec,
)


def bank_stats(specs: list[QuestionSpec]) -> dict:
    """Active questions: the total and counts by group, topic, dimension, difficulty and type.

    A question serving several groups counts once in each of them, so ``by_group`` sums to more
    than ``total``. Every known key is present, with 0 where nothing matches.
    ``survey_reserved`` counts the active questions held back for the literacy survey.
    """
    active = [s for s in specs if s.status == "active"]

    def tally(values, keys) -> dict:
        counts = Counter(values)
        return {str(k): counts.get(k, 0) for k in keys}

    return {
        "total": len(active),
        "by_group": tally((g for s in active for g in s.groups), GROUPS),
        "by_topic": tally((s.topic for s in active), TOPICS),
        "by_dimension": tally((s.dimension for s in active), DIMENSIONS),
        "by_difficulty": tally((s.difficulty for s in active), DIFFICULTIES),
        "by_type": tally((s.type for s in active), QUESTION_TYPES),
        "survey_reserved": sum(1 for s in active if s.survey),
    }


def format_table(stats: dict) -> str:
    """The stats as aligned plain-text tables."""
    lines = [f"total active questions: {stats['total']}"]
    for key, title in (("by_group", "group"), ("by_topic", "topic"),
                       ("by_dimension", "dimension"), ("by_difficulty", "difficulty"),
                       ("by_type", "type")):
        lines.append("")
        lines.append(f"{title:<16}{'count':>6}")
        for name, count in stats[key].items():
            lines.append(f"{name:<16}{count:>6}")
    lines.append("")
    lines.append(f"reserved for the survey: {stats['survey_reserved']}")
    return "\n".join(lines)
