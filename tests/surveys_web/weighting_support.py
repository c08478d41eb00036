"""A wave with enough accepted interviews to weight and rake: two townships, eight PSUs
(urban and rural), ten households taken in each, every case visited through the fieldwork
services (record_adults, record_contact, record_interview) and the flagged ones accepted.

Profiles cycle deterministically over every sex, age band, education level and urban/rural
class, so raking to the shipped (placeholder) margins finds every level; the number of right
answers cycles too, so some respondents meet the standard and some do not.  Personal data
(contact names, phones, addresses, visit notes, dwelling labels, invitation codes) is planted
with the markers of :data:`SECRETS`, which no export may contain.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

FRAME_CSV = """township,psu,name,urban_rural,size,households
龙湖街道,L1,甲社区,urban,600,300
龙湖街道,L2,乙社区,urban,500,260
龙湖街道,L3,丙社区,rural,400,200
龙湖街道,L4,丁社区,rural,300,150
xincun,X1,一村,rural,450,220
xincun,X2,二村,rural,350,180
xincun,X3,三村,urban,500,240
xincun,X4,四村,urban,250,120
""".encode()

# Markers of personal data planted in the wave; none may appear in any export.
SECRETS = ("王秘密", "13900001111", "秘密路88号", "秘密备注", "秘密门牌")
SEXES = ("male", "female")
BIRTH_YEARS = (2000, 1992, 1983, 1972, 1962)  # 18-29 ... 60-69 on 1 June 2027
EDUCATIONS = ("primary", "junior_secondary", "senior_secondary", "junior_college", "bachelor")
OCCUPATIONS = ("agriculture", "production", "service", "retired", "civil_servant", "student")
# What the cases that are not interviewed come to, in turn.
NON_RESPONSE = ("refusal", "no_contact", "not_eligible", "not_found")


def build_weighting_wave(make_wave, name: str = "2027 年度调查", year: int = 2027,
                         seed: int = 12345, every: int = 5, shift: int = 0,
                         plant_secrets: bool = True):
    """The wave (in fieldwork): of each PSU's 10 cases, 4 in 5 interviewed (every ``every``-th
    case not: refusal, non-contact, not eligible, not found in turn), the rest accepted.
    ``plant_secrets`` False: no personal data planted (a second wave in one database: the
    invitation code is unique)."""
    import surveys
    from quizapp.extensions import db
    from quizapp.models import (
        SurveyCaseContact,
        SurveyContactAttempt,
        SurveyInterview,
        SurveyInvitation,
    )
    from quizapp.surveys import design, review, services
    from quizapp.surveys.interviews import ContactRecord, record_contact, record_interview
    from tests.surveys_web.conftest import interview_submission

    wave = make_wave(name=name, seed=seed, year=year, reference_date=datetime(
        year, 6, 1).date(), target_sample_size=80)
    services.assemble_forms(wave)
    design.import_frame(wave, FRAME_CSV, "frame.csv")
    design.fix_design(wave, surveys.DesignSpec(interviews=80, take=10,
                                               method="proportional", min_psus=4))
    design.draw_sample(wave)
    services.start_fieldwork(wave)
    k = shift
    first = noted = plant_secrets
    for psu in design.sampled_psus(wave):
        lines = [f"{n}号" for n in range(1, 13)]
        if first:
            lines[0] = f"{SECRETS[4]}1号"
        design.list_households(wave, psu, lines)
        urban = psu.frame_psu.urban_rural
        for case in design.cases_of(psu):
            k += 1
            start = datetime(year, 6, 10, 9, 0, tzinfo=UTC) + timedelta(minutes=k)
            if k % every == 0:
                outcome = NON_RESPONSE[(k // every) % len(NON_RESPONSE)]
                note, noted = (SECRETS[3] if noted else ""), False
                record_contact(case, ContactRecord(f"contact-{year}-{k:04d}", outcome, start,
                                                   note=note))
                continue
            design.record_adults(wave, case, design.parse_adults("男 50\n女 48\n女 20"))
            right = (20, 30, 36, 40, 45, 50)[k % 6]
            profile = dict(sex=SEXES[k % 2], birth_year=BIRTH_YEARS[(k // 2) % 5],
                           birth_month=1 + k % 12, education=EDUCATIONS[(k // 3) % 5],
                           occupation=OCCUPATIONS[k % 6], urban_rural=urban,
                           township=psu.frame_psu.township.code)
            if first:
                db.session.add(SurveyCaseContact(case_id=case.id, name=SECRETS[0],
                                                 phone=SECRETS[1], address=SECRETS[2]))
                db.session.add(SurveyInvitation(
                    wave_id=wave.id, case_id=case.id, code="SECRETCODE77",
                    client_id=f"invite-{year}-{k:04d}",
                    expires_at=start + timedelta(days=30)))
                db.session.commit()
                first = False
            record_interview(case, interview_submission(
                case, f"interview-{year}-{k:04d}", right=right, **profile))
    for interview in db.session.query(SurveyInterview).filter_by(
            wave_id=wave.id, review_status="pending"):
        review.review_interview(interview, "accepted", "checked by phone", None)
    assert db.session.query(SurveyContactAttempt).filter(
        SurveyContactAttempt.note == SECRETS[3]).count() == int(plant_secrets)
    return wave
