"""Display names of the bank's codes, and the translated text of validation faults."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from question_bank.schema import Issue
from quizapp.shared.labels import (
    DIFFICULTY_LABELS,
    DIMENSION_LABELS,
    GROUP_LABELS,
    TOPIC_LABELS,
    TYPE_LABELS,
)
from quizapp.shared.table_errors import TABLE_ERRORS, table_error_text  # noqa: F401

STATUS_LABELS = {
    "draft": _l("Draft"), "reviewed": _l("Reviewed"), "active": _l("Active"),
    "retired": _l("Retired"),
}
SOURCE_LABELS = {"bank": _l("Bank files"), "ui": _l("Authored here")}
FLAG_LABELS = {"too_easy": _l("Too easy"), "too_hard": _l("Too hard"),
               "negative": _l("Negative discrimination")}
ITEM_SOURCE_LABELS = {"quiz": _l("Quizzes and competitions")}

FAULTS = {
    "empty": _l("must not be empty"),
    "not_text": _l("must be text"),
    "markup": _l("must not contain HTML or the characters < >"),
    "bad_number": _l("must be a whole number from %(low)s to %(high)s"),
    "unknown_value": _l("%(value)s is not one of %(allowed)s"),
    "bad_answer": _l("the answer is not written correctly: true or false for true/false, one "
                     "letter for single choice, several letters for multiple choice"),
    "answer_no_option": _l("answer %(letter)s points at no option (there are %(count)s)"),
    "multiple_too_few": _l("a multiple-choice question needs at least two right answers"),
    "multiple_all_right": _l("a multiple-choice question needs at least one wrong option"),
    "bad_groups": _l("list at least one group, each once, or write all"),
    "unknown_group": _l("unknown group %(value)s (use %(allowed)s)"),
    "unknown_field": _l("unknown field %(name)s"),
    "missing": _l("this field is missing"),
    "unknown_topic": _l("unknown topic %(value)s (use %(allowed)s)"),
    "bad_id": _l("id %(value)s does not have the form %(form)s"),
    "too_long": _l("longer than %(max)s characters"),
    "tf_options": _l("a true/false question has no options"),
    "option_count": _l("a choice question needs %(low)s to %(high)s options"),
    "duplicate_option": _l("two options are the same"),
    "not_bool": _l("must be true or false"),
    "duplicate_id": _l("id %(value)s is also used on row %(other)s"),
    "missing_columns": _l("missing columns: %(columns)s"),
    "unknown_columns": _l("unknown columns: %(columns)s"),
    "bank_owned": _l("this question belongs to the bank files; change it there"),
    "control_character": _l("contains an invisible control character (%(code)s); delete it"),
    "too_many_faults": _l("more than %(count)s faults: reading stopped at row %(row)s"),
}


def fault_text(issue: Issue) -> str:
    """The fault in the visitor's language (English from the checker if no translation)."""
    template = FAULTS.get(issue.kind)
    if template is None:
        return issue.message
    try:
        return str(template) % dict(issue.params) if issue.params else str(template)
    except (KeyError, TypeError, ValueError):
        return issue.message


def template_globals() -> dict:
    return {"topic_labels": TOPIC_LABELS, "group_labels": GROUP_LABELS,
            "dimension_labels": DIMENSION_LABELS, "type_labels": TYPE_LABELS,
            "status_labels": STATUS_LABELS, "difficulty_labels": DIFFICULTY_LABELS,
            "source_labels": SOURCE_LABELS, "flag_labels": FLAG_LABELS,
            "item_source_labels": ITEM_SOURCE_LABELS, "fault_text": fault_text}
