"""A two-township wave in fieldwork with twelve cases worked to hand-chosen dispositions, for
the monitoring, review, paradata and closing tests.

Built like ``fieldwork_wave`` (same services, same pool and townships) but from the nine-PSU
frame, so the rates by township and by interviewer have more than one group:

=====  =======  ===========  ==============================================  ===========
PSU    case     interviewer  what happened                                   disposition
=====  =======  ===========  ==============================================  ===========
L a    c1       ivan         no contact, then a complete interview (20 min)  complete I
L a    c2       ivan         refusal                                         refusal R
L a    c3       ivan         interview broken off after 30 of 50 items       partial P
L b    c4       ivan         complete interview in 100 s (too fast: flag)    complete I
L b    c5       ivan         no contact twice                                non-contact NC
L b    c6       -            not worked                                      (UH, 3.11)
X a    c7       xia          complete interview (30 min)                     complete I
X a    c8       xia          no one aged 18-69                               not eligible NE
X a    c9       xia          dwelling not found                              UH
X b    c10      -            not worked                                      (UH, 3.11)
X b    c11      -            not worked                                      (UH, 3.11)
X b    c12      (cawi)       invitation letter unanswered                    UO
=====  =======  ===========  ==============================================  ===========

PSUs "L a", "L b" are the two sampled in 龙湖街道, "X a", "X b" the two in 新村镇 (frame order);
ivan works both L PSUs, xia works X a, X b has no interviewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import surveys
from quizapp.extensions import db
from quizapp.models import SurveyCase, SurveyWave, User
from quizapp.surveys import design, services
from quizapp.surveys.interviews import ContactRecord, record_contact, record_interview
from tests.surveys_web.conftest import FRAME_CSV, interview_submission

DAY = datetime(2027, 6, 9, 15, 0, tzinfo=UTC)  # the visits; interviews start 2027-06-10 09:00


@dataclass
class Worked:
    wave: SurveyWave
    cases: list[SurveyCase]  # c1 ... c12 as cases[0] ... cases[11]
    ivan: User
    xia: User


def _contact(case, client_id: str, outcome: str, hour: int = 15, *, user=None,
             mode: str = "capi", note: str = ""):
    record_contact(case, ContactRecord(client_id, outcome, DAY.replace(hour=hour), note=note,
                                       mode=mode),
                   interviewer_id=None if user is None else user.id)


def _interview(case, client_id: str, user, **options):
    interview, _ = record_interview(case, interview_submission(case, client_id, **options),
                                    interviewer_id=user.id)
    return interview


def build_worked_wave(make_wave, make_user) -> Worked:
    """The wave of the module docstring (needs the ``pool`` and ``townships`` fixtures)."""
    ivan = make_user("ivan", "interviewer")
    xia = make_user("xia", "interviewer")
    wave = make_wave(name="2027 监测", seed=2027)
    services.assemble_forms(wave)
    design.import_frame(wave, FRAME_CSV, "frame.csv")
    design.fix_design(wave, surveys.DesignSpec(interviews=12, take=3, method="equal",
                                               min_psus=2))
    design.draw_sample(wave)
    services.start_fieldwork(wave)
    psus = design.sampled_psus(wave)
    assert [p.frame_psu.township.code for p in psus] == ["longhu", "longhu", "xincun", "xincun"]
    for psu, user in zip(psus, (ivan, ivan, xia, None), strict=True):
        psu.interviewer_id = None if user is None else user.id
        design.list_households(wave, psu, [f"{k}组{k}号" for k in range(1, 9)])
    cases = [case for psu in psus for case in design.cases_of(psu)]
    for index in (0, 2, 3, 6):
        design.record_adults(wave, cases[index], design.parse_adults("男 50\n女 48"))
    c = cases
    _contact(c[0], "visit-c1-1", "no_contact", 10, user=ivan, note="下午再来")
    _interview(c[0], "interview-c1", ivan, birth_year=1971)
    _contact(c[1], "visit-c2-1", "refusal", user=ivan)
    _interview(c[2], "interview-c3", ivan, presented=30, broken_off=True, birth_year=1972)
    _interview(c[3], "interview-c4", ivan, seconds=100, birth_year=1973)
    _contact(c[4], "visit-c5-1", "no_contact", 10, user=ivan)
    _contact(c[4], "visit-c5-2", "no_contact", 18, user=ivan)
    _interview(c[6], "interview-c7", xia, seconds=1800, birth_year=1974)
    _contact(c[7], "visit-c8-1", "not_eligible", user=xia)
    _contact(c[8], "visit-c9-1", "not_found", user=xia)
    _contact(c[11], "letter-c12-1", "no_reply", mode="cawi")
    db.session.commit()
    return Worked(wave, cases, ivan, xia)
