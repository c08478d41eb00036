"""The estimator's choices, each defined once: statistics, interval methods, lonely-PSU rules,
replicate types and calibration variances.

Every option is a :class:`enum.StrEnum`, so a member *is* its text (``CIMethod.LOGIT ==
"logit"``) and the command line, the web page and JSON reports use the same words.
:func:`parse` turns text (or a member) into a member, with a one-line :class:`SurveyError`
listing the choices for anything else.

``xlogit`` is accepted as another name for ``logit``: R's ``svyciprop(method = "logit")`` fits
an intercept-only survey logistic regression and takes the Wald interval of its intercept,
``method = "xlogit"`` takes the Wald interval of logit(p) by the delta method; for a mean
the intercept's MLE is logit(p) and its sandwich SE is se(p) / (p (1 - p)), so the two
intervals are one formula (R 4.2.2, survey 4.1 agree to 1e-15 on ``apistrat``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from analysis.errors import SurveyError


class Statistic(StrEnum):
    """What is estimated: R's ``svymean``, ``svytotal``, ``svyciprop``, ``svyquantile``."""

    MEAN = "mean"
    TOTAL = "total"
    PROPORTION = "proportion"
    QUANTILE = "quantile"


class CIMethod(StrEnum):
    """Interval for a proportion (R's ``svyciprop`` methods; ``wald`` is R's ``"mean"``)."""

    LOGIT = "logit"
    BETA = "beta"
    WALD = "wald"
    WILSON = "wilson"


class LonelyPSU(StrEnum):
    """What a stratum with a single PSU contributes to the variance (R's
    ``options(survey.lonely.psu = ...)``)."""

    FAIL = "fail"
    REMOVE = "remove"
    ADJUST = "adjust"
    AVERAGE = "average"


class ReplicateType(StrEnum):
    """Replicate weights built from a design (R's ``as.svrepdesign`` types), and ``other``
    for replicate weights supplied with the data (R's ``svrepdesign``)."""

    JK1 = "jk1"
    JKN = "jkn"
    BOOTSTRAP = "bootstrap"
    OTHER = "other"


class Calibration(StrEnum):
    """How weights are calibrated to population margins, and the variance that follows.

    ``raking``: R's ``calibrate(calfun = "raking")`` (exact linearisation);
    ``raking_ipf``: R's ``rake()`` (ten sweeps approximating the projection);
    ``poststratify``: R's ``postStratify`` (one margin variable)."""

    RAKING = "raking"
    RAKING_IPF = "raking_ipf"
    POSTSTRATIFY = "poststratify"


#: replicate types the command line and the API can build from a design
BUILT_REPLICATES = (ReplicateType.JK1, ReplicateType.JKN, ReplicateType.BOOTSTRAP)
#: other names accepted for an option (documented in the module docstring)
ALIASES = {CIMethod: {"xlogit": CIMethod.LOGIT}}

E = TypeVar("E", bound=StrEnum)


def parse(kind: type[E], value: str | E, what: str) -> E:
    """``value`` as a member of ``kind`` (aliases accepted); a one-line error naming ``what``
    and the choices otherwise."""
    if isinstance(value, kind):
        return value
    text = str(value).strip().lower()
    alias = ALIASES.get(kind, {}).get(text)
    if alias is not None:
        return alias  # type: ignore[return-value]
    try:
        return kind(text)
    except ValueError:
        raise SurveyError(
            f"{what} must be one of {', '.join(m.value for m in kind)} (got {value!r})"
        ) from None


def choices(kind: type[StrEnum], *, aliases: bool = False) -> tuple[str, ...]:
    """The words of an option, in order (with its aliases when ``aliases``)."""
    words = tuple(m.value for m in kind)
    return words + tuple(ALIASES.get(kind, {})) if aliases else words
