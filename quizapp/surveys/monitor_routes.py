"""The statistician's fieldwork pages: monitoring, the review queue, the paradata export and
closing a wave.  One service call per view, then render (``monitoring``, ``review``,
``closing``)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from quizapp import spreadsheets
from quizapp.inputs import db_int
from quizapp.surveys import bp, closing, monitoring, review, services
from quizapp.surveys.review_forms import CloseWaveForm, ReviewForm
from quizapp.surveys.routes import statistics

REVIEW_LABELS = {"pending": _l("Waiting for review"), "accepted": _l("Accepted"),
                 "rejected": _l("Rejected")}
# The reason the app itself records (review.AUTO_REASON); a reviewer's reason is their words.
REVIEW_REASON_LABELS = {review.AUTO_REASON: _l("Complete and without a flag: accepted "
                                               "automatically")}


@bp.context_processor
def _helpers():
    return {"close_wave_form": CloseWaveForm, "review_labels": REVIEW_LABELS,
            "review_reason": lambda reason: REVIEW_REASON_LABELS.get(reason, reason)}


def _wave_or_404(wave_id: int):
    wave = services.get_wave(wave_id)
    if wave is None:
        abort(404)
    return wave


@bp.route("/<int:wave_id>/monitoring", endpoint="monitoring")
@statistics
def monitoring_page(wave_id: int):
    wave = _wave_or_404(wave_id)
    return render_template("surveys/monitoring.html", wave=wave,
                           m=monitoring.monitoring(wave))


@bp.route("/<int:wave_id>/review")
@statistics
def review_queue(wave_id: int):
    wave = _wave_or_404(wave_id)
    if "case" in request.args:
        case_id = request.args.get("case", type=db_int)
        found = None if case_id is None else review.interview_of_case(wave, case_id)
        if found is not None:
            return redirect(url_for("surveys.review_interview", wave_id=wave.id,
                                    interview_id=found.id))
        flash(_("No interview is stored for that case number."))
    return render_template("surveys/review.html", wave=wave, page=review.review_page(wave))


@bp.route("/<int:wave_id>/review/<int:interview_id>", methods=["GET", "POST"])
@statistics
def review_interview(wave_id: int, interview_id: int):
    wave = _wave_or_404(wave_id)
    interview = review.get_interview(wave, interview_id)
    if interview is None:
        abort(404)
    form = ReviewForm()
    status = 200
    if form.validate_on_submit():
        try:
            review.review_interview(interview, form.decision.data, form.reason.data,
                                    current_user.id)
        except services.WaveRefused as error:
            form.reason.errors.append(str(error))
            status = 400
        else:
            flash(_("Decision recorded."))
            return redirect(url_for("surveys.review_queue", wave_id=wave.id))
    elif form.is_submitted():
        status = 400
    return render_template("surveys/review_interview.html", wave=wave, form=form,
                           entry=review.review_entry(interview)), status


@bp.route("/<int:wave_id>/paradata.<fmt>")
@statistics
def paradata(wave_id: int, fmt: str):
    wave = _wave_or_404(wave_id)
    table = (monitoring.PARADATA_COLUMNS, monitoring.paradata_rows(wave))
    if fmt == "csv":
        body, mimetype = spreadsheets.csv_bytes(*table), spreadsheets.CSV_MIMETYPE
    elif fmt == "xlsx":
        body, mimetype = spreadsheets.xlsx_bytes({"paradata": table}), spreadsheets.XLSX_MIMETYPE
    else:
        abort(404)
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=paradata-wave-{wave.id}.{fmt}"})


@bp.route("/<int:wave_id>/close", methods=["POST"])
@statistics
def close_wave(wave_id: int):
    wave = _wave_or_404(wave_id)
    if CloseWaveForm().validate_on_submit():
        try:
            report = closing.close_wave(wave)
        except services.WaveRefused as error:
            flash(str(error))
        else:
            flash(_("The wave is closed: %(contacts)s contact records deleted, %(labels)s "
                    "household descriptions and %(notes)s visit notes blanked, %(codes)s "
                    "invitation codes deleted. Answers, scores and dispositions are kept.",
                    contacts=report.contacts_deleted, labels=report.labels_blanked,
                    notes=report.notes_blanked, codes=report.codes_deleted))
    else:
        flash(_("Tick the box to confirm that the personal data may be deleted."))
    return redirect(url_for("surveys.wave", wave_id=wave.id))
