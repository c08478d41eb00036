"""The statistician's page assigning interviewers to a wave's sampled PSUs."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from quizapp.access import roles_required
from quizapp.surveys import bp, fieldwork, services
from quizapp.surveys.fieldwork_forms import assignment_form


@bp.route("/<int:wave_id>/interviewers", methods=["GET", "POST"])
@roles_required("admin", "statistician")
def interviewers(wave_id: int):
    wave = services.get_wave(wave_id)
    if wave is None:
        abort(404)
    page = fieldwork.assignment_page(wave)
    form = assignment_form(page)
    problem = None
    if form.validate_on_submit():
        try:
            changed = fieldwork.assign_interviewers(wave, form.assignments())
        except services.WaveRefused as error:
            problem = str(error)
        else:
            flash(_("Assignments saved (%(n)s changed).", n=changed))
            return redirect(url_for("surveys.interviewers", wave_id=wave.id))
    elif form.errors:
        problem = _("Nothing was saved: correct the marked rows.")
    return render_template("surveys/interviewers.html", page=page, form=form, problem=problem)
