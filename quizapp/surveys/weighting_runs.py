"""Weighting runs: a wave's cases from the database to ``surveys.weight_cases``, stored.

The cases file (``surveys.weighting.CASE_COLUMNS``, one row per selected household) is built
here from the tables and nothing else: the design (stratum = township code, PSU code, its
urban/rural class, π₁, π₂), the case's AAPOR disposition (eligibility through
``surveys.dispositions.CATEGORY_OF``: I, P, R, NC, O eligible; NE ineligible; UH, UO or none
unknown), whether its interview is complete and accepted by review (the respondents,
:func:`quizapp.surveys.review.accepted_complete_cases`) and, for respondents only, the derived
profile codes and the scores.  No name, phone, address, dwelling label or note is read.

A run stores its inputs - the case ids of the file, the margins version (name and sha256), the
settings, the sha256 of the file's canonical bytes (``surveys.weighting.cases_csv``) and the
code version - and its output, ``WeightingResult.to_dict()``.  Rebuilding the file for the
stored case ids gives the same bytes as long as the cases have not changed, which is how a run
is downloaded and re-run (:func:`stored_cases`).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

import surveys
from analysis.errors import SurveyError
from analysis.io import PlaceholderMarginsError
from quizapp.extensions import db
from quizapp.models import (
    SurveyCase,
    SurveyForm,
    SurveyFramePSU,
    SurveyHousehold,
    SurveyInterview,
    SurveySampledPSU,
    SurveyWave,
    SurveyWeightingRun,
    Township,
)
from quizapp.surveys.review import accepted_complete_cases
from quizapp.surveys.services import WaveRefused
from surveys import margins as margins_versions
from surveys import provenance, weighting

ELIGIBLE = {surveys.RateCategory.I, surveys.RateCategory.P, surveys.RateCategory.R,
            surveys.RateCategory.NC, surveys.RateCategory.O}
DIMENSIONS = ("K", "M", "S", "A")
NO_MARGINS = ""  # the form's choice for weighting without raking


class RunRefused(WaveRefused):
    """A weighting or estimate run that cannot be made or used; the message is for the page."""


class TrimmingRefused(RunRefused):
    """The trimming bounds cannot be met together with the margins (the message says which
    bounds would do); the page shows it at the bounds."""


def eligibility(disposition: str | None) -> str:
    """``eligible``, ``ineligible`` or ``unknown`` from a case's disposition (its AAPOR rate
    category: I, P, R, NC, O eligible; NE ineligible; UH, UO or no disposition unknown)."""
    if disposition is None:
        return "unknown"
    try:
        category = surveys.dispositions.CATEGORY_OF[surveys.Disposition(disposition)]
    except ValueError:
        return "unknown"
    if category in ELIGIBLE:
        return "eligible"
    return "ineligible" if category == surveys.RateCategory.NE else "unknown"


def _blank(value: object) -> object:
    return "" if value is None else value


def _respondent_columns(case: SurveyCase, interview: SurveyInterview, form_code: str,
                        township: str, household_weight: float) -> dict[str, object]:
    profile = interview.profile or {}
    scores = interview.dimension_scores or {}
    sex, band = profile.get("sex"), profile.get("age_band")
    return {
        "eligible_adults": _blank(case.eligible_adults),
        "base_weight": ("" if case.eligible_adults is None
                        else household_weight * case.eligible_adults),
        "sex": _blank(sex), "age_band": _blank(band),
        "education": _blank(profile.get("education_level")),
        "urban_rural": _blank(profile.get("urban_rural")),
        "group": _blank(profile.get("group")),
        "sex_age_band": f"{sex}_{band}" if sex and band else "",
        "township": township, "form": form_code, "total": _blank(interview.total),
        **{f"score_{d}": _blank(scores.get(d)) for d in DIMENSIONS},
        "level": _blank(interview.level),
        "meets": "" if interview.level is None else int(surveys.meets_standard(interview.level)),
    }


def case_rows(wave: SurveyWave, case_ids: Iterable[int] | None = None) -> list[dict]:
    """The cases file rows of ``wave`` (``surveys.weighting.CASE_COLUMNS``), by case id: every
    selected household, or only ``case_ids`` (a stored run's).  Two queries whatever the size:
    the cases with their design and interview, and the accepted complete cases."""
    query = (
        select(SurveyCase, SurveySampledPSU.pi1, SurveyHousehold.pi2, SurveyFramePSU.code,
               SurveyFramePSU.urban_rural, Township.code, SurveyInterview, SurveyForm.code)
        .join(SurveySampledPSU, SurveyCase.sampled_psu_id == SurveySampledPSU.id)
        .join(SurveyFramePSU, SurveySampledPSU.frame_psu_id == SurveyFramePSU.id)
        .join(Township, SurveyFramePSU.township_id == Township.id)
        .join(SurveyHousehold, SurveyCase.household_id == SurveyHousehold.id)
        .outerjoin(SurveyInterview, SurveyInterview.case_id == SurveyCase.id)
        .outerjoin(SurveyForm, SurveyInterview.form_id == SurveyForm.id)
        .where(SurveyCase.wave_id == wave.id).order_by(SurveyCase.id))
    wanted = None if case_ids is None else set(case_ids)
    accepted = {case.id for case in accepted_complete_cases(wave)}
    rows = []
    for case, pi1, pi2, psu, psu_urban_rural, stratum, interview, form_code in (
            db.session.execute(query)):
        if wanted is not None and case.id not in wanted:
            continue
        household_weight = 1.0 / (pi1 * pi2)
        respondent = case.id in accepted
        row: dict[str, object] = {
            "case_id": case.id, "stratum": stratum, "psu": psu,
            "psu_urban_rural": psu_urban_rural, "pi1": pi1, "pi2": pi2,
            "household_weight": household_weight,
            "eligibility": eligibility(case.disposition), "respondent": int(respondent)}
        if respondent:
            row.update(_respondent_columns(case, interview, form_code, stratum,
                                           household_weight))
        rows.append({column: row.get(column, "") for column in weighting.CASE_COLUMNS})
    return rows


def cases_file(wave: SurveyWave, case_ids: Iterable[int] | None = None) -> bytes:
    """The canonical bytes of the cases file (what a run hashes and the CLI reads)."""
    return weighting.cases_csv(case_rows(wave, case_ids))


def margins_choices() -> list[tuple[str, str, bool]]:
    """The shipped margins versions as (name, sha256, has placeholders), by name."""
    return [(v.name, v.sha256, bool(v.placeholders)) for v in margins_versions.list_versions()]


def load_margins(name: str | None, sha256: str | None = None):
    """The margins version ``name`` (None for no raking), checked against a stored sha256."""
    if not name:
        return None
    known = {v.name: v for v in margins_versions.list_versions()}
    version = known.get(name)
    if version is None:
        raise RunRefused(_("Unknown margins version."))
    if sha256 is not None and version.sha256 != sha256:
        raise RunRefused(_("The margins file %(name)s has changed since this run (its "
                           "fingerprint differs); the run cannot be repeated with it.",
                           name=name))
    return version


def _weigh(cases_bytes: bytes, margins, settings: weighting.WeightingSettings):
    """(case table, result) or :class:`RunRefused` with the reason in the page's language."""
    try:
        table = weighting.read_cases(cases_bytes)
        return table, weighting.weight_cases(table, margins, settings)
    except PlaceholderMarginsError:
        raise RunRefused(_(
            "These margins hold placeholder figures (stand-ins, not census totals). Tick "
            "“use placeholder margins” to weight with them anyway; every page and file of the "
            "run will then say so.")) from None
    except surveys.TrimmingNotConverged as error:
        raise TrimmingRefused(_(
            "Trimming to %(lower)s–%(upper)s × the mean weight and raking to the margins cannot "
            "both be met with %(n)s respondents: their raked weights run from %(min)s to "
            "%(max)s × the mean. Widen the bounds (a lower bound nearer %(min)s, an upper "
            "bound nearer %(max)s), untick trimming, or weight without margins.",
            lower=_bound(error.lower), upper=_bound(error.upper), n=error.respondents,
            min=f"{error.raked_min:.2f}", max=f"{error.raked_max:.2f}")) from None
    except (SurveyError, surveys.SurveyInputError, ValueError) as error:
        raise RunRefused(_("The weighting was refused: %(reason)s", reason=str(error))) from None


def _bound(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _check_rakes_every_margin(margins, settings: weighting.WeightingSettings) -> None:
    """A stored run rakes to every variable of its margins version: its estimate runs rake
    the final weights to the whole margins file again (for the calibrated SE, as
    ``python -m analysis estimate --rake FILE`` does) and the export re-rakes every replicate
    to it, so weights raked to fewer variables would be moved, and the page would no longer
    show the weighting's figures."""
    chosen = settings.rake_variables
    if margins is None or chosen is None or set(chosen) == set(margins.totals()):
        return
    raise RunRefused(_("A stored run rakes to every variable of its margins version "
                       "(%(variables)s): its estimates and replicate weights are raked to the "
                       "whole file.", variables=", ".join(margins.totals())))


def run_weighting(wave: SurveyWave, margins_name: str | None,
                  settings: weighting.WeightingSettings,
                  user_id: int | None) -> SurveyWeightingRun:
    """Weight the wave's cases as they stand and store the run.

    Refused (:class:`RunRefused`) before fieldwork, when no case is accepted yet, for an
    unknown margins version, for placeholder margins without the override, and for anything
    ``surveys.weight_cases`` refuses."""
    if wave.status == "design":
        raise RunRefused(_("Weighting needs fieldwork: the wave is still being designed."))
    margins = load_margins(margins_name)
    _check_rakes_every_margin(margins, settings)
    rows = case_rows(wave)
    if not any(row["respondent"] == 1 for row in rows):
        raise RunRefused(_("No interview of this wave is complete and accepted yet: there is "
                           "nobody to weight."))
    cases_bytes = weighting.cases_csv(rows)
    _table, result = _weigh(cases_bytes, margins, settings)
    run = SurveyWeightingRun(
        wave_id=wave.id, margins_name=None if margins is None else margins.name,
        margins_sha256=None if margins is None else margins.sha256,
        settings=settings.to_dict(), case_ids=[row["case_id"] for row in rows],
        input_sha256=provenance.sha256_bytes(cases_bytes),
        code_version=provenance.code_version(), result=result.to_dict(),
        created_by_id=user_id)
    db.session.add(run)
    db.session.commit()
    return run


def list_runs(wave: SurveyWave) -> list[SurveyWeightingRun]:
    """The wave's weighting runs, newest first."""
    return list(db.session.scalars(
        select(SurveyWeightingRun).where(SurveyWeightingRun.wave_id == wave.id)
        .order_by(SurveyWeightingRun.id.desc())))


def get_run(wave: SurveyWave, run_id: int) -> SurveyWeightingRun | None:
    """The weighting run if it belongs to the wave."""
    run = db.session.get(SurveyWeightingRun, run_id)
    return run if run is not None and run.wave_id == wave.id else None


def result_of(run: SurveyWeightingRun) -> weighting.WeightingResult:
    """The stored result as the ``surveys`` object."""
    return weighting.WeightingResult.from_dict(run.result)


def settings_of(run: SurveyWeightingRun) -> weighting.WeightingSettings:
    return weighting.WeightingSettings.from_dict(run.settings)


def stored_cases(run: SurveyWeightingRun) -> bytes:
    """The run's cases file, rebuilt from the database for its stored case ids; refused when
    its sha256 is no longer the stored one (a review decision, a disposition or a score has
    changed since the run)."""
    wave = db.session.get(SurveyWave, run.wave_id)
    data = cases_file(wave, run.case_ids)
    if provenance.sha256_bytes(data) != run.input_sha256:
        raise RunRefused(_("The cases of this run have changed since it was made (a review "
                           "decision, disposition or score differs): its input file can no "
                           "longer be rebuilt. Make a new weighting run."))
    return data


def weighted_file(run: SurveyWeightingRun) -> bytes:
    """The run's weighted.csv (respondents with their weights), from the stored result and
    the rebuilt cases file."""
    table = weighting.read_cases(stored_cases(run))
    return weighting.weighted_csv(result_of(run), table)


def reweigh(run: SurveyWeightingRun) -> tuple[bytes, weighting.WeightingResult]:
    """Weight the run's rebuilt cases file again with its stored margins and settings:
    (cases bytes, fresh result).  Refused when the input or the margins file changed."""
    cases_bytes = stored_cases(run)
    margins = load_margins(run.margins_name, run.margins_sha256)
    _table, result = _weigh(cases_bytes, margins, settings_of(run))
    return cases_bytes, result


def cli_command(run: SurveyWeightingRun, cases_name: str = "cases.csv",
                out_name: str = "weighted.csv") -> str:
    """The equivalent ``python -m surveys weight ...`` command of the run."""
    settings = run.settings
    parts = ["python -m surveys weight", cases_name]
    if run.margins_name:
        parts += ["--margins", run.margins_name]
    if settings.get("allow_placeholder_margins"):
        parts.append("--allow-placeholder-margins")
    parts += ["--min-class", str(settings.get("min_class_respondents")),
              "--classes", ",".join(settings.get("class_variables") or ())]
    lower, upper = settings.get("trim_lower"), settings.get("trim_upper")
    if lower is None and upper is None:
        parts.append("--no-trim")
    else:
        parts += ["--trim-lower", "none" if lower is None else repr(float(lower)),
                  "--trim-upper", "none" if upper is None else repr(float(upper))]
    if settings.get("rake_variables"):
        parts += ["--rake-variables", ",".join(settings["rake_variables"])]
    parts += ["--out", out_name]
    return " ".join(parts)
