"""The annual literacy survey's rules in plain Python (no Flask, no database).

One public API, re-exported here from its modules:

* :mod:`surveys.scoring` - the one scoring rule (dimension scores, total, level, complete or
  partial) and the count of respondents exactly at the 70 cut point;
* :mod:`surveys.forms` - two parallel forms per wave with shared anchors, their comparison
  table, and permuted-block form assignment;
* :mod:`surveys.frame` - the sampling frame (townships, villages/communities) with all-or-
  nothing validation of CSV/XLSX files;
* :mod:`surveys.sampling` - allocation to strata, systematic PPS of PSUs with certainty units,
  systematic selection of households, base weights and the design summary;
* :mod:`surveys.respondents` - one adult per household by the Kish grid or the next birthday;
* :mod:`surveys.dispositions` - AAPOR dispositions and response, cooperation, contact rates;
* :mod:`surveys.quality` - data-quality flags on completed interviews;
* :mod:`surveys.demographics` - age, age band, education level, target group, urban/rural;
* :mod:`surveys.labels` - bilingual display names (Chinese first) of every code;
* :mod:`surveys.estimation` - a wave's estimate run (headline share, scores, domains, small-cell
  flags, comparison between waves and the trend), every figure from :func:`analysis.estimate`;
* :mod:`surveys.provenance` - the code version and SHA-256 hashes stored with a run.
* :mod:`surveys.weighting` - a wave's weights: non-response adjustment within collapsed
  weighting classes, raking to a margins version (:mod:`surveys.margins`), trimming with
  re-raking, and the diagnostics of every step (every figure from :mod:`analysis`).

Every random draw takes an explicit ``numpy.random.Generator``.  Bad input raises
:class:`SurveyInputError` (or a subclass) with a one-line message.  See ``surveys/README.md``.
"""

from surveys.demographics import (
    AgeBand,
    Education,
    EducationDetail,
    Occupation,
    Profile,
    Sex,
    TargetGroup,
    UrbanRural,
    age_at,
    age_band,
    derive_profile,
    education_level,
    is_eligible,
    target_group,
    urban_rural_from_code,
    years_in_city,
)
from surveys.dispositions import (
    Case,
    Disposition,
    DispositionCounts,
    GroupBy,
    RateCategory,
    ResponseRates,
    disposition_of_interview,
    rates_by,
    response_rates,
)
from surveys.errors import (
    CaseIssue,
    CasesError,
    FrameError,
    FrameIssue,
    PoolTooSmallError,
    SurveyInputError,
)
from surveys.estimation import (
    BREAKDOWNS,
    SCORES,
    EstimateResult,
    EstimateSettings,
    TrendRow,
    WaveComparison,
    compare,
    estimate_specs,
    estimate_wave,
    trend,
    verdict_text,
)
from surveys.forms import (
    DEFAULT_BLUEPRINT,
    Blueprint,
    ComparisonRow,
    Form,
    FormAssignment,
    ParallelForms,
    PoolItem,
    assemble_parallel_forms,
    assign_forms,
    comparison_table,
    permuted_blocks,
)
from surveys.frame import Frame, FramePSU, parse_frame, read_frame, read_frame_bytes, validate_frame
from surveys.labels import LABEL_TABLES, label
from surveys.margins import MarginsVersion, list_versions, load_version
from surveys.provenance import code_version, sha256_bytes, sha256_file
from surveys.quality import (
    DEFAULT_THRESHOLDS,
    FlagCode,
    InterviewRecord,
    QualityFlag,
    Thresholds,
    check_quality,
)
from surveys.respondents import (
    Adult,
    KishTable,
    RespondentSelection,
    SelectionMethod,
    kish_tables,
    select_by_kish,
    select_by_next_birthday,
)
from surveys.sampling import (
    AllocationMethod,
    DesignSpec,
    HouseholdSample,
    PsuSample,
    SelectedPSU,
    StratumPlan,
    StratumSummary,
    allocate,
    base_weight,
    design_summary,
    draw_psus,
    plan_design,
    pps_inclusion_probabilities,
    select_households,
    select_psus,
    stage_rng,
    systematic_pps,
)
from surveys.scoring import (
    DEFAULT_RULE,
    MAX_POINTS,
    Boundary,
    CutReport,
    Dimension,
    DimensionScore,
    FormScore,
    FormStatus,
    IncompleteReason,
    ItemResponse,
    Level,
    NonAnswer,
    ScoringRule,
    cut_report,
    is_correct,
    level_for,
    meets_standard,
    score_form,
)
from surveys.weighting import (
    CASE_COLUMNS,
    PLACEHOLDER_COLUMN,
    WEIGHTED_COLUMNS,
    CaseTable,
    ClassRow,
    MarginCheck,
    PlaceholderMarginsRefused,
    TrimmingNotConverged,
    WeightDistribution,
    WeightingResult,
    WeightingSettings,
    cases_csv,
    read_cases,
    weight_cases,
    weighted_csv,
)

__all__ = [
    "CASE_COLUMNS", "DEFAULT_BLUEPRINT", "DEFAULT_RULE", "DEFAULT_THRESHOLDS", "LABEL_TABLES",
    "MAX_POINTS", "PLACEHOLDER_COLUMN", "WEIGHTED_COLUMNS", "Adult", "AgeBand", "AllocationMethod",
    "Blueprint", "Boundary", "Case", "CaseIssue", "CaseTable", "CasesError", "ClassRow",
    "ComparisonRow", "CutReport", "DesignSpec", "Dimension", "DimensionScore", "Disposition",
    "DispositionCounts", "Education", "EducationDetail", "FlagCode", "Form", "FormAssignment",
    "FormScore", "FormStatus", "Frame", "FrameError", "FrameIssue", "FramePSU", "GroupBy",
    "HouseholdSample", "IncompleteReason", "InterviewRecord", "ItemResponse", "KishTable", "Level",
    "MarginCheck", "MarginsVersion", "NonAnswer", "Occupation", "ParallelForms",
    "PlaceholderMarginsRefused", "PoolItem", "PoolTooSmallError", "Profile", "PsuSample",
    "QualityFlag", "RateCategory", "RespondentSelection", "ResponseRates", "ScoringRule",
    "SelectedPSU", "SelectionMethod", "Sex", "StratumPlan", "StratumSummary", "SurveyInputError",
    "TargetGroup", "Thresholds", "TrimmingNotConverged", "UrbanRural", "WeightDistribution",
    "WeightingResult", "WeightingSettings", "age_at", "age_band", "allocate",
    "assemble_parallel_forms",
    "assign_forms", "base_weight", "cases_csv", "check_quality", "comparison_table", "cut_report",
    "derive_profile", "design_summary", "disposition_of_interview", "draw_psus", "education_level",
    "is_correct", "is_eligible", "kish_tables", "label", "level_for", "list_versions",
    "load_version", "meets_standard", "parse_frame", "permuted_blocks", "plan_design",
    "pps_inclusion_probabilities",
    "rates_by", "read_cases", "read_frame", "read_frame_bytes", "response_rates", "score_form",
    "select_by_kish", "select_by_next_birthday", "select_households", "select_psus", "stage_rng",
    "systematic_pps", "target_group", "urban_rural_from_code", "validate_frame", "weight_cases",
    "weighted_csv", "years_in_city",
    "BREAKDOWNS", "SCORES", "EstimateResult", "EstimateSettings", "TrendRow", "WaveComparison",
    "code_version", "compare", "estimate_specs", "estimate_wave", "sha256_bytes", "sha256_file",
    "trend", "verdict_text",
]
