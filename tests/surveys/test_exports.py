"""The respondent export: labels round-trip in Stata/SPSS/Parquet/CSV, the weighted share
survives every format, replicate weights are analysis's (raked, seeded), no personal data."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pyarrow.parquet as pq
import pyreadstat
import pytest
from openpyxl import load_workbook

from analysis import EstimateSpec, estimate
from surveys.errors import SurveyInputError
from surveys.exports import (
    ExportItem,
    Variable,
    codebook_html,
    codebook_xlsx,
    csv_bytes,
    find_forbidden,
    respondent_file,
    write_csv,
    write_dta,
    write_parquet,
    write_sav,
)

# --- a hand-made wave: 2 strata x 3 PSUs x 4 respondents -------------------------------
# Row k (0..23): PSU k // 4 (A1 A2 A3 B1 B2 B3), final weight 100 + 10k, meets when k % 3 == 0,
# male when k is even, urban when k % 4 is 0 or 1.  By hand:
#   sum of weights = 24 x 100 + 10 x (0 + ... + 23) = 2400 + 2760 = 5160
#   meets: k = 0, 3, ..., 21 -> 8 x 100 + 10 x 84 = 1640; share = 1640 / 5160 = 41 / 129
#   male: 12 x 100 + 10 x 132 = 2520, female 2640; urban: 1200 + 10 x 126 = 2460, rural 2700
SHARE = 41 / 129
MARGINS = {"sex": {"male": 2520.0, "female": 2640.0},
           "urban_rural": {"urban": 2460.0, "rural": 2700.0}}
EDUCATION = ("primary_or_less", "junior_secondary", "senior_secondary", "junior_college",
             "bachelor_plus")
GROUPS = ("youth", "farmer", "worker", "elder", "cadre", "other")
LONG_EN = ("Which of the following statements about the greenhouse effect and the carbon "
           "cycle is right")
ITEMS = [
    ("q01", ("地球绕太阳转一圈需要一年", "The Earth goes round the Sun in a year"),
     [("对", "True"), ("错", "False")]),
    ("q02", ("关于温室效应的说法", LONG_EN),
     [("二氧化碳", "Carbon dioxide"), ("氧气", "Oxygen"), ("氮气", "Nitrogen"),
      ("氦气" * 30, "Helium")]),
    ExportItem("q03", "下列哪些是可再生能源", "Which are renewable", (
        ("风能", "Wind"), ("煤", "Coal"), ("太阳能", "Solar")), multiple=True),
]
# Personal data the rows carry in keys the export does not know.
PII = {
    "case_id": 88812345, "name": "王小明", "phone": "13912345678",
    "address": "新郑市红旗路88号", "invitation_code": "INV-7Q3Z9X",
    "gps": "34.39561,113.74112", "comment": "受访者说邻居家姓李", "interviewer": "访问员赵六",
}
FORBIDDEN = [str(v) for v in PII.values()] + ["88812345"]


def make_rows(pii: bool = True) -> list[dict]:
    rows = []
    for k in range(24):
        psu = k // 4
        stratum = "410184001" if psu < 3 else "410184002"
        q01 = (1, 2, "dont_know", 1)[k % 4]
        row = {
            "stratum": stratum, "psu": f"{stratum}{psu % 3 + 1:03d}", "pi1": 0.25, "pi2": 0.02,
            "household_weight": 200.0, "eligible_adults": 1 + k % 3,
            "base_weight": 200.0 * (1 + k % 3), "final_weight": 100.0 + 10 * k,
            "nr_weight": 1.0, "raked_weight": 1.0,
            "sex": "male" if k % 2 == 0 else "female", "age_band": "30-39",
            "education": EDUCATION[k % 5], "urban_rural": "urban" if k % 4 < 2 else "rural",
            "group": GROUPS[k % 6], "sex_age_band": "x", "township": stratum,
            "form": "A" if k % 2 == 0 else "B",
            "total": 75.0 if k % 3 == 0 else 50.0, "score_K": 30.0, "score_M": 15.0,
            "score_S": 15.0, "score_A": 10.0 if k % 3 == 0 else 5.0,
            "level": "meets" if k % 3 == 0 else "low", "meets": 1 if k % 3 == 0 else 0,
            "q01": q01, "q01_ok": 1 if q01 == 1 else 0,
            "q02": None if k % 2 else 4, "q02_ok": None if k % 2 else 0,
            "q03": (1, 3) if k % 2 == 0 else "blank", "q03_ok": 1 if k % 2 == 0 else 0,
        }
        if pii:
            row.update(PII, case_id=88812345 + k)
        rows.append(row)
    return rows


TOWNS = {"410184001": ("新建路街道", "Xinjianlu Subdistrict"),
         "410184002": ("龙湖镇", "Longhu Town")}


@pytest.fixture(scope="module")
def table():
    return respondent_file(make_rows(), items=ITEMS, n_replicates=20, seed=7, margins=MARGINS,
                           township_names=TOWNS)


def share(weights, meets) -> float:
    return sum(w * m for w, m in zip(weights, meets, strict=True)) / sum(weights)


# --- the table --------------------------------------------------------------------------


def test_columns_are_the_whitelist_in_order(table):
    assert table.names == (
        ["serial", "stratum", "psu", "pi1", "pi2", "p_within", "base_weight", "final_weight"]
        + [f"rw_{r}" for r in range(1, 21)]
        + ["sex", "age_band", "education", "urban_rural", "group", "township", "form",
           "q01", "q02", "q03", "q01_ok", "q02_ok", "q03_ok",
           "score_k", "score_m", "score_s", "score_a", "total", "level", "meets"]
    )
    assert table.columns["serial"] == tuple(range(1, 25))
    assert table.columns["stratum"] == (1,) * 12 + (2,) * 12
    assert table.columns["psu"] == tuple(p for p in range(1, 7) for _ in range(4))
    assert table.columns["p_within"][:3] == (1.0, 0.5, 1 / 3)
    assert share(table.columns["final_weight"], table.columns["meets"]) == pytest.approx(
        SHARE, abs=1e-15)


def test_codes_follow_the_label_tables(table):
    c = table.columns
    assert c["sex"][:2] == (1, 2)
    assert c["education"][:6] == (1, 2, 3, 4, 5, 1)
    assert c["group"][:7] == (1, 2, 3, 4, 5, 6, 1)
    assert c["level"][:3] == (3, 1, 1)  # meets = 3 of low 1 .. high 4
    assert c["form"][:2] == (1, 2)
    assert c["township"] == (1,) * 12 + (2,) * 12
    assert c["q01"][:4] == (1, 2, 8, 1)
    assert c["q02"][:2] == (4, None)
    assert c["q02_ok"][:2] == (0, None)
    assert c["q03"][:2] == (13, 9)
    edu = table.variable("education").values
    assert [(code, zh) for code, zh, _ in edu] == [
        (1, "小学及以下"), (2, "初中"), (3, "高中（含中专）"), (4, "大学专科"),
        (5, "大学本科及以上")]
    groups = table.variable("group").values
    assert [en for _, _, en in groups] == [
        "Youth", "Farmers", "Industrial workers", "Older people",
        "Officials and civil servants", "Other residents"]
    assert table.variable("level").values == (
        (1, "低水平", "Low"), (2, "基础水平", "Basic"), (3, "具备科学素质", "Meets the standard"),
        (4, "高水平", "High"))


# --- Stata and SPSS: labels and the share round-trip -------------------------------------

EXPECTED_LABELS = {
    "sex": "性别 / Sex",
    "final_weight": "最终权数 / Final weight",
    "q01": "地球绕太阳转一圈需要一年 / The Earth goes round the Sun in a year",
    "q02": "关于温室效应的说法",  # "中文 / English" would pass Stata's 80 characters
    "meets": "具备科学素质 / Meets the standard",
}
EXPECTED_VALUES = {
    "sex": {1: "男 / Male", 2: "女 / Female"},
    "township": {1: "新建路街道 / Xinjianlu Subdistrict", 2: "龙湖镇 / Longhu Town"},
    "group": {1: "青少年 / Youth", 2: "农民 / Farmers", 3: "产业工人 / Industrial workers",
              4: "老年人 / Older people", 5: "领导干部和公务员 / Officials and civil servants",
              6: "其他居民 / Other residents"},
    "q01": {1: "A. 对 / A. True", 2: "B. 错 / B. False", 7: "未呈现 / Not presented",
            8: "不知道 / Don't know", 9: "未作答 / Blank"},
    "meets": {0: "否 / No", 1: "是 / Yes"},
}


def read_back(kind: str, path):
    reader = pyreadstat.read_dta if kind == "dta" else pyreadstat.read_sav
    data, meta = reader(str(path), output_format="dict")
    return data, meta


@pytest.mark.parametrize("kind", ["dta", "sav"])
def test_stata_and_spss_labels_and_values_round_trip(table, tmp_path, kind):
    path = tmp_path / f"wave.{kind}"
    (write_dta if kind == "dta" else write_sav)(table, path)
    data, meta = read_back(kind, path)
    assert list(data) == table.names
    for name, label in EXPECTED_LABELS.items():
        assert meta.column_names_to_labels[name] == label
    for name, labels in EXPECTED_VALUES.items():
        assert {int(k): v for k, v in meta.variable_value_labels[name].items()} == labels
    for v in table.variables:  # every label as the table has it
        assert meta.column_names_to_labels[v.name] == v.label
    for name in table.names:  # every value exactly (doubles are stored as doubles)
        assert [None if x is None else x for x in data[name]] == list(table.columns[name])
    got = share(data["final_weight"], data["meets"])
    assert got == share(table.columns["final_weight"], table.columns["meets"])
    assert got == pytest.approx(SHARE, abs=1e-15)


def test_stata_file_is_format_118_utf8(table, tmp_path):
    path = tmp_path / "wave.dta"
    write_dta(table, path)
    assert path.read_bytes()[:23] == b"<stata_dta><header><rel"
    assert b"<release>118</release>" in path.read_bytes()[:80]
    assert "龙湖镇".encode() in path.read_bytes()


def test_spss_value_labels_are_cut_to_120_bytes_on_a_character(table, tmp_path):
    path = tmp_path / "wave.sav"
    write_sav(table, path)
    _, meta = read_back("sav", path)
    label = meta.variable_value_labels["q02"][4.0]
    assert label == "D. " + "氦气" * 19 + "氦"  # 3 + 39 x 3 = 120 bytes; full text in the codebook
    assert meta.file_encoding == "UTF-8"


def test_write_to_a_buffer(table):
    buf = io.BytesIO()
    write_dta(table, buf)
    assert buf.getvalue().startswith(b"<stata_dta>")


# --- Parquet and CSV ---------------------------------------------------------------------


def test_parquet_values_and_labels(table, tmp_path):
    path = tmp_path / "wave.parquet"
    write_parquet(table, path)
    t = pq.read_table(path)
    assert t.column_names == table.names
    for name in table.names:
        assert t.column(name).to_pylist() == list(table.columns[name])
    assert share(t.column("final_weight").to_pylist(), t.column("meets").to_pylist()) == share(
        table.columns["final_weight"], table.columns["meets"])
    field = t.schema.field("sex")
    assert field.metadata[b"label_zh"].decode() == "性别"
    book = json.loads(t.schema.metadata[b"kexue.codebook"])
    sex = next(v for v in book["variables"] if v["name"] == "sex")
    assert sex["values"] == [[1, "男", "Male"], [2, "女", "Female"]]
    assert book["replicates"]["count"] == 20 and book["replicates"]["seed"] == 7


def test_csv_is_ascii_without_bom_and_reads_back_exactly(table, tmp_path):
    data = csv_bytes(table)
    assert data.isascii() and not data.startswith(b"\xef\xbb\xbf")
    path = tmp_path / "wave.csv"
    write_csv(table, path)
    lines = path.read_text("ascii").splitlines()
    header = lines[0].split(",")
    assert header == table.names
    rows = [line.split(",") for line in lines[1:]]
    col = {name: [r[j] for r in rows] for j, name in enumerate(header)}
    w = [float(x) for x in col["final_weight"]]
    m = [int(x) for x in col["meets"]]
    assert share(w, m) == share(table.columns["final_weight"], table.columns["meets"])
    for j in range(1, 21):  # replicate weights read back bit for bit
        assert [float(x) for x in col[f"rw_{j}"]] == list(table.columns[f"rw_{j}"])
    assert col["q02"][:2] == ["4", ""]


# --- replicate weights -------------------------------------------------------------------


def rep_matrix(table) -> np.ndarray:
    r = table.replicates.count
    return np.array([table.columns[f"rw_{j}"] for j in range(1, r + 1)]).T


def test_each_replicate_is_raked_to_the_margins(table):
    rw = rep_matrix(table)
    assert rw.shape == (24, 20)
    sex = np.array(table.columns["sex"])
    ur = np.array(table.columns["urban_rural"])
    for r in range(20):
        for code, target in ((1, 2520.0), (2, 2640.0)):
            assert rw[sex == code, r].sum() == pytest.approx(target, rel=1e-8)
        for code, target in ((1, 2460.0), (2, 2700.0)):
            assert rw[ur == code, r].sum() == pytest.approx(target, rel=1e-8)
    assert (rw == 0).any()  # a bootstrap replicate leaves some PSU out


def test_replicates_without_margins_are_rao_wu_multipliers():
    t = respondent_file(make_rows(), items=ITEMS, n_replicates=10, seed=3, margins=None)
    rw = rep_matrix(t)
    fw = np.array(t.columns["final_weight"])
    factor = rw / fw[:, None]
    psu = np.array(t.columns["psu"])
    for p in range(1, 7):  # one multiplier per PSU and replicate
        assert np.ptp(factor[psu == p], axis=0).max() == 0
    per_psu = factor[::4]  # rows 0, 4, ... are PSUs 1..6
    for stratum in (slice(0, 3), slice(3, 6)):
        # m_h = 2 draws of n_h = 3 PSUs, each draw worth 3/2: multipliers add up to 3
        assert per_psu[stratum].sum(axis=0) == pytest.approx(np.full(10, 3.0), abs=1e-12)
        assert set(np.round(per_psu[stratum].ravel(), 12)) <= {0.0, 1.5, 3.0}


def test_replicates_are_seeded():
    a = respondent_file(make_rows(), items=ITEMS, n_replicates=5, seed=11, margins=MARGINS)
    b = respondent_file(make_rows(), items=ITEMS, n_replicates=5, seed=11, margins=MARGINS)
    c = respondent_file(make_rows(), items=ITEMS, n_replicates=5, seed=12, margins=MARGINS)
    assert a.columns["rw_1"] == b.columns["rw_1"]
    assert a.columns["rw_1"] != c.columns["rw_1"]


def test_replicate_se_equals_analysis_estimate_with_the_same_seed(table):
    rw = rep_matrix(table)
    meets = np.array(table.columns["meets"], float)
    theta = (rw * meets[:, None]).sum(axis=0) / rw.sum(axis=0)
    se_export = math.sqrt(((theta - theta.mean()) ** 2).sum() / (20 - 1))
    rows = make_rows(pii=False)
    data = {k: [r[k] for r in rows] for k in ("final_weight", "stratum", "psu", "meets",
                                               "sex", "urban_rural")}
    report = estimate(EstimateSpec(data=data, outcome="meets", weight="final_weight",
                                   strata="stratum", psu="psu", margins=MARGINS,
                                   lonely_psu="adjust", replicates="bootstrap",
                                   n_replicates=20, seed=7))
    assert report.estimate == pytest.approx(SHARE, abs=1e-12)
    assert se_export == pytest.approx(report.se, rel=1e-12)
    assert se_export > 0


def test_replicates_that_cannot_be_reraked_are_refused_or_given_unraked_with_a_note():
    # Urban respondents only in PSU A1 (rows 0-3: weights 100..130, total 460); a bootstrap
    # replicate that leaves A1 out (2 draws of 3 PSUs: 4 in 9) has no weight in "urban".
    rows = make_rows(pii=False)
    for k, row in enumerate(rows):
        row["urban_rural"] = "urban" if k < 4 else "rural"
    margins = {"sex": MARGINS["sex"], "urban_rural": {"urban": 460.0, "rural": 4700.0}}
    with pytest.raises(SurveyInputError, match="no weight in level 'urban'"):
        respondent_file(rows, items=ITEMS, n_replicates=10, seed=3, margins=margins)
    t = respondent_file(rows, items=ITEMS, n_replicates=10, seed=3, margins=margins,
                        unraked_fallback=True)
    assert t.replicates.margins is None and "urban" in t.replicates.not_reraked
    assert t.columns["final_weight"] == tuple(100.0 + 10 * k for k in range(24))
    # The replicates are the final weights times Rao-Wu multipliers (0, 1.5 or 3 per PSU).
    factor = rep_matrix(t) / np.array(t.columns["final_weight"])[:, None]
    assert set(np.round(factor.ravel(), 12)) <= {0.0, 1.5, 3.0}
    assert (factor[:4] == 0).any()
    assert "NOT re-raked" in t.notes[0] and "重复权数未重新校准" in t.notes[0]
    assert t.variable("rw_1").label_en == "Replicate weight 1 (not re-raked)"
    assert t.variable("rw_7").label_zh == "重复权数 7（未校准）"
    assert "NOT re-raked" in codebook_html(t)
    # Margins every replicate can meet: the fallback changes nothing.
    fine = respondent_file(make_rows(), items=ITEMS, n_replicates=20, seed=7, margins=MARGINS,
                           unraked_fallback=True)
    assert fine.replicates.not_reraked is None and fine.notes == ()
    assert fine.variable("rw_1").label_en == "Replicate weight 1"


def test_jackknife_replicates():
    t = respondent_file(make_rows(), items=ITEMS, replicates="jkn", seed=0, margins=MARGINS)
    assert t.replicates.count == 6 and t.replicates.rscales == pytest.approx((2 / 3,) * 6)
    none = respondent_file(make_rows(), items=ITEMS, replicates=None, seed=0)
    assert none.replicates is None and "rw_1" not in none.names


# --- codebook ----------------------------------------------------------------------------


def test_codebook_html_lists_every_variable_and_the_svyset_line(table):
    page = codebook_html(table)
    for v in table.variables:
        assert f"<code>{v.name}</code>" in page
    assert "svyset [pw=final_weight], bsrweight(rw_1-rw_20) vce(bootstrap)" in page
    assert 'type = &quot;bootstrap&quot;, scale = 1/(20-1)' in page
    assert "氦气" * 30 in page  # the full option text
    assert "龙湖镇" in page and "Longhu Town" in page
    assert "http" not in page and "<script" not in page and "<link" not in page


def test_codebook_xlsx(table):
    book = load_workbook(io.BytesIO(codebook_xlsx(table)))
    assert book.sheetnames == ["变量 Variables", "取值 Values", "复制权数 Replicates"]
    rows = list(book["变量 Variables"].iter_rows(values_only=True))
    assert len(rows) == 1 + len(table.variables)
    assert rows[1 + table.names.index("sex")][:3] == ("sex", "性别", "Sex")
    values = [r for r in book["取值 Values"].iter_rows(values_only=True) if r[0] == "education"]
    assert [r[1] for r in values] == [1, 2, 3, 4, 5]


# --- no personal data leaves --------------------------------------------------------------


def all_exports(table, tmp_path) -> dict[str, bytes]:
    out = {}
    for kind, writer in (("csv", write_csv), ("dta", write_dta), ("sav", write_sav),
                         ("parquet", write_parquet)):
        path = tmp_path / f"wave.{kind}"
        writer(table, path)
        out[kind] = path.read_bytes()
    out["html"] = codebook_html(table).encode()
    out["xlsx"] = codebook_xlsx(table)
    return out


def test_no_export_contains_personal_data(table, tmp_path):
    files = all_exports(table, tmp_path)
    for kind, data in files.items():
        assert find_forbidden(data, FORBIDDEN) == [], kind
    # and re-read: values, labels and metadata as text
    texts = {}
    for kind in ("dta", "sav"):
        data, meta = read_back(kind, tmp_path / f"wave.{kind}")
        texts[kind] = json.dumps([data, meta.column_names_to_labels,
                                  {k: {str(a): b for a, b in v.items()}
                                   for k, v in meta.variable_value_labels.items()},
                                  getattr(meta, "notes", None)], ensure_ascii=False, default=str)
    t = pq.read_table(tmp_path / "wave.parquet")
    texts["parquet"] = json.dumps([t.to_pylist(), str(t.schema)], ensure_ascii=False,
                                  default=str) + t.schema.metadata[b"kexue.codebook"].decode()
    book = load_workbook(io.BytesIO(files["xlsx"]))
    texts["xlsx"] = json.dumps([list(ws.iter_rows(values_only=True)) for ws in book],
                               ensure_ascii=False, default=str)
    for kind, text in texts.items():
        assert find_forbidden(text, FORBIDDEN) == [], kind
    case_ids = {88812345 + k for k in range(24)}
    for values in table.columns.values():
        assert not case_ids & {v for v in values if isinstance(v, int | float)}


def test_the_scan_finds_what_it_looks_for():
    assert find_forbidden("电话13912345678".encode(), ["13912345678", "王小明"]) == [
        "13912345678"]
    assert find_forbidden("王小明".encode("utf-16-le"), ["王小明"]) == ["王小明"]


# --- bad input ---------------------------------------------------------------------------


def bad(change: dict, row: int = 2, drop: str | None = None):
    rows = make_rows()
    rows[row - 1].update(change)
    if drop:
        del rows[row - 1][drop]
    return rows


@pytest.mark.parametrize("rows, message", [
    (bad({}, row=3, drop="final_weight"), "row 3: final_weight is missing"),
    (bad({"final_weight": ""}), "row 2: final_weight is missing"),
    (bad({"final_weight": "abc"}), "row 2: final_weight is not a number ('abc')"),
    (bad({"final_weight": -1}), "row 2: final_weight must be positive (got -1)"),
    (bad({"sex": "M"}), "row 2: sex 'M' is not one of male, female"),
    (bad({"education": "phd"}), "row 2: education 'phd' is not one of primary_or_less"),
    (bad({"level": "top"}), "row 2: level 'top' is not one of low, basic, meets, high"),
    (bad({"meets": 2}), "row 2: meets must be 0 or 1 (got 2)"),
    (bad({"q02": 5}), "row 2: item q02 answer 5 is not one of 1..4, 7, 8, 9"),
    (bad({"q01": (1, 2)}), "row 2: item q01 is single-choice but has answer (1, 2)"),
    (bad({"q01_ok": None}), "row 2: q01_ok is missing"),
    (bad({"eligible_adults": 0}), "row 2: eligible_adults must be positive (got 0)"),
    (bad({"form": "C"}), "row 2: form 'C' is not one of A, B"),
])
def test_bad_rows_raise_one_line(rows, message):
    with pytest.raises(SurveyInputError) as err:
        respondent_file(rows, items=ITEMS, n_replicates=3, seed=1, margins=MARGINS)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_bad_arguments():
    with pytest.raises(SurveyInputError, match="no respondent rows"):
        respondent_file([], seed=1, margins=None)
    with pytest.raises(SurveyInputError, match="'Q-1' is not Stata-safe"):
        respondent_file(make_rows(), items=[("Q-1", "x", ["a", "b"])], seed=1)
    with pytest.raises(SurveyInputError, match="'sex' is used twice"):
        respondent_file(make_rows(), items=[("sex", "x", ["a", "b"])], seed=1)
    with pytest.raises(SurveyInputError, match="replicates must be"):
        respondent_file(make_rows(), replicates="brr", seed=1)
    with pytest.raises(SurveyInputError, match="replicate weights: .*not in the margins"):
        respondent_file(make_rows(), seed=1, margins={"sex": {"male": 2520.0}})
    with pytest.raises(SurveyInputError, match="not Stata-safe"):
        Variable("Bad", "x", "x", "numeric")
