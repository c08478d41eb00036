"""The survey services on the real database: forms from reserved items only, the frame import,
the allocation preview, the draw, households, cases and base weights."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import surveys
from quizapp.extensions import db
from quizapp.models import (
    SurveyCase,
    SurveyFramePSU,
    SurveyHousehold,
    SurveySampledPSU,
)
from quizapp.surveys import design, services
from tests.surveys_web.conftest import FRAME_CSV

SPEC = surveys.DesignSpec(interviews=20, take=5, method="power", power=0.5, min_psus=2)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- forms -----------------------------------------------------------------------------------

def test_the_forms_hold_only_active_survey_reserved_versions(pool, make_wave):
    wave = make_wave()
    services.assemble_forms(wave)
    reserved_ids = {v.id for v in pool["reserved"]}
    forms = {form.code: form for form in wave.forms}
    assert sorted(forms) == ["A", "B"]
    for form in forms.values():
        ids = [item.question_version_id for item in form.items]
        assert len(ids) == 50 and len(set(ids)) == 50
        assert set(ids) <= reserved_ids
        dimensions = [item.question_version.dimension for item in form.items]
        assert {d: dimensions.count(d) for d in "KMSA"} == {"K": 20, "M": 10, "S": 10, "A": 10}
        assert [item.position for item in form.items] == list(range(50))
    anchors_a = {i.question_version_id for i in forms["A"].items if i.anchor}
    anchors_b = {i.question_version_id for i in forms["B"].items if i.anchor}
    assert len(anchors_a) == 10 and anchors_a == anchors_b
    shared = ({i.question_version_id for i in forms["A"].items}
              & {i.question_version_id for i in forms["B"].items})
    assert shared == anchors_a
    assert pool["draft"].id not in reserved_ids


def test_the_comparison_table_has_a_row_per_form_and_dimension(pool, make_wave):
    wave = make_wave()
    services.assemble_forms(wave)
    rows = services.form_comparison(wave)
    assert [(r.form, r.dimension) for r in rows] == [
        ("A", "K"), ("A", "M"), ("A", "S"), ("A", "A"), ("A", None),
        ("B", "K"), ("B", "M"), ("B", "S"), ("B", "A"), ("B", None)]
    assert [(r.items, r.anchors) for r in rows[:5]] == [(20, 4), (10, 2), (10, 2), (10, 2),
                                                        (50, 10)]
    by = {(r.form, r.dimension): r.mean_difficulty for r in rows}
    # The pool mixes difficulties 1, 2, 3 evenly: the search balances the two forms exactly.
    assert by[("A", None)] == by[("B", None)]


def test_the_same_seed_assembles_the_same_forms(pool, make_wave):
    first, second = make_wave("one", seed=7), make_wave("two", seed=7)
    services.assemble_forms(first)
    services.assemble_forms(second)

    def items(wave):
        return [[(i.question_version_id, i.anchor) for i in f.items] for f in wave.forms]

    assert items(first) == items(second)


def test_a_pool_too_small_is_refused_naming_the_dimension(app, make_wave):
    from tests.surveys_web.conftest import make_question

    for k in range(10):
        make_question(f"s-{k}", "K", 1, reserved=True)
    db.session.commit()
    with pytest.raises(services.WaveRefused, match="36"):
        services.assemble_forms(make_wave())


def test_practice_and_competition_pools_never_return_reserved_items(pool):
    from quizapp.models import Question
    from quizapp.questions_pool import as_candidates, drawable_versions

    reserved = set(db.session.scalars(
        select(Question.current_version_id).where(Question.survey_reserved.is_(True))))
    ordinary = {v.id for v in pool["ordinary"]}
    for groups in (None, [], ["youth"], ["farmer", "worker"]):
        drawn = {v.id for v in drawable_versions(groups)}
        assert drawn & reserved == set()
    assert {v.id for v in drawable_versions()} == ordinary
    assert {c.version_id for c in as_candidates(drawable_versions())} & reserved == set()


# --- frame -----------------------------------------------------------------------------------

def test_a_frame_is_imported_with_townships_by_name_or_code(townships, make_wave):
    wave = make_wave()
    assert design.import_frame(wave, FRAME_CSV, "frame.csv") == 9
    rows = db.session.scalars(select(SurveyFramePSU).order_by(SurveyFramePSU.position)).all()
    assert [(r.township.code, r.code, r.urban_rural) for r in rows[:5]] == [
        ("longhu", "L1", "urban"), ("longhu", "L2", "urban"), ("longhu", "L3", "urban"),
        ("longhu", "L4", "urban"), ("xincun", "X1", "rural")]
    assert rows[7].urban_rural == "rural" and rows[7].size == 450.0  # NBS code 210


def test_a_bad_frame_is_refused_whole_with_rows_and_columns(townships, make_wave):
    wave = make_wave()
    design.import_frame(wave, FRAME_CSV, "frame.csv")
    bad = ("township,psu,name,urban_rural,size,households\n"
           "龙湖街道,L1,甲社区,urban,600,300\n"
           "火星镇,M1,x,urban,10,5\n"
           "xincun,X1,一村,rural,-3,80\n"
           "xincun,X2,二村,sea,250,1.5\n").encode()
    with pytest.raises(surveys.FrameError) as caught:
        design.import_frame(wave, bad, "frame.csv")
    assert [(i.row, i.column) for i in caught.value.issues] == [
        (3, "township"), (4, "size"), (5, "urban_rural"), (5, "households")]
    db.session.rollback()
    assert _count(SurveyFramePSU) == 9  # the earlier frame is kept, nothing partial


def test_the_frame_cannot_change_once_a_sample_is_drawn(townships, make_wave):
    wave = make_wave()
    design.import_frame(wave, FRAME_CSV, "frame.csv")
    design.fix_design(wave, SPEC)
    design.draw_sample(wave)
    with pytest.raises(services.WaveRefused):
        design.import_frame(wave, FRAME_CSV, "frame.csv")


# --- allocation and draw ---------------------------------------------------------------------

def test_the_allocation_preview_stores_nothing(townships, make_wave):
    wave = make_wave()
    design.import_frame(wave, FRAME_CSV, "frame.csv")
    plan = design.preview_allocation(wave, SPEC)
    assert [(p.stratum, p.psus, p.interviews) for p in plan] == [
        ("longhu", 2, 10), ("xincun", 2, 10)]
    db.session.expire_all()
    assert wave.design is None and _count(SurveySampledPSU) == 0
    design.fix_design(wave, SPEC)
    db.session.expire_all()
    assert wave.design == {"interviews": 20, "take": 5, "method": "power", "power": 0.5,
                           "min_psus": 2}


def _drawn(wave) -> list[tuple[str, float, bool]]:
    return [(p.frame_psu.code, p.pi1, p.certainty) for p in design.sampled_psus(wave)]


def test_the_same_seed_draws_the_same_sample(townships, make_wave):
    samples = []
    for name, seed in (("a", 99), ("b", 99), ("c", 100)):
        wave = make_wave(name, seed=seed)
        design.import_frame(wave, FRAME_CSV, "frame.csv")
        design.fix_design(wave, SPEC)
        design.draw_sample(wave)
        samples.append(_drawn(wave))
    assert samples[0] == samples[1]
    # L1 (600 of 1200 in 龙湖, interval 600) is taken with certainty in every draw.
    assert ("L1", 1.0, True) in samples[0] and ("L1", 1.0, True) in samples[2]
    wave = services.wave_by_name("a")
    design.draw_sample(wave)  # again, while still in design: the same sample
    assert _drawn(wave) == samples[0]


def test_first_stage_probabilities_are_stored_for_the_whole_frame(townships, make_wave):
    wave = make_wave()
    design.import_frame(wave, FRAME_CSV, "frame.csv")
    design.fix_design(wave, SPEC)
    design.draw_sample(wave)
    pi = {r.code: r.pi1 for r in wave.frame_psus}
    # 龙湖: L1 certain (600 >= 1200/2); one more from 600 by size.  新村: 2 from 1250 by size.
    assert pi == pytest.approx({"L1": 1.0, "L2": 100 / 600, "L3": 300 / 600, "L4": 200 / 600,
                                "X1": 2 * 150 / 1250, "X2": 2 * 250 / 1250,
                                "X3": 2 * 350 / 1250, "X4": 2 * 450 / 1250,
                                "X5": 2 * 50 / 1250})


def test_the_draw_is_refused_once_fieldwork_started(pool, townships, make_wave):
    wave = make_wave()
    services.assemble_forms(wave)
    design.import_frame(wave, FRAME_CSV, "frame.csv")
    design.fix_design(wave, SPEC)
    before = design.draw_sample(wave)
    services.start_fieldwork(wave)
    assert wave.status == "fieldwork"
    with pytest.raises(services.WaveRefused):
        design.draw_sample(wave)
    with pytest.raises(services.WaveRefused):
        design.fix_design(wave, SPEC)
    with pytest.raises(services.WaveRefused):
        services.assemble_forms(wave)
    assert [p.frame_psu.code for p in design.sampled_psus(wave)] == [p.psu for p in before.psus]


def test_fieldwork_needs_forms_and_a_sample(townships, make_wave):
    wave = make_wave()
    with pytest.raises(services.WaveRefused):
        services.start_fieldwork(wave)
    assert wave.status == "design"


# --- households, cases, weights --------------------------------------------------------------

ONE_STRATUM = """township,psu,name,urban_rural,size,households
龙湖街道,P100,小,urban,100,10
龙湖街道,P300,中,urban,300,10
龙湖街道,P600,大,urban,600,10
""".encode()


def _one_stratum_wave(make_wave, **settings):
    wave = make_wave(**settings)
    services.assemble_forms(wave)
    design.import_frame(wave, ONE_STRATUM, "frame.csv")
    design.fix_design(wave, surveys.DesignSpec(interviews=4, take=2, method="proportional",
                                               min_psus=2))
    design.draw_sample(wave)
    return wave


def test_base_weight_on_a_hand_worked_example(pool, townships, make_wave):
    # 2 of 3 PSUs by size from 1000: interval 500, so P600 is certain (π1 = 1); one more from
    # 400: π1 = 100/400 = 0.25 or 300/400 = 0.75.  8 households listed, 2 taken: π2 = 0.25.
    # With 3 eligible adults: weight = 3 / (π1 x 0.25) = 12 in P600, 48 in P100, 16 in P300.
    wave = _one_stratum_wave(make_wave)
    expected = {"P600": 12.0, "P100": 48.0, "P300": 16.0}
    psus = design.sampled_psus(wave)
    assert psus[-1].frame_psu.code == "P600" and psus[-1].certainty
    for psu in psus:
        design.list_households(wave, psu, [f"{k}号" for k in range(1, 9)])
        cases = design.cases_of(psu)
        assert len(cases) == 2
        assert [c.household.pi2 for c in cases] == [0.25, 0.25]
        adults = design.parse_adults("男 50\n女 48\n女 20")
        selection = design.record_adults(wave, cases[0], adults)
        assert selection.eligible_adults == 3
        assert cases[0].base_weight == pytest.approx(expected[psu.frame_psu.code])
        assert cases[0].within_probability == pytest.approx(1 / 3)
        assert cases[0].kish_table in {"A", "B1", "B2", "C", "D", "E1", "E2", "F"}
    assert _count(SurveyHousehold) == 16 and _count(SurveyCase) == 4


def test_households_are_selected_systematically_and_reproducibly(pool, townships, make_wave):
    chosen = []
    for name in ("x", "y"):
        wave = _one_stratum_wave(make_wave, name=name, seed=4242)
        psu = design.sampled_psus(wave)[0]
        design.list_households(wave, psu, [f"{k}号" for k in range(1, 11)])
        lines = [h.line for h in psu.households if h.selected]
        # interval 10 / 2 = 5: one household in 1-5 and the one five lines later
        assert len(lines) == 2 and lines[1] - lines[0] == 5
        chosen.append((lines, [c.form.code for c in design.cases_of(psu)]))
    assert chosen[0] == chosen[1]


def test_a_listing_shorter_than_the_take_or_a_second_listing_is_refused(pool, townships,
                                                                         make_wave):
    wave = _one_stratum_wave(make_wave)
    psu = design.sampled_psus(wave)[0]
    with pytest.raises(services.WaveRefused, match="1"):
        design.list_households(wave, psu, ["only one"])
    db.session.rollback()
    design.list_households(wave, psu, ["a", "b", "c"])
    with pytest.raises(services.WaveRefused):
        design.list_households(wave, psu, ["a", "b", "c"])


def test_next_birthday_needs_birthdays_and_weights_the_same_way(pool, townships, make_wave):
    wave = _one_stratum_wave(make_wave, selection_method="next_birthday")
    psu = [p for p in design.sampled_psus(wave) if p.certainty][0]
    design.list_households(wave, psu, [f"{k}号" for k in range(1, 9)])
    case = design.cases_of(psu)[0]
    assert case.kish_table is None
    with pytest.raises(services.WaveRefused):
        design.record_adults(wave, case, design.parse_adults("男 50\n女 48"))
    # Reference date 2027-06-01: the birthday 6-2 comes first, so adult 2 is chosen.
    selection = design.record_adults(wave, case, design.parse_adults("男 50 12-1\n女 48 6-2"))
    assert selection.person_id == "2" and case.selected_adult == 2
    assert (case.selected_sex, case.selected_age) == ("female", 48)
    assert case.base_weight == pytest.approx(2 / (1.0 * 0.25))


@pytest.mark.parametrize("text", ["", "男", "x 40", "女 abc", "男 40 13-1", "男 40 2-30",
                                  "男 40 1-1 extra", "女 150"])
def test_bad_adult_lines_are_refused(text):
    with pytest.raises(services.WaveRefused):
        design.parse_adults(text)


def test_adult_lines_in_either_language():
    adults = design.parse_adults("男 45\nfemale, 38, 3/14\n\nF 22")
    assert [(a.person_id, str(a.sex), a.age, a.birth_month, a.birth_day) for a in adults] == [
        ("1", "male", 45, None, None), ("2", "female", 38, 3, 14), ("3", "female", 22, None,
                                                                       None)]
