"""What each role finds on its home page."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from quizapp.shared.links import Link, links_for


@dataclass(frozen=True)
class Section:
    role: str
    title: str
    summary: str
    links: tuple[Link, ...]


def _sections() -> list[tuple[str, str, str]]:
    return [
        ("resident", _l("Quizzes and competitions"),
         _l("Practise science questions and take part in the city's network competitions.")),
        ("teacher", _l("My classes"), _l("Your schools and classes.")),
        ("interviewer", _l("Survey fieldwork"), _l("The townships you are assigned to.")),
        ("statistician", _l("Survey and estimates"),
         _l("Weighted share of residents meeting the standard, against the %(goal)s goal.",
            goal="17.8%")),
        ("admin", _l("Administration"), _l("Users, townships, organisations and everything else.")),
    ]


def home_sections(roles: set[str]) -> list[Section]:
    """The sections a visitor with ``roles`` sees, each with its role's registered links;
    admins see every section, their own shortcuts first."""
    sections = [Section(role, title, summary, links_for(role))
                for role, title, summary in _sections() if "admin" in roles or role in roles]
    return sorted(sections, key=lambda s: s.role != "admin")
