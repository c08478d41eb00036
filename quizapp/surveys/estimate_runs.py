"""Estimate runs: a weighting run's weighted file through ``surveys.estimate_wave``, stored,
published, re-run, compared between waves.

Every figure is ``analysis``'s (through ``surveys.estimation``); this module only feeds it the
weighted file of a stored weighting run and stores what comes back, with the sha256 of that
file, the code version and the wave's status at the time (an estimate made during fieldwork is
*interim*).

Publication: a statistician publishes a draft run; the wave's earlier published run becomes
*superseded* (``superseded_by_id``).  Published and superseded runs are never changed otherwise
(the models refuse it, :class:`quizapp.models.surveys.PublishedRunChanged`).

Re-running (:func:`rerun`) rebuilds the cases file from the database for the stored case ids,
checks its sha256 against the stored one, weights it again with the stored margins version
(checked by its sha256) and settings, estimates again and compares every stored figure with
the new one, exactly.
"""

from __future__ import annotations

import dataclasses
import json
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

import surveys
from analysis.errors import SurveyError
from quizapp.engine import clock
from quizapp.extensions import db
from quizapp.models import SurveyEstimateRun, SurveyWave, SurveyWeightingRun
from quizapp.surveys.weighting_runs import (
    RunRefused,
    load_margins,
    reweigh,
    settings_of,
    weighted_file,
)
from surveys import estimation, provenance, weighting

DATA_NAME = "weighted.csv"  # the file name the stored commands show


def margins_path_shown(name: str | None) -> str | None:
    """The margins file as a command run from a checkout of the project names it."""
    return None if not name else f"surveys/margins/{name}.csv"


def _estimate(weighted_bytes: bytes, margins, settings: estimation.EstimateSettings
              ) -> estimation.EstimateResult:
    with tempfile.TemporaryDirectory(prefix="kexue-estimate-") as folder:
        path = Path(folder) / DATA_NAME
        path.write_bytes(weighted_bytes)
        try:
            return estimation.estimate_wave(
                path, margins, settings, data_name=DATA_NAME,
                margins_name=margins_path_shown(None if margins is None else margins.name))
        except (SurveyError, surveys.SurveyInputError, ValueError) as error:
            raise RunRefused(_("The estimate was refused: %(reason)s",
                               reason=str(error))) from None


def _settings_for(weighting_run: SurveyWeightingRun, settings: estimation.EstimateSettings
                  ) -> estimation.EstimateSettings:
    """The estimate follows the weighting run's placeholder override: margins the weighting
    was allowed to use are allowed again when the estimate rakes to them for its SE."""
    allowed = settings_of(weighting_run).allow_placeholder_margins
    return dataclasses.replace(settings, allow_placeholder_margins=allowed)


def run_estimate(weighting_run: SurveyWeightingRun, settings: estimation.EstimateSettings,
                 user_id: int | None) -> SurveyEstimateRun:
    """Estimate on the weighting run's weighted file and store the run as a draft."""
    wave = db.session.get(SurveyWave, weighting_run.wave_id)
    data = weighted_file(weighting_run)
    margins = load_margins(weighting_run.margins_name, weighting_run.margins_sha256)
    settings = _settings_for(weighting_run, settings)
    result = _estimate(data, margins, settings)
    run = SurveyEstimateRun(
        wave_id=wave.id, weighting_run_id=weighting_run.id, settings=settings.to_dict(),
        input_sha256=provenance.sha256_bytes(data), code_version=provenance.code_version(),
        result=_json_ready(result.to_dict()), status="draft", wave_status=wave.status,
        created_by_id=user_id)
    db.session.add(run)
    db.session.commit()
    return run


def _json_ready(data: dict) -> dict:
    """What the JSON column gives back: tuples as lists, so a stored result compares equal."""
    return json.loads(json.dumps(data, ensure_ascii=False, allow_nan=False))


def result_of(run: SurveyEstimateRun) -> estimation.EstimateResult:
    return estimation.EstimateResult.from_dict(run.result)


def list_runs(wave: SurveyWave) -> list[SurveyEstimateRun]:
    """The wave's estimate runs, newest first."""
    return list(db.session.scalars(
        select(SurveyEstimateRun).where(SurveyEstimateRun.wave_id == wave.id)
        .order_by(SurveyEstimateRun.id.desc())))


def runs_of(weighting_run: SurveyWeightingRun) -> list[SurveyEstimateRun]:
    return list(db.session.scalars(
        select(SurveyEstimateRun).where(SurveyEstimateRun.weighting_run_id == weighting_run.id)
        .order_by(SurveyEstimateRun.id.desc())))


def get_run(wave: SurveyWave, run_id: int) -> SurveyEstimateRun | None:
    """The estimate run if it belongs to the wave."""
    run = db.session.get(SurveyEstimateRun, run_id)
    return run if run is not None and run.wave_id == wave.id else None


def find_run(run_id: int) -> SurveyEstimateRun | None:
    """Any wave's estimate run by id (the comparison page picks runs of two waves)."""
    return db.session.get(SurveyEstimateRun, run_id)


def publish(run: SurveyEstimateRun, user_id: int | None) -> SurveyEstimateRun:
    """Publish a draft run; the wave's published run, if any, becomes superseded by it.
    Refused for a run that is already published or superseded."""
    wave = db.session.scalar(
        select(SurveyWave).where(SurveyWave.id == run.wave_id).with_for_update())
    db.session.refresh(run)
    if run.status != "draft":
        raise RunRefused(_("This run is already published or superseded; only a draft can be "
                           "published."))
    run.status = "published"
    run.published_at = clock.now()
    run.published_by_id = user_id
    db.session.flush()
    for older in db.session.scalars(select(SurveyEstimateRun).where(
            SurveyEstimateRun.wave_id == wave.id, SurveyEstimateRun.status == "published",
            SurveyEstimateRun.id != run.id)):
        older.status = "superseded"
        older.superseded_by_id = run.id
    db.session.commit()
    return run


def published_runs() -> list[SurveyEstimateRun]:
    """The published run of every wave, by the wave's year."""
    return list(db.session.scalars(
        select(SurveyEstimateRun).join(SurveyWave, SurveyEstimateRun.wave_id == SurveyWave.id)
        .where(SurveyEstimateRun.status == "published")
        .order_by(SurveyWave.year, SurveyWave.id, SurveyEstimateRun.id)))


def all_runs() -> list[SurveyEstimateRun]:
    """Every estimate run of every wave (for picking two to compare), newest wave first."""
    return list(db.session.scalars(
        select(SurveyEstimateRun).join(SurveyWave, SurveyEstimateRun.wave_id == SurveyWave.id)
        .order_by(SurveyWave.year.desc(), SurveyWave.id.desc(), SurveyEstimateRun.id.desc())))


def run_label(run: SurveyEstimateRun) -> str:
    """How a run is named in comparisons and the trend: its wave's name and its number."""
    wave = db.session.get(SurveyWave, run.wave_id)
    return f"{wave.name} #{run.id}"


def compare_runs(a: SurveyEstimateRun, b: SurveyEstimateRun) -> estimation.WaveComparison:
    """The headline share of ``a`` minus that of ``b`` (independent samples).  Refused for
    two runs of one wave: they share their respondents, so the independent-samples SE
    sqrt(se_a² + se_b²) would be wrong (two runs of one wave differ only by their settings)."""
    if a.wave_id == b.wave_id:
        raise RunRefused(_("Both runs belong to the same wave. The comparison is between "
                           "waves (independent samples): pick runs of two different waves."))
    try:
        return estimation.compare(result_of(a), result_of(b), label_a=run_label(a),
                                  label_b=run_label(b))
    except (SurveyError, surveys.SurveyInputError, ValueError) as error:
        raise RunRefused(_("The comparison was refused: %(reason)s",
                           reason=str(error))) from None


def trend_rows() -> list[tuple[SurveyEstimateRun, SurveyWave, estimation.TrendRow]]:
    """The published runs by wave year, each with its wave and its difference to the previous
    one."""
    runs = published_runs()
    rows = estimation.trend([(run_label(run), result_of(run)) for run in runs])
    return [(run, db.session.get(SurveyWave, run.wave_id), row)
            for run, row in zip(runs, rows, strict=True)]


# --- re-running a stored run --------------------------------------------------------------------

@dataclass(frozen=True)
class RerunCheck:
    """What re-running a stored run found: ``identical`` when the rebuilt input has the stored
    sha256 and every figure of the weighting and the estimate is exactly the stored one;
    otherwise ``differences`` lists each figure that differs (its path, stored, new) or
    ``refused`` says why the run could not be repeated."""

    identical: bool
    differences: tuple[tuple[str, object, object], ...] = ()
    refused: str | None = None
    input_sha256: str | None = None
    code_version_then: str | None = None
    code_version_now: str | None = None


def differences(stored: object, fresh: object, path: str = "") -> list[tuple[str, object, object]]:
    """Every leaf where two JSON-like values differ (exact comparison; NaN equals NaN)."""
    if isinstance(stored, dict) and isinstance(fresh, dict):
        found = []
        for key in sorted(set(stored) | set(fresh), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in stored or key not in fresh:
                found.append((sub, stored.get(key), fresh.get(key)))
            else:
                found.extend(differences(stored[key], fresh[key], sub))
        return found
    if isinstance(stored, list) and isinstance(fresh, list):
        if len(stored) != len(fresh):
            return [(f"{path} (length)", len(stored), len(fresh))]
        found = []
        for k, (a, b) in enumerate(zip(stored, fresh, strict=True)):
            found.extend(differences(a, b, f"{path}[{k}]"))
        return found
    same = stored == fresh and type(stored) is type(fresh) or (
        isinstance(stored, float) and isinstance(fresh, float)
        and math.isnan(stored) and math.isnan(fresh))
    return [] if same else [(path, stored, fresh)]


def rerun(run: SurveyEstimateRun) -> RerunCheck:
    """Recompute ``run`` from its stored inputs and compare every figure (see the module
    docstring).  Never changes the stored run."""
    weighting_run = db.session.get(SurveyWeightingRun, run.weighting_run_id)
    now = provenance.code_version()
    try:
        cases_bytes, fresh_weights = reweigh(weighting_run)
        found = [(f"weighting.{p}", a, b) for p, a, b in differences(
            weighting_run.result, _json_ready(fresh_weights.to_dict()))]
        data = weighting.weighted_csv(fresh_weights, weighting.read_cases(cases_bytes))
        digest = provenance.sha256_bytes(data)
        if digest != run.input_sha256:
            found.append(("weighted.csv sha256", run.input_sha256, digest))
        margins = load_margins(weighting_run.margins_name, weighting_run.margins_sha256)
        settings = estimation.EstimateSettings.from_dict(run.settings)
        fresh = _estimate(data, margins, settings)
        found += [(f"estimate.{p}", a, b) for p, a, b in differences(
            run.result, _json_ready(fresh.to_dict()))]
    except RunRefused as error:
        return RerunCheck(False, refused=str(error), code_version_then=run.code_version,
                          code_version_now=now)
    return RerunCheck(not found, tuple(found), input_sha256=weighting_run.input_sha256,
                      code_version_then=run.code_version, code_version_now=now)
