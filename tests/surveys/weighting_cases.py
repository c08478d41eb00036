"""Cases files for the weighting tests: a one-row builder and a seeded synthetic wave whose
respondents carry every level of the shipped margins (sex, urban_rural, age_band, education)."""

from __future__ import annotations

from typing import Any

import numpy as np

from surveys import CASE_COLUMNS

SEXES = ("male", "female")
BANDS = ("18-29", "30-39", "40-49", "50-59", "60-69")
EDUCATION = ("primary_or_less", "junior_secondary", "senior_secondary", "junior_college",
             "bachelor_plus")


def case(
    cid: int,
    stratum: str,
    psu: str,
    ur: str,
    pi1: float,
    pi2: float,
    eligibility: str,
    respondent: int,
    adults: int | None = None,
    **profile: Any,
) -> dict[str, Any]:
    """One row of a cases file; a respondent gets a full profile (overridable)."""
    hw = 1 / (pi1 * pi2)
    row: dict[str, Any] = {c: None for c in CASE_COLUMNS}
    row.update(case_id=cid, stratum=stratum, psu=psu, psu_urban_rural=ur, pi1=pi1, pi2=pi2,
               household_weight=hw, eligibility=eligibility, respondent=respondent)
    if respondent:
        p = {"sex": "male", "age_band": "30-39", "education": "junior_secondary",
             "urban_rural": ur, "group": "worker", "form": "A", "total": 72.0,
             "score_K": 30.0, "score_M": 14.0, "score_S": 14.0, "score_A": 14.0,
             "level": "meets", "meets": 1}
        p.update(profile)
        row.update(p, eligible_adults=adults, base_weight=hw * adults,
                   sex_age_band=f"{p['sex']}_{p['age_band']}", township=stratum)
    return row


def synthetic_wave(seed: int = 11, strata: int = 4, households: int = 45) -> list[dict[str, Any]]:
    """A wave of ``strata`` townships with one urban and one rural PSU each; ~60% of the
    households respond, ~25% are eligible non-respondents, the rest ineligible or unknown."""
    rng = np.random.default_rng(seed)
    rows = []
    cid = 1000
    for h in range(strata):
        for ur in ("urban", "rural"):
            pi1 = float(rng.uniform(0.05, 0.4))
            pi2 = float(rng.uniform(0.02, 0.2))
            for _ in range(households):
                cid += int(rng.integers(1, 4))
                u = rng.random()
                stratum, psu = f"41018410{h}", f"41018410{h}{'01' if ur == 'urban' else '02'}"
                if u < 0.6:
                    score = float(rng.integers(20, 101))
                    level = ("high" if score >= 85 else "meets" if score >= 70 else
                             "basic" if score >= 55 else "low")
                    rows.append(case(
                        cid, stratum, psu, ur, pi1, pi2, "eligible", 1,
                        int(rng.integers(1, 5)),
                        sex=SEXES[int(rng.integers(2))], age_band=BANDS[int(rng.integers(5))],
                        education=EDUCATION[int(rng.integers(5))],
                        urban_rural=ur if rng.random() < 0.9 else
                        ("rural" if ur == "urban" else "urban"),
                        total=score, level=level, meets=int(score >= 70),
                        form="AB"[int(rng.integers(2))],
                    ))
                elif u < 0.85:
                    rows.append(case(cid, stratum, psu, ur, pi1, pi2, "eligible", 0))
                elif u < 0.93:
                    rows.append(case(cid, stratum, psu, ur, pi1, pi2, "ineligible", 0))
                else:
                    rows.append(case(cid, stratum, psu, ur, pi1, pi2, "unknown", 0))
    return rows
