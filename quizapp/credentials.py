"""The rules for usernames and passwords, shared by the admin forms and the ``flask users`` CLI.

Password policy (one function, :func:`password_problem`):

- at least 10 characters for staff accounts (admin, statistician, teacher, interviewer: they see
  other people's data), at least 8 for residents; at most 256;
- for every account, not one of the most common passwords (the shipped list below, with the
  ones typical in China: 123456…, woaini1314, 5201314, qq123456…), compared without regard to
  case; not one character repeated, nor a short group repeated (``abcabcabcabc``); not a run
  of consecutive keys or letters (``1234567890``, ``abcdefghij``, ``qwertyuiop``); and not
  containing the username.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from quizapp.models.accounts import STAFF_ROLES

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,64}$"
MIN_LENGTH = 8
MIN_LENGTH_STAFF = 10
MAX_LENGTH = 256

# What each problem code means, in English (the CLI); the forms translate the same codes.
PROBLEMS = {
    "too_short": "too short: at least {min} characters",
    "too_long": f"too long: at most {MAX_LENGTH} characters",
    "common": "one of the most common passwords",
    "pattern": "a trivial pattern (a repeated character or group, or a run of keys)",
    "username": "contains the username",
}

# The most common passwords in published leak studies (international and Chinese sites). The
# length rule already refuses the short ones in the first line; they stay for completeness.
_COMMON_PASSWORDS_TEXT = """
    123456 1234567 654321 111111 000000 666666 888888 123123 abc123 qwerty woaini 5201314
    password password1 password12 password123 passw0rd p@ssw0rd p@ssword pa55word 12345678
    123456789 1234567890 0123456789 12345678910 123123123 123321123 1234512345 11111111
    111111111 1111111111 00000000 000000000 0000000000 88888888 888888888 66666666 666666666
    99999999 55555555 22222222 12121212 11223344 12344321 123456123 87654321 987654321
    9876543210 147258369 147852369 159357456 159753123 741852963 1qaz2wsx 1q2w3e4r
    1q2w3e4r5t 1q2w3e4r5t6y 1qaz2wsx3edc qwe123456 qweasdzxc qazwsxedc qwertyui qwerty123
    qwerty1234 qwertyuiop asdfghjkl asdfasdf zxcvbnm123 zaq12wsx abc12345 abc123456 abcd1234
    abcd12345 a1234567 a12345678 a123456789 aa123456 aa12345678 qq123456 qq5201314
    woaini1314 woaini520 woaini123 woaini5201314 5201314520 520131400 13145200 1314520520
    iloveyou iloveyou1 iloveyou2 wodemima nihao123 zhang123 wang1234 li123456 liu123456
    chen1234 123456abc 123456aa 123456qq 123456789a 1234qwer 12345qwert admin123 admin1234
    admin12345 administrator root1234 root123456 test1234 test123456 guest123 welcome1
    welcome123 changeme letmein1 sunshine princess football baseball superman batman123
    trustno1 dragon123 monkey123 master123 shadow123 whatever computer internet abcdefgh
    abcdefg1 qwerasdf 1qazxsw2 zhongguo beijing1 shanghai
"""
COMMON_PASSWORDS = frozenset(_COMMON_PASSWORDS_TEXT.split())

_ROWS = ("01234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive: the stored form is stripped and lower case."""
    return username.strip().lower()


def valid_username(username: str) -> bool:
    """Letters, digits, dot, dash or underscore; 3 to 64 characters."""
    return re.fullmatch(USERNAME_PATTERN, username.strip()) is not None


def min_length(roles: Iterable[str]) -> int:
    """The shortest password allowed for an account holding ``roles``."""
    return MIN_LENGTH_STAFF if set(roles) & STAFF_ROLES else MIN_LENGTH


def _trivial(password: str) -> bool:
    lowered = password.lower()
    for size in range(1, 5):
        unit = lowered[:size]
        if len(lowered) % size == 0 and unit * (len(lowered) // size) == lowered:
            return True
    return any(lowered in row or lowered in row[::-1] for row in _ROWS)


def password_problem(password: str, *, username: str = "",
                     roles: Iterable[str] = ()) -> str | None:
    """The first rule ``password`` breaks, as a key of :data:`PROBLEMS`, or ``None`` if none."""
    if len(password) < min_length(roles):
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    if password.lower() in COMMON_PASSWORDS:
        return "common"
    if _trivial(password):
        return "pattern"
    name = normalise_username(username)
    if len(name) >= 3 and name in password.lower():
        return "username"
    return None


def describe_problem(problem: str, roles: Iterable[str] = ()) -> str:
    """The English sentence for a problem code (the CLI's message)."""
    return PROBLEMS[problem].format(min=min_length(roles))
