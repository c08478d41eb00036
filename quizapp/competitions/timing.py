"""The clock of a question page as a person sees it: the seconds left and the bar's full
length, and the 时间到 ("time is up") step shown between a question whose time ran out and
the next one.

The server keeps the clock (the deadlines of :mod:`quizapp.engine.attempts`, read from
:mod:`quizapp.engine.clock`); nothing here changes an attempt, it only presents it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from quizapp.engine.attempts import first_open_item, item_deadline
from quizapp.models import Attempt, AttemptItem

END = "end"  # the ``next`` of the step after the last question


@dataclass(frozen=True)
class QuestionClock:
    """``seconds_left`` rounded up (the page's countdown never reaches 0 before the server's
    deadline); ``seconds_total`` is the bar's full length; ``ends_attempt`` when the limit on
    screen is the attempt's own deadline, so time up ends the attempt, not just the question."""

    seconds_left: int
    seconds_total: int
    ends_attempt: bool

    @property
    def urgent(self) -> bool:
        """The last ten seconds, when the bar changes colour."""
        return self.seconds_left <= 10


@dataclass(frozen=True)
class TimeUp:
    """The question (1-based ``number``) whose time ran out unanswered, and what comes next:
    ``next_number`` (``None`` after the last question); ``going_on`` is the value of the
    ``next`` query parameter that moves past this step."""

    number: int
    next_number: int | None
    going_on: str


def question_clock(attempt: Attempt, item: AttemptItem, seconds_per_question: int | None,
                   now: datetime) -> QuestionClock | None:
    """The clock of ``item`` on screen (``None`` when nothing limits it)."""
    limit = item_deadline(attempt, item, seconds_per_question)
    if limit is None:
        return None
    left = max(math.ceil((limit - now).total_seconds()), 0)
    own = (item.shown_at + timedelta(seconds=seconds_per_question)
           if seconds_per_question and item.shown_at is not None else None)
    if seconds_per_question:
        total = seconds_per_question
    else:
        total = math.ceil((attempt.deadline - attempt.started_at).total_seconds())
    return QuestionClock(seconds_left=left, seconds_total=max(total, left, 1),
                         ends_attempt=own is None or limit < own)


def going_on_after(item: AttemptItem, attempt: Attempt) -> str:
    """The ``next`` parameter that moves on after ``item`` once its time is up."""
    return str(item.position + 1) if item.position + 1 < attempt.question_count else END


def time_up_step(attempt: Attempt, seconds_per_question: int | None, now: datetime,
                 going_on: str | None) -> TimeUp | None:
    """The step to show before going on, when the question last on screen ran out of time
    unanswered and the next one has not been shown yet; ``None`` otherwise, or once the
    person asked to go on (``going_on`` equal to the step's own)."""
    upcoming = first_open_item(attempt, seconds_per_question, now)
    if upcoming is not None and upcoming.shown_at is not None:
        return None  # a question is on screen (its time may still be running)
    position = (upcoming.position if upcoming is not None else attempt.question_count) - 1
    if position < 0:
        return None
    timed_out = next((i for i in attempt.items if i.position == position), None)
    if timed_out is None or timed_out.answered_at is not None or timed_out.shown_at is None:
        return None
    step = TimeUp(number=position + 1,
                  next_number=upcoming.position + 1 if upcoming is not None else None,
                  going_on=going_on_after(timed_out, attempt))
    return None if going_on == step.going_on else step
