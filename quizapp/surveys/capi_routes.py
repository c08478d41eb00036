"""The interviewer's offline app (CAPI) and its sync API, on the ``fieldwork`` blueprint.

The app shell (``/fieldwork/app``) and its service worker (``/fieldwork/sw.js``, whose scope is
``/fieldwork/``) make the interview work without a network once opened; the JSON endpoints
give the phone its package and take the records it queued.  Each view makes one service call
(:mod:`quizapp.surveys.capi`).
"""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request, send_from_directory
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from quizapp.access import public, roles_required
from quizapp.surveys import capi, fieldwork_bp

interviewer = roles_required("interviewer")


def _body() -> bytes:
    # One byte more than the limit, so an oversized record is refused without reading it all.
    return request.stream.read(capi.MAX_BODY_BYTES + 1)


def _json(result: capi.SyncResult):
    response = jsonify(result.body)
    response.status_code = result.status
    response.headers["Cache-Control"] = "no-store"
    return response


@fieldwork_bp.route("/app")
@interviewer
def app():
    return render_template("fieldwork/app.html")


@fieldwork_bp.route("/sw.js")
@public
def service_worker():
    response = send_from_directory(current_app.static_folder, "fieldwork/sw.js",
                                   mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@fieldwork_bp.route("/api/package")
@interviewer
def package():
    return _json(capi.SyncResult(200, capi.build_package(current_user.id)))


@fieldwork_bp.route("/api/csrf")
@interviewer
def csrf_token():
    return _json(capi.SyncResult(200, {"csrf_token": generate_csrf()}))


@fieldwork_bp.route("/api/interviews", methods=["POST"])
@interviewer
def sync_interview():
    return _json(capi.sync_interview(current_user.id, _body()))


@fieldwork_bp.route("/api/contacts", methods=["POST"])
@interviewer
def sync_contact():
    return _json(capi.sync_contact(current_user.id, _body()))
