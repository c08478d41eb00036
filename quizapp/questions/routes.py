import json
import re
import secrets
import time
from pathlib import Path

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
from sqlalchemy import func, select

from question_bank.schema import (
    DIMENSIONS,
    GROUPS,
    LETTERS,
    STATUSES,
    TOPICS,
    Issue,
    QuestionSpec,
)
from question_bank.tabular import (
    TEMPLATE_EXAMPLES,
    TableError,
    csv_bytes,
    read_table,
    xlsx_bytes,
)
from question_bank.validate import ANY_ID, validate
from quizapp.access import roles_required
from quizapp.extensions import db
from quizapp.models import Question, QuestionVersion
from quizapp.questions import bp, item_stats, services
from quizapp.questions.forms import ConfirmImportForm, ImportForm, QuestionForm
from quizapp.questions.labels import fault_text, table_error_text, template_globals
from quizapp.shared.forms import ActionForm

admin_only = roles_required("admin")
stats_roles = roles_required("admin", "statistician")
PER_PAGE = 30
IMPORT_MAX_BYTES = 2 * 1024 * 1024
_TOKEN = re.compile(r"[0-9a-f]{32}")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def _labels():
    return template_globals()


def _question_or_404(question_id: int) -> Question:
    question = services.get_question(question_id)
    if question is None:
        abort(404)
    return question


# --- list and view -------------------------------------------------------------------------

def _filters() -> services.QuestionFilter:
    args = request.args
    return services.QuestionFilter(
        q=args.get("q", "").strip()[:100],
        group=args.get("group", "") if args.get("group") in GROUPS else "",
        topic=args.get("topic", "") if args.get("topic") in TOPICS else "",
        dimension=args.get("dimension", "") if args.get("dimension") in DIMENSIONS else "",
        difficulty=args.get("difficulty", type=int) if args.get("difficulty") in ("1", "2", "3")
        else None,
        status=args.get("status", "") if args.get("status") in STATUSES else "",
        survey=args.get("survey", "") if args.get("survey") in ("yes", "no") else "",
        source=args.get("source", "") if args.get("source") in ("bank", "ui") else "")


@bp.route("/")
@admin_only
def index():
    filters = _filters()
    query = services.question_query(filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    rows = db.session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    page = {"page": page, "pages": pages, "total": total}
    return render_template("questions/index.html", rows=rows, page=page, filters=filters,
                           args=args, counts=services.counts_by_status())


@bp.route("/<int:question_id>")
@admin_only
def view(question_id: int):
    question = _question_or_404(question_id)
    return render_template("questions/view.html", question=question,
                           versions=sorted(question.versions, key=lambda v: -v.version),
                           pending=services.pending_version(question), action_form=ActionForm())


# --- create and edit -----------------------------------------------------------------------

def _form_to_raw(form: QuestionForm, code: str, version: int) -> dict:
    qtype = form.type.data
    options = [(getattr(form, f).data or "").strip() for f in QuestionForm.OPTION_FIELDS]
    while options and not options[-1]:
        options.pop()
    if qtype == "true_false":
        answer = form.answer_tf.data == "true"
    else:
        letters = list(form.answer_letters.data or [])
        answer = (letters[0] if len(letters) == 1 else letters) if qtype == "single" else letters
    return {"id": code, "version": version, "type": qtype, "stem": form.stem.data or "",
            "options": options if qtype != "true_false" else [], "answer": answer,
            "explanation": form.explanation.data or "", "authority": form.authority.data or "",
            "groups": list(form.groups.data or []), "dimension": form.dimension.data,
            "benchmark": form.benchmark.data, "difficulty": form.difficulty.data,
            "status": "draft", "survey": bool(form.survey.data)}


_FIELD_OF = {"stem": "stem", "options": "option_a", "answer": "answer_letters",
             "explanation": "explanation", "authority": "authority", "groups": "groups",
             "dimension": "dimension", "benchmark": "benchmark", "difficulty": "difficulty",
             "type": "type", "topic": "topic"}


def _validated_spec(form: QuestionForm, code: str, version: int) -> QuestionSpec | None:
    raw = _form_to_raw(form, code, version)
    spec, faults = validate(raw, form.topic.data, id_pattern=ANY_ID)
    for fault in faults:
        name = _FIELD_OF.get(fault.field, "stem")
        if name == "answer_letters" and form.type.data == "true_false":
            name = "answer_tf"
        getattr(form, name).errors = [*getattr(form, name).errors,
                                      fault_text(_issue_of(fault))]
    return spec


def _issue_of(fault) -> Issue:
    return Issue("error", fault.kind, fault.message, column=fault.field, params=fault.params)


def _fill_form(form: QuestionForm, question: Question, version: QuestionVersion) -> None:
    form.topic.data = version.topic
    form.type.data = version.type
    form.stem.data = version.stem
    for name, option in zip(QuestionForm.OPTION_FIELDS, version.options or [], strict=False):
        getattr(form, name).data = option
    if version.type == "true_false":
        form.answer_tf.data = "true" if version.answer == [0] else "false"
    else:
        form.answer_letters.data = [LETTERS[i] for i in version.answer]
    form.explanation.data = version.explanation
    form.authority.data = version.authority
    form.groups.data = version.groups
    form.dimension.data = version.dimension
    form.benchmark.data = version.benchmark
    form.difficulty.data = version.difficulty
    form.survey.data = question.survey_reserved


@bp.route("/new", methods=["GET", "POST"])
@admin_only
def new():
    form = QuestionForm()
    if form.validate_on_submit():
        code = services.next_ui_code(form.topic.data)
        spec = _validated_spec(form, code, 1)
        if spec is not None:
            question = services.create_question(spec)
            flash(_("Saved as a draft. Review it, then activate it."))
            return redirect(url_for("questions.view", question_id=question.id))
    return render_template("questions/form.html", form=form, question=None)


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@admin_only
def edit(question_id: int):
    question = _question_or_404(question_id)
    if question.source != "ui":
        flash(_("This question comes from the bank files; change it there and load them again."))
        return redirect(url_for("questions.view", question_id=question.id))
    latest = services.pending_version(question) or question.current
    form = QuestionForm()
    if request.method == "GET":
        _fill_form(form, question, latest)
    if form.validate_on_submit():
        spec = _validated_spec(form, question.code, latest.version)
        if spec is not None:
            version = services.save_edit(question, spec)
            services.set_survey_reserved(question, spec.survey)
            if version.id != question.current_version_id:
                flash(_("Saved as a new draft version; the current version stays in use until "
                        "the new one is reviewed and activated."))
            else:
                flash(_("Saved."))
            return redirect(url_for("questions.view", question_id=question.id))
    return render_template("questions/form.html", form=form, question=question)


# --- review steps ------------------------------------------------------------------------------

def _workflow(question_id: int, step) -> Response:
    question = _question_or_404(question_id)
    if ActionForm().validate_on_submit():
        try:
            step(question)
        except services.WorkflowError:
            db.session.rollback()
            flash(_("This step does not apply to this question."))
        else:
            flash(_("Saved."))
    return redirect(url_for("questions.view", question_id=question_id))


def _version_of(question: Question, version_id: int) -> QuestionVersion:
    version = db.session.get(QuestionVersion, version_id)
    if version is None or version.question_id != question.id:
        raise services.WorkflowError("no such version")
    return version


@bp.route("/<int:question_id>/versions/<int:version_id>/review", methods=["POST"])
@admin_only
def review(question_id: int, version_id: int):
    return _workflow(question_id,
                     lambda q: services.review(q, _version_of(q, version_id)))


@bp.route("/<int:question_id>/versions/<int:version_id>/activate", methods=["POST"])
@admin_only
def activate(question_id: int, version_id: int):
    return _workflow(question_id,
                     lambda q: services.activate(q, _version_of(q, version_id)))


@bp.route("/<int:question_id>/retire", methods=["POST"])
@admin_only
def retire(question_id: int):
    return _workflow(question_id, services.retire)


@bp.route("/<int:question_id>/survey", methods=["POST"])
@admin_only
def toggle_survey(question_id: int):
    return _workflow(question_id,
                     lambda q: services.set_survey_reserved(q, not q.survey_reserved))


# --- import and export -------------------------------------------------------------------------

def _imports_dir() -> Path:
    path = Path(current_app.instance_path) / "question_imports"
    path.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - 24 * 3600
    for old in path.glob("*"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return path


def _plan_for(data: bytes, filename: str):
    """(plan or None, faults, error message or None) for an uploaded file."""
    try:
        table = read_table(data, filename)
    except TableError as error:
        return None, [], table_error_text(str(error))
    if not table.ok:
        return None, table.faults, None
    plan = services.plan_import(table.specs, table.rows)
    return plan, plan.faults, None


@bp.route("/import", methods=["GET", "POST"])
@admin_only
def import_upload():
    form = ImportForm()
    context = {"form": form, "plan": None, "faults": [], "confirm_form": None}
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename or ""
        limit = current_app.config.get("QUESTION_IMPORT_MAX_BYTES", IMPORT_MAX_BYTES)
        data = upload.read(limit + 1)
        upload.close()
        if len(data) > limit:
            form.file.errors.append(_("The file is larger than %(size)s MB.",
                                      size=round(limit / (1024 * 1024), 1)))
        elif not filename.lower().endswith((".xlsx", ".csv")):
            form.file.errors.append(_("Upload an .xlsx or .csv file."))
        else:
            plan, faults, error = _plan_for(data, filename)
            if error:
                form.file.errors.append(error)
            elif faults:
                context["faults"] = faults
            else:
                token = secrets.token_hex(16)
                directory = _imports_dir()
                (directory / f"{token}.data").write_bytes(data)
                (directory / f"{token}.json").write_text(json.dumps({"filename": filename}))
                context.update(plan=plan, filename=filename,
                               confirm_form=ConfirmImportForm(token=token))
    return render_template("questions/import.html", **context)


@bp.route("/import/confirm", methods=["POST"])
@admin_only
def import_confirm():
    form = ConfirmImportForm()
    token = form.token.data or ""
    if not form.validate_on_submit() or not _TOKEN.fullmatch(token):
        flash(_("This import has expired. Please upload the file again."))
        return redirect(url_for("questions.import_upload"))
    directory = _imports_dir()
    data_file, meta_file = directory / f"{token}.data", directory / f"{token}.json"
    if not data_file.exists() or not meta_file.exists():
        flash(_("This import has expired. Please upload the file again."))
        return redirect(url_for("questions.import_upload"))
    filename = json.loads(meta_file.read_text())["filename"]
    plan, faults, error = _plan_for(data_file.read_bytes(), filename)
    data_file.unlink(missing_ok=True)
    meta_file.unlink(missing_ok=True)
    if error or faults or plan is None:
        flash(_("The questions changed since the preview; nothing was imported. Please upload "
                "the file again."))
        return redirect(url_for("questions.import_upload"))
    services.apply_import(plan)
    flash(_("Imported: %(added)s added, %(changed)s changed.", added=len(plan.added),
            changed=len(plan.changed)))
    return redirect(url_for("questions.index", source="ui"))


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.route("/export.xlsx")
@admin_only
def export_xlsx():
    return _download(xlsx_bytes(services.export_specs()), "questions.xlsx", XLSX)


@bp.route("/export.csv")
@admin_only
def export_csv():
    return _download(csv_bytes(services.export_specs()), "questions.csv",
                     "text/csv; charset=utf-8")


@bp.route("/template.xlsx")
@admin_only
def template_xlsx():
    return _download(xlsx_bytes(TEMPLATE_EXAMPLES, with_help=True), "questions-template.xlsx",
                     XLSX)


@bp.route("/template.csv")
@admin_only
def template_csv():
    return _download(csv_bytes(TEMPLATE_EXAMPLES), "questions-template.csv",
                     "text/csv; charset=utf-8")


# --- item statistics ---------------------------------------------------------------------------

def _source() -> str:
    source = request.args.get("source", "quiz")
    return source if source in item_stats.SOURCES else "quiz"


@bp.route("/items")
@stats_roles
def items():
    source = _source()
    sort = request.args.get("sort", "flag")
    stats = item_stats.item_stats_from_db(source)
    versions = {v.id: v for v in db.session.scalars(
        db.select(QuestionVersion).where(QuestionVersion.id.in_(list(stats))))} if stats else {}
    rows = [(stats[k], versions[k]) for k in stats if k in versions]
    keys = {
        "flag": lambda r: (-len(r[0].flags), r[0].r_pb if r[0].r_pb is not None else 2, r[0].p),
        "p": lambda r: r[0].p,
        "r": lambda r: r[0].r_pb if r[0].r_pb is not None else 2,
        "n": lambda r: -r[0].answered,
    }
    sort = sort if sort in keys else "flag"
    rows.sort(key=keys[sort])
    return render_template("questions/items.html", rows=rows, source=source, sort=sort,
                           min_answers=item_stats.MIN_ANSWERS)


@bp.route("/items/<int:version_id>")
@stats_roles
def item(version_id: int):
    version = db.session.get(QuestionVersion, version_id)
    if version is None:
        abort(404)
    source = _source()
    stat = item_stats.item_stats_from_db(source, [version_id]).get(version_id)
    if version.type == "true_false":
        labels = [_("True"), _("False")]
    else:
        labels = [f"{LETTERS[i]}. {text[:20]}" for i, text in enumerate(version.options)]
    chart = None
    if stat is not None:
        colours = ["#1a7f37" if i in version.answer else "#0b6bcb" for i in range(len(labels))]
        chart = {
            "data": [{"type": "bar", "x": labels, "y": [round(100 * s, 1)
                                                       for s in stat.choice_shares],
                      "marker": {"color": colours},
                      "hovertemplate": "%{x}: %{y}%<extra></extra>"}],
            "layout": {"yaxis": {"title": {"text": _("Share of answerers (%)")},
                                 "range": [0, 100]},
                       "margin": {"t": 10, "r": 10, "b": 80, "l": 50}, "height": 320},
        }
    return render_template("questions/item.html", version=version, stat=stat, source=source,
                           chart=chart, min_answers=item_stats.MIN_ANSWERS, letters=LETTERS)
