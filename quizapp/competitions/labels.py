"""What the admin reads for each cheating signal: its name and why it was raised, in both
languages (the figures come from the signal's ``detail``)."""

from __future__ import annotations

from flask_babel import gettext as _

from quizapp.engine.signals import Signal

SIGNAL_NAMES = {
    "fast": lambda: _("Answers faster than a person can read"),
    "fast_relative": lambda: _("Answers much faster than other participants"),
    "uniform": lambda: _("Answers at a machine-like steady pace"),
    "shared_device": lambda: _("Many participants on one device"),
    "shared_ip": lambda: _("Many participants from one address"),
    "copied": lambda: _("Identical wrong answers"),
}

SIGNAL_REASONS = {
    "fast": lambda d: _(
        "%(count)s of %(total)s answers came less than %(seconds)s seconds after the question "
        "appeared.", count=d["count"], total=d["total"], seconds=f"{d['seconds']:g}"),
    "fast_relative": lambda d: _(
        "%(count)s of %(total)s answers took less than %(percent)s%% of the median time other "
        "participants needed for the same question.", count=d["count"], total=d["total"],
        percent=d["percent"]),
    "uniform": lambda d: _(
        "All %(total)s answers took about %(seconds)s seconds each, with almost no variation "
        "(coefficient of variation %(cv)s); people's times vary with the question.",
        total=d["total"], seconds=d["seconds"], cv=d["cv"]),
    "shared_device": lambda d: _(
        "%(count)s participants answered from one device (%(source)s).", count=d["count"],
        source=d["source"]),
    "shared_ip": lambda d: _(
        "%(count)s participants answered from one address (%(source)s).", count=d["count"],
        source=d["source"]),
    "copied": lambda d: _(
        "These two attempts share %(count)s identical wrong answers to the same questions.",
        count=d["count"]),
}


def signal_name(signal: Signal) -> str:
    return SIGNAL_NAMES[signal.kind]()


def signal_reason(signal: Signal) -> str:
    """Why the signal was raised, in the reader's language."""
    return SIGNAL_REASONS[signal.kind](signal.detail)
