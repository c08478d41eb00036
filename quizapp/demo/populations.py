"""Made-up resident populations for the demo townships, so that the dashboards' rates per
10,000 residents have something to show after ``make run``.

They are NOT census figures (Xinzheng's township populations were not found in public
sources): each carries the source "演示数据：虚构…", and a township whose population an admin
has entered is left alone.
"""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Township

DEMO_SOURCE = "演示数据：虚构的常住人口，不是普查数字"
# code -> made-up residents (a round figure by the kind of place: subdistricts largest).
DEMO_POPULATIONS = {
    "xinjianlu": 96000, "xinhualu": 88000, "xinyan": 72000, "longhu": 150000,
    "xincun": 58000, "xindian": 64000, "guanyinsi": 52000, "lihe": 47000, "hezhuang": 55000,
    "xuedian": 61000, "mengzhuang": 49000, "guodian": 66000, "chengguan": 41000,
    "baqian": 36000, "longwang": 33000, "gangli": 30000, "dama": 28000,
}


def load_demo_populations() -> int:
    """Fill the made-up population of every demo township that has none; how many."""
    filled = 0
    for township in db.session.scalars(select(Township).where(
            Township.code.in_(list(DEMO_POPULATIONS)), Township.population.is_(None))):
        township.population = DEMO_POPULATIONS[township.code]
        township.population_source = DEMO_SOURCE
        filled += 1
    db.session.commit()
    return filled
