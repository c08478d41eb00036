"""Small designs for the unit and property tests."""

from __future__ import annotations

import numpy as np

import analysis as A


def clustered(seed: int = 1, strata: int = 4, psus: int = 5, size: int = 8):  # noqa: ANN201
    """A stratified cluster sample: (design, y (0/1), score, sex factor, rng arrays dict)."""
    rng = np.random.default_rng(seed)
    rows = []
    for h in range(strata):
        for j in range(psus):
            m = size + int(rng.integers(0, 4))
            u = rng.normal(0, 0.7)
            for _ in range(m):
                rows.append((f"S{h}", j + 1, u))
    n = len(rows)
    stratum = np.array([r[0] for r in rows])
    psu = np.array([r[1] for r in rows])
    u = np.array([r[2] for r in rows])
    w = rng.uniform(50, 150, n) * (1 + np.arange(n) % 3)
    y = (rng.random(n) < 1 / (1 + np.exp(-(-1 + u)))).astype(float)
    score = np.round(50 + 20 * y + 5 * u + rng.normal(0, 8, n), 2)
    sex = np.where(rng.random(n) < 0.55, "F", "M")
    age = rng.choice(["young", "mid", "old"], n)
    design = A.svydesign(w, strata=stratum, psu=psu)
    return design, y, score, {"stratum": stratum, "psu": psu, "w": w, "sex": sex, "age": age}
