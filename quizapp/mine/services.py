"""What 我的 shows: only the owner's things (:class:`quizapp.engine.history.Owner`)."""

from __future__ import annotations

from dataclasses import dataclass

from quizapp.engine import certificates, history
from quizapp.engine.attempts import close_if_overdue
from quizapp.models import Attempt, Certificate, QuestionVersion

MISTAKES_SHOWN = 10


@dataclass(frozen=True)
class CompetitionEntry:
    """One of my competition attempts and its certificate, if it earned one."""

    attempt: Attempt
    certificate: Certificate | None


@dataclass(frozen=True)
class MinePage:
    """Everything on 我的, for one owner."""

    signed_in: bool
    in_progress: list[Attempt]
    competitions: list[CompetitionEntry]
    practice_rounds: list[Attempt]
    open_practice: Attempt | None
    answered_today: int
    mistakes: list[QuestionVersion]

    @property
    def certificates(self) -> list[CompetitionEntry]:
        return [entry for entry in self.competitions if entry.certificate is not None]


def mine_page(owner: history.Owner) -> MinePage:
    """The owner's attempts (newest first), certificates (issued now where earned and not yet
    issued), practice rounds and mistakes."""
    in_progress = [a for a in history.open_competition_attempts(owner)
                   if not close_if_overdue(a)]  # one left at its deadline is scored now
    attempts = history.competition_attempts(owner)
    issued = certificates.certificates_for(attempts)
    mistakes = history.mistake_versions(owner)
    return MinePage(
        signed_in=owner.user_id is not None, in_progress=in_progress,
        competitions=[CompetitionEntry(a, issued.get(a.id)) for a in attempts],
        practice_rounds=history.practice_rounds(owner),
        open_practice=history.open_practice(owner),
        answered_today=history.answered_today(owner),
        mistakes=list(reversed(mistakes))[:MISTAKES_SHOWN])
