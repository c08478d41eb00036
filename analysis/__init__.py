"""Design-based survey estimation in the shape of R's ``survey`` package (Lumley).

An immutable :class:`Design` (built by :func:`svydesign`) and pure functions over it:
estimators (:func:`mean`, :func:`total`, :func:`proportion`, :func:`quantile`), domains
(:func:`by`, :func:`domain_difference`, :func:`independent_difference`), calibration
(:func:`poststratify`, :func:`rake`) returning new designs, replicate designs
(:func:`jk1`, :func:`jkn`, :func:`bootstrap`, :func:`with_replicate_weights`), the goal
test (:func:`goal_test`) and weight tools.  No Flask, and scipy only where needed.

The one entry point for a whole estimate is :func:`estimate` (:class:`EstimateSpec` in,
:class:`Report` out; :mod:`analysis.api`), which the command line and the web page call.
The options (statistics, interval methods, lonely-PSU rules, replicate types,
calibrations) are the enums of :mod:`analysis.options`.
"""

from analysis.api import (
    Breakdown,
    DomainRow,
    EstimateSpec,
    Method,
    PlaceholderMargin,
    Report,
    UserReplicates,
    estimate,
)
from analysis.calibration import poststratify, rake
from analysis.design import Design, Factor, ReplicateWeights, degrees_of_freedom, svydesign
from analysis.domains import DomainEstimate, by, domain_difference, independent_difference
from analysis.errors import (
    ConvergenceError,
    LonelyPSUError,
    MarginTotalError,
    NonFiniteError,
    SurveyError,
    TooManyLevelsError,
    WeightRangeError,
)
from analysis.estimators import Estimate, mean, proportion, quantile, total
from analysis.goal import DEFAULT_GOAL, GoalTest, goal_test
from analysis.intervals import proportion_interval, wald_interval
from analysis.options import Calibration, CIMethod, LonelyPSU, ReplicateType, Statistic
from analysis.replicates import bootstrap, jk1, jkn, with_replicate_weights
from analysis.weights import WeightSummary, nonresponse_adjust, trim_weights, weight_summary

__all__ = [
    "DEFAULT_GOAL",
    "Breakdown",
    "CIMethod",
    "Calibration",
    "ConvergenceError",
    "Design",
    "DomainEstimate",
    "DomainRow",
    "Estimate",
    "EstimateSpec",
    "Factor",
    "GoalTest",
    "LonelyPSU",
    "LonelyPSUError",
    "MarginTotalError",
    "Method",
    "NonFiniteError",
    "PlaceholderMargin",
    "ReplicateType",
    "ReplicateWeights",
    "Report",
    "Statistic",
    "SurveyError",
    "TooManyLevelsError",
    "UserReplicates",
    "WeightRangeError",
    "WeightSummary",
    "bootstrap",
    "by",
    "degrees_of_freedom",
    "domain_difference",
    "estimate",
    "goal_test",
    "independent_difference",
    "jk1",
    "jkn",
    "mean",
    "nonresponse_adjust",
    "poststratify",
    "proportion",
    "proportion_interval",
    "quantile",
    "rake",
    "svydesign",
    "total",
    "trim_weights",
    "wald_interval",
    "weight_summary",
    "with_replicate_weights",
]
