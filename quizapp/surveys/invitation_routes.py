"""The statistics office's self-completion pages: issue invitation codes for a wave's cases,
list them, and print the letters (eight to an A4 sheet) that carry the link and the code."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from quizapp.inputs import db_int
from quizapp.surveys import bp, design, invitations
from quizapp.surveys.respond_forms import IssueForm
from quizapp.surveys.routes import _wave, statistics
from quizapp.surveys.services import WaveRefused
from quizapp.timezone import to_local

LETTERS_PER_SHEET = 8  # 2 columns x 4 rows of A4
LETTERS_PER_PAGE = 25 * LETTERS_PER_SHEET  # a print run of 25 sheets, drawn in about 3 s
STATUS_LABELS = {
    invitations.InvitationStatus.ISSUED: _l("Issued, not opened"),
    invitations.InvitationStatus.OPENED: _l("Opened"),
    invitations.InvitationStatus.STARTED: _l("Started"),
    invitations.InvitationStatus.DECLINED: _l("Declined at consent"),
    invitations.InvitationStatus.USED: _l("Completed"),
    invitations.InvitationStatus.EXPIRED: _l("Expired"),
}


def local_date(moment) -> str:
    """A stored UTC time as the city's calendar date; a dash when there is none."""
    return "—" if moment is None else to_local(moment).date().isoformat()


@bp.context_processor
def _invitation_helpers():
    return {"invitation_status_labels": STATUS_LABELS, "local_date": local_date}


def _psu_choices(wave) -> list[tuple[int, str]]:
    return [(p.id, f"{p.frame_psu.township.name} · {p.frame_psu.name or p.frame_psu.code}")
            for p in design.sampled_psus(wave)]


@bp.route("/<int:wave_id>/invitations", methods=["GET", "POST"])
@statistics
def invitation_list(wave_id: int):
    wave = _wave(wave_id)
    psu_id = request.args.get("psu", type=db_int)
    form = IssueForm(_psu_choices(wave))
    status = 200
    if form.validate_on_submit():
        try:
            done = invitations.issue_invitations(wave, sampled_psu_id=form.sampled_psu_id(),
                                                 days=form.days.data)
        except WaveRefused as error:
            form.scope.errors.append(str(error))
        else:
            flash(_("%(issued)s invitation codes issued; %(skipped)s cases already had one "
                    "or an interview.", issued=done.issued, skipped=done.skipped))
            return redirect(url_for("surveys.invitation_list", wave_id=wave.id))
    if form.is_submitted():
        status = 400
    rows = invitations.list_invitations(wave, psu_id)
    return render_template("surveys/invitations.html", wave=wave, form=form, rows=rows,
                           counts=invitations.status_counts(rows), psu_id=psu_id,
                           format_code=invitations.format_code), status


@bp.route("/<int:wave_id>/invitations/letters")
@statistics
def invitation_letters(wave_id: int):
    wave = _wave(wave_id)
    psu_id = request.args.get("psu", type=db_int)

    def url_of(code: str) -> str:
        return url_for("respond.questionnaire", code=code, _external=True)

    page = max(1, request.args.get("page", 1, type=db_int))
    # The letters go to residents: always in Chinese, whatever the office's page language.
    with force_locale("zh_CN"):
        found, total = invitations.letters(wave, url_of, psu_id,
                                           start=(page - 1) * LETTERS_PER_PAGE,
                                           count=LETTERS_PER_PAGE)
        return render_template("surveys/invitations_letters.html", wave=wave,
                               sheets=invitations.sheets(found, LETTERS_PER_SHEET),
                               count=len(found), total=total, page=page, psu_id=psu_id,
                               pages=max(1, -(-total // LETTERS_PER_PAGE)))
