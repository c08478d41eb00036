"""The city's time zone: what people read and type; the database keeps UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CITY_TZ = ZoneInfo("Asia/Shanghai")


def from_local(naive: datetime) -> datetime:
    """A wall-clock time in the city (as typed in a form) as an aware UTC datetime."""
    return naive.replace(tzinfo=CITY_TZ).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    """An aware datetime in the city's time zone."""
    return moment.astimezone(CITY_TZ)


def local_day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The UTC start and end of the city's calendar day containing ``moment``."""
    day: date = to_local(moment).date()
    start = datetime.combine(day, time(0), tzinfo=CITY_TZ).astimezone(UTC)
    return start, start + timedelta(days=1)
