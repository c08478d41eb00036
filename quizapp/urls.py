"""Where the app may send a browser back to: paths on this site, never another site.

Every ``next`` target (the login page's, the language and large-type switches') goes through
:func:`safe_next`.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else ``None``.

    Browsers repair what a server lets through: they drop tabs and newlines anywhere in a URL
    and read a backslash as a slash, so ``/<tab>/evil.example`` and ``/\\evil.example`` both
    become ``//evil.example``, another site. So a target must start with one slash and carry
    no control character, no backslash, no scheme and no host.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F or char == "\\" for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def path_on_site(url: str | None, host_url: str) -> str | None:
    """The path of ``url`` when it is an absolute URL on ``host_url`` (this site), else None."""
    if not url or not url.startswith(host_url):
        return None
    return safe_next("/" + url[len(host_url):])
