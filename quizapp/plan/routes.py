"""The plan's targets pages (admins): the overview, a figure's form with who reports the target,
the upload, the template and the report.  Admins only; the reporters' own pages, for their
targets, are :mod:`quizapp.plan.mine_routes`."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from question_bank.tabular import TableError
from quizapp import spreadsheets
from quizapp.access import roles_required
from quizapp.inputs import db_int
from quizapp.models.plan import PlanTarget
from quizapp.plan import bp, report, services, transfer
from quizapp.plan.forms import FigureForm, ReporterForm, UploadForm
from quizapp.plan.labels import KIND_HINTS, REPORTER_PROBLEMS, fault_text
from quizapp.plan.progress import PLAN_YEARS
from quizapp.shared.forms import ActionForm, read_upload
from quizapp.shared.table_errors import table_error_text

admin_only = roles_required("admin")


def _year() -> int:
    year = request.args.get("year", type=db_int)
    return year if year in PLAN_YEARS else services.default_year()


def file_response(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.route("/")
@admin_only
def index():
    return render_template("plan/index.html", overview=services.overview(_year()),
                           **report.page_helpers())


def figure_page(target: PlanTarget, back_url: str, submitted: bool = True,
                **extra: object) -> ResponseReturnValue:
    """A target's figure form, shared by the admins' and the reporters' pages: read, save
    (``entered_by`` the signed-in account) and go back to ``back_url``. ``submitted=False``:
    the request posted another form of the page (the reporters'), so this one starts afresh."""
    form = FigureForm() if submitted else FigureForm(formdata=None)
    if request.method == "GET" or not submitted:
        form.year.data = request.args.get("year", type=db_int) or services.default_year()
        stored = services.figures_of(target).get(form.year.data)
        if stored:
            form.value.data, form.denominator.data = stored
    if submitted and form.validate_on_submit():
        try:
            services.save_figure(target, form.year.data, form.value.data,
                                 form.denominator.data, current_user.id)
        except ValueError as error:
            key, params = error.args
            field = form.value if key in ("negative", "above_denominator") else form.denominator
            field.errors.append(fault_text(key, **params))
        else:
            flash(_("Saved: %(name)s, %(year)s.", name=services.name(target),
                    year=form.year.data))
            return redirect(back_url)
    return render_template("plan/figure.html", form=form, target=target, back_url=back_url,
                           hint=KIND_HINTS[target.kind], figures=services.figures_of(target),
                           entries={f.year: f for f in target.figures},
                           **report.page_helpers(), **extra)


def upload_page(back_url: str, template_url: str,
                allowed: set[int] | None = None) -> ResponseReturnValue:
    """The upload form, shared by the admins' and the reporters' pages; ``allowed``: the
    targets the uploader may report (``None``: every one)."""
    form = UploadForm()
    faults = []
    if form.validate_on_submit():
        filename = form.file.data.filename or ""
        data = read_upload(form.file, current_app.config["QUESTION_IMPORT_MAX_BYTES"])
        if data is not None:
            try:
                result = transfer.check_upload(data, filename, current_user.id, allowed)
            except TableError as error:
                form.file.errors.append(table_error_text(error))
            else:
                if result.ok:
                    flash(_("Stored: %(added)s new figures, %(replaced)s replaced.",
                            added=result.added, replaced=result.replaced))
                    return redirect(back_url)
                faults = result.faults
    return render_template("plan/upload.html", form=form, faults=faults, back_url=back_url,
                           template_url=template_url)


def _target_or_404(target_id: int) -> PlanTarget:
    target = services.get_target(target_id)
    if target is None:
        abort(404)
    return target


@bp.route("/<int:target_id>/figure", methods=["GET", "POST"])
@admin_only
def figure(target_id: int):
    target = _target_or_404(target_id)
    return figure_page(target, url_for("plan.index", year=request.form.get("year", type=db_int)),
                       reporter_form=ReporterForm(formdata=None), remove_form=ActionForm())


@bp.route("/<int:target_id>/reporters", methods=["POST"])
@admin_only
def reporter_add(target_id: int):
    target = _target_or_404(target_id)
    form = ReporterForm()
    if form.validate_on_submit():
        try:
            user = services.add_reporter(target, form.username.data)
        except ValueError as error:
            form.username.errors.append(REPORTER_PROBLEMS[error.args[0]])
        else:
            flash(_("%(name)s now reports for this target.",
                    name=user.display_name or user.username))
            return redirect(url_for("plan.figure", target_id=target.id) + "#reporters")
    return figure_page(target, url_for("plan.index"), submitted=False, reporter_form=form,
                       remove_form=ActionForm())


@bp.route("/<int:target_id>/reporters/<int:user_id>/remove", methods=["POST"])
@admin_only
def reporter_remove(target_id: int, user_id: int):
    target = _target_or_404(target_id)
    if ActionForm().validate_on_submit() and services.remove_reporter(target, user_id):
        flash(_("Removed from this target's reporters."))
    return redirect(url_for("plan.figure", target_id=target.id) + "#reporters")


@bp.route("/upload", methods=["GET", "POST"])
@admin_only
def upload():
    return upload_page(url_for("plan.index"), url_for("plan.template_xlsx"))


@bp.route("/template.xlsx")
@admin_only
def template_xlsx():
    return file_response(transfer.template_xlsx(), spreadsheets.XLSX_MIMETYPE, "plan-figures.xlsx")


@bp.route("/report.xlsx")
@admin_only
def report_xlsx():
    overview = services.overview(_year())
    return file_response(report.render_xlsx(overview), spreadsheets.XLSX_MIMETYPE,
                 report.filename(overview, "xlsx"))


@bp.route("/report.pdf")
@admin_only
def report_pdf():
    from quizapp.shared import fonts, pdf

    overview = services.overview(_year())
    try:
        body = report.render_pdf(overview)
    except fonts.FontMissing as error:
        flash(_("The PDF cannot be made on this server: %(reason)s", reason=str(error)))
        return redirect(url_for("plan.index", year=overview.year))
    except pdf.PdfFailed as error:
        current_app.logger.error("plan report PDF failed: %s", error)
        flash(_("The PDF could not be made just now; the Excel report has the same content."))
        return redirect(url_for("plan.index", year=overview.year))
    return file_response(body, "application/pdf", report.filename(overview, "pdf"))
