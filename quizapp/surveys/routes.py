"""The statistics office's survey pages: one service call per view, then render."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import surveys
from quizapp.access import roles_required
from quizapp.shared.forms import ActionForm, read_upload
from quizapp.surveys import bp, design, labels, services
from quizapp.surveys.forms import AdultsForm, DesignForm, FrameForm, ListingForm, WaveForm

statistics = roles_required("admin", "statistician")
STATUS_LABELS = {"design": _l("Design"), "fieldwork": _l("Fieldwork"), "closed": _l("Closed")}


@bp.context_processor
def _helpers():
    return {"survey_labels": labels, "status_labels": STATUS_LABELS, "action_form": ActionForm()}


def _wave(wave_id: int):
    wave = services.get_wave(wave_id)
    if wave is None:
        abort(404)
    return wave


def _refused(error: Exception, endpoint: str, **values):
    flash(str(error))
    return redirect(url_for(endpoint, **values))


@bp.route("/")
@statistics
def index():
    return render_template("surveys/index.html", waves=services.list_waves())


@bp.route("/new", methods=["GET", "POST"])
@statistics
def new():
    form = WaveForm()
    if form.validate_on_submit():
        try:
            wave = services.create_wave(services.WaveSettings(
                name=form.name.data.strip(), year=form.year.data,
                reference_date=form.reference_date.data,
                instrument_version=form.instrument_version.data.strip(),
                target_sample_size=form.target_sample_size.data,
                selection_method=form.selection_method.data, boundary=form.boundary.data,
                seed=form.seed.data), created_by_id=current_user.id)
        except services.WaveRefused as error:
            form.name.errors.append(str(error))
        else:
            return redirect(url_for("surveys.wave", wave_id=wave.id))
    return render_template("surveys/new.html", form=form)


@bp.route("/<int:wave_id>")
@statistics
def wave(wave_id: int):
    wave = _wave(wave_id)
    return render_template("surveys/wave.html", wave=wave,
                           comparison=services.form_comparison(wave),
                           psus=design.sampled_psus(wave))


@bp.route("/<int:wave_id>/forms", methods=["POST"])
@statistics
def assemble_forms(wave_id: int):
    wave = _wave(wave_id)
    if ActionForm().validate_on_submit():
        try:
            services.assemble_forms(wave)
            flash(_("Forms A and B were assembled from the survey-reserved questions."))
        except services.WaveRefused as error:
            flash(str(error))
    return redirect(url_for("surveys.wave", wave_id=wave.id))


@bp.route("/<int:wave_id>/frame", methods=["GET", "POST"])
@statistics
def frame(wave_id: int):
    wave = _wave(wave_id)
    form = FrameForm()
    issues: tuple[surveys.FrameIssue, ...] = ()
    if form.validate_on_submit():
        data = read_upload(form.file, current_app.config.get("SURVEY_FRAME_MAX_BYTES",
                                                               design.FRAME_MAX_BYTES))
        if data is not None:
            try:
                count = design.import_frame(wave, data, form.file.data.filename or "")
            except surveys.FrameError as error:
                issues = error.issues
            except services.WaveRefused as error:
                return _refused(error, "surveys.wave", wave_id=wave.id)
            else:
                flash(_("The frame was imported: %(n)s villages and communities.", n=count))
                return redirect(url_for("surveys.design_page", wave_id=wave.id))
    return render_template("surveys/frame.html", wave=wave, form=form, issues=issues,
                           psus=wave.frame_psus)


@bp.route("/<int:wave_id>/design", methods=["GET", "POST"])
@statistics
def design_page(wave_id: int):
    wave = _wave(wave_id)
    form = DesignForm(data=wave.design or {"interviews": wave.target_sample_size})
    plan, problem = None, None
    if form.validate_on_submit():
        fixing = request.form.get("action") == "fix"
        try:
            spec = form.spec()
            plan = (design.fix_design if fixing else design.preview_allocation)(wave, spec)
        except services.WaveRefused as error:
            return _refused(error, "surveys.wave", wave_id=wave.id)
        except surveys.SurveyInputError as error:
            problem = str(error)
        else:
            if fixing:
                flash(_("The design is fixed. Draw the sample next."))
                return redirect(url_for("surveys.wave", wave_id=wave.id))
    return render_template("surveys/design.html", wave=wave, form=form, plan=plan,
                           problem=problem, townships=design.townships_by_code())


@bp.route("/<int:wave_id>/draw", methods=["POST"])
@statistics
def draw(wave_id: int):
    wave = _wave(wave_id)
    if ActionForm().validate_on_submit():
        try:
            sample = design.draw_sample(wave)
            flash(_("The sample was drawn: %(n)s villages and communities.", n=len(sample.psus)))
        except services.WaveRefused as error:
            flash(str(error))
        except surveys.SurveyInputError as error:
            flash(str(error))
    return redirect(url_for("surveys.wave", wave_id=wave.id))


@bp.route("/<int:wave_id>/fieldwork", methods=["POST"])
@statistics
def start_fieldwork(wave_id: int):
    wave = _wave(wave_id)
    if ActionForm().validate_on_submit():
        try:
            services.start_fieldwork(wave)
            flash(_("Fieldwork has started: the forms and the sample can no longer change."))
        except services.WaveRefused as error:
            flash(str(error))
    return redirect(url_for("surveys.wave", wave_id=wave.id))


@bp.route("/<int:wave_id>/summary")
@statistics
def summary(wave_id: int):
    wave = _wave(wave_id)
    return render_template("surveys/summary.html", wave=wave,
                           summary=design.design_summary(wave))


@bp.route("/<int:wave_id>/psus/<int:sampled_psu_id>", methods=["GET", "POST"])
@statistics
def psu(wave_id: int, sampled_psu_id: int):
    wave = _wave(wave_id)
    sampled = design.get_sampled_psu(wave, sampled_psu_id)
    if sampled is None:
        abort(404)
    form = ListingForm()
    if form.validate_on_submit():
        text = form.lines.data or ""
        if form.file.data and form.file.data.filename:
            data = read_upload(form.file, design.FRAME_MAX_BYTES)
            text = design.decode_listing(data) if data is not None else ""
        lines = design.listing_lines(text)
        if not lines and not form.file.errors:
            form.lines.errors.append(_("Type the households or upload the listing."))
        elif lines:
            try:
                chosen = design.list_households(wave, sampled, lines)
            except services.WaveRefused as error:
                form.lines.errors.append(str(error))
            else:
                flash(_("%(listed)s households listed, %(take)s selected.",
                        listed=chosen.listed, take=chosen.take))
                return redirect(url_for("surveys.psu", wave_id=wave.id,
                                        sampled_psu_id=sampled.id))
    return render_template("surveys/psu.html", wave=wave, sampled=sampled, form=form,
                           cases=design.cases_of(sampled))


@bp.route("/<int:wave_id>/cases/<int:case_id>", methods=["GET", "POST"])
@statistics
def case(wave_id: int, case_id: int):
    wave = _wave(wave_id)
    found = design.get_case(wave, case_id)
    if found is None:
        abort(404)
    form = AdultsForm()
    if form.validate_on_submit():
        try:
            design.record_adults(wave, found, design.parse_adults(form.adults.data),
                                 form.visit.data)
        except services.WaveRefused as error:
            form.adults.errors.append(str(error))
        else:
            flash(_("The respondent was chosen and the base weight computed."))
            return redirect(url_for("surveys.case", wave_id=wave.id, case_id=found.id))
    return render_template("surveys/case.html", wave=wave, case=found, form=form)
