"""The plan targets pages (issue 14): who may open them, the demo's standing per target, the
figure form, the all-or-nothing upload, and the report as PDF and XLSX."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import PlanFigure, PlanTarget
from tests.support import csrf_token

PAGES = ["/admin/plan/?year=2025", "/admin/plan/upload", "/admin/plan/template.xlsx",
         "/admin/plan/report.xlsx?year=2025"]

# The demo's figures (quizapp/demo/plan_figures.json) assessed in 2025, worked by hand:
# (code, status, progress shown)
EXPECTED_2025 = [
    ("rural_teachers", "on_track", "105%"),           # 30+45+40+50+45 = 210 of 200
    ("vocational_training", "behind", "96%"),         # 38,500 of 40,000
    ("high_skill_training", "on_track", "109%"),      # 3,260 of 3,000
    ("continuing_education", "missing", "—"),         # no 2025 figure
    ("demonstration_bases", "behind", "80%"),         # 1+1+1+0+1 = 4 of 5
    ("enterprise_exhibitions", "on_track", "100%"),   # 1 of 1 (2024, 2025 missing)
    ("information_officers", "behind", "95%"),        # 20,900 / 1,100,000 = 1.9% of 2%
    ("school_activity_rooms", "on_track", "110%"),    # 68 / 124 = 54.8% of 50%
    ("education_bases", "missing", "67%"),            # 3+3+4 = 10 of 15, 2023 and 2025 missing
    ("volunteers", "missing", "84%"),                 # 840 of 1,000, 2025 missing
]
# In 2023 the cumulative ones owe 60%: 115 of 200 teachers (57.5%) is behind.
EXPECTED_2023 = {"rural_teachers": "behind", "demonstration_bases": "on_track",
                 "vocational_training": "behind", "continuing_education": "on_track",
                 "education_bases": "missing", "volunteers": "on_track"}


@pytest.fixture
def demo_plan(app):
    from quizapp.demo.plan import load_demo_plan

    load_demo_plan()


def _target(code: str) -> PlanTarget:
    return db.session.scalar(select(PlanTarget).where(PlanTarget.code == code))


def _figure_count() -> int:
    return db.session.scalar(select(func.count(PlanFigure.id)))


def _rows(html: str) -> dict[str, tuple[str, str]]:
    rows = re.findall(r'data-target="([a-z_]+)" data-status="([a-z_]+)".*?data-test="ratio">'
                      r'([^<·]*)', html, re.S)
    return {code: (status, ratio.strip()) for code, status, ratio in rows}


@pytest.mark.parametrize("url", PAGES)
def test_admins_open_every_page(admin, demo_plan, url):
    assert admin.get(url).status_code == 200


@pytest.mark.parametrize("role", ["statistician", "teacher", "interviewer", "resident"])
def test_other_roles_are_refused(client, auth, make_user, demo_plan, role):
    make_user("someone", role)
    auth.login("someone")
    target = _target("volunteers")
    for url in [*PAGES, f"/admin/plan/{target.id}/figure", "/admin/plan/report.pdf"]:
        assert client.get(url).status_code == 403, url


def test_signed_out_visitors_are_sent_to_sign_in(client, demo_plan):
    assert client.get("/admin/plan/").status_code == 302


def test_overview_shows_the_demo_standing(admin, demo_plan):
    html = admin.get("/admin/plan/?year=2025").text
    assert _rows(html) == {code: (status, ratio) for code, status, ratio in EXPECTED_2025}
    assert "新郑市人力资源和社会保障局" in html and "rural_teachers</" not in html
    counts = re.search(r'data-test="plan-counts">(.*?)</p>', html, re.S).group(1)
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", counts)).strip() == \
        "按计划推进 4 · 落后 3 · 缺少数据 3"


def test_overview_in_an_earlier_year(admin, demo_plan):
    rows = _rows(admin.get("/admin/plan/?year=2023").text)
    assert {code: rows[code][0] for code in EXPECTED_2023} == EXPECTED_2023


def test_admin_navigation_links_the_overview(admin):
    assert 'href="/admin/plan/"' in admin.get("/admin/").text


# --- the form ----------------------------------------------------------------------------------

def _post_figure(client, target_id: int, **data):
    url = f"/admin/plan/{target_id}/figure"
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **data})


def test_the_form_stores_a_figure(admin, demo_plan):
    target = _target("continuing_education")
    response = _post_figure(admin, target.id, year="2025", value="10400")
    assert response.status_code == 302
    db.session.expire_all()
    assert {f.year: f.value for f in _target("continuing_education").figures}[2025] == 10400
    rows = _rows(admin.get("/admin/plan/?year=2025").text)
    assert rows["continuing_education"] == ("on_track", "104%")
    page = admin.get(f"/admin/plan/{target.id}/figure?year=2025").text
    assert 'value="10400"' in page  # the stored figure, to correct
    assert "<td>2025</td><td class=\"num\">10,400</td>\n    <td>root</td>" in page


@pytest.mark.parametrize(("code", "data", "message"), [
    ("volunteers", {"value": "-5"}, "不能为负数"),
    ("volunteers", {"value": "99999999999999999999"}, "数字太大"),
    ("volunteers", {"value": "12.5"}, "不是有效的整数"),
    ("volunteers", {"value": ""}, "请输入整数"),
    ("volunteers", {"value": "5", "year": "2030"}, "不是有效的选择"),
    ("information_officers", {"value": "100"}, "需要分母"),
    ("information_officers", {"value": "100", "denominator": "0"}, "分母至少为 1"),
    ("information_officers", {"value": "200", "denominator": "100"}, "大于分母"),
])
def test_the_form_refuses_bad_figures(admin, demo_plan, code, data, message):
    target = _target(code)
    before = _figure_count()
    response = _post_figure(admin, target.id, **{"year": "2025", **data})
    assert response.status_code == 200
    assert message in response.text
    assert _figure_count() == before


def test_nul_bytes_are_refused_not_a_500(admin, demo_plan):
    target = _target("volunteers")
    before = _figure_count()
    response = _post_figure(admin, target.id, year="2025", value="12\x003")
    assert response.status_code == 400
    assert _figure_count() == before


def test_the_form_needs_its_csrf_token(admin, demo_plan):
    target = _target("volunteers")
    response = admin.post(f"/admin/plan/{target.id}/figure", data={"year": "2025", "value": "1"})
    assert response.status_code == 400


# --- the upload --------------------------------------------------------------------------------

def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, data: bytes, name: str = "figures.xlsx"):
    page = client.get("/admin/plan/upload")
    return client.post("/admin/plan/upload", data={
        "csrf_token": csrf_token(page.text), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


HEADER = ["target", "year", "value", "denominator"]


def test_a_bad_number_rejects_the_whole_file(admin, demo_plan):
    before = {(f.target.code, f.year): f.value for f in db.session.scalars(select(PlanFigure))}
    data = _xlsx([HEADER, ["continuing_education", 2025, 10400, None],
                  ["volunteers", 2025, "一百", None],
                  ["rural_teachers", 2025, 50, None]])
    response = _upload(admin, data)
    assert response.status_code == 200
    faults = re.findall(r'data-test="fault"><td[^>]*>(\d*)</td><td[^>]*>([^<]*)</td>'
                        r'<td[^>]*>([^<]*)</td>', response.text)
    assert faults == [("3", "value (C)", "必须是整数，而不是 一百")]
    db.session.expire_all()
    after = {(f.target.code, f.year): f.value for f in db.session.scalars(select(PlanFigure))}
    assert after == before  # not even row 2, which was right


@pytest.mark.parametrize(("row", "column", "words"), [
    (["nobody", 2025, 1, None], "target (A)", "没有代码为 nobody"),
    (["volunteers", 2030, 1, None], "year (B)", "2021–2025"),
    (["volunteers", 2025, -3, None], "value (C)", "不能为负数"),
    (["volunteers", 2025, 10**15, None], "value (C)", "太大"),
    (["volunteers", 2025, 2**31, None], "value (C)", "太大"),
    (["volunteers", 2025, 5, 10], "denominator (D)", "只有比例类"),
    (["information_officers", 2025, 5, None], "denominator (D)", "需要分母"),
    (["information_officers", 2025, 50, 10], "value (C)", "大于分母"),
])
def test_upload_faults_name_row_and_column(admin, demo_plan, row, column, words):
    before = _figure_count()
    response = _upload(admin, _xlsx([HEADER, ["volunteers", 2025, 900, None], row]))
    assert 'data-test="upload-faults"' in response.text
    fault = re.search(r'data-test="fault"><td[^>]*>(\d*)</td><td[^>]*>([^<]*)</td>'
                      r'<td[^>]*>([^<]*)</td>', response.text)
    assert fault.group(1, 2) == ("3", column)
    assert words in fault.group(3)
    assert _figure_count() == before


def test_upload_refuses_a_duplicate_row_and_a_non_spreadsheet(admin, demo_plan):
    response = _upload(admin, _xlsx([HEADER, ["volunteers", 2025, 900, None],
                                     ["volunteers", 2025, 950, None]]))
    assert "第 2 行" in response.text or "row 2" in response.text
    response = _upload(admin, b"not a workbook at all", "figures.xlsx")
    assert response.status_code == 200 and "不是 Excel" in response.text


def test_a_good_file_is_stored_whole(admin, demo_plan):
    before = _figure_count()
    data = _xlsx([HEADER + ["name"],
                  ["continuing_education", 2025, "10,400", None, "专业技术人员继续教育"],
                  [None, None, None, None, None],
                  ["volunteers", "2025", 180, None, ""],
                  ["information_officers", 2025, 22500, 1100000, ""]])
    response = _upload(admin, data)
    assert response.status_code == 302
    db.session.expire_all()
    assert _figure_count() == before + 2  # two new; information_officers 2025 replaced
    assert _target("information_officers").figures[-1].value == 22500
    rows = _rows(admin.get("/admin/plan/?year=2025").text)
    assert rows["continuing_education"][0] == "on_track"
    assert rows["volunteers"] == ("on_track", "102%")  # 840 + 180 = 1,020
    assert rows["information_officers"] == ("on_track", "102%")  # 2.045% of 2%


def test_the_template_reads_back(admin, demo_plan):
    response = admin.get("/admin/plan/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("target", "year", "value", "denominator", "name")
    assert len(rows) == 11
    assert rows[1] == ("rural_teachers", 2025, 45, None, "农村中小学科学教师培训 Rural science "
                       "teachers trained")
    assert rows[4][:4] == ("continuing_education", 2025, None, None)  # no 2025 figure yet
    # uploaded as it is, it stores the same figures again and skips the blank rows
    before = {(f.target.code, f.year): f.value for f in db.session.scalars(select(PlanFigure))}
    response = _upload(admin, response.data)
    assert response.status_code == 302
    db.session.expire_all()
    assert {(f.target.code, f.year): f.value
            for f in db.session.scalars(select(PlanFigure))} == before
    assert "替换 6 个" in admin.get("/admin/plan/").text


# --- the report --------------------------------------------------------------------------------

def test_the_report_xlsx_has_the_table(admin, demo_plan):
    response = admin.get("/admin/plan/report.xlsx?year=2025")
    assert response.headers["Content-Disposition"].endswith("plan-progress-2025.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("指标", "牵头单位", "类型", "2025 年目标")
    assert rows[0][4:9] == ("2021", "2022", "2023", "2024", "2025")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["农村中小学科学教师培训"][9:] == (pytest.approx(105.0), 100.0, "按计划推进")
    assert by_name["职业技能培训"][8:] == ("38,500", pytest.approx(96.25), 100.0, "落后")
    assert by_name["建有科学活动室的中小学校比例"][8] == "68 / 124 (54.8%)"
    assert by_name["专业技术人员继续教育"][9:] == (None, 100.0, "缺少数据")
    assert sheet["J2"].number_format == "0.0"
    rules = [r for cf in sheet.conditional_formatting for r in cf.rules]
    assert [r.type for r in rules] == ["dataBar"]  # the bar on the progress column
    assert str(next(iter(sheet.conditional_formatting)).sqref) == "J2:J11"


def test_the_report_pdf_has_the_targets(admin, demo_plan):
    from pypdf import PdfReader

    response = admin.get("/admin/plan/report.pdf?year=2025")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    for words in ("科学素质行动规划进展报告", "农村中小学科学教师培训", "新郑市教育局",
                  "按计划推进", "落后", "缺少数据", "54.8%68/124", "105%"):
        assert words in text, words
    fonts = {str(f["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}
    assert any("Noto" in f or "KexueCJK" in f or "CJK" in f for f in fonts), fonts


def test_a_csv_file_reads_too_and_a_bad_header_is_named(admin, demo_plan):
    csv = "target,year,value,denominator\r\nvolunteers,2025,180,\r\n".encode("gb18030")
    assert _upload(admin, csv, "figures.csv").status_code == 302
    db.session.expire_all()
    assert {f.year: f.value for f in _target("volunteers").figures}[2025] == 180
    response = _upload(admin, _xlsx([["target", "year", "amount"], ["volunteers", 2025, 1]]))
    assert "缺少列：value, denominator" in response.text
    assert "未知的列：amount" in response.text


def test_two_people_saving_one_year_at_once_leave_one_figure_not_a_500(app, demo_plan,
                                                                        monkeypatch):
    """Another person's figure for the same target and year lands between our read and our
    commit: ours is written over theirs (as if it came second), one row, no error."""
    from quizapp.models.types import utcnow
    from quizapp.plan import services

    target = _target("education_bases")
    assert 2025 not in {f.year for f in target.figures}
    real_put, raced = services.put_figure, []

    def put_then_race(*args, **kwargs):
        result = real_put(*args, **kwargs)
        if not raced:
            raced.append(True)
            with db.engine.begin() as other:
                other.execute(PlanFigure.__table__.insert().values(
                    target_id=target.id, year=2025, value=9, entered_at=utcnow()))
        return result

    monkeypatch.setattr(services, "put_figure", put_then_race)
    services.save_figure(target, 2025, 12, None, None)
    db.session.expire_all()
    assert [(f.year, f.value) for f in _target("education_bases").figures
            if f.year == 2025] == [(2025, 12)]
