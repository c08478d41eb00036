"""The city's own published estimate, as pages outside the survey feature show it.

The survey feature publishes estimate runs; the home page shows the newest published one. The
two never import each other: ``create_app`` registers the survey feature's provider here
(:func:`register_provider`) and the home page asks :func:`city_estimate`. Nothing here computes
a figure: the provider hands over the stored, published one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

_KEY = "kexue.city_estimate"


@dataclass(frozen=True)
class CityEstimate:
    """A published estimate of the share meeting the standard.

    ``share`` and the interval are ``None`` when publication suppresses them (too few
    respondents or too uncertain). ``simulated``: the wave's data are made up (the demo);
    ``placeholder_margins``: weighted to stand-in population figures; ``interim``: estimated
    while the wave was still in fieldwork. Each must be said wherever the figure is shown.
    """

    year: int
    wave_name: str
    share: float | None
    ci_low: float | None
    ci_high: float | None
    simulated: bool
    placeholder_margins: bool
    interim: bool


def register_provider(app: Flask, provider: Callable[[], CityEstimate | None]) -> None:
    """Let ``provider`` answer :func:`city_estimate` on ``app``."""
    app.extensions[_KEY] = provider


def city_estimate() -> CityEstimate | None:
    """The newest published estimate, or ``None`` (none published, or no provider)."""
    provider = current_app.extensions.get(_KEY)
    return provider() if provider is not None else None
