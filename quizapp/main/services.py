"""What each role finds on its home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from quizapp.engine import clock, history
from quizapp.extensions import db
from quizapp.main.rate_chart import RateChart, rate_chart
from quizapp.models import Attempt, Competition
from quizapp.shared.city_estimate import CityEstimate, city_estimate
from quizapp.shared.links import Link, links_for
from quizapp.shared.published_rates import CITY_GOAL, NATIONAL_RATES


@dataclass(frozen=True)
class Section:
    role: str
    title: str
    summary: str
    links: tuple[Link, ...]


def _sections() -> list[tuple[str, str, str]]:
    # Residents have the page itself (what is on now, today's practice) and the navigation.
    return [
        ("teacher", _l("My classes"), _l("Your schools and classes.")),
        ("interviewer", _l("Survey fieldwork"), _l("The townships you are assigned to.")),
        ("statistician", _l("Survey and estimates"),
         _l("Weighted share of residents meeting the standard, against the %(goal)s goal.",
            goal="17.8%")),
        ("admin", _l("Administration"), _l("Users, townships, organisations and everything else.")),
    ]


def home_sections(roles: set[str]) -> list[Section]:
    """The sections a visitor with ``roles`` sees, each with its role's registered links;
    admins see every section, their own shortcuts first."""
    sections = [Section(role, title, summary, links_for(role))
                for role, title, summary in _sections() if "admin" in roles or role in roles]
    return sorted(sections, key=lambda s: s.role != "admin")


@dataclass(frozen=True)
class NowOn:
    """What a resident can do now: the open network competitions, closing soonest first
    (the first is the one the page puts forward), the next one to open, and today's practice
    (an unfinished round to continue; questions answered today)."""

    now: datetime
    open: list[Competition]
    upcoming: Competition | None
    open_practice: Attempt | None
    answered_today: int


@dataclass(frozen=True)
class CityStanding:
    """Where the city stands: the chart and the figures it is drawn from."""

    chart: RateChart
    national: tuple
    goal: float
    city: CityEstimate | None


def now_on(owner: history.Owner, now: datetime | None = None) -> NowOn:
    """The published network competitions open at ``now`` and the next to open."""
    now = now or clock.now()
    published = select(Competition).where(Competition.published.is_(True),
                                          Competition.kind == "network")
    open_now = list(db.session.scalars(published.where(
        Competition.starts_at <= now, Competition.ends_at > now)
        .order_by(Competition.ends_at, Competition.id)))
    upcoming = db.session.scalar(published.where(Competition.starts_at > now)
                                 .order_by(Competition.starts_at, Competition.id).limit(1))
    return NowOn(now=now, open=open_now, upcoming=upcoming,
                 open_practice=history.open_practice(owner),
                 answered_today=history.answered_today(owner, now))


def city_standing() -> CityStanding:
    """The national series, the goal and the city's newest published estimate, charted."""
    city = city_estimate()
    return CityStanding(chart=rate_chart(NATIONAL_RATES, CITY_GOAL, city),
                        national=NATIONAL_RATES, goal=CITY_GOAL, city=city)
