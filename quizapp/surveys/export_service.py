"""The files of a weighting run: its input (cases.csv), its weights (weighted.csv) and the
de-identified respondent file (CSV, Stata .dta, SPSS .sav, Parquet) with its codebook (HTML,
XLSX), all through ``surveys.weighting`` and ``surveys.exports``.

The respondent file adds the item responses to the weighted rows: the items of the wave's
forms (form A's in listing order, then form B's own), each a column named from its question
code (Stata-safe, :func:`column_name`) holding the option chosen (1..k in the bank's
canonical order, shown A, B, ...; "don't know" for an item presented and not answered - the
tables do not keep "don't know" apart from a blank; "not presented" for an item of the
respondent's form never shown) and ``<name>_ok`` 0/1.  ``surveys.exports`` keeps only the
columns it knows, so nothing personal (names, phones, addresses, dwelling labels, notes,
invitation codes, case ids) can reach a file; a test scans every download for planted data.

The bootstrap replicate weights are seeded by the wave's seed, so a file downloaded twice is
the same file.
"""

from __future__ import annotations

import io
import re

from flask_babel import gettext as _
from sqlalchemy import select

from quizapp import spreadsheets
from quizapp.extensions import db
from quizapp.models import (
    Question,
    QuestionVersion,
    SurveyForm,
    SurveyFormItem,
    SurveyInterview,
    SurveyWave,
    SurveyWeightingRun,
    Township,
)
from quizapp.models.attempts import AttemptItem
from quizapp.surveys.weighting_runs import (
    RunRefused,
    load_margins,
    result_of,
    stored_cases,
    weighted_file,
)
from surveys import exports, weighting
from surveys.errors import SurveyInputError

CSV, XLSX = spreadsheets.CSV_MIMETYPE, spreadsheets.XLSX_MIMETYPE
# Text types without a charset: Werkzeug adds it (spreadsheets.CSV_MIMETYPE).
DOWNLOADS: dict[str, str] = {
    "cases.csv": CSV, "weighted.csv": CSV, "respondents.csv": CSV,
    "respondents.dta": "application/x-stata-dta", "respondents.sav": "application/x-spss-sav",
    "respondents.parquet": "application/vnd.apache.parquet",
    "codebook.html": "text/html", "codebook.xlsx": XLSX,
}
TRUE_FALSE = (("正确", "True"), ("错误", "False"))
N_REPLICATES = 100
_UNSAFE = re.compile(r"[^a-z0-9_]+")
NAME_MAX = 29  # room for the "_ok" suffix within Stata's 32 characters


def column_name(code: str, taken: set[str]) -> str:
    """A Stata-safe column name for a question code (``survey-K-003`` -> ``q_survey_k_003``),
    different from every name in ``taken`` (which it joins)."""
    base = "q_" + _UNSAFE.sub("_", code.lower()).strip("_")
    base = base[:NAME_MAX].rstrip("_") or "q"
    name, k = base, 1
    while name in taken:
        k += 1
        suffix = f"_{k}"
        name = base[:NAME_MAX - len(suffix)] + suffix
    taken.add(name)
    return name


def wave_items(wave: SurveyWave) -> list[tuple[int, exports.ExportItem]]:
    """(question version id, export item) of every item of the wave's forms, form A's in
    listing order then form B's own; one query."""
    rows = db.session.execute(
        select(SurveyFormItem.question_version_id, Question.code, QuestionVersion)
        .join(SurveyForm, SurveyFormItem.form_id == SurveyForm.id)
        .join(QuestionVersion, SurveyFormItem.question_version_id == QuestionVersion.id)
        .join(Question, QuestionVersion.question_id == Question.id)
        .where(SurveyForm.wave_id == wave.id)
        .order_by(SurveyForm.code, SurveyFormItem.position)).all()
    taken: set[str] = set()
    items, seen = [], set()
    for version_id, code, version in rows:
        if version_id in seen:
            continue
        seen.add(version_id)
        options = (TRUE_FALSE if version.type == "true_false"
                   else tuple((str(o), str(o)) for o in version.options))
        stem = " ".join(str(version.stem).split())
        items.append((version_id, exports.ExportItem(
            column_name(code, taken), stem[:60], f"Item {code}", options,
            multiple=version.type == "multiple")))
    return items


def _answers(case_ids: list[int]) -> dict[int, dict[int, tuple[list | None, bool | None]]]:
    """case id -> question version id -> (original option indexes or None, correct)."""
    found: dict[int, dict[int, tuple[list | None, bool | None]]] = {}
    if not case_ids:
        return found
    query = (select(SurveyInterview.case_id, AttemptItem.question_version_id,
                    AttemptItem.choices, AttemptItem.correct)
             .join(AttemptItem, AttemptItem.attempt_id == SurveyInterview.attempt_id)
             .where(SurveyInterview.case_id.in_(case_ids)))
    for case_id, version_id, choices, correct in db.session.execute(query):
        found.setdefault(case_id, {})[version_id] = (choices, correct)
    return found


def _form_items(wave: SurveyWave) -> dict[str, set[int]]:
    """Form code -> its question version ids."""
    out: dict[str, set[int]] = {}
    for code, version_id in db.session.execute(
            select(SurveyForm.code, SurveyFormItem.question_version_id)
            .join(SurveyFormItem, SurveyFormItem.form_id == SurveyForm.id)
            .where(SurveyForm.wave_id == wave.id)):
        out.setdefault(code, set()).add(version_id)
    return out


def respondent_rows(run: SurveyWeightingRun) -> tuple[list[dict], list[exports.ExportItem]]:
    """The weighted respondent rows with their item responses, and the items."""
    wave = db.session.get(SurveyWave, run.wave_id)
    table = weighting.read_cases(stored_cases(run))
    rows = result_of(run).weighted_rows(table)
    items = wave_items(wave)
    on_form = _form_items(wave)
    answers = _answers([int(row["case_id"]) for row in rows])
    for row in rows:
        given = answers.get(int(row["case_id"]), {})
        form = on_form.get(str(row.get("form") or ""), set())
        for version_id, item in items:
            if version_id not in form:
                row[item.name] = row[f"{item.name}_ok"] = None
                continue
            if version_id not in given:
                row[item.name], row[f"{item.name}_ok"] = "not_presented", None
                continue
            choices, correct = given[version_id]
            row[item.name] = ("dont_know" if not choices
                              else [c + 1 for c in choices] if len(choices) > 1
                              else choices[0] + 1)
            row[f"{item.name}_ok"] = int(bool(correct))
    return rows, [item for _version, item in items]


def respondent_table(run: SurveyWeightingRun) -> exports.ExportTable:
    """The de-identified respondent file of the run (bootstrap replicates re-raked to the
    run's margins, seeded by the wave's seed).  When some replicate cannot be re-raked (a
    small wave), the replicates are not re-raked and the file's note and labels say so:
    the weights and every point estimate are the same, and refusing the whole file would
    leave the statistician of a small or interim wave with nothing to analyse."""
    wave = db.session.get(SurveyWave, run.wave_id)
    rows, items = respondent_rows(run)
    names = {code: (name, code) for code, name in db.session.execute(
        select(Township.code, Township.name))}
    try:
        return exports.respondent_file(
            rows, items=items, replicates="bootstrap", n_replicates=N_REPLICATES,
            seed=wave.seed, margins=load_margins(run.margins_name, run.margins_sha256),
            township_names=names, unraked_fallback=True)
    except (SurveyInputError, ValueError) as error:
        raise RunRefused(_("The respondent file cannot be made: %(reason)s",
                           reason=str(error))) from None


def download(run: SurveyWeightingRun, name: str) -> tuple[bytes, str]:
    """(bytes, mimetype) of the download ``name`` (a key of :data:`DOWNLOADS`)."""
    mimetype = DOWNLOADS[name]
    if name == "cases.csv":
        return stored_cases(run), mimetype
    if name == "weighted.csv":
        return weighted_file(run), mimetype
    table = respondent_table(run)
    if name == "codebook.html":
        return exports.codebook_html(table).encode("utf-8"), mimetype
    if name == "codebook.xlsx":
        return exports.codebook_xlsx(table), mimetype
    writer = {"respondents.csv": exports.write_csv, "respondents.dta": exports.write_dta,
              "respondents.sav": exports.write_sav,
              "respondents.parquet": exports.write_parquet}[name]
    buffer = io.BytesIO()
    writer(table, buffer)
    return buffer.getvalue(), mimetype


def filename(run: SurveyWeightingRun, name: str) -> str:
    """The download's file name: wave and run, and PLACEHOLDER-MARGINS when the run raked to
    placeholder figures (so the file itself says so wherever it goes)."""
    stem, ext = name.rsplit(".", 1)
    marker = "-PLACEHOLDER-MARGINS" if run.result.get("placeholder_margins") else ""
    return f"wave-{run.wave_id}-weighting-{run.id}-{stem}{marker}.{ext}"
