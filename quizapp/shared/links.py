"""Links to features' pages that other pages list: the navigation bar of every page, the home
page, by audience, and the admin index (the admins' links).

``create_app`` registers every link once (``quizapp/__init__.py``), so the whole home page can
be read in one place; they are kept on the app, so two apps never share or double them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, request, url_for

NAV = "nav"  # the navigation bar on every page (首页 · 练习 · 竞赛 · 我的)
_KEY = "kexue.links"


@dataclass(frozen=True)
class Link:
    """A labelled link to an endpoint without URL arguments."""

    label: str
    endpoint: str
    icon: str = ""  # the navigation bar's icon (templates/_tabbar.html)

    @property
    def url(self) -> str:
        return url_for(self.endpoint)


def register_links(app: Flask, audience: str, *links: Link) -> None:
    """Add ``links`` to those shown to ``audience`` (a role, or :data:`NAV`), in order."""
    app.extensions.setdefault(_KEY, {}).setdefault(audience, []).extend(links)


def links_for(audience: str) -> tuple[Link, ...]:
    """The links registered for ``audience`` on the current app, in registration order."""
    return tuple(current_app.extensions.get(_KEY, {}).get(audience, ()))


@dataclass(frozen=True)
class NavItem:
    """A navigation link and whether it is where the visitor is: ``"page"`` on the link's own
    page, ``"true"`` elsewhere in its feature (the values of ``aria-current``), else ``None``.
    """

    link: Link
    current: str | None


def nav_items() -> list[NavItem]:
    """The navigation bar's links, the current one marked."""
    here = request.endpoint or ""
    items = []
    for link in links_for(NAV):
        if here == link.endpoint:
            current = "page"
        elif here.partition(".")[0] == link.endpoint.partition(".")[0] != "main":
            current = "true"
        else:
            current = None
        items.append(NavItem(link, current))
    return items


_PERSONAL_KEY = "kexue.personal_links"


def register_personal_links(app: Flask, provider: Callable[[int], list[Link]]) -> None:
    """Let ``provider`` add links for one account (by id) to the home page: pages that depend
    on what the account was given rather than on its roles (a plan target to report)."""
    app.extensions.setdefault(_PERSONAL_KEY, []).append(provider)


def personal_links(user_id: int) -> list[Link]:
    """The links every registered provider gives the account ``user_id``, in order."""
    return [link for provider in current_app.extensions.get(_PERSONAL_KEY, ())
            for link in provider(user_id)]
