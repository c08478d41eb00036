"""Object-level checks for question sets, for every view that takes a set id (the set pages,
and the live-game and homework pages that start from a set).

A set the signed-in person may not see is a 404 (another school's set, or a colleague's
unshared one), so its id cannot even be confirmed to exist; a set they see but may not change
(a colleague's shared set) is a 403 on the pages that change it.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from quizapp.models.schools import QuestionSet
from quizapp.schools import sets_services
from quizapp.schools.ownership import my_school_ids, require_school


def is_admin() -> bool:
    return current_user.has_any_role("admin")


def require_set(set_id: int) -> QuestionSet:
    """The set ``set_id`` if the signed-in person may see (and play or copy) it, else 404."""
    qset = sets_services.get_set(set_id)
    if qset is None:
        abort(404)
    require_school(qset.school_id)
    if not sets_services.can_see(qset, current_user.id, my_school_ids(), is_admin()):
        abort(404)
    return qset


def require_own_set(set_id: int) -> QuestionSet:
    """As :func:`require_set`, and 403 unless the person owns the set (or is an admin)."""
    qset = require_set(set_id)
    if not sets_services.can_change(qset, current_user.id, is_admin()):
        abort(403)
    return qset
