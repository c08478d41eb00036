"""Every code of the plan pages in words, in the order pages list them (English msgids,
Chinese in ``translations/zh``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# How a target is measured (quizapp.models.plan.TARGET_KINDS).
KIND_LABELS = {
    "cumulative": _l("Cumulative over 2021–2025"),
    "yearly": _l("Every year"),
    "share": _l("Share (per cent)"),
}
# What a year's figure means, by kind (the form's and the template's hint).
KIND_HINTS = {
    "cumulative": _l("Enter what was added in that year; the plan sums the years."),
    "yearly": _l("Enter the year's total."),
    "share": _l("Enter the count and its denominator; the share is worked out."),
}
# Where a target stands (quizapp.plan.progress.STATUSES), best first.
STATUS_LABELS = {
    "on_track": _l("On track"),
    "behind": _l("Behind"),
    "missing": _l("Missing data"),
}
# Why a figure (typed or uploaded) is refused.
FAULTS = {
    "empty": _l("this cell is empty"),
    "unknown_target": _l("no plan target has the code %(value)s"),
    "bad_year": _l("the year must be one of 2021–2025, not %(value)s"),
    "not_whole_number": _l("must be a whole number, not %(value)s"),
    "negative": _l("must not be negative (%(value)s)"),
    "too_large": _l("the number %(value)s is too large"),
    "denominator_needed": _l("a share needs its denominator (a whole number of at least 1)"),
    "denominator_zero": _l("the denominator must be at least 1"),
    "no_denominator": _l("only a share has a denominator; leave this cell empty"),
    "above_denominator": _l("the count %(value)s is larger than its denominator %(other)s"),
    "duplicate": _l("this target and year are also on row %(other)s"),
    "missing_columns": _l("missing columns: %(value)s"),
    "unknown_columns": _l("unknown columns: %(value)s"),
    "no_rows": _l("the file has no figures"),
    "not_your_target": _l("you do not report for the target %(value)s"),
}
# Why an account cannot be made a target's reporter (services.add_reporter).
REPORTER_PROBLEMS = {
    "unknown_user": _l("No account has this username."),
    "not_staff": _l("A resident's account cannot report plan figures; choose a staff account."),
    "already_reporter": _l("This account already reports for this target."),
}


def fault_text(key: str, **params: object) -> str:
    """A fault in the visitor's language."""
    template = FAULTS.get(key)
    if template is None:
        return key
    return str(template) % params if params else str(template)
