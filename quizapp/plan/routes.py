"""The plan's targets pages (admins): the overview, a figure's form, the upload, the template
and the report.  Admins only: no role ties an account to a lead unit (quizapp.models.plan)."""

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
from flask_babel import gettext as _
from flask_login import current_user

from question_bank.tabular import TableError
from quizapp import spreadsheets
from quizapp.access import roles_required
from quizapp.inputs import db_int
from quizapp.plan import bp, report, services, transfer
from quizapp.plan.forms import FigureForm, UploadForm
from quizapp.plan.labels import KIND_HINTS, fault_text
from quizapp.plan.progress import PLAN_YEARS
from quizapp.shared.forms import read_upload
from quizapp.shared.table_errors import table_error_text

admin_only = roles_required("admin")


def _year() -> int:
    year = request.args.get("year", type=db_int)
    return year if year in PLAN_YEARS else services.default_year()


def _file(body: bytes, mimetype: str, name: str) -> Response:
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


@bp.route("/<int:target_id>/figure", methods=["GET", "POST"])
@admin_only
def figure(target_id: int):
    target = services.get_target(target_id)
    if target is None:
        abort(404)
    form = FigureForm()
    if request.method == "GET":
        form.year.data = request.args.get("year", type=db_int) or services.default_year()
        stored = services.figures_of(target).get(form.year.data)
        if stored:
            form.value.data, form.denominator.data = stored
    if form.validate_on_submit():
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
            return redirect(url_for("plan.index", year=form.year.data))
    return render_template("plan/figure.html", form=form, target=target,
                           hint=KIND_HINTS[target.kind], figures=services.figures_of(target),
                           entries={f.year: f for f in target.figures},
                           **report.page_helpers())


@bp.route("/upload", methods=["GET", "POST"])
@admin_only
def upload():
    form = UploadForm()
    faults = []
    if form.validate_on_submit():
        filename = form.file.data.filename or ""
        data = read_upload(form.file, current_app.config["QUESTION_IMPORT_MAX_BYTES"])
        if data is not None:
            try:
                result = transfer.check_upload(data, filename, current_user.id)
            except TableError as error:
                form.file.errors.append(table_error_text(error))
            else:
                if result.ok:
                    flash(_("Stored: %(added)s new figures, %(replaced)s replaced.",
                            added=result.added, replaced=result.replaced))
                    return redirect(url_for("plan.index"))
                faults = result.faults
    return render_template("plan/upload.html", form=form, faults=faults)


@bp.route("/template.xlsx")
@admin_only
def template_xlsx():
    return _file(transfer.template_xlsx(), spreadsheets.XLSX_MIMETYPE, "plan-figures.xlsx")


@bp.route("/report.xlsx")
@admin_only
def report_xlsx():
    overview = services.overview(_year())
    return _file(report.render_xlsx(overview), spreadsheets.XLSX_MIMETYPE,
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
    return _file(body, "application/pdf", report.filename(overview, "pdf"))
