"""Places: Xinzheng's subdistricts, towns and townships as first shipped, and the lists of
townships and organisations that every feature offers (admin pages, competition registration).

The shipped list is a starting point only: admins edit townships in the UI (they change; check
against the civil affairs bureau). Loading is idempotent and never overwrites an admin's edits.
"""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Organisation, Township

# (code, name, kind, managed by the Zhengzhou Airport Economy Zone)
XINZHENG_TOWNSHIPS = [
    ("xinjianlu", "新建路街道", "subdistrict", False),
    ("xinhualu", "新华路街道", "subdistrict", False),
    ("xinyan", "新烟街道", "subdistrict", False),
    ("longhu", "龙湖街道", "subdistrict", False),
    ("xincun", "新村镇", "town", False),
    ("xindian", "辛店镇", "town", False),
    ("guanyinsi", "观音寺镇", "town", False),
    ("lihe", "梨河镇", "town", False),
    ("hezhuang", "和庄镇", "town", False),
    ("xuedian", "薛店镇", "town", False),
    ("mengzhuang", "孟庄镇", "town", False),
    ("guodian", "郭店镇", "town", False),
    ("chengguan", "城关乡", "township", False),
    ("baqian", "八千乡", "township", False),
    ("longwang", "龙王乡", "township", False),
    ("gangli", "岗李乡", "township", True),
    ("dama", "大马乡", "township", True),
]


def seed_townships() -> int:
    """Add the shipped townships that are missing (matched by code); return how many were added."""
    existing = set(db.session.scalars(select(Township.code)))
    added = 0
    for order, (code, name, kind, airport) in enumerate(XINZHENG_TOWNSHIPS, start=1):
        if code in existing:
            continue
        db.session.add(Township(code=code, name=name, kind=kind, airport_zone=airport,
                                sort_order=order * 10))
        added += 1
    db.session.commit()
    return added


def list_townships(include_inactive: bool = True) -> list[Township]:
    """Townships in the admins' sort order; ``include_inactive=False`` for people's choices."""
    query = select(Township).order_by(Township.sort_order, Township.id)
    if not include_inactive:
        query = query.where(Township.active.is_(True))
    return list(db.session.scalars(query))


def list_organisations(township_id: int | None = None,
                       kind: str | None = None) -> list[Organisation]:
    """Organisations by township order then name, optionally of one township or kind."""
    query = select(Organisation).join(Township).order_by(Township.sort_order, Organisation.name)
    if township_id:
        query = query.where(Organisation.township_id == township_id)
    if kind:
        query = query.where(Organisation.kind == kind)
    return list(db.session.scalars(query))
