"""Who may see each view.

Every view function is wrapped by exactly one of :func:`public`, :func:`login_required` or
:func:`roles_required`. The wrapper records the rule on the function (``view.access``), which
the role-matrix test reads for every URL rule, so a new view without a declared rule fails CI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort
from flask_login import current_user

from quizapp.extensions import login_manager

ROLES = ("admin", "statistician", "teacher", "interviewer", "resident")


@dataclass(frozen=True)
class Access:
    """The rule of one view: anyone, any signed-in user, or one of some roles."""

    kind: str  # "public" | "login" | "roles"
    roles: frozenset[str] = frozenset()

    def allows(self, user_roles: set[str] | None) -> bool:
        """Whether a visitor with these roles (``None`` = not signed in) may see the view."""
        if self.kind == "public":
            return True
        if user_roles is None:
            return False
        if self.kind == "login":
            return True
        return bool(self.roles & user_roles)


def _declare(view: Callable, access: Access) -> Callable:
    view.access = access  # type: ignore[attr-defined]
    return view


def public(view: Callable) -> Callable:
    """Anyone may see this view, signed in or not."""
    return _declare(view, Access("public"))


def login_required(view: Callable) -> Callable:
    """Any signed-in, active account may see this view; others are sent to the login page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return _declare(wrapped, Access("login"))


def roles_required(*roles: str) -> Callable[[Callable], Callable]:
    """Only accounts holding at least one of ``roles`` may see this view (403 for others)."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_any_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return _declare(wrapped, Access("roles", frozenset(roles)))

    return decorator


def access_of(view: Callable) -> Access | None:
    """The declared rule of a view function, or ``None`` when it declares none."""
    return getattr(view, "access", None)
