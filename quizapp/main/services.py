"""What each role finds on its home page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Link:
    label: str
    endpoint: str

    @property
    def url(self) -> str:
        return url_for(self.endpoint)


@dataclass(frozen=True)
class Section:
    role: str
    title: str
    summary: str
    links: tuple[Link, ...]


def _sections() -> list[Section]:
    return [
        Section("resident", _l("Quizzes and competitions"),
                _l("Practise science questions and take part in the city's network competitions."),
                ()),
        Section("teacher", _l("My classes"),
                _l("Your schools and classes."),
                ()),
        Section("interviewer", _l("Survey fieldwork"),
                _l("The townships you are assigned to."),
                ()),
        Section("statistician", _l("Survey and estimates"),
                _l("Weighted share of residents meeting the standard, against the %(goal)s goal.",
                   goal="17.8%"),
                ()),
        Section("admin", _l("Administration"),
                _l("Users, townships, organisations and everything else."),
                (Link(_l("Users"), "admin.users"),
                 Link(_l("Townships"), "admin.townships"),
                 Link(_l("Organisations"), "admin.organisations"))),
    ]


# Features register their links here when their blueprint is imported, keeping this module small:
# EXTRA_LINKS by role (shown on that role's home section), PUBLIC_LINKS for every visitor.
EXTRA_LINKS: dict[str, list[Link]] = {}
PUBLIC_LINKS: list[Link] = []


def home_sections(roles: set[str]) -> list[Section]:
    """The sections a visitor with ``roles`` sees; admins see every section."""
    sections = []
    for section in _sections():
        if "admin" in roles or section.role in roles:
            extra = tuple(EXTRA_LINKS.get(section.role, ()))
            sections.append(Section(section.role, section.title, section.summary,
                                    section.links + extra))
    return sections
