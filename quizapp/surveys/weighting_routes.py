"""The statistician's weighting, estimate, comparison and export pages of a wave.  One
service call per view, then render (``weighting_runs``, ``estimate_runs``, ``export_service``,
``run_pages``).  Statisticians only: the weights and the respondent files are theirs."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import surveys
from quizapp.access import roles_required
from quizapp.shared.figures import num, pct, pct_range
from quizapp.surveys import bp, estimate_runs, export_service, run_pages, services, weighting_runs
from quizapp.surveys.weighting_forms import (
    CompareForm,
    EstimateForm,
    PublishForm,
    WeightingForm,
)

statistician = roles_required("statistician")


@bp.context_processor
def _run_helpers():
    return {"pct": pct, "pct_range": pct_range, "num": num, "run_pages": run_pages}


def _wave(wave_id: int):
    wave = services.get_wave(wave_id)
    if wave is None:
        abort(404)
    return wave


def _weighting_run(wave, run_id: int):
    run = weighting_runs.get_run(wave, run_id)
    if run is None:
        abort(404)
    return run


def _estimate_run(wave, run_id: int):
    run = estimate_runs.get_run(wave, run_id)
    if run is None:
        abort(404)
    return run


def _share(percent: float) -> float:
    """A percentage typed on the form as a share, rounded so 17.8 is stored (and shown in the
    command line) as 0.178, not 17.8 / 100 = 0.17800000000000002."""
    return round(percent / 100, 10)


def _margins_choices() -> list[tuple[str, str]]:
    shown = [(weighting_runs.NO_MARGINS, _("None (no raking)"))]
    for name, _sha, placeholder in weighting_runs.margins_choices():
        shown.append((name, f"{name} ({_('placeholder figures')})" if placeholder else name))
    return shown


def _weighting_settings(form: WeightingForm) -> surveys.WeightingSettings:
    trim = form.trim.data
    return surveys.WeightingSettings(
        class_variables=tuple(form.classes.data.split(",")),
        min_class_respondents=form.min_class.data,
        trim_lower=form.trim_lower.data if trim else None,
        trim_upper=form.trim_upper.data if trim else None,
        allow_placeholder_margins=bool(form.allow_placeholder_margins.data))


@bp.route("/<int:wave_id>/weighting", methods=["GET", "POST"])
@statistician
def weighting(wave_id: int):
    wave = _wave(wave_id)
    form = WeightingForm(_margins_choices())
    status = 200
    if form.validate_on_submit():
        try:
            settings = _weighting_settings(form)
            settings.check()
            run = weighting_runs.run_weighting(wave, form.margins.data, settings,
                                               current_user.id)
        except surveys.SurveyInputError as error:
            form.min_class.errors.append(_("These settings are not valid: %(reason)s",
                                           reason=str(error)))
            status = 400
        except weighting_runs.TrimmingRefused as error:
            form.trim_upper.errors.append(str(error))
            status = 400
        except weighting_runs.RunRefused as error:
            form.margins.errors.append(str(error))
            status = 400
        else:
            return redirect(url_for("surveys.weighting_run", wave_id=wave.id,
                                    weighting_run_id=run.id))
    elif form.is_submitted():
        status = 400
    return render_template("surveys/weighting.html", wave=wave, form=form,
                           runs=weighting_runs.list_runs(wave)), status


@bp.route("/<int:wave_id>/weighting/<int:weighting_run_id>")
@statistician
def weighting_run(wave_id: int, weighting_run_id: int):
    wave = _wave(wave_id)
    run = _weighting_run(wave, weighting_run_id)
    return render_template("surveys/weighting_run.html", page=run_pages.weighting_page(wave, run),
                           form=EstimateForm())


@bp.route("/<int:wave_id>/weighting/<int:weighting_run_id>/estimate", methods=["POST"])
@statistician
def estimate_new(wave_id: int, weighting_run_id: int):
    wave = _wave(wave_id)
    run = _weighting_run(wave, weighting_run_id)
    form = EstimateForm()
    if form.validate_on_submit():
        try:
            estimate = estimate_runs.run_estimate(run, surveys.EstimateSettings(
                goal=_share(form.goal.data), min_n=form.min_n.data,
                max_cv=_share(form.max_cv.data)),
                current_user.id)
        except (weighting_runs.RunRefused, surveys.SurveyInputError) as error:
            form.goal.errors.append(str(error))
        else:
            return redirect(url_for("surveys.estimate_run", wave_id=wave.id,
                                    estimate_run_id=estimate.id))
    return render_template("surveys/weighting_run.html", page=run_pages.weighting_page(wave, run),
                           form=form), 400


@bp.route("/<int:wave_id>/weighting/<int:weighting_run_id>/files/<download>")
@statistician
def weighting_download(wave_id: int, weighting_run_id: int, download: str):
    wave = _wave(wave_id)
    run = _weighting_run(wave, weighting_run_id)
    if download not in export_service.DOWNLOADS:
        abort(404)
    try:
        body, mimetype = export_service.download(run, download)
    except weighting_runs.RunRefused as error:
        flash(str(error))
        return redirect(url_for("surveys.weighting_run", wave_id=wave.id,
                                weighting_run_id=run.id))
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename={export_service.filename(run, download)}"})


@bp.route("/<int:wave_id>/estimates/<int:estimate_run_id>")
@statistician
def estimate_run(wave_id: int, estimate_run_id: int):
    wave = _wave(wave_id)
    run = _estimate_run(wave, estimate_run_id)
    return render_template("surveys/estimate_run.html", page=run_pages.estimate_page(wave, run),
                           publish_form=PublishForm(), check=None, public=False)


@bp.route("/<int:wave_id>/estimates/<int:estimate_run_id>/public")
@statistician
def estimate_public(wave_id: int, estimate_run_id: int):
    wave = _wave(wave_id)
    run = _estimate_run(wave, estimate_run_id)
    return render_template("surveys/estimate_run.html",
                           page=run_pages.estimate_page(wave, run, public=True),
                           publish_form=None, check=None, public=True)


@bp.route("/<int:wave_id>/estimates/<int:estimate_run_id>/publish", methods=["POST"])
@statistician
def estimate_publish(wave_id: int, estimate_run_id: int):
    wave = _wave(wave_id)
    run = _estimate_run(wave, estimate_run_id)
    form = PublishForm()
    if form.validate_on_submit() and form.confirm.data:
        try:
            estimate_runs.publish(run, current_user.id)
        except weighting_runs.RunRefused as error:
            flash(str(error))
        else:
            flash(_("Published. The figures of this run can no longer change."))
        return redirect(url_for("surveys.estimate_run", wave_id=wave.id,
                                estimate_run_id=run.id))
    form.confirm.errors.append(_("Tick the box to confirm the publication."))
    return render_template("surveys/estimate_run.html", page=run_pages.estimate_page(wave, run),
                           publish_form=form, check=None, public=False), 400


@bp.route("/<int:wave_id>/estimates/<int:estimate_run_id>/rerun", methods=["POST"])
@statistician
def estimate_rerun(wave_id: int, estimate_run_id: int):
    wave = _wave(wave_id)
    run = _estimate_run(wave, estimate_run_id)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    return render_template("surveys/estimate_run.html", page=run_pages.estimate_page(wave, run),
                           publish_form=PublishForm(formdata=None),
                           check=estimate_runs.rerun(run), public=False)


@bp.route("/compare")
@statistician
def compare():
    runs = estimate_runs.all_runs()
    form = CompareForm([(str(r.id), run_pages.run_choice_label(r)) for r in runs],
                       request.args)
    comparison = refused = None
    status = 200
    if "a" in request.args or "b" in request.args:
        if form.validate():
            try:
                comparison = estimate_runs.compare_runs(
                    estimate_runs.find_run(int(form.a.data)), estimate_runs.find_run(
                        int(form.b.data)))
            except weighting_runs.RunRefused as error:
                refused, status = str(error), 400
        else:
            status = 400
    return render_template("surveys/compare.html", form=form, comparison=comparison,
                           refused=refused, trend=estimate_runs.trend_rows()), status
