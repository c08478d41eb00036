from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp import spreadsheets
from quizapp.access import roles_required
from quizapp.competitions import admin_bp, admin_services, board_page
from quizapp.competitions.forms import CompetitionForm, RoundForm, VoidForm
from quizapp.competitions.labels import SIGNAL_NAMES, signal_name, signal_reason
from quizapp.competitions.pool import pool_summary
from quizapp.competitions.routes import board_request
from quizapp.engine.attempts import close_overdue, void_attempt
from quizapp.inputs import db_int
from quizapp.models import Competition
from quizapp.shared.labels import ATTEMPT_STATUS_LABELS
from quizapp.timezone import to_local

admin_only = roles_required("admin")
FORM_ERRORS = {
    "ends_before_start": lambda: _("The end must be after the start."),
    "duplicate": lambda: _("Another competition already uses this name."),
    "quota_too_large": lambda: _("The quotas add up to more than the number of questions."),
    "outside_window": lambda: _("A round must lie inside the competition's dates."),
    "overlap": lambda: _("This round overlaps another round."),
    "pool_too_small": lambda: _("The pool needs at least as many questions as each attempt."),
    "pool_too_large": lambda available: _(
        "The bank has only %(available)s questions for this audience. Choose a smaller pool.",
        available=available),
    "pool_quotas": lambda: _("The bank cannot fill a pool of this size with these quotas. "
                             "Choose a smaller pool or other quotas."),
    "pool_locked": lambda: _("Attempts have started: the question pool, the audience, the "
                             "number of questions and the quotas can no longer change."),
}


def _competition_or_404(competition_id: int) -> Competition:
    competition = admin_services.get_competition(competition_id)
    if competition is None:
        abort(404)
    return competition


def _network_or_404(competition_id: int) -> Competition:
    """A network competition: a homework contest's rules and pool are its teacher's, and
    this form would draw it a new pool."""
    competition = _competition_or_404(competition_id)
    if competition.kind != "network":
        abort(404)
    return competition


@admin_bp.route("/")
@admin_only
def index():
    return render_template("competitions/admin_index.html",
                           competitions=admin_services.list_competitions())


def _edit(competition: Competition, is_new: bool):
    form = CompetitionForm()
    if request.method == "GET":
        if is_new:
            form.field_name.data = form.field_township.data = "required"
            form.field_organisation.data = "optional"
            form.field_phone.data = "off"
            form.quota_true_false.data, form.quota_single.data = 7, 7
            form.quota_multiple.data = 6
            form.seconds_per_question.data, form.attempts_per_day.data = 30, 1
            form.pool_size.data = 100
        else:
            admin_services.competition_to_form(competition, form)
    elif form.validate_on_submit():
        try:
            admin_services.form_to_competition(form, competition)
        except admin_services.CompetitionFormError as error:
            getattr(form, error.field).errors.append(FORM_ERRORS[str(error)](**error.params))
        else:
            flash(_("Saved."))
            return redirect(url_for("competition_admin.detail", competition_id=competition.id))
    return render_template("competitions/admin_form.html", form=form,
                           competition=None if is_new else competition)


@admin_bp.route("/new", methods=["GET", "POST"])
@admin_only
def new():
    return _edit(Competition(), is_new=True)


@admin_bp.route("/<int:competition_id>/edit", methods=["GET", "POST"])
@admin_only
def edit(competition_id: int):
    return _edit(_network_or_404(competition_id), is_new=False)


@admin_bp.route("/<int:competition_id>")
@admin_only
def detail(competition_id: int):
    competition = _competition_or_404(competition_id)
    title, starts, ends = admin_services.next_round_defaults(competition)
    round_form = RoundForm(title=title, starts_at=to_local(starts).replace(tzinfo=None),
                           ends_at=to_local(ends).replace(tzinfo=None))
    return render_template("competitions/admin_detail.html", competition=competition,
                           round_form=round_form, pool=pool_summary(competition))


@admin_bp.route("/<int:competition_id>/rounds", methods=["POST"])
@admin_only
def add_round(competition_id: int):
    competition = _network_or_404(competition_id)
    form = RoundForm()
    if form.validate_on_submit():
        try:
            admin_services.add_round(competition, form.title.data or "", form.starts_at.data,
                                     form.ends_at.data)
        except admin_services.CompetitionFormError as error:
            flash(FORM_ERRORS[str(error)]())
        else:
            flash(_("Round added."))
    else:
        flash(_("Please give the round a start and an end."))
    return redirect(url_for("competition_admin.detail", competition_id=competition.id))


@admin_bp.route("/<int:competition_id>/board")
@admin_only
def board(competition_id: int):
    competition = _competition_or_404(competition_id)
    close_overdue(competition_id=competition.id)
    view, round_id, page = board_request(competition)
    return render_template(
        "competitions/board.html", competition=competition, admin_view=True,
        board=board_page.build(competition, view, round_id, page, None,
                               per_page=board_page.ADMIN_PER_PAGE))


@admin_bp.route("/<int:competition_id>/attempts")
@admin_only
def attempts(competition_id: int):
    competition = _competition_or_404(competition_id)
    flagged = admin_services.signals_for_review(competition)
    flagged_ids = {a for f in flagged for a in f.signal.attempt_ids}
    only_flagged = request.args.get("flagged") == "1"
    rows, where = admin_services.attempts_page(
        competition, request.args.get("page", type=db_int),
        flagged_ids if only_flagged else None)
    kind = request.args.get("kind", "")
    signals_shown, signals_where = admin_services.signals_page(
        flagged, kind, request.args.get("spage", type=db_int))
    return render_template("competitions/admin_attempts.html", competition=competition,
                           flagged=signals_shown, signals_paging=signals_where,
                           signal_counts=admin_services.signal_counts(flagged), kind=kind,
                           signal_name=signal_name, signal_reason=signal_reason,
                           signal_names=SIGNAL_NAMES,
                           flagged_ids=flagged_ids, attempts=rows, paging=where,
                           only_flagged=only_flagged,
                           attempt_status_labels=ATTEMPT_STATUS_LABELS)


@admin_bp.route("/attempts/<int:attempt_id>/void", methods=["GET", "POST"])
@admin_only
def void(attempt_id: int):
    """Voiding is two steps: this page shows the attempt and asks for a reason; only its own
    form (POST, with the CSRF token) voids."""
    attempt = admin_services.competition_attempt(attempt_id)
    if attempt is None:
        abort(404)
    form = VoidForm()
    if attempt.status != "voided" and form.validate_on_submit():
        void_attempt(attempt, form.reason.data, current_user.id)
        flash(_("Attempt voided."))
        return redirect(url_for("competition_admin.attempts",
                                competition_id=attempt.competition_id))
    if request.method == "POST" and "csrf_token" in form.errors:
        abort(400)
    competition = attempt.competition
    return render_template(
        "competitions/admin_void.html", competition=competition, attempt=attempt, form=form,
        signals=admin_services.signals_of(competition, attempt.id), signal_name=signal_name,
        signal_reason=signal_reason, attempt_status_labels=ATTEMPT_STATUS_LABELS), \
        400 if request.method == "POST" else 200


@admin_bp.route("/<int:competition_id>/export.<fmt>")
@admin_only
def export(competition_id: int, fmt: str):
    competition = _competition_or_404(competition_id)
    close_overdue(competition_id=competition.id)
    what = request.args.get("what", "attempts")
    tables = {
        "attempts": (admin_services.ATTEMPT_COLUMNS, admin_services.attempt_rows(competition)),
        "townships": (admin_services.PARTICIPATION_COLUMNS,
                      admin_services.participation_rows(competition, "township")),
        "organisations": (admin_services.PARTICIPATION_COLUMNS,
                          admin_services.participation_rows(competition, "organisation")),
    }
    if fmt == "xlsx":
        body, mimetype = spreadsheets.xlsx_bytes(tables), spreadsheets.XLSX_MIMETYPE
        name = f"{competition.slug}.xlsx"
    elif fmt == "csv" and what in tables:
        body = spreadsheets.csv_bytes(*tables[what])
        mimetype, name = spreadsheets.CSV_MIMETYPE, f"{competition.slug}-{what}.csv"
    else:
        abort(404)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}"})
