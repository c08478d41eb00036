"""The survey pages through the real stack: a statistician designs a wave end to end."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import SurveyCase, SurveyFramePSU, SurveySampledPSU, SurveyWave
from tests.support import csrf_token, field_errors
from tests.surveys_web.conftest import FRAME_CSV

BASE = "/statistics/surveys"


@pytest.fixture
def statistician(client, auth, make_user):
    make_user("stats", "statistician")
    auth.login("stats")
    return client


def _post(client, url: str, data: dict | None = None, page: str | None = None, **kwargs):
    token = csrf_token(client.get(page or url).text)
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _new_wave(client) -> int:
    response = _post(client, f"{BASE}/new", {
        "name": "2027 年度调查", "year": "2027", "reference_date": "2027-06-01",
        "instrument_version": "2027.1", "target_sample_size": "20",
        "selection_method": "kish", "boundary": "inclusive", "seed": "31337"})
    assert response.status_code == 302, field_errors(response.text)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_a_statistician_designs_a_wave_end_to_end(statistician, pool, townships):
    client = statistician
    assert "素质调查轮次" in client.get("/").text  # the home link
    wave_id = _new_wave(client)
    wave_url = f"{BASE}/{wave_id}"
    page = client.get(wave_url).text
    assert "31337" in page and "基什表" in page and "70分及以上" in page

    assert _post(client, f"{wave_url}/forms", page=wave_url).status_code == 302
    page = client.get(wave_url).text
    table = page[page.index('data-test="form-comparison"'):]
    assert "科学知识" in table and "整套问卷" in table and table.count("<tr") >= 11

    frame = _post(client, f"{wave_url}/frame",
                  {"file": (io.BytesIO(FRAME_CSV), "frame.csv")},
                  content_type="multipart/form-data")
    assert frame.status_code == 302 and _count(SurveyFramePSU) == 9

    design = {"interviews": "20", "take": "5", "method": "power", "power": "0.5",
              "min_psus": "2"}
    preview = _post(client, f"{wave_url}/design", {**design, "action": "preview"})
    assert preview.status_code == 200 and 'data-test="allocation"' in preview.text
    assert "龙湖街道" in preview.text and "新村镇" in preview.text
    db.session.expire_all()
    assert db.session.get(SurveyWave, wave_id).design is None
    fixed = _post(client, f"{wave_url}/design", {**design, "action": "fix"})
    assert fixed.status_code == 302
    db.session.expire_all()
    assert db.session.get(SurveyWave, wave_id).design["take"] == 5

    assert _post(client, f"{wave_url}/draw", page=wave_url).status_code == 302
    assert _count(SurveySampledPSU) == 4
    summary = client.get(f"{wave_url}/summary").text
    rows = re.findall(r"<tr><td>(\S+?)</td>((?:<td class=\"num\">[^<]*</td>)+)</tr>", summary)
    cells = {name: re.findall(r">([^<]*)<", numbers)[::2] for name, numbers in rows}
    # township: in the frame, sampled, certainty, Σπ, interviews, cases, weighted
    assert cells["龙湖街道"] == ["4", "2", "1", "2.000", "10", "0", "0"]
    assert cells["新村镇"] == ["5", "2", "0", "2.000", "10", "0", "0"]

    psu = db.session.scalars(select(SurveySampledPSU)).first()
    psu_url = f"{wave_url}/psus/{psu.id}"
    listed = _post(client, psu_url, {"lines": "\n".join(f"{k}号" for k in range(1, 21))})
    assert listed.status_code == 302
    assert _count(SurveyCase) == 5
    case = db.session.scalars(select(SurveyCase)).first()
    case_url = f"{wave_url}/cases/{case.id}"
    recorded = _post(client, case_url, {"adults": "男 40\n女 38"})
    assert recorded.status_code == 302
    assert 'data-test="base-weight"' in client.get(case_url).text

    assert _post(client, f"{wave_url}/fieldwork", page=wave_url).status_code == 302
    assert db.session.get(SurveyWave, wave_id).status == "fieldwork"
    before = [(p.id, p.pi1) for p in db.session.scalars(select(SurveySampledPSU))]
    refused = _post(client, f"{wave_url}/draw", page=wave_url, follow_redirects=True)
    assert "只有在设计阶段才能进行这一步" in refused.text
    assert [(p.id, p.pi1) for p in db.session.scalars(select(SurveySampledPSU))] == before


def test_a_bad_frame_shows_every_fault_with_row_and_column(statistician, townships):
    wave_id = _new_wave(statistician)
    bad = ("township,psu,name,urban_rural,size,households\n"
           "龙湖街道,L1,甲社区,urban,600,300\n"
           "火星镇,M1,x,urban,10,5\n"
           "xincun,X1,一村,rural,-3,80\n").encode("gb18030")
    response = _post(statistician, f"{BASE}/{wave_id}/frame",
                     {"file": (io.BytesIO(bad), "frame.csv")},
                     content_type="multipart/form-data")
    assert response.status_code == 200
    faults = response.text[response.text.index('data-test="frame-issues"'):]
    assert re.search(r"<td>3</td><td>township</td><td>&#39;火星镇&#39; 不是本市的乡镇", faults)
    assert re.search(r"<td>4</td><td>size</td><td>必须是大于 0 的数，而不是 &#39;-3&#39;", faults)
    assert _count(SurveyFramePSU) == 0


@pytest.mark.parametrize("name", ["frame.pdf", "frame.xlsx"])
def test_a_file_that_is_no_frame_is_a_form_error_not_a_500(statistician, townships, name):
    wave_id = _new_wave(statistician)
    response = _post(statistician, f"{BASE}/{wave_id}/frame",
                     {"file": (io.BytesIO(b"\x00\x01garbage"), name)},
                     content_type="multipart/form-data")
    assert response.status_code == 200 and 'data-test="frame-issues"' in response.text
    assert _count(SurveyFramePSU) == 0


def test_an_impossible_allocation_is_shown_not_stored(statistician, townships):
    wave_id = _new_wave(statistician)
    _post(statistician, f"{BASE}/{wave_id}/frame", {"file": (io.BytesIO(FRAME_CSV), "f.csv")},
          content_type="multipart/form-data")
    for design, message in (
            ({"interviews": "21", "take": "5"}, "use 20 or 25"),
            ({"interviews": "100", "take": "5"}, "more than these strata have")):
        response = _post(statistician, f"{BASE}/{wave_id}/design", {
            **design, "method": "proportional", "power": "0.5", "min_psus": "2",
            "action": "fix"})
        assert response.status_code == 200 and message in response.text
    db.session.expire_all()
    assert db.session.get(SurveyWave, wave_id).design is None


def test_every_frame_fault_of_the_reader_is_worded_for_the_page(app):
    import surveys
    from quizapp.surveys.labels import frame_fault

    bad = ("Township,psu,psu,colour\n"
           "火星镇,P1,P1,red\n"
           ",P1,,\n").encode()
    messages = []
    for data, name in ((bad, "f.csv"), (b"", "f.csv"), (b"x", "f.xlsx"), (b"x", "f.pdf"),
                       (b"township,psu,urban_rural,size,households\n", "f.csv"),
                       (b"township,psu,urban_rural,size,households\n"
                        b"a,P1,sea,0,0.5\na,P1,urban,1,1\n", "f.csv")):
        with pytest.raises(surveys.FrameError) as caught:
            surveys.read_frame_bytes(data, name, townships={"a"})
        messages += [issue.message for issue in caught.value.issues]
    with app.test_request_context():
        unworded = [m for m in messages if frame_fault(m) == m]
    assert len(messages) >= 10 and unworded == []


def test_unknown_waves_psus_and_cases_are_404(statistician):
    for url in (f"{BASE}/999", f"{BASE}/999/summary", f"{BASE}/999/psus/1",
                f"{BASE}/999/cases/1"):
        assert statistician.get(url).status_code == 404


def test_the_pages_are_in_english_too(statistician, townships):
    statistician.set_cookie("kx_lang", "en")
    wave_id = _new_wave(statistician)
    page = statistician.get(f"{BASE}/{wave_id}").text
    assert "Kish grid" in page and "Design" in page and "基什表" not in page
