"""The demo's places and people: Xinzheng's townships, a few organisations with school
classes, and one account per role.

Demo passwords are generated on the first run and kept in the instance folder, so they are
never in the repository.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from quizapp.admin.services import add_class
from quizapp.demo.fieldwork import INTERVIEWER_AREAS
from quizapp.extensions import db
from quizapp.models import Organisation, SchoolClass, Township, User
from quizapp.reference_data import seed_townships

DEMO_ACCOUNTS = [
    ("admin", "管理员", ["admin"]),
    # A second administrator: a question corrected by one is reviewed by the other.
    ("reviewer", "审核员", ["admin"]),
    ("statistician", "统计员", ["statistician"]),
    ("teacher", "王老师", ["teacher"]),
    ("interviewer", "调查员小李", ["interviewer"]),
    # The other interviewers of the demo survey wave (quizapp.demo.fieldwork).
    ("interviewer_wang", "调查员小王", ["interviewer"]),
    ("interviewer_zhao", "调查员小赵", ["interviewer"]),
    ("interviewer_zhang", "调查员小张", ["interviewer"]),
    ("interviewer_chen", "调查员小陈", ["interviewer"]),
    ("interviewer_liu", "调查员小刘", ["interviewer"]),
    ("interviewer_zhou", "调查员小周", ["interviewer"]),
    ("resident", "张大爷", ["resident"]),
]

DEMO_ORGANISATIONS = [
    ("xinjianlu", "新郑市第一中学", "school", [(7, "1班"), (7, "2班"), (8, "1班")]),
    ("longhu", "龙湖镇第二小学", "school", [(5, "1班"), (6, "1班")]),
    ("xuedian", "薛店镇后湖村", "village", []),
    ("xinhualu", "新华路社区", "community", []),
    ("guodian", "郭店镇产业园某机械厂", "work_unit", []),
    ("xinyan", "新郑市科学技术协会", "agency", []),
]


def _passwords_file() -> Path:
    return Path(current_app.instance_path) / "demo_accounts.json"


def _demo_passwords() -> dict[str, str]:
    """The kept passwords, plus new ones for demo accounts added since they were kept."""
    path = _passwords_file()
    kept = json.loads(path.read_text()) if path.exists() else {}
    passwords = {username: kept.get(username) or secrets.token_urlsafe(9)
                 for username, _, _ in DEMO_ACCOUNTS}
    if passwords != kept:
        path.write_text(json.dumps(passwords, indent=2))
        path.chmod(0o600)
    return passwords


def load_demo_accounts() -> dict[str, str]:
    """Add the demo townships, organisations, classes and accounts that are missing; return
    the demo accounts' passwords."""
    seed_townships()
    townships = {t.code: t for t in db.session.scalars(select(Township))}
    for code, name, kind, classes in DEMO_ORGANISATIONS:
        township = townships.get(code)
        if township is None:
            continue
        organisation = db.session.scalar(select(Organisation).where(
            Organisation.township_id == township.id, Organisation.name == name))
        if organisation is None:
            organisation = Organisation(name=name, kind=kind, township=township)
            db.session.add(organisation)
            db.session.commit()
        for grade, class_name in classes:
            exists = db.session.scalar(select(SchoolClass.id).where(
                SchoolClass.organisation_id == organisation.id, SchoolClass.grade == grade,
                SchoolClass.name == class_name))
            if exists is None:
                add_class(organisation, grade, class_name)

    passwords = _demo_passwords()
    school = db.session.scalar(select(Organisation).where(Organisation.kind == "school"))
    for username, display_name, roles in DEMO_ACCOUNTS:
        if db.session.scalar(select(User).where(User.username == username)) is not None:
            continue
        user = User(username=username, display_name=display_name)
        user.set_password(passwords[username])
        user.roles = roles
        if "teacher" in roles and school is not None:
            user.schools = [school]
        if "interviewer" in roles:
            area = dict(INTERVIEWER_AREAS).get(username, ())
            user.townships = [townships[c] for c in area if c in townships]
        db.session.add(user)
    db.session.commit()
    return passwords
