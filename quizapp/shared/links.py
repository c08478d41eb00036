"""Links to features' pages that other pages list: the home page, by audience, and the admin
index (the admins' links).

``create_app`` registers every link once (``quizapp/__init__.py``), so the whole home page can
be read in one place; they are kept on the app, so two apps never share or double them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, url_for

PUBLIC = "public"  # every visitor, signed in or not
_KEY = "kexue.links"


@dataclass(frozen=True)
class Link:
    """A labelled link to an endpoint without URL arguments."""

    label: str
    endpoint: str

    @property
    def url(self) -> str:
        return url_for(self.endpoint)


def register_links(app: Flask, audience: str, *links: Link) -> None:
    """Add ``links`` to those shown to ``audience`` (a role, or :data:`PUBLIC`), in order."""
    app.extensions.setdefault(_KEY, {}).setdefault(audience, []).extend(links)


def links_for(audience: str) -> tuple[Link, ...]:
    """The links registered for ``audience`` on the current app, in registration order."""
    return tuple(current_app.extensions.get(_KEY, {}).get(audience, ()))
