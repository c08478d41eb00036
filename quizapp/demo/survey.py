"""The demo survey wave: "2026 年度公民科学素质调查（演示）".

A MADE-UP sampling frame for Xinzheng's 17 townships (every village and community name ends in
"（虚构）" and the wave is flagged ``simulated``: no figure here describes a real place), the two
parallel forms from the survey-reserved questions, an allocation fixed and a sample drawn with
a fixed seed; then fieldwork starts, the PSUs go to the demo interviewers, each worked PSU gets
its household listing (selected households become cases) and SIMULATED fieldwork
(:mod:`quizapp.demo.fieldwork`: visits, rosters, several thousand interviews).

Everything goes through the same service functions the pages and the interviewer's phone
call.  Idempotent and resumable: each step is skipped when its result is already there.
``DEMO_SURVEY_LISTED_PSUS`` limits how many sampled PSUs are listed and worked (tests keep it
small), taken in :func:`fieldwork.work_order`.
"""

from __future__ import annotations

import random
from datetime import date

from flask import current_app

import surveys
from quizapp.demo import fieldwork
from quizapp.extensions import db
from quizapp.models import SurveySampledPSU, SurveyWave
from quizapp.reference_data import XINZHENG_TOWNSHIPS
from quizapp.spreadsheets import csv_bytes
from quizapp.surveys import design, services

DEMO_WAVE_NAME = "2026 年度公民科学素质调查（演示）"
DEMO_SEED = 20260601
DEMO_DESIGN = surveys.DesignSpec(interviews=3000, take=15,
                                 method=surveys.AllocationMethod.POWER, power=0.5, min_psus=4)
MADE_UP = "（虚构）"
_VILLAGE_WORDS = "张王李刘赵杨陈黄周吴孙马朱胡郭何高林罗宋梁韩唐冯董"
_VILLAGE_ENDINGS = ("庄村", "寨村", "楼村", "岗村", "店村", "湾村", "营村", "集村")
_COMMUNITY_WORDS = ("和平", "幸福", "阳光", "振兴", "文化", "育才", "新华", "青年", "锦绣",
                    "金城", "康宁", "紫荆", "花园", "长兴", "兴业", "春晖")


def demo_frame_csv(seed: int = DEMO_SEED) -> bytes:
    """The made-up frame as a CSV file, as a statistician would upload it: subdistricts have
    urban communities, towns and townships mostly rural villages with a few communities."""
    rng = random.Random(seed)
    rows = []
    for number, (_code, name, kind, _airport) in enumerate(XINZHENG_TOWNSHIPS, start=1):
        count = rng.randint(24, 34) if kind == "subdistrict" else rng.randint(20, 32)
        used: set[str] = set()
        for k in range(1, count + 1):
            urban = kind == "subdistrict" or rng.random() < 0.15
            base = (rng.choice(_COMMUNITY_WORDS) + "社区" if urban else
                    rng.choice(_VILLAGE_WORDS) + rng.choice(_VILLAGE_ENDINGS))
            if base in used:  # a second 和平社区 becomes 和平二社区 ... (names stay unique)
                base = f"{base[:-2]}{k}{base[-2:]}"
            used.add(base)
            households = rng.randint(350, 1400) if urban else rng.randint(150, 700)
            adults = round(households * rng.uniform(1.9, 2.4))
            rows.append([name, f"{number:02d}{k:03d}", base + MADE_UP,
                         "urban" if urban else "rural", adults, households])
    return csv_bytes(["township", "psu", "name", "urban_rural", "size", "households"], rows)


def load_demo_survey(listed_psus: int | None = None) -> SurveyWave | None:
    """Add whatever of the demo wave is missing; None when the question bank has too few
    survey-reserved questions (no bank loaded)."""
    if listed_psus is None:
        listed_psus = current_app.config.get("DEMO_SURVEY_LISTED_PSUS")
    wave = prepare_wave(services.WaveSettings(
        name=DEMO_WAVE_NAME, year=2026, reference_date=date(2026, 6, 1),
        instrument_version="2026.1", target_sample_size=DEMO_DESIGN.interviews,
        selection_method="kish", seed=DEMO_SEED, simulated=True), DEMO_DESIGN)
    if wave is not None and wave.status == "fieldwork":
        work_wave(wave, listed_psus, fieldwork.CURRENT)
    return wave


def prepare_wave(settings: services.WaveSettings, spec: surveys.DesignSpec
                 ) -> SurveyWave | None:
    """The demo wave named in ``settings``, created, designed on the made-up frame, drawn and
    in fieldwork (each step skipped when done); None when the question bank has too few
    survey-reserved questions."""
    wave = services.wave_by_name(settings.name)
    if wave is None:
        if len(services.reserved_pool()) < 90:
            return None
        wave = services.create_wave(settings)
    if wave.status == "design":
        if len(wave.forms) != 2:
            services.assemble_forms(wave)
        if not wave.frame_psus:
            design.import_frame(wave, demo_frame_csv(), "xinzheng-frame-made-up.csv")
        if wave.design is None:
            design.fix_design(wave, spec)
        if not design.has_sample(wave):
            design.draw_sample(wave)
    if wave.status == "design":
        services.start_fieldwork(wave)
    return wave


def work_wave(wave: SurveyWave, listed_psus: int | None, season: fieldwork.Season) -> None:
    """List the households of the first ``listed_psus`` PSUs in work order (None: all) and
    simulate their fieldwork (:mod:`quizapp.demo.fieldwork`); resumes where a run stopped."""
    works = fieldwork.plan_work(design.sampled_psus(wave), listed_psus, season)
    for work in works:
        psu = db.session.get(SurveySampledPSU, work.psu_id)
        if psu.listed_at is None:
            rng = random.Random(f"{wave.seed}:{work.code}")
            lines = [f"{rng.randint(1, 12)}组{k}号" for k in range(1, work.households + 1)]
            design.list_households(wave, psu, lines)
    fieldwork.work_psus(wave, works, season)
