"""weighted.csv files for the estimate-run tests, made here (not by the weighting code).

Columns per CONTRACT-11 section 1: CASE_COLUMNS + nr_weight, raked_weight, final_weight.
``SMALL`` is a 16-row file written by hand; :func:`synthetic` draws a bigger one with a
seeded generator (3 strata x 4 PSUs, respondents' codes from ``surveys.demographics``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

CASE_COLUMNS = (
    "case_id", "stratum", "psu", "psu_urban_rural", "pi1", "pi2", "household_weight",
    "eligibility", "respondent", "eligible_adults", "base_weight", "sex", "age_band",
    "education", "urban_rural", "group", "sex_age_band", "township", "form", "total",
    "score_K", "score_M", "score_S", "score_A", "level", "meets",
)  # fmt: skip
WEIGHTED_COLUMNS = (*CASE_COLUMNS, "nr_weight", "raked_weight", "final_weight")

# 2 strata x 2 PSUs x 4 respondents; columns: case, stratum, psu, urban/rural, sex, age band,
# education (short codes, _LONG), group, total, K, M, S, A, meets, final_weight.
_S = [
    (1, "T01", "P1", "u", "m", "18-29", "bp", "youth", 80, 32, 16, 16, 16, 1, 100.0),
    (2, "T01", "P1", "u", "f", "30-39", "jc", "worker", 60, 24, 12, 12, 12, 0, 120.0),
    (3, "T01", "P1", "u", "m", "40-49", "ss", "worker", 72, 28, 14, 16, 14, 1, 90.0),
    (4, "T01", "P1", "u", "f", "60-69", "pl", "elder", 40, 16, 8, 8, 8, 0, 110.0),
    (5, "T01", "P2", "r", "m", "50-59", "js", "farmer", 50, 20, 10, 10, 10, 0, 150.0),
    (6, "T01", "P2", "r", "f", "18-29", "ss", "youth", 75, 30, 15, 15, 15, 1, 130.0),
    (7, "T01", "P2", "r", "m", "30-39", "js", "farmer", 55, 22, 11, 11, 11, 0, 140.0),
    (8, "T01", "P2", "r", "f", "40-49", "pl", "farmer", 45, 18, 9, 9, 9, 0, 160.0),
    (9, "T02", "P1", "u", "m", "18-29", "bp", "cadre", 90, 36, 18, 18, 18, 1, 80.0),
    (10, "T02", "P1", "u", "f", "50-59", "jc", "worker", 70, 28, 14, 14, 14, 1, 95.0),
    (11, "T02", "P1", "u", "m", "60-69", "js", "elder", 35, 14, 7, 7, 7, 0, 105.0),
    (12, "T02", "P1", "u", "f", "30-39", "ss", "other", 65, 26, 13, 13, 13, 0, 85.0),
    (13, "T02", "P2", "r", "m", "40-49", "js", "farmer", 58, 24, 12, 10, 12, 0, 170.0),
    (14, "T02", "P2", "r", "f", "18-29", "jc", "youth", 78, 30, 16, 16, 16, 1, 125.0),
    (15, "T02", "P2", "r", "m", "50-59", "pl", "farmer", 42, 18, 8, 8, 8, 0, 175.0),
    (16, "T02", "P2", "r", "f", "60-69", "pl", "elder", 30, 12, 6, 6, 6, 0, 160.0),
]  # fmt: skip


_LONG = {"bp": "bachelor_plus", "jc": "junior_college", "ss": "senior_secondary",
         "js": "junior_secondary", "pl": "primary_or_less", "u": "urban", "r": "rural",
         "f": "female", "m": "male"}  # fmt: skip


def _row(case, stratum, psu, ur, sex, age, edu, group, total, k, m, s, a, meets, w,
         pi1=0.2, pi2=0.05) -> dict:  # fmt: skip
    ur, sex, edu = (_LONG.get(x, x) for x in (ur, sex, edu))
    hw = 1 / (pi1 * pi2)
    level = "high" if total >= 85 else "meets" if total >= 70 else "basic" if total >= 55 else "low"
    return {
        "case_id": case, "stratum": stratum, "psu": psu, "psu_urban_rural": ur, "pi1": pi1,
        "pi2": pi2, "household_weight": hw, "eligibility": "eligible", "respondent": 1,
        "eligible_adults": 2, "base_weight": 2 * hw, "sex": sex, "age_band": age,
        "education": edu, "urban_rural": ur, "group": group, "sex_age_band": f"{sex}_{age}",
        "township": stratum, "form": "A" if case % 2 else "B", "total": total, "score_K": k,
        "score_M": m, "score_S": s, "score_A": a, "level": level, "meets": meets,
        "nr_weight": w * 0.9, "raked_weight": w, "final_weight": w,
    }  # fmt: skip


def small_rows() -> list[dict]:
    return [_row(*r) for r in _S]


def synthetic_rows(seed: int = 11, per_psu: int = 25) -> list[dict]:
    """3 strata x 4 PSUs x ``per_psu`` respondents, literacy rising with education."""
    rng = np.random.default_rng(seed)
    sexes = ["male", "female"]
    ages = ["18-29", "30-39", "40-49", "50-59", "60-69"]
    edus = ["primary_or_less", "junior_secondary", "senior_secondary", "junior_college",
            "bachelor_plus"]  # fmt: skip
    groups = ["youth", "farmer", "worker", "elder", "cadre", "other"]
    rows = []
    case = 0
    for h in range(3):
        for j in range(4):
            ur = "urban" if j < 2 else "rural"
            for _ in range(per_psu):
                case += 1
                e = int(rng.integers(0, 5))
                ability = rng.normal(0.42 + 0.08 * e, 0.12)
                k, m, s, a = (float(round(top * min(max(ability + rng.normal(0, 0.05), 0), 1)))
                              for top in (40, 20, 20, 20))  # fmt: skip
                total = k + m + s + a
                w = float(np.round(rng.uniform(50, 250), 3))
                rows.append(_row(
                    case, f"T0{h + 1}", f"P{j + 1}", ur, sexes[int(rng.integers(0, 2))],
                    ages[int(rng.integers(0, 5))], edus[e], groups[int(rng.integers(0, 6))],
                    total, k, m, s, a, int(total >= 70), w,
                ))  # fmt: skip
    return rows


def csv_bytes(rows: list[dict], columns: tuple[str, ...] = WEIGHTED_COLUMNS) -> bytes:
    buf = io.StringIO()
    out = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n",
                         extrasaction="ignore")  # fmt: skip
    out.writeheader()
    for r in rows:
        out.writerow({k: repr(v) if isinstance(v, float) else v for k, v in r.items()})
    return buf.getvalue().encode("utf-8")


def write(path: Path, rows: list[dict], columns: tuple[str, ...] = WEIGHTED_COLUMNS) -> Path:
    path.write_bytes(csv_bytes(rows, columns))
    return path


def margins_csv(total: float = 30_000.0) -> str:
    """Margins (sex 50/50, urban/rural 70/30 of ``total``) that move the fixture's weights."""
    return (
        "variable,level,population_total\n"
        f"sex,male,{total * 0.5!r}\nsex,female,{total * 0.5!r}\n"
        f"urban_rural,urban,{total * 0.7!r}\nurban_rural,rural,{total * 0.3!r}\n"
    )
