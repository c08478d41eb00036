"""The interviewer's online pages: their PSUs, a PSU's listing and cases, a case's adults,
visits and contact details.  Every object is looked up through the ownership checks of
:mod:`.fieldwork` (and :mod:`.assignments`): another interviewer's PSU or case is a 404."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.access import roles_required
from quizapp.shared.forms import read_upload
from quizapp.surveys import design, fieldwork, fieldwork_bp, labels
from quizapp.surveys.fieldwork_forms import (
    ContactForm,
    HouseholdAdultsForm,
    HouseholdListingForm,
    VisitForm,
    new_client_id,
)
from quizapp.surveys.services import WaveRefused

interviewers = roles_required("interviewer")
LISTING_MAX_BYTES = 1024 * 1024


def offline_app_url(case_id: int | None = None) -> str | None:
    """The offline interview app (another module's page), at the case when given; ``None``
    while the app is not installed."""
    if "fieldwork.app" not in current_app.view_functions:
        return None
    url = url_for("fieldwork.app")
    return url if case_id is None else f"{url}#case-{case_id}"


def _render(template: str, **values):
    return render_template(template, survey_labels=labels, offline_app_url=offline_app_url,
                           **values)


@fieldwork_bp.route("/")
@roles_required("interviewer", "admin")
def index():
    return _render("fieldwork/index.html", assigned=fieldwork.my_assignments(current_user.id))


def _psu_page(sampled_psu_id: int) -> fieldwork.PsuPage:
    page = fieldwork.psu_page(current_user.id, sampled_psu_id)
    if page is None:
        abort(404)
    return page


def _listing_text(form: HouseholdListingForm) -> str:
    """The typed listing, or the uploaded file's text (an error on the field if too big)."""
    upload = form.file.data
    if not upload or not upload.filename:
        return form.lines.data or ""
    data = read_upload(form.file, LISTING_MAX_BYTES)
    return "" if data is None else design.decode_listing(data)


@fieldwork_bp.route("/psu/<int:sampled_psu_id>", methods=["GET", "POST"])
@interviewers
def psu(sampled_psu_id: int):
    page = _psu_page(sampled_psu_id)
    form = HouseholdListingForm()
    if form.validate_on_submit():
        lines = design.listing_lines(_listing_text(form))
        if not lines and not form.file.errors:
            form.lines.errors.append(_("Type the households or upload the listing."))
        elif lines:
            try:
                chosen = fieldwork.list_households(page, lines)
            except WaveRefused as error:
                form.lines.errors.append(str(error))
            else:
                flash(_("%(listed)s households listed, %(take)s selected.",
                        listed=chosen.listed, take=chosen.take))
                return redirect(url_for("fieldwork.psu", sampled_psu_id=page.psu.id))
    return _render("fieldwork/psu.html", page=page, form=form)


def _case_page(case_id: int) -> fieldwork.CasePage:
    page = fieldwork.case_page(current_user.id, case_id)
    if page is None:
        abort(404)
    return page


def _show_case(page: fieldwork.CasePage, **forms):
    values = {"adults_form": HouseholdAdultsForm(formdata=None),
              "visit_form": VisitForm(formdata=None, data={"client_id": new_client_id()}),
              "contact_form": ContactForm(formdata=None, obj=page.contact), **forms}
    return _render("fieldwork/case.html", page=page, **values)


def _to_case(page: fieldwork.CasePage):
    return redirect(url_for("fieldwork.case", case_id=page.case.id))


@fieldwork_bp.route("/case/<int:case_id>")
@interviewers
def case(case_id: int):
    return _show_case(_case_page(case_id))


@fieldwork_bp.route("/case/<int:case_id>/adults", methods=["POST"])
@interviewers
def case_adults(case_id: int):
    page = _case_page(case_id)
    form = HouseholdAdultsForm()
    if form.validate_on_submit():
        try:
            chosen = fieldwork.record_adults(page, form.adults.data)
        except WaveRefused as error:
            form.adults.errors.append(str(error))
        else:
            flash(chosen.describe())
            return _to_case(page)
    return _show_case(page, adults_form=form)


@fieldwork_bp.route("/case/<int:case_id>/visit", methods=["POST"])
@interviewers
def case_visit(case_id: int):
    page = _case_page(case_id)
    form = VisitForm()
    if form.validate_on_submit():
        try:
            fieldwork.record_visit(page, current_user.id, form.client_id.data,
                                   form.outcome.data, form.note.data or "")
        except WaveRefused as error:
            form.outcome.errors.append(str(error))
        else:
            flash(_("The visit was recorded."))
            return _to_case(page)
    elif form.client_id.errors:
        form.outcome.errors.append(_("The form was not complete; reload the page."))
    return _show_case(page, visit_form=form)


@fieldwork_bp.route("/case/<int:case_id>/contact", methods=["POST"])
@interviewers
def case_contact(case_id: int):
    page = _case_page(case_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            fieldwork.save_contact(page, form.name.data or "", form.phone.data or "",
                                   form.address.data or "")
        except WaveRefused as error:
            form.name.errors.append(str(error))
        else:
            flash(_("The contact details were saved."))
            return _to_case(page)
    return _show_case(page, contact_form=form)
