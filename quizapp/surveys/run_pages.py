"""What the weighting and estimate pages show, built from the stored runs: labels for every
code (no raw code on screen), the domain tables with their small-cell flags, the verdict, the
bar of the interval against the goal, and the placeholder override."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import SurveyEstimateRun, SurveyWave, SurveyWeightingRun, Township, User
from quizapp.shared.labels import (
    SURVEY_VARIABLE_CODES,
    VERDICTS,  # noqa: F401 - the estimate page reads run_pages.VERDICTS
)
from quizapp.surveys import estimate_runs, labels, weighting_runs

BREAKDOWN_LABELS = {
    "group": _l("Target group"), "township": _l("Township"), "sex": _l("Sex"),
    "age_band": _l("Age band"), "urban_rural": _l("Urban/rural"), "education": _l("Education"),
}
BREAKDOWN_ENUMS = SURVEY_VARIABLE_CODES
SCORE_LABELS = {
    "total": _l("Total score (0–100)"), "score_K": _l("Scientific knowledge (K)"),
    "score_M": _l("Scientific methods (M)"), "score_S": _l("Science, technology and society (S)"),
    "score_A": _l("Attitudes to science (A)"),
}
STEP_LABELS = {"base": _l("Base weights"), "nonresponse": _l("After the non-response adjustment"),
               "raked": _l("After raking"), "trimmed": _l("After trimming (final)")}
MARGIN_VARIABLE_LABELS = {**BREAKDOWN_LABELS, "sex_age_band": _l("Sex × age band")}
RUN_STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"),
                     "superseded": _l("Superseded")}
FLAG_LABELS = {"small_n": _l("fewer than %(n)s respondents"),
               "high_cv": _l("coefficient of variation above %(cv)s%%")}


def township_names() -> dict[str, str]:
    """Township code -> name (the stratum and township columns hold codes)."""
    return dict(db.session.execute(
        select(Township.code, Township.name).order_by(Township.id)).all())


def level_label(breakdown: str, code: str, townships: dict[str, str]) -> str:
    """A domain's name in the page's language (a township by its name)."""
    if breakdown == "township":
        return townships.get(code, code)
    if breakdown == "sex_age_band" and "_" in code:
        sex, band = code.split("_", 1)
        return f"{labels.sex(sex)} {band}"
    enum = BREAKDOWN_ENUMS.get(breakdown)
    return code if enum is None else labels.code_label(enum, code)


def class_label(cls: str, townships: dict[str, str]) -> str:
    """A weighting class (``longhu:urban``, ``longhu``, ``urban``) in words; a merged class's
    values joined by ``+`` (``chengguan+gangli:urban``) each named."""
    def value(part: str) -> str:
        return "＋".join(townships.get(one, labels.urban_rural(one) if one in (
            "urban", "rural") else one) for one in part.split("+"))
    return " · ".join(value(part) for part in cls.split(":"))


def placeholder_labels(placeholders) -> str:
    """The placeholder margins (``sex=male`` ...) in words: ``性别：男, 城乡：城镇``."""
    shown = []
    for item in placeholders:
        variable, _sep, level = str(item).partition("=")
        townships = township_names() if variable == "township" else {}
        shown.append(str(_l("%(variable)s: %(value)s")) % {
            "variable": MARGIN_VARIABLE_LABELS.get(variable, variable),
            "value": level_label(variable, level, townships)})
    return ", ".join(shown)


def margin_groups(margins) -> list[tuple[str, list]]:
    """The margins check rows grouped by variable, in the order the run raked them."""
    groups: dict[str, list] = {}
    for m in margins:
        groups.setdefault(m.variable, []).append(m)
    return list(groups.items())


def user_names(*ids: int | None) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {uid: display or username for uid, display, username in db.session.execute(
        select(User.id, User.display_name, User.username).where(User.id.in_(wanted)))}


@dataclass(frozen=True)
class WeightingPage:
    wave: SurveyWave
    run: SurveyWeightingRun
    result: object  # surveys.WeightingResult
    townships: dict[str, str]
    command: str
    estimates: list[SurveyEstimateRun]
    respondents: int
    cases: int


def weighting_page(wave: SurveyWave, run: SurveyWeightingRun) -> WeightingPage:
    result = weighting_runs.result_of(run)
    return WeightingPage(wave=wave, run=run, result=result, townships=township_names(),
                         command=weighting_runs.cli_command(run),
                         estimates=estimate_runs.runs_of(run),
                         respondents=len(result.case_ids), cases=len(run.case_ids))


@dataclass(frozen=True)
class DomainRow:
    level: str
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    flag: str | None  # why the row is flagged (and suppressed on anything public), or None


@dataclass(frozen=True)
class EstimatePage:
    wave: SurveyWave
    run: SurveyEstimateRun
    weighting_run: SurveyWeightingRun
    result: object  # surveys.EstimateResult
    headline: dict
    placeholders: tuple[str, ...]
    domains: dict[str, dict[str, list[DomainRow]]]  # report key -> breakdown -> rows
    interim: bool
    publisher: str
    bar: dict


def domain_order(breakdown: str, codes: list[str], townships: dict[str, str]) -> list[str]:
    """``codes`` in the order pages list them: a category's label-table order (education from
    the lowest level up, age bands ascending, target groups in the plan's order), townships
    in the order of the township list; anything unknown last, by its text."""
    enum = BREAKDOWN_ENUMS.get(breakdown)
    known = ([e.value for e in enum] if enum is not None
             else list(townships) if breakdown == "township" else [])
    rank = {code: i for i, code in enumerate(known)}
    return sorted(codes, key=lambda code: (rank.get(code, len(rank)), code))


def flag_text(flag: str | None, settings) -> str | None:
    """A domain flag code in words (None when the domain is not flagged)."""
    if flag is None:
        return None
    return str(FLAG_LABELS[flag]) % {"n": settings.min_n, "cv": f"{100 * settings.max_cv:g}"}


def _domains(result, townships: dict[str, str], public: bool
             ) -> dict[str, dict[str, list[DomainRow]]]:
    out: dict[str, dict[str, list[DomainRow]]] = {}
    for key, report in result.reports.items():
        flags = result.flags(key)
        tables: dict[str, list[DomainRow]] = {}
        for breakdown in report.by:
            rows = []
            by_code = {row.level: row for row in breakdown.rows}
            for code in domain_order(breakdown.key, list(by_code), townships):
                row = by_code[code]
                flag = flags[(breakdown.key, row.level)]
                hide = public and flag is not None
                rows.append(DomainRow(
                    level=level_label(breakdown.key, row.level, townships),
                    estimate=None if hide else row.estimate, se=None if hide else row.se,
                    ci_low=None if hide else row.ci_low, ci_high=None if hide else row.ci_high,
                    n=row.n, flag=flag_text(flag, result.settings)))
            tables[breakdown.key] = rows
        out[key] = tables
    return out


def interval_bar(report: dict) -> dict:
    """Positions (0-100, on a scale from 0 to a round share above the interval and the
    goal) of the interval, the estimate and the goal, for the page's SVG bar."""
    top = max(x for x in (report.get("ci_high"), report.get("goal"), report.get("estimate"),
                          0.1) if x is not None)
    scale = min(1.0, (int(top * 10) + 1) / 10)

    def at(x: float | None) -> float | None:
        return None if x is None else round(100 * min(max(x / scale, 0.0), 1.0), 3)

    return {"scale": scale, "low": at(report.get("ci_low")), "high": at(report.get("ci_high")),
            "estimate": at(report.get("estimate")), "goal": at(report.get("goal"))}


def estimate_page(wave: SurveyWave, run: SurveyEstimateRun, public: bool = False
                  ) -> EstimatePage:
    """The estimate run page; ``public``: flagged domain figures left out (what may be handed
    out), the headline too when it is itself flagged."""
    result = estimate_runs.result_of(run)
    weighting_run = db.session.get(SurveyWeightingRun, run.weighting_run_id)
    headline = (result.public()["reports"]["meets"] if public
                else result.headline.to_dict())
    placeholders = tuple(weighting_runs.result_of(weighting_run).placeholder_margins)
    return EstimatePage(
        wave=wave, run=run, weighting_run=weighting_run, result=result, headline=headline,
        placeholders=placeholders, domains=_domains(result, township_names(), public),
        interim=run.wave_status != "closed",
        publisher=user_names(run.published_by_id).get(run.published_by_id, ""),
        bar=interval_bar(headline))


def run_choice_label(run: SurveyEstimateRun) -> str:
    """A run in the comparison page's lists: wave, number, status and share."""
    share = (run.result.get("reports", {}).get("meets", {}) or {}).get("estimate")
    shown = "—" if share is None else f"{100 * share:.1f}%"
    return f"{estimate_runs.run_label(run)} · {RUN_STATUS_LABELS[run.status]} · {shown}"
