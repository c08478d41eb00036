"""The import page (upload, preview, confirm) and the spreadsheet downloads."""

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp import spreadsheets
from quizapp.access import roles_required
from quizapp.questions import bp, services, transfer
from quizapp.questions.forms import ConfirmImportForm, ImportForm
from quizapp.shared.forms import read_upload
from quizapp.shared.table_errors import table_error_text

admin_only = roles_required("admin")


@bp.route("/import", methods=["GET", "POST"])
@admin_only
def import_upload():
    form = ImportForm()
    context = {"form": form, "plan": None, "faults": [], "confirm_form": None,
               "can_review": services.can_review(current_user)}
    if form.validate_on_submit():
        filename = form.file.data.filename or ""
        data = read_upload(form.file, current_app.config["QUESTION_IMPORT_MAX_BYTES"])
        if data is not None:
            preview = transfer.preview_upload(data, filename)
            if preview.error is not None:
                form.file.errors.append(table_error_text(preview.error))
            elif preview.faults:
                context["faults"] = preview.faults
            else:
                context.update(plan=preview.plan, filename=filename,
                               confirm_form=ConfirmImportForm(token=preview.token))
    return render_template("questions/import.html", **context)


@bp.route("/import/confirm", methods=["POST"])
@admin_only
def import_confirm():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_("This import has expired. Please upload the file again."))
        return redirect(url_for("questions.import_upload"))
    apply_statuses = bool(form.apply_statuses.data) and services.can_review(current_user)
    try:
        outcome = transfer.confirm_upload(form.token.data, apply_statuses=apply_statuses,
                                          by_user_id=current_user.id)
    except transfer.ImportExpired:
        flash(_("This import has expired. Please upload the file again."))
        return redirect(url_for("questions.import_upload"))
    except transfer.ImportChanged:
        flash(_("The questions changed since the preview; nothing was imported. Please upload "
                "the file again."))
        return redirect(url_for("questions.import_upload"))
    flash(_("Imported: %(added)s added, %(changed)s changed.", added=outcome.added,
            changed=outcome.changed))
    if not apply_statuses:
        flash(_("The imported questions are drafts: review and activate them on their pages."))
    return redirect(url_for("questions.index", source="ui"))


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.route("/export.xlsx")
@admin_only
def export_xlsx():
    return _download(transfer.questions_xlsx(transfer.export_specs()), "questions.xlsx",
                     spreadsheets.XLSX_MIMETYPE)


@bp.route("/export.csv")
@admin_only
def export_csv():
    return _download(transfer.questions_csv(transfer.export_specs()), "questions.csv",
                     spreadsheets.CSV_MIMETYPE)


@bp.route("/template.xlsx")
@admin_only
def template_xlsx():
    return _download(transfer.template_xlsx(), "questions-template.xlsx",
                     spreadsheets.XLSX_MIMETYPE)


@bp.route("/template.csv")
@admin_only
def template_csv():
    return _download(transfer.template_csv(), "questions-template.csv",
                     spreadsheets.CSV_MIMETYPE)
