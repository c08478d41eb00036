from flask import current_app, render_template
from flask_babel import gettext as _

from analysis import MarginTotalError, NonFiniteError, TooManyLevelsError, WeightRangeError
from analysis.calibration import POPULATION_MAX
from analysis.design import WEIGHT_MAX, WEIGHT_MIN
from analysis.io import PlaceholderMarginsError
from quizapp.access import roles_required
from quizapp.estimates import bp, services
from quizapp.estimates.forms import CI_LABELS, VARIABLE_LABELS, EstimateForm
from quizapp.shared.labels import VERDICTS, survey_level_label


@bp.context_processor
def _helpers():
    return {"pct": services.pct, "pct_range": services.pct_range, "num": services.num,
            "variable_label": _variable_label,
            "ci_label": lambda code: CI_LABELS.get(code, code)}


def _variable_label(key: str) -> str:
    return " × ".join(str(VARIABLE_LABELS.get(part, part)) for part in key.split(":"))


def _margin_names(pairs) -> str:
    """Margins (``variable``, ``level``) in words: ``性别：男、性别：女``."""
    separator = "、" if services.chinese() else ", "
    return separator.join(_("%(variable)s: %(value)s", variable=_variable_label(variable),
                            value=survey_level_label(variable, level))
                          for variable, level in pairs)


def _upload(field, limit: int) -> services.Upload | None:
    """The uploaded CSV of ``field``, or ``None`` with the reason added to its errors."""
    storage = field.data
    data = storage.read(limit + 1)
    storage.close()
    name = storage.filename or ""
    problem = None
    if not name.lower().endswith(".csv"):
        problem = _("Upload a .csv file (comma-separated text); this file is not one.")
    elif len(data) > limit:
        problem = _("The file is larger than %(size)s MB.", size=round(limit / 1024 ** 2, 1))
    elif not data.strip():
        problem = _("The file is empty.")
    elif b"\x00" in data[:4096]:
        problem = _("This is not a CSV text file (it looks like a spreadsheet or other binary "
                    "file). Save it as CSV first.")
    else:
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            problem = _("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 "
                        "(comma delimited)”.")
    if problem:
        field.errors.append(problem)
        return None
    return services.Upload(name, data)


def _request_from(form: EstimateForm) -> services.EstimateRequest | None:
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    survey = services.DEMO_SURVEY if form.use_demo.data else _upload(form.survey_file, limit)
    margins = {"none": None, "shipped": services.SHIPPED_MARGINS}.get(form.margins.data)
    if form.margins.data == "upload":
        margins = _upload(form.margins_file, limit)
        if margins is None:
            return None
    if survey is None:
        return None
    return services.EstimateRequest(
        survey=survey, margins=margins, indicator=form.indicator.data.strip(),
        weight=form.weight.data.strip(), strata=(form.strata.data or "").strip(),
        psu=(form.psu.data or "").strip(), fpc=(form.fpc.data or "").strip(),
        by=tuple(form.other_by()), by_if_present=tuple(form.by.data or ()),
        allow_placeholder_margins=form.allow_placeholder_margins.data, ci=form.ci.data,
        level=form.level.data, goal=form.goal.data, lonely_psu=form.lonely_psu.data)


def _number(x: float) -> str:
    return f"{x:g}"


def _form_error(form: EstimateForm, error: Exception | None) -> bool:
    """Put a refusal the form can explain on the field it concerns, in the page's language;
    ``False`` when it is none of those (the estimator's own line is shown instead)."""
    if isinstance(error, WeightRangeError):
        figures = {"row": error.row, "value": _number(error.value), "low": _number(WEIGHT_MIN),
                   "high": _number(WEIGHT_MAX)}
        if error.raked:
            form.margins.errors.append(_(
                "Raking to these margins gives row %(row)s a weight of %(value)s, outside the "
                "range the estimator accepts (0, or %(low)s to %(high)s): the population "
                "totals are out of proportion to the survey.", **figures))
        else:
            form.weight.errors.append(_(
                "Row %(row)s has a weight of %(value)s, outside the range the estimator "
                "accepts (0, or %(low)s to %(high)s). Check the weight column.", **figures))
    elif isinstance(error, PlaceholderMarginsError):
        variables = dict.fromkeys(variable for variable, _level in error.rows)
        form.allow_placeholder_margins.errors.append(_(
            "These margins hold placeholder figures (stand-ins, not population totals) for "
            "%(variables)s. Replace them with sourced figures, or tick “Allow placeholder "
            "margins” to use them anyway; every result will then say so.",
            variables=("、" if services.chinese() else ", ").join(
                _variable_label(v) for v in variables)))
    elif isinstance(error, MarginTotalError):
        form.margins.errors.append(_(
            "The population total of %(margin)s is %(value)s; a total must be positive and at "
            "most %(high)s.", margin=_margin_names([(error.variable, error.level)]),
            value=_number(error.value), high=_number(POPULATION_MAX)))
    elif isinstance(error, NonFiniteError):
        form.indicator.errors.append(_(
            "The figures overflow: the values are too large to compute with. Check the "
            "outcome and weight columns."))
    elif isinstance(error, TooManyLevelsError):
        field = form.by if error.variable in (form.by.data or ()) else form.by_other
        field.errors.append(_(
            "The breakdown by %(variable)s has %(levels)s groups; this page shows at most "
            "%(limit)s per breakdown (the command line has no limit).",
            variable=_variable_label(error.variable), levels=f"{error.levels:,}",
            limit=error.limit))
    else:
        return False
    return True


def _results(result: services.EstimateResult):
    report = result.report.to_dict()
    goal = services.pct(report["goal"], 1)
    level = f"{100 * report['method']['level']:g}%"
    verdict, sentence = VERDICTS[report["verdict"]]
    simulated = _("SIMULATED") if result.simulated else None
    titles = {key: (_("By %(variable)s", variable=_variable_label(key))
                    + (f" · {simulated}" if simulated else "")) for key in report["by"]}
    report["by"] = services.labelled_domains(report["by"])
    figures = services.chart_figures(
        report, titles, points_label=_("Estimate and %(level)s CI", level=level),
        goal_label=_("Goal %(goal)s", goal=goal),
        overall_label=_("Overall %(share)s", share=services.pct(report["estimate"])))
    filename = "estimate-SIMULATED-demo.json" if result.simulated else "estimate.json"
    return render_template(
        "estimates/results.html", result=result, report=report, level=level, goal=goal,
        verdict=verdict, verdict_sentence=str(sentence) % {"goal": goal, "level": level},
        figures=figures, json_filename=filename,
        placeholder_names=_margin_names((row["variable"], row["level"])
                                        for row in result.placeholder_margins))


@bp.route("/", methods=["GET", "POST"])
@roles_required("statistician", "admin")
def index():
    form = EstimateForm()
    refused = None
    if form.validate_on_submit():
        estimate_request = _request_from(form)
        if estimate_request is not None:
            try:
                return _results(services.run(estimate_request))
            except services.EstimatorRefused as error:
                if not _form_error(form, error.error):
                    refused = error
    return render_template("estimates/form.html", form=form, refused=refused,
                           standard_by=services.STANDARD_BY,
                           max_mb=round(current_app.config["MAX_CONTENT_LENGTH"] / 1024 ** 2, 1))
