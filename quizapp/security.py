"""Security headers on every response, and the one way the app sets its own cookies.

The Content-Security-Policy allows scripts only from this site, so no page may carry an inline
``<script>`` or an ``on...=`` attribute (data for charts travels in
``<script type="application/json">`` blocks, which are never run). Styles allow
``'unsafe-inline'``: Plotly writes its styles into the page at run time, and a few templates
set a bar's width in a ``style`` attribute. Images may also be ``data:`` and ``blob:`` URLs,
which Plotly's PNG and SVG downloads draw through.
"""

from __future__ import annotations

from flask import Flask, current_app

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    # Plotly's PNG/SVG download draws the chart's SVG through a data: image onto a canvas.
    "img-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(response):
    """Add the security headers (and HSTS in production) unless a view set its own."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    seconds = current_app.config["HSTS_SECONDS"]
    if seconds:
        response.headers.setdefault("Strict-Transport-Security",
                                    f"max-age={seconds}; includeSubDomains")
    return response


def set_cookie(response, name: str, value: str, *, max_age: int, path: str = "/"):
    """Set one of the app's own cookies: HttpOnly, SameSite=Lax, and Secure in production;
    ``path`` keeps a cookie to the pages that need it (a live game's seat)."""
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="Lax",
                        secure=current_app.config["PREFERENCE_COOKIE_SECURE"], path=path)
    return response


def register(app: Flask) -> None:
    app.after_request(add_security_headers)
