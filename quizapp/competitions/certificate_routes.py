"""Certificates: the owner's certificate page and image, and the public check of a code.

Who earns one and what the code is: :mod:`quizapp.engine.certificates`.
"""

from __future__ import annotations

import hashlib

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from quizapp.access import public
from quizapp.competitions import bp
from quizapp.competitions.certificate_image import render_png
from quizapp.competitions.routes import _attempt_or_404
from quizapp.engine import certificates
from quizapp.engine.certificates import display_code
from quizapp.models.attempts import SCORED_STATUSES
from quizapp.shared.names import mask_name
from quizapp.shared.qr import qr_svg


def _verify_url(code: str) -> str:
    return url_for("competitions.verify", cert_code=display_code(code), _external=True)


def _scored_attempt_or_404(token: str):
    attempt = _attempt_or_404(token)
    if attempt.status not in SCORED_STATUSES:
        abort(404)
    return attempt


@bp.route("/competitions/attempt/<token>/certificate")
@public
def certificate(token: str):
    """The owner's certificate: the image to save, its code and its public check."""
    attempt = _scored_attempt_or_404(token)
    found = certificates.certificate_of(attempt)
    verify_url = found and _verify_url(found.code)
    return render_template(
        "competitions/certificate.html", attempt=attempt, competition=attempt.competition,
        certificate=found, code=found and display_code(found.code), verify_url=verify_url,
        qr=found and qr_svg(verify_url))


@bp.route("/competitions/attempt/<token>/certificate.png")
@public
def certificate_png(token: str):
    """The certificate as a PNG image (``?download=1``: as a file to save)."""
    attempt = _scored_attempt_or_404(token)
    found = certificates.certificate_of(attempt)
    if found is None:
        abort(404)
    language = str(get_locale())
    response = Response(mimetype="image/png")
    response.set_etag(hashlib.sha256(f"{found.code}:{language}:1".encode()).hexdigest()[:32])
    response.cache_control.private = True
    response.cache_control.no_cache = True  # the language may change; the ETag answers
    if request.if_none_match.contains(response.get_etag()[0]):
        return response.make_conditional(request)
    response.set_data(render_png(found, _verify_url(found.code),
                                 _("Xinzheng Science and Technology Association")))
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="certificate-{display_code(found.code)}.png"')
    return response


@bp.route("/c/<cert_code>")
@public
def verify(cert_code: str):
    """The public check of a certificate code (what its QR code opens): genuine, withdrawn
    or not found. Shows the masked name, the competition, the date and the score only."""
    found = certificates.by_code(cert_code)
    if found is None:
        return render_template("competitions/verify.html", found=None, code=cert_code), 404
    return render_template("competitions/verify.html", found=found,
                           code=display_code(found.code), masked=mask_name(found.name),
                           valid=certificates.is_valid(found))


@bp.route("/certificates/check")
@public
def check():
    """A form to type a code read off a printed certificate."""
    typed = request.args.get("code", "")
    if typed.strip():
        found = certificates.by_code(typed)
        if found is not None:
            return redirect(url_for("competitions.verify", cert_code=display_code(found.code)))
        return render_template("competitions/verify.html", found=None, code=typed), 404
    return render_template("competitions/verify.html", found=None, code="")
