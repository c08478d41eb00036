"""Write ``simulated_survey.csv``: a SIMULATED literacy survey for trying the estimator.

Not data: 17 township strata, 4 sampled villages or communities (PSUs) in each, 36 adults
aged 18-69 per PSU, with a PSU effect (intra-cluster correlation), unequal weights and a
chance of meeting the standard driven by the 2023 national rates by age, education and
urban/rural residence (``docs/domain-notes.md``). Level codes match
``surveys/margins/xinzheng_adults_18_69.csv``.

Run: ``.venv/bin/python surveys/demo/make_simulated_survey.py``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

AGE = {"18-29": 0.2572, "30-39": 0.19, "40-49": 0.1323, "50-59": 0.0852, "60-69": 0.0445}
EDUCATION = {"primary_or_less": 0.0291, "junior_secondary": 0.078, "senior_secondary": 0.1768,
             "junior_college": 0.2517, "bachelor_plus": 0.4399}
GROUPS = ("youth", "farmer", "worker", "elder", "cadre")
TOWNSHIPS = ("xinjianlu", "xinhualu", "xinyan", "longhu", "xincun", "xindian", "guanyinsi",
             "lihe", "hezhuang", "xuedian", "mengzhuang", "guodian", "chengguan", "baqian",
             "longwang", "gangli", "dama")


def simulate(seed: int = 2025) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for stratum_index, township in enumerate(TOWNSHIPS):
        urban_share = 0.95 if stratum_index < 4 else 0.35
        for psu in range(1, 5):
            psu_effect = rng.normal(0, 0.35)
            base_weight = rng.uniform(200, 700)
            for _ in range(36):
                age = rng.choice(list(AGE), p=[0.22, 0.23, 0.21, 0.2, 0.14])
                education = rng.choice(list(EDUCATION), p=[0.2, 0.36, 0.19, 0.12, 0.13])
                urban = "urban" if rng.random() < urban_share else "rural"
                rate = np.sqrt(AGE[age] * EDUCATION[education]) * (1.15 if urban == "urban"
                                                                      else 0.7)
                logit = np.log(rate / (1 - rate)) + psu_effect
                meets = int(rng.random() < 1 / (1 + np.exp(-logit)))
                score = float(np.clip(rng.normal(74 if meets else 52, 9), 0, 100))
                group = ("elder" if age == "60-69" else "youth" if age == "18-29"
                         else rng.choice(GROUPS[1:]))
                rows.append({
                    "stratum": township, "psu": psu, "weight": round(base_weight *
                                                                     rng.uniform(0.7, 1.4), 2),
                    "meets": meets, "score": round(score, 1),
                    "sex": rng.choice(["male", "female"]), "urban_rural": urban,
                    "age_band": age, "education": education, "group": group})
    return rows


def main() -> None:
    rows = simulate()
    path = Path(__file__).with_name("simulated_survey.csv")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} simulated respondents to {path}")


if __name__ == "__main__":
    main()
