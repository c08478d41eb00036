"""The de-identified respondent file of a survey wave, and its codebook.

:func:`respondent_file` turns the weighted respondent rows (``WeightingResult.weighted_rows``
plus the item responses the web layer adds) into an :class:`ExportTable`: one row per
respondent, every column described by a :class:`Variable` (Chinese and English labels,
value labels, how it was derived).  It takes **only the columns it knows** (a whitelist):
whatever else a row carries (a case id, a name, a phone number, an address, an invitation
code, GPS, free text) never reaches a column, a label or the codebook.  Respondents are
numbered 1..n (``serial``), in stratum, PSU and input order; the case id is not exported.

Replicate weights (``rw_1`` .. ``rw_R``) come from ``analysis``: the design
(final weights, strata, PSUs) is raked to the margins as ``analysis.estimate`` does, then
``analysis.replicates.make_replicates`` builds bootstrap (Rao-Wu, m_h = n_h - 1) or JKn
replicates and recalibrates each one to the same margins.  So the replicate SE of any
statistic equals the one ``analysis.estimate`` gives with the same seed, and a raked
margin's total is the same in every replicate.

Writers: :func:`write_csv` (plain UTF-8, no byte-order mark: every cell is a number or an
ASCII code, so the file is the same in every encoding, and a BOM would only end up in the
first column's name in R's ``read.csv``, pandas and older Stata ``import delimited``; the
labels live in the codebook), :func:`write_dta` (Stata 14+ format 118, UTF-8),
:func:`write_sav` (SPSS, UTF-8), :func:`write_parquet` (labels in the schema metadata),
:func:`codebook_html` and :func:`codebook_xlsx`.

Codes: categories are integers 1..k in the label table's order (``surveys.labels``);
``level`` 1 = low .. 4 = high (rising with literacy); ``meets`` and ``<item>_ok`` 0/1;
an item is 1..k (option A, B, ... in the bank's canonical order), 7 not presented,
8 don't know (不知道), 9 blank (未作答), empty when the item was not on the respondent's
form; a multiple-choice answer is its options' numbers in order (A and C = 13).
"""

from __future__ import annotations

import dataclasses
import html
import io
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from surveys.errors import SurveyInputError
from surveys.labels import (
    AGE_BAND_LABELS,
    DIMENSION_LABELS,
    EDUCATION_LABELS,
    LEVEL_LABELS,
    SEX_LABELS,
    TARGET_GROUP_LABELS,
    URBAN_RURAL_LABELS,
)

__all__ = [
    "ExportItem",
    "ExportTable",
    "ReplicateInfo",
    "Variable",
    "codebook_html",
    "codebook_xlsx",
    "find_forbidden",
    "respondent_file",
    "write_csv",
    "write_dta",
    "write_parquet",
    "write_sav",
]

NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")
#: Stata's limit on a variable label (characters; also under SPSS's 255 bytes for CJK text).
VARIABLE_LABEL_MAX = 80
#: SPSS keeps at most 120 bytes of a value label (longer ones are cut silently).
SAV_VALUE_LABEL_BYTES = 120
#: Stata .dta format 118 (Stata 14 and later): UTF-8 strings and labels.
DTA_VERSION = 14

NOT_PRESENTED, DONT_KNOW, BLANK = 7, 8, 9
MAX_OPTIONS = 6  # so that option numbers never collide with 7/8/9
LETTERS = "ABCDEF"
DIMENSIONS = ("K", "M", "S", "A")
PARQUET_KEY = b"kexue.codebook"


@dataclass(frozen=True)
class Variable:
    """One column of the export: labels, kind, value labels and how it was derived.

    ``kind``: ``numeric`` (a measurement), ``category`` (integer codes with ``values``),
    ``text-code`` (a code kept as text).  ``values``: ``(code, label_zh, label_en)`` in
    code order.  ``integer``: stored as an integer (categories always are).
    """

    name: str
    label_zh: str
    label_en: str
    kind: str
    values: tuple[tuple[int | str, str, str], ...] = ()
    derivation: str = ""
    integer: bool = False

    def __post_init__(self) -> None:
        if not NAME_RE.fullmatch(self.name):
            raise SurveyInputError(
                f"variable name '{self.name}' is not Stata-safe ([a-z][a-z0-9_]{{0,31}})"
            )
        if self.kind not in ("numeric", "category", "text-code"):
            raise SurveyInputError(f"variable '{self.name}': unknown kind '{self.kind}'")

    @property
    def label(self) -> str:
        """The file label: "中文 / English", Chinese only when that is too long for Stata."""
        return _both(self.label_zh, self.label_en, chars=VARIABLE_LABEL_MAX)

    def value_labels(self, *, max_bytes: int | None = None) -> dict[int, str]:
        """code -> "中文 / English" (fitted to ``max_bytes`` of UTF-8 when given)."""
        out = {}
        for code, zh, en in self.values:
            text = _both(zh, en)
            if max_bytes is not None and len(text.encode("utf-8")) > max_bytes:
                text = _cut_bytes(zh, max_bytes)
            out[int(code)] = text
        return out


@dataclass(frozen=True)
class ExportItem:
    """One survey item as exported: its column name, labels and options (zh, en) in the
    bank's canonical order (shown as A, B, ...)."""

    name: str
    label_zh: str
    label_en: str
    options: tuple[tuple[str, str], ...]
    multiple: bool = False

    @classmethod
    def of(cls, spec: ExportItem | Sequence[Any]) -> ExportItem:
        """An item from ``(name, label, options)`` as the contract gives it: ``label`` is
        text or ``(zh, en)``, each option text or ``(zh, en)``; an optional 4th element
        ``True`` marks a multiple-choice item."""
        if isinstance(spec, ExportItem):
            return spec
        try:
            name, label, options, *rest = spec
        except (TypeError, ValueError):
            raise SurveyInputError(
                "an item must be (column name, label, options)"
            ) from None
        zh, en = _pair(label)
        opts = tuple(_pair(o) for o in options)
        return cls(str(name), zh, en, opts, bool(rest[0]) if rest else False)


@dataclass(frozen=True)
class ReplicateInfo:
    """How the replicate weights were made, and how to declare them."""

    method: str  # "bootstrap" | "jkn" | "jk1"
    count: int
    seed: int | None
    scale: float
    rscales: tuple[float, ...]
    margins: str | None  # margins name (or "given totals"), None = not raked
    placeholder_margins: tuple[str, ...] = ()
    # Why the replicates are not re-raked although the weights were (None: they are, or the
    # weights were not raked): re-raking a replicate failed and the caller allowed the fallback.
    not_reraked: str | None = None

    def instructions(self) -> list[tuple[str, str]]:
        """(software, text) pairs telling how to declare the design in Stata, R and SPSS."""
        r = self.count
        if self.method == "bootstrap":
            stata = (f"svyset [pw=final_weight], bsrweight(rw_1-rw_{r}) vce(bootstrap)   "
                     "// add mse to centre the variance on the full-sample estimate")
            rcode = ("svrepdesign(data = d, weights = ~final_weight, repweights = \"^rw_\", "
                     f"type = \"bootstrap\", scale = 1/({r}-1), rscales = 1, mse = FALSE)")
        elif self.method == "jk1":
            stata = (f"svyset [pw=final_weight], jkrweight(rw_1-rw_{r}, "
                     f"multiplier({self.scale!r})) vce(jackknife)")
            rcode = ("svrepdesign(data = d, weights = ~final_weight, repweights = \"^rw_\", "
                     f"type = \"JK1\", scale = {self.scale!r})")
        else:
            stata = (f"svyset [pw=final_weight], jkrweight(rw_1-rw_{r}, multiplier(...)) "
                     "vce(jackknife)   // multiplier: each replicate's rscale, see the table")
            rcode = ("svrepdesign(data = d, weights = ~final_weight, repweights = \"^rw_\", "
                     f"type = \"JKn\", scale = {self.scale!r}, rscales = <the rscale column>)")
        formula = (f"V = {self.scale!r} x sum_r rscale_r (theta_r - mean of theta_r)^2 "
                   f"over the {r} replicates")
        return [("Stata", stata), ("R (survey)", rcode),
                ("SPSS", "SPSS Statistics has no replicate-weight design: use the "
                         "linearised design (stratum, psu, final_weight) in Complex Samples, "
                         "or compute the replicate estimates and apply the formula."),
                ("Formula", formula)]


@dataclass(frozen=True)
class ExportTable:
    """The respondent file: ``variables`` in column order and ``columns`` (name -> values,
    ``None`` where missing)."""

    variables: tuple[Variable, ...]
    columns: Mapping[str, tuple[Any, ...]]
    n_rows: int
    replicates: ReplicateInfo | None
    title: str = "科学素质调查受访者数据 / Science literacy survey respondent file"
    notes: tuple[str, ...] = ()

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def rows(self) -> Iterable[tuple[Any, ...]]:
        cols = [self.columns[n] for n in self.names]
        return zip(*cols, strict=True)


# --- labels -----------------------------------------------------------------------------


def _pair(value: Any) -> tuple[str, str]:
    if isinstance(value, str):
        return value, value
    try:
        zh, en = value
    except (TypeError, ValueError):
        raise SurveyInputError(
            f"a label must be text or (Chinese, English), got {value!r}"
        ) from None
    return str(zh), str(en)


def _both(zh: str, en: str, *, chars: int | None = None) -> str:
    text = zh if not en or en == zh else f"{zh} / {en}"
    if chars is not None and len(text) > chars:
        text = zh[:chars]
    return text


def _cut_bytes(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")[:max_bytes]
    return data.decode("utf-8", errors="ignore")


def _table_values(table: Mapping[str, Mapping[str, str]]) -> tuple[tuple[int, str, str], ...]:
    return tuple((i, t["zh"], t["en"]) for i, t in enumerate(table.values(), start=1))


YES_NO = ((0, "否", "No"), (1, "是", "Yes"))
OK_VALUES = ((0, "错误", "Wrong"), (1, "正确", "Right"))
LEVEL_VALUES = tuple(
    (i, t["zh"], t["en"]) for i, t in enumerate(reversed(LEVEL_LABELS.values()), start=1)
)
LEVEL_CODES = {code: i for i, code in enumerate(reversed(LEVEL_LABELS), start=1)}
FORM_VALUES = ((1, "A卷", "Form A"), (2, "B卷", "Form B"))

#: Demographic categories: column -> (label zh, label en, label table, derivation).
DEMOGRAPHICS: dict[str, tuple[str, str, Mapping[str, Mapping[str, str]], str]] = {
    "sex": ("性别", "Sex", SEX_LABELS, "From the interview; 访问中登记。"),
    "age_band": ("年龄组", "Age band", AGE_BAND_LABELS,
                 "Age at the interview date from the date of birth, banded (surveys."
                 "demographics.age_band); 由出生日期算访问日年龄后分组。"),
    "education": ("文化程度", "Education", EDUCATION_LABELS,
                  "Highest completed schooling collapsed to five levels, lowest first "
                  "(surveys.demographics.education_level); 最高学历归为五级。"),
    "urban_rural": ("城乡（自报居住地）", "Urban/rural (self-reported residence)",
                    URBAN_RURAL_LABELS, "Self-reported residence; 受访者自报居住地。"),
    "group": ("重点人群", "Target group", TARGET_GROUP_LABELS,
              "The plan's target group from age, occupation and residence "
              "(surveys.demographics.target_group); 按年龄、职业和居住地归入重点人群。"),
}


# --- reading the rows -------------------------------------------------------------------


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "") or (
        isinstance(v, float) and math.isnan(v)
    )


def _number(row: Mapping[str, Any], key: str, i: int, *, required: bool,
            positive: bool = False) -> float | None:
    v = row.get(key)
    if _missing(v):
        if required:
            raise SurveyInputError(f"row {i}: {key} is missing")
        return None
    if isinstance(v, bool):
        raise SurveyInputError(f"row {i}: {key} is not a number ({v!r})")
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise SurveyInputError(f"row {i}: {key} is not a number ({v!r})") from None
    if not math.isfinite(x):
        raise SurveyInputError(f"row {i}: {key} is not a finite number ({v!r})")
    if positive and x <= 0:
        raise SurveyInputError(f"row {i}: {key} must be positive (got {v!r})")
    return x


def _text(row: Mapping[str, Any], key: str, i: int, *, required: bool) -> str | None:
    v = row.get(key)
    if _missing(v):
        if required:
            raise SurveyInputError(f"row {i}: {key} is missing")
        return None
    return str(v).strip()


def _code(row: Mapping[str, Any], key: str, i: int, codes: Mapping[str, int]) -> int | None:
    text = _text(row, key, i, required=False)
    if text is None:
        return None
    if text not in codes:
        allowed = ", ".join(codes)
        raise SurveyInputError(f"row {i}: {key} '{text}' is not one of {allowed}")
    return codes[text]


def _binary(row: Mapping[str, Any], key: str, i: int, *, required: bool) -> int | None:
    x = _number(row, key, i, required=required)
    if x is None:
        return None
    if x not in (0.0, 1.0):
        raise SurveyInputError(f"row {i}: {key} must be 0 or 1 (got {row.get(key)!r})")
    return int(x)


def _item_code(value: Any, item: ExportItem, i: int) -> int | None:
    """The export code of one answer (see the module docstring)."""
    if _missing(value):
        return None
    k = len(item.options)
    special = {"not_presented": NOT_PRESENTED, "dont_know": DONT_KNOW, "blank": BLANK}
    if isinstance(value, str) and value.strip() in special:
        return special[value.strip()]
    if isinstance(value, list | tuple | set | frozenset):
        chosen = sorted({int(c) for c in value})
        if not chosen or any(not 1 <= c <= k for c in chosen):
            raise SurveyInputError(f"row {i}: item {item.name} answer {value!r} is not within "
                                   f"options 1..{k}")
        if len(chosen) > 1 and not item.multiple:
            raise SurveyInputError(f"row {i}: item {item.name} is single-choice but has "
                                   f"answer {value!r}")
        return int("".join(str(c) for c in chosen))
    try:
        code = int(str(value).strip())
    except ValueError:
        raise SurveyInputError(f"row {i}: item {item.name} answer {value!r} is not a "
                               "code") from None
    if code in (NOT_PRESENTED, DONT_KNOW, BLANK):
        return code
    digits = [int(c) for c in str(code)]
    if (not 1 <= code <= k) and not (
        item.multiple and all(1 <= d <= k for d in digits) and digits == sorted(set(digits))
    ):
        raise SurveyInputError(f"row {i}: item {item.name} answer {value!r} is not one of "
                               f"1..{k}, 7, 8, 9")
    return code


# --- replicates -------------------------------------------------------------------------

NOT_RERAKED_NOTE = (
    "The replicate weights rw_* are NOT re-raked to the margins ({margins}): with {n} "
    "respondents some bootstrap replicate could not be raked ({reason}). Each replicate is the "
    "final weight times its bootstrap factor, so replicate standard errors omit the "
    "calibration (usually somewhat larger than the platform's published SEs, which account for "
    "it); the final weights and every point estimate are unaffected. "
    "重复权数未重新校准到总体边际：样本较小，部分自助法重复样本无法校准。重复权数 = 最终权数 × "
    "自助法系数，据此计算的标准误未考虑校准（通常略大于平台公布的标准误）；最终权数与点估计不受影响。")


def _margin_totals(margins: Any) -> tuple[dict[str, dict[str, float]] | None, str | None,
                                          tuple[str, ...]]:
    """(totals, name, placeholder list) from a MarginsVersion, a path or a mapping."""
    if margins is None:
        return None, None, ()
    if hasattr(margins, "totals") and callable(margins.totals):
        totals = {str(v): {str(k): float(t) for k, t in lv.items()}
                  for v, lv in margins.totals().items()}
        return totals, str(getattr(margins, "name", "margins")), tuple(
            getattr(margins, "placeholders", ()))
    from analysis.api import load_margins

    if isinstance(margins, str | os.PathLike):
        totals, used = load_margins(margins, allow_placeholders=True)
        return totals, Path(margins).stem, tuple(f"{p.variable}={p.level}" for p in used)
    if isinstance(margins, Mapping):
        totals, _ = load_margins(margins)
        return totals, "given totals", ()
    raise SurveyInputError("margins must be a margins version, a margins file or a mapping")


def _replicate_weights(
    final: np.ndarray, strata: list[str], psus: list[str],
    raking: Mapping[str, list[Any]] | None, totals: Mapping[str, Mapping[str, float]] | None,
    kind: str, n_replicates: int, seed: int, unraked_fallback: bool = False,
) -> tuple[np.ndarray, float, np.ndarray, str | None]:
    """Replicate weights (rows x R), scale, rscales and why they are not re-raked (None
    when they are or need not be), built as ``analysis.estimate`` builds them: design, raking
    to the margins, then the replicates (recalibrated).  With ``unraked_fallback``, replicates
    that cannot all be re-raked are made again from the same seed without re-raking."""
    from analysis.calibration import rake
    from analysis.design import Factor, svydesign
    from analysis.errors import SurveyError
    from analysis.replicates import make_replicates

    reason = None
    try:
        unraked = svydesign(final, strata=Factor.from_values(np.array(strata, dtype=object)),
                            psu=Factor.from_values(np.array(psus, dtype=object)),
                            lonely_psu="adjust",
                            names={"weights": "final_weight", "strata": "stratum",
                                   "psu": "psu", "fpc": ""})
        design = unraked
        if totals:
            factors = {v: Factor.from_values(np.array(raking[v], dtype=object)) for v in totals}
            design = rake(unraked, factors, totals)
        try:
            design = make_replicates(design, kind, replicates=n_replicates,
                                     rng=np.random.default_rng(seed))
        except SurveyError as exc:
            if not (totals and unraked_fallback):
                raise
            reason = str(exc)
            design = make_replicates(unraked, kind, replicates=n_replicates,
                                     rng=np.random.default_rng(seed))
    except SurveyError as exc:
        raise SurveyInputError(f"replicate weights: {exc}") from None
    rep = design.replicates
    assert rep is not None
    # Replicate weight of row i = base_i x multiplier[unit_i, r] (analysis stores them so).
    if rep.recalibrated is not None:
        rc = rep.recalibrated
        w = rc.base[:, None] * rc.multipliers[rc.units]
    else:
        assert rep.factors is not None
        w = design.weights[:, None] * rep.factors[design.psu]
    return w, float(rep.scale), np.asarray(rep.rscales, np.float64), reason


# --- the respondent file ----------------------------------------------------------------


def _sort_key(code: str) -> tuple[float, str]:
    try:
        return float(code), code
    except ValueError:
        return math.inf, code


def respondent_file(
    weighted_rows: Iterable[Mapping[str, Any]],
    *,
    items: Sequence[ExportItem | Sequence[Any]] = (),
    replicates: str | None = "bootstrap",
    n_replicates: int = 100,
    seed: int,
    margins: Any = None,
    township_names: Mapping[str, tuple[str, str]] | None = None,
    unraked_fallback: bool = False,
) -> ExportTable:
    """The de-identified respondent file (see the module docstring for the codes).

    ``weighted_rows``: respondent rows with the cases-file columns (``stratum``, ``psu``,
    ``pi1``, ``pi2``, ``eligible_adults``, ``base_weight``, ``final_weight``, the profile,
    ``form``, the scores, ``level``, ``meets``) and, per item, its answer under the item's
    name and ``<name>_ok`` (0/1).  ``replicates``: ``"bootstrap"``, ``"jkn"``, ``"jk1"`` or
    ``None`` (no replicate columns); ``seed`` seeds the bootstrap.  ``margins``: the
    margins version the weights were raked to (a ``MarginsVersion``, a margins file or a
    ``{variable: {level: total}}`` mapping), so each replicate is re-raked to it.
    ``township_names``: township code -> (Chinese, English) name for the value labels.
    ``unraked_fallback``: when some replicate cannot be re-raked (a small sample: a replicate
    leaves a margin level without weight, or raking does not converge), give replicates that
    are not re-raked, with a note saying so, instead of refusing the file.
    Raises :class:`SurveyInputError` (one line naming the row and column) on bad input.
    """
    rows = list(weighted_rows)
    if not rows:
        raise SurveyInputError("there are no respondent rows to export")
    export_items = [ExportItem.of(it) for it in items]
    totals, margins_name, placeholders = _margin_totals(margins)
    reserved = {"serial", "stratum", "psu", "pi1", "pi2", "p_within", "base_weight",
                "final_weight", "township", "form", "total", "level", "meets",
                *DEMOGRAPHICS, *(f"score_{d.lower()}" for d in DIMENSIONS)}
    seen: set[str] = set()
    for it in export_items:
        if not NAME_RE.fullmatch(it.name) or len(it.name) > 29:
            raise SurveyInputError(f"item column name '{it.name}' is not Stata-safe "
                                   "([a-z][a-z0-9_]{0,28}, room for '_ok')")
        if it.name in reserved or it.name in seen or it.name.startswith("rw_"):
            raise SurveyInputError(f"item column name '{it.name}' is used twice")
        if not 2 <= len(it.options) <= MAX_OPTIONS:
            raise SurveyInputError(f"item {it.name} must have 2 to {MAX_OPTIONS} options")
        seen.add(it.name)
    if replicates is not None and replicates not in ("bootstrap", "jkn", "jk1"):
        raise SurveyInputError(f"replicates must be bootstrap, jkn, jk1 or None "
                               f"(got '{replicates}')")

    # Read every row first (all-or-nothing), with the input's 1-based row numbers.
    parsed = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise SurveyInputError(f"row {i} is not a mapping of columns")
        adults = _number(row, "eligible_adults", i, required=True, positive=True)
        assert adults is not None
        if not float(adults).is_integer():
            raise SurveyInputError(f"row {i}: eligible_adults must be a whole number")
        rec: dict[str, Any] = {
            "stratum": _text(row, "stratum", i, required=True),
            "psu": _text(row, "psu", i, required=True),
            "pi1": _number(row, "pi1", i, required=True, positive=True),
            "pi2": _number(row, "pi2", i, required=True, positive=True),
            "p_within": 1.0 / adults,
            "base_weight": _number(row, "base_weight", i, required=True, positive=True),
            "final_weight": _number(row, "final_weight", i, required=True, positive=True),
            "township": _text(row, "township", i, required=False),
            "form": _code(row, "form", i, {"A": 1, "B": 2}),
            "total": _number(row, "total", i, required=False),
            "level": _code(row, "level", i, LEVEL_CODES),
            "meets": _binary(row, "meets", i, required=True),
        }
        for name, (_, _, table, _) in DEMOGRAPHICS.items():
            rec[name] = _code(row, name, i, {c: j for j, c in enumerate(table, start=1)})
        for d in DIMENSIONS:
            rec[f"score_{d.lower()}"] = _number(row, f"score_{d}", i, required=False)
        for it in export_items:
            code = _item_code(row.get(it.name), it, i)
            ok = _binary(row, f"{it.name}_ok", i, required=False)
            if code is not None and ok is None:
                raise SurveyInputError(f"row {i}: {it.name}_ok is missing")
            if code is None and ok is not None:
                raise SurveyInputError(f"row {i}: {it.name}_ok is given but {it.name} is "
                                       "not (not on the respondent's form)")
            rec[it.name], rec[f"{it.name}_ok"] = code, ok
        for var in totals or ():
            rec[("rake", var)] = _text(row, var, i, required=True)
        rec["_order"] = i
        parsed.append(rec)

    strata_codes = sorted({r["stratum"] for r in parsed}, key=_sort_key)
    stratum_no = {c: j for j, c in enumerate(strata_codes, start=1)}
    parsed.sort(key=lambda r: (stratum_no[r["stratum"]], _sort_key(r["psu"]), r["_order"]))
    psu_codes = list(dict.fromkeys((r["stratum"], r["psu"]) for r in parsed))
    psu_no = {c: j for j, c in enumerate(psu_codes, start=1)}
    town_codes = sorted({r["township"] for r in parsed if r["township"]} | set(strata_codes),
                        key=_sort_key)
    town_no = {c: j for j, c in enumerate(town_codes, start=1)}
    names = township_names or {}

    n = len(parsed)
    cols: dict[str, list[Any]] = {"serial": list(range(1, n + 1))}
    cols["stratum"] = [stratum_no[r["stratum"]] for r in parsed]
    cols["psu"] = [psu_no[(r["stratum"], r["psu"])] for r in parsed]
    for key in ("pi1", "pi2", "p_within", "base_weight", "final_weight"):
        cols[key] = [r[key] for r in parsed]
    rep_info = None
    if replicates is not None:
        if n_replicates < 2:
            raise SurveyInputError("n_replicates must be at least 2")
        final = np.array(cols["final_weight"], np.float64)
        raking = ({var: [r[("rake", var)] for r in parsed] for var in totals}
                  if totals else None)
        rw, scale, rscales, not_reraked = _replicate_weights(
            final, [r["stratum"] for r in parsed], [r["psu"] for r in parsed], raking, totals,
            replicates, n_replicates, seed, unraked_fallback)
        for j in range(rw.shape[1]):
            cols[f"rw_{j + 1}"] = rw[:, j].tolist()
        rep_info = ReplicateInfo(replicates, rw.shape[1],
                                 seed if replicates == "bootstrap" else None, scale,
                                 tuple(float(x) for x in rscales),
                                 None if not_reraked else margins_name, placeholders,
                                 not_reraked)
    for name in DEMOGRAPHICS:
        cols[name] = [r[name] for r in parsed]
    cols["township"] = [town_no[r["township"]] if r["township"] else None for r in parsed]
    cols["form"] = [r["form"] for r in parsed]
    for it in export_items:
        cols[it.name] = [r[it.name] for r in parsed]
    for it in export_items:
        cols[f"{it.name}_ok"] = [r[f"{it.name}_ok"] for r in parsed]
    for d in DIMENSIONS:
        cols[f"score_{d.lower()}"] = [r[f"score_{d.lower()}"] for r in parsed]
    for key in ("total", "level", "meets"):
        cols[key] = [r[key] for r in parsed]

    variables = _variables(strata_codes, psu_codes, town_codes, names, export_items,
                           rep_info, totals is not None)
    assert [v.name for v in variables] == list(cols)
    notes = []
    if placeholders:
        notes.append("The weights were raked to PLACEHOLDER margins (not population totals): "
                     + ", ".join(placeholders) + "; 权数校准所用总体边际为占位数。")
    if rep_info is not None and rep_info.not_reraked:
        notes.append(NOT_RERAKED_NOTE.format(margins=margins_name, n=n,
                                             reason=rep_info.not_reraked))
    return ExportTable(tuple(variables), {k: tuple(v) for k, v in cols.items()}, n, rep_info,
                       notes=tuple(notes))


def _variables(strata: list[str], psus: list[tuple[str, str]], towns: list[str],
               names: Mapping[str, tuple[str, str]], items: list[ExportItem],
               rep: ReplicateInfo | None, raked: bool) -> list[Variable]:
    V = Variable
    out = [
        V("serial", "受访者序号", "Respondent serial", "numeric", integer=True,
          derivation="1..n in stratum, PSU and input order; not the case id. "
                     "按层、初级抽样单位排序的序号，不是个案编号。"),
        V("stratum", "抽样层（乡镇街道）", "Sampling stratum (township)", "category",
          tuple((j, c, c) for j, c in enumerate(strata, start=1)),
          "The township of the frame; value label = frame code. 抽样框中的乡镇（街道）代码。"),
        V("psu", "初级抽样单位（村居）", "Primary sampling unit (village/community)",
          "category", tuple((j, f"{s}-{p}", f"{s}-{p}") for j, (s, p) in
                            enumerate(psus, start=1)),
          "Numbered within the file; value label = stratum code-PSU code of the frame. "
          "值标签为抽样框的层代码-村居代码。"),
        V("pi1", "村居入样概率", "PSU inclusion probability", "numeric",
          derivation="First-stage PPS inclusion probability of the PSU (surveys.sampling). "
                     "第一阶段按规模成比例抽样的入样概率。"),
        V("pi2", "住户入样概率（村居内）", "Household selection probability within the PSU",
          "numeric", derivation="Systematic selection of households in the PSU. "
                                "村居内系统抽取住户的概率。"),
        V("p_within", "户内受访者选中概率", "Within-household selection probability",
          "numeric", derivation="1 / eligible adults (18-69) in the household (Kish grid or "
                                "next birthday). 1/户内18—69岁成员数。"),
        V("base_weight", "基础权数", "Base weight", "numeric",
          derivation="1 / (pi1 x pi2 x p_within). 设计权数。"),
        V("final_weight", "最终权数", "Final weight", "numeric",
          derivation="Base weight x non-response adjustment within weighting classes, "
                     + ("raked to the margins, " if raked else "")
                     + "trimmed and re-raked (surveys.weighting). "
                       "基础权数经无回答调整、校准（raking）和截尾后的最终权数。"),
    ]
    if rep is not None:
        how = {"bootstrap": "Rao-Wu rescaling bootstrap (m_h = n_h - 1 PSUs drawn with "
                            f"replacement per stratum, seed {rep.seed}); 自助法重复权数",
               "jkn": "Stratified delete-one-PSU jackknife (JKn); 分层刀切法重复权数",
               "jk1": "Delete-one-PSU jackknife (JK1); 刀切法重复权数"}[rep.method]
        rake_text = (" Each replicate re-raked to the same margins "
                     f"({rep.margins}); 每个重复样本都重新校准到同一边际。" if rep.margins else "")
        if rep.not_reraked:
            rake_text = (" NOT re-raked to the margins (see the note): their variances omit "
                         "the calibration. 重复权数未重新校准（见说明）。")
        zh_tag, en_tag = ("（未校准）", " (not re-raked)") if rep.not_reraked else ("", "")
        for j in range(1, rep.count + 1):
            out.append(V(f"rw_{j}", f"重复权数 {j}{zh_tag}", f"Replicate weight {j}{en_tag}",
                         "numeric",
                         derivation=how + rake_text if j == 1 else "See rw_1. 同 rw_1。"))
    for name, (zh, en, table, how) in DEMOGRAPHICS.items():
        out.append(V(name, zh, en, "category", _table_values(table), how))
    out.append(V("township", "乡镇（街道）", "Township", "category",
                 tuple((j, *names.get(c, (c, c))) for j, c in enumerate(towns, start=1)),
                 "The township the respondent lives in (= the stratum). 受访者所在乡镇（街道）。"))
    out.append(V("form", "问卷（卷别）", "Form", "category", FORM_VALUES,
                 "The parallel form answered (surveys.forms). 受访者作答的平行问卷。"))
    for it in items:
        values = [(j, f"{LETTERS[j - 1]}. {zh}", f"{LETTERS[j - 1]}. {en}")
                  for j, (zh, en) in enumerate(it.options, start=1)]
        values += [(NOT_PRESENTED, "未呈现", "Not presented"), (DONT_KNOW, "不知道",
                                                                 "Don't know"),
                   (BLANK, "未作答", "Blank")]
        multi = (" Multiple choice: the chosen options' numbers in order (A and C = 13). "
                 "多选题：所选选项编号依次连写（A和C记为13）。" if it.multiple else "")
        out.append(V(it.name, it.label_zh, it.label_en, "category", tuple(values),
                     "Answer as option number in the bank's order (1 = A); empty = not on the "
                     "respondent's form. 作答选项编号（1=A），空=该卷无此题。" + multi))
    for it in items:
        out.append(V(f"{it.name}_ok", f"{it.label_zh}（答对）"[:60], f"{it.label_en} (right)",
                     "category", OK_VALUES,
                     "1 if the answer is exactly the key (surveys.scoring.is_correct); "
                     "don't know, blank and not presented are wrong. 与答案完全一致为1。"))
    for d in DIMENSIONS:
        t = DIMENSION_LABELS[d]
        out.append(V(f"score_{d.lower()}", f"{t['zh']}得分", f"{t['en']} score", "numeric",
                     derivation="Max points x right / items presented in the dimension "
                                "(surveys.scoring). 该维度满分x答对题数/呈现题数。"))
    out += [
        V("total", "总分", "Total score (0-100)", "numeric",
          derivation="Sum of the four dimension scores (surveys.scoring). 四个维度得分之和。"),
        V("level", "科学素质水平", "Literacy level", "category", LEVEL_VALUES,
          "high 85+, meets 70+, basic 55+, low below 55 (surveys.scoring.level_for); "
          "coded 1 = low .. 4 = high. 按总分划分水平。"),
        V("meets", "具备科学素质", "Meets the standard", "category", YES_NO,
          "1 if level is high or meets (total 70 or more). 总分70分及以上为1。"),
    ]
    return out


# --- writers ----------------------------------------------------------------------------


def _write_bytes(data: bytes, dst: str | os.PathLike | BinaryIO) -> None:
    if isinstance(dst, str | os.PathLike):
        Path(dst).write_bytes(data)
    else:
        dst.write(data)


def _csv_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    return str(v)


def csv_bytes(table: ExportTable) -> bytes:
    """The data as CSV: header of variable names, codes and numbers (floats as ``repr``,
    so they read back exactly), missing = empty, CRLF line ends, no byte-order mark."""
    lines = [",".join(table.names)]
    lines += [",".join(_csv_cell(v) for v in row) for row in table.rows()]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def write_csv(table: ExportTable, path_or_buffer: str | os.PathLike | BinaryIO) -> None:
    """Write :func:`csv_bytes` to a path or a binary buffer."""
    _write_bytes(csv_bytes(table), path_or_buffer)


def _frame(table: ExportTable) -> Any:
    import polars as pl

    data = {}
    for v in table.variables:
        values = table.columns[v.name]
        if v.kind == "category" or v.integer:
            data[v.name] = pl.Series(v.name, values, dtype=pl.Int32)
        elif v.kind == "numeric":
            data[v.name] = pl.Series(v.name, values, dtype=pl.Float64)
        else:
            data[v.name] = pl.Series(v.name, values, dtype=pl.Utf8)
    return pl.DataFrame(data)


def _via_file(suffix: str, write: Any, dst: str | os.PathLike | BinaryIO) -> None:
    from analysis.errors import SurveyError

    try:
        if isinstance(dst, str | os.PathLike):
            write(os.fspath(dst))
            return
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "export" + suffix)
            write(path)
            with open(path, "rb") as fh:
                shutil.copyfileobj(fh, dst)
    except SurveyError:
        raise
    except Exception as exc:  # pyreadstat's own errors: one line, not a traceback
        if isinstance(exc, SurveyInputError):
            raise
        raise SurveyInputError(f"could not write the {suffix} file: {exc}") from None


def _labelled(table: ExportTable, max_bytes: int | None) -> tuple[dict[str, str],
                                                                   dict[str, dict[int, str]]]:
    labels = {v.name: v.label for v in table.variables}
    values = {v.name: v.value_labels(max_bytes=max_bytes) for v in table.variables
              if v.kind == "category" and v.values}
    return labels, values


def write_dta(table: ExportTable, path_or_buffer: str | os.PathLike | BinaryIO) -> None:
    """Stata .dta, format 118 (Stata 14+, UTF-8) with variable and value labels."""
    import pyreadstat

    labels, values = _labelled(table, None)
    frame = _frame(table)
    _via_file(".dta", lambda p: pyreadstat.write_dta(
        frame, p, file_label=table.title[:80], column_labels=labels, version=DTA_VERSION,
        variable_value_labels=values), path_or_buffer)


def write_sav(table: ExportTable, path_or_buffer: str | os.PathLike | BinaryIO) -> None:
    """SPSS .sav (UTF-8) with variable and value labels (value labels fitted to SPSS's 120
    bytes; the codebook has them in full) and measurement levels."""
    import pyreadstat

    labels, values = _labelled(table, SAV_VALUE_LABEL_BYTES)
    ordinal = {"age_band", "education", "level"}
    measure = {v.name: ("ordinal" if v.name in ordinal else "nominal")
               if v.kind == "category" else "scale" for v in table.variables}
    frame = _frame(table)
    notes = [text for _, text in table.replicates.instructions()] if table.replicates else []
    _via_file(".sav", lambda p: pyreadstat.write_sav(
        frame, p, file_label=table.title[:64], column_labels=labels,
        variable_value_labels=values, variable_measure=measure,
        note=_note_lines(list(table.notes) + notes) or None), path_or_buffer)


def _note_lines(texts: list[str], width: int = 80) -> list[str]:
    """Texts cut into lines of at most ``width`` UTF-8 bytes (SPSS's document records)."""
    lines = []
    for text in texts:
        line = ""
        for ch in text:
            if len((line + ch).encode("utf-8")) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return lines


def codebook_dict(table: ExportTable) -> dict[str, Any]:
    """The codebook as plain data (what the Parquet schema carries)."""
    return {
        "title": table.title,
        "rows": table.n_rows,
        "notes": list(table.notes),
        "replicates": dataclasses.asdict(table.replicates) if table.replicates else None,
        "variables": [dataclasses.asdict(v) for v in table.variables],
    }


def write_parquet(table: ExportTable, path_or_buffer: str | os.PathLike | BinaryIO) -> None:
    """Parquet with the codebook (labels, value labels, derivations) in the schema metadata
    (key ``kexue.codebook``, JSON) and each field's labels in its own metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields, arrays = [], []
    for v in table.variables:
        typ = (pa.int32() if v.kind == "category" or v.integer
               else pa.float64() if v.kind == "numeric" else pa.string())
        meta = {b"label_zh": v.label_zh.encode(), b"label_en": v.label_en.encode()}
        if v.values:
            meta[b"values"] = json.dumps(v.values, ensure_ascii=False).encode()
        fields.append(pa.field(v.name, typ, metadata=meta))
        arrays.append(pa.array(table.columns[v.name], type=typ))
    schema = pa.schema(fields, metadata={
        PARQUET_KEY: json.dumps(codebook_dict(table), ensure_ascii=False).encode()})
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), buffer)
    _write_bytes(buffer.getvalue(), path_or_buffer)


# --- codebook ---------------------------------------------------------------------------

KIND_TEXT = {"numeric": ("数值", "numeric"), "category": ("分类", "category"),
             "text-code": ("文本代码", "text code")}


def _kind(v: Variable) -> str:
    zh, en = KIND_TEXT[v.kind]
    return f"{zh} / {en}" + (" (整数 integer)" if v.integer and v.kind == "numeric" else "")


def codebook_html(table: ExportTable) -> str:
    """A self-contained HTML codebook (no external assets): every variable with its labels,
    type, values and derivation, the replicate-weight instructions and the notes."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(table.title)} — 编码手册 Codebook</title>",
        "<style>body{font-family:sans-serif;margin:1rem;max-width:72rem}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem;"
        "vertical-align:top;text-align:left}code,pre{white-space:pre-wrap;word-break:break-all}"
        ".values td{border:0;padding:0 .5rem 0 0}</style></head><body>",
        f"<h1>{e(table.title)}</h1><p>编码手册 / Codebook — {table.n_rows} 名受访者 / "
        f"respondents, {len(table.variables)} 个变量 / variables.</p>",
    ]
    for note in table.notes:
        parts.append(f"<p><strong>{e(note)}</strong></p>")
    parts.append("<h2>复制权数 / Replicate weights</h2>")
    if table.replicates:
        rep = table.replicates
        parts.append(f"<p>方法 / method: {e(rep.method)}, {rep.count} 个重复 / replicates"
                     + (f", seed {rep.seed}" if rep.seed is not None else "")
                     + (f", 重新校准到 / re-raked to {e(rep.margins)}" if rep.margins else "")
                     + ".</p><ul>")
        for who, text in rep.instructions():
            parts.append(f"<li>{e(who)}: <code>{e(text)}</code></li>")
        parts.append("</ul><p>The platform's figures use this formula (R's survey package, "
                     "mse = FALSE). Stata's <code>vce(bootstrap)</code> may use another "
                     "divisor (see [SVY] svy bootstrap, Methods and formulas); with 100 "
                     "replicates the difference is below 1%. 本平台按上述公式计算方差。</p>")
        if len(set(rep.rscales)) > 1:
            parts.append("<p>rscales: " + e(", ".join(repr(x) for x in rep.rscales)) + "</p>")
    else:
        parts.append("<p>无 / none: use <code>svyset psu [pw=final_weight], "
                     "strata(stratum)</code>.</p>")
    parts.append("<h2>变量 / Variables</h2><table><thead><tr><th>变量名 Name</th>"
                 "<th>标签 Label</th><th>类型 Type</th><th>取值 Values</th>"
                 "<th>来源 Derivation</th></tr></thead><tbody>")
    for v in table.variables:
        vals = ""
        if v.values:
            vals = '<table class="values">' + "".join(
                f"<tr><td>{e(str(c))}</td><td>{e(zh)}</td><td>{e(en)}</td></tr>"
                for c, zh, en in v.values) + "</table>"
        parts.append(f"<tr><td><code>{e(v.name)}</code></td><td>{e(v.label_zh)}<br>"
                     f"{e(v.label_en)}</td><td>{e(_kind(v))}</td><td>{vals}</td>"
                     f"<td>{e(v.derivation)}</td></tr>")
    parts.append("</tbody></table></body></html>")
    return "\n".join(parts)


def _sheet_safe(value: Any) -> Any:
    if isinstance(value, str):
        return "".join(ch for ch in value if ch in "\t\n" or ord(ch) >= 32)
    return value


def codebook_xlsx(table: ExportTable) -> bytes:
    """The codebook as a workbook: 变量 Variables, 取值 Values, 复制权数 Replicates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    sheets: dict[str, tuple[list[str], list[list[Any]]]] = {
        "变量 Variables": (
            ["变量名 name", "中文标签 label (zh)", "英文标签 label (en)", "类型 type",
             "来源 derivation"],
            [[v.name, v.label_zh, v.label_en, _kind(v), v.derivation]
             for v in table.variables]),
        "取值 Values": (
            ["变量名 name", "代码 code", "中文 label (zh)", "英文 label (en)"],
            [[v.name, c, zh, en] for v in table.variables for c, zh, en in v.values]),
    }
    rep_rows: list[list[Any]] = [[note, ""] for note in table.notes]
    if table.replicates:
        rep = table.replicates
        rep_rows += [["method", rep.method], ["replicates", rep.count],
                     ["seed", rep.seed if rep.seed is not None else ""],
                     ["scale", rep.scale], ["margins", rep.margins or ""]]
        rep_rows += [[who, text] for who, text in rep.instructions()]
    sheets["复制权数 Replicates"] = (["项目 item", "内容 value"], rep_rows)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append([_sheet_safe(x) for x in row])
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- checking for personal data ---------------------------------------------------------


def find_forbidden(data: bytes | str, forbidden: Iterable[str]) -> list[str]:
    """The strings of ``forbidden`` that occur in ``data`` (bytes are searched as they
    are and as UTF-8/UTF-16 text), so a test or an audit can scan any export."""
    hay = [data] if isinstance(data, str) else [
        data.decode("utf-8", errors="ignore"), data.decode("utf-16-le", errors="ignore"),
        data.decode("latin-1")]
    found = []
    for s in forbidden:
        if s and any(s in h for h in hay):
            found.append(s)
    return found

