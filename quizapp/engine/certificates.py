"""Certificates of competition attempts: who earns one, its code, checking it.

**The rule.** A competition attempt earns one certificate when its score stands (finished by
the person, or closed at its deadline; never an open or voided attempt) and reaches the
competition's ``certificate_min_score`` (0, the default: every finished attempt, as the
participation certificates of the city's network contests; an organiser may set e.g. 60 of
100). Each such attempt has exactly one certificate, issued the first time anyone asks for it
(its result page, 我的, the certificate itself); what it says is fixed then.

**The code.** 10 characters of Crockford's base32 (digits and capitals without I, L, O, U),
drawn from ``secrets``: 50 bits, so with a million certificates a guess is right about once
in 10⁹ tries, and codes say nothing about order or count. Shown as ``XXXXX-XXXXX``; typed
codes are read leniently (case, spaces, dashes, O for 0, I and L for 1).

**Checking.** Anyone may check a code: the public page shows the name masked (张*明), the
competition, the date and the score, nothing else. A certificate whose attempt was voided
since is shown as withdrawn.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quizapp.extensions import db
from quizapp.models import Attempt, Certificate
from quizapp.models.attempts import SCORED_STATUSES
from quizapp.models.certificates import format_code as display_code

__all__ = ["by_code", "certificate_of", "certificates_for", "display_code", "earns_certificate",
           "is_valid", "new_code", "normalise_code"]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
CODE_LENGTH = 10
_LENIENT = str.maketrans({"O": "0", "I": "1", "L": "1"})


def earns_certificate(attempt: Attempt) -> bool:
    """Whether the attempt earns a certificate under the rule above."""
    competition = attempt.competition
    return (attempt.kind == "competition" and competition is not None
            and attempt.status in SCORED_STATUSES
            and attempt.score >= (competition.certificate_min_score or 0.0))


def new_code() -> str:
    """A fresh random code (not yet checked for uniqueness)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str | None) -> str | None:
    """A typed or scanned code in its stored form, or ``None`` when it cannot be one."""
    if not typed:
        return None
    cleaned = "".join(c for c in typed.upper() if c not in " -\t\r\n").translate(_LENIENT)
    if len(cleaned) != CODE_LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def certificate_of(attempt: Attempt) -> Certificate | None:
    """The attempt's certificate, issuing it if the attempt earns one and has none yet."""
    existing = db.session.scalar(select(Certificate).where(Certificate.attempt_id == attempt.id))
    if existing is not None or not earns_certificate(attempt):
        return existing
    return _issue(attempt)


def certificates_for(attempts: list[Attempt]) -> dict[int, Certificate]:
    """The certificates of those of ``attempts`` that earn one, by attempt id (issued as
    needed; one query for those already issued)."""
    ids = [a.id for a in attempts]
    found = {c.attempt_id: c for c in db.session.scalars(
        select(Certificate).where(Certificate.attempt_id.in_(ids)))} if ids else {}
    for attempt in attempts:
        if attempt.id not in found and earns_certificate(attempt):
            found[attempt.id] = _issue(attempt)
    return found


def _issue(attempt: Attempt) -> Certificate:
    participant = attempt.participant
    for _ in range(5):
        certificate = Certificate(
            code=new_code(), attempt_id=attempt.id,
            name=participant.name if participant else "",
            title=attempt.competition.title, score=attempt.score,
            max_score=attempt.question_count * attempt.competition.points_per_correct,
            achieved_at=attempt.finished_at or attempt.started_at)
        db.session.add(certificate)
        try:
            db.session.commit()
            return certificate
        except IntegrityError:  # issued meanwhile by another request, or (rarely) a used code
            db.session.rollback()
            existing = db.session.scalar(
                select(Certificate).where(Certificate.attempt_id == attempt.id))
            if existing is not None:
                return existing
    raise RuntimeError("could not draw an unused certificate code")


def by_code(code: str | None) -> Certificate | None:
    """The certificate with this (typed) code, or ``None``."""
    stored = normalise_code(code)
    if stored is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == stored))


def is_valid(certificate: Certificate) -> bool:
    """Genuine and standing: its attempt still counts (not voided since)."""
    return certificate.attempt is not None and certificate.attempt.status in SCORED_STATUSES
