"""Command line: ``python -m surveys weight CASES.csv --margins NAME --out weighted.csv``.

Weights a wave's cases file (:func:`surveys.weight_cases`) and writes ``weighted.csv``
(:func:`surveys.weighted_csv`), which ``python -m analysis estimate --weight final_weight``
reads.  As in ``python -m analysis``: every bad input ends with one line ``error: ...`` on
stderr, exit status 2, no traceback, and nothing written (the file is written atomically
after every figure has been computed).  With placeholder margins the table starts and ends
with a warning (``--format json`` prints it on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from analysis.errors import SurveyError
from surveys.errors import SurveyInputError
from surveys.margins import load_version
from surveys.weighting import (
    CLASS_VARIABLES,
    WeightingResult,
    WeightingSettings,
    read_cases,
    weight_cases,
    weighted_csv,
)

FLAG = "--allow-placeholder-margins"
ALLOW_HELP = "use margins rows marked placeholder (stand-in figures); every output then says so"
STEP_NAMES = {"base": "base", "nonresponse": "non-response", "raked": "raked",
              "trimmed": "trimmed (final)"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        self.exit(2, f"error: {message}\n")


def _bound(text: str) -> float | None:
    if text.strip().lower() == "none":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number (or none)") from None


def _names(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(","))
    if not all(names):
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of names")
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m surveys", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    wt = sub.add_parser("weight", help="weight a cases file and write weighted.csv")
    wt.add_argument("file", metavar="CASES.csv")
    wt.add_argument("--margins", metavar="NAME|PATH",
                    help="a margins version in surveys/margins (by name) or a margins file; "
                    "without it there is no raking")
    wt.add_argument(FLAG, action="store_true", help=ALLOW_HELP)
    wt.add_argument("--min-class", type=int, default=20, metavar="N",
                    help="collapse weighting classes with fewer respondents (default 20)")
    wt.add_argument("--classes", type=_names, default=CLASS_VARIABLES, metavar="VARS",
                    help="weighting class variables (default stratum,psu_urban_rural)")
    wt.add_argument("--trim-lower", type=_bound, default=0.3, metavar="X",
                    help="lower trimming bound, x the mean raked weight (default 0.3; none)")
    wt.add_argument("--trim-upper", type=_bound, default=3.5, metavar="X",
                    help="upper trimming bound, x the mean raked weight (default 3.5; none)")
    wt.add_argument("--no-trim", action="store_true", help="no trimming")
    wt.add_argument("--rake-variables", type=_names, metavar="VARS",
                    help="rake on these margins variables only (default: all of them)")
    wt.add_argument("--out", required=True, metavar="weighted.csv")
    wt.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def settings_from_args(args: argparse.Namespace) -> WeightingSettings:
    """The :class:`WeightingSettings` of a ``weight`` command line (checked)."""
    settings = WeightingSettings(
        class_variables=tuple(args.classes),
        min_class_respondents=args.min_class,
        trim_lower=None if args.no_trim else args.trim_lower,
        trim_upper=None if args.no_trim else args.trim_upper,
        rake_variables=args.rake_variables,
        allow_placeholder_margins=args.allow_placeholder_margins,
    )
    settings.check()
    return settings


def placeholder_warning(pairs: Sequence[str]) -> str:
    """The warning printed first and last when placeholder margins were used."""
    n = len(pairs)
    return (
        f"WARNING: raked to {n} PLACEHOLDER margin{'s' if n != 1 else ''} (stand-in figures, "
        f"not population totals; {FLAG}): {', '.join(pairs)}. "
        "The weights are illustrative only."
    )


def _g(x: float, digits: int = 6) -> str:
    return f"{x:.{digits}g}"


def render_table(result: WeightingResult, cases_file: str, n_cases: int, out: str) -> str:
    """The diagnostics as text: classes with their collapses, each step's weight
    distribution, the margins achieved against their targets, trimming."""
    s = result.settings
    warning = [placeholder_warning(result.placeholder_margins)] if result.placeholder_margins \
        else []
    margins = (
        f"margins {result.margins_name} (sha256 {result.margins_sha256[:12]})"
        if result.margins_name and result.margins_sha256 else "no margins (no raking)"
    )
    lines = warning + [
        f"Weighting {cases_file}: {n_cases} cases, {len(result.case_ids)} respondents; "
        f"{margins}",
        f"Non-response classes ({','.join(s.class_variables)}; collapsed below "
        f"{s.min_class_respondents} respondents):",
    ]
    width = max([len(c.cls) for c in result.classes] + [len(c.collapsed_into)
                                                         for c in result.classes] + [5])
    lines.append(f"  {'class':<{width}}  {'into':<{width}}  {'cases':>6}  {'elig':>6}  "
                 f"{'inel':>6}  {'unkn':>6}  {'resp':>6}  {'f_unknown':>10}  {'f_response':>10}")
    for c in result.classes:
        into = c.collapsed_into if c.collapsed else "-"
        lines.append(
            f"  {c.cls:<{width}}  {into:<{width}}  {c.cases:>6}  {c.eligible:>6}  "
            f"{c.ineligible:>6}  {c.unknown:>6}  {c.respondents:>6}  "
            f"{_g(c.factor_unknown):>10}  {_g(c.factor_response):>10}"
        )
    lines.append("Weights by step (positive weights):")
    head = ("n", "min", "q1", "median", "q3", "max", "max/min", "Kish deff", "effective n",
            "total")
    lines.append(f"  {'step':<16}" + "".join(f"{h:>13}" for h in head))
    for name, d in result.steps:
        cells = (str(d.n), _g(d.min), _g(d.q1), _g(d.median), _g(d.q3), _g(d.max),
                 _g(d.ratio, 4), _g(d.kish_deff, 4), _g(d.effective_n, 6), _g(d.total, 10))
        lines.append(f"  {STEP_NAMES[name]:<16}" + "".join(f"{c:>13}" for c in cells))
    if result.margins:
        lines.append("Margins (population total; non-response weights; final weights):")
        vw = max(len(m.variable) for m in result.margins)
        lw = max(len(m.level) for m in result.margins)
        lines.append(f"  {'variable':<{vw}}  {'level':<{lw}}  {'target':>14}  {'before':>14}  "
                     f"{'after':>14}  {'after/target':>12}")
        for m in result.margins:
            lines.append(f"  {m.variable:<{vw}}  {m.level:<{lw}}  {_g(m.target, 10):>14}  "
                         f"{_g(m.before, 10):>14}  {_g(m.after, 10):>14}  "
                         f"{m.after / m.target:>12.6f}")
    if s.rake_variables is not None:
        lines.append(
            f"note: raked to {', '.join(s.rake_variables)} only; an estimate must rake to the "
            "same variables, so give `python -m analysis estimate --rake` a margins file "
            "holding only these variables (the web pages rake to every variable)")
    if s.trim_lower is None and s.trim_upper is None:
        lines.append("Trimming: none (final weights = raked weights)")
    else:
        raked = result.step("raked")
        mean = raked.total / raked.n
        lo = "-" if s.trim_lower is None else f"{s.trim_lower:g} x mean = {s.trim_lower * mean:.6g}"
        hi = "-" if s.trim_upper is None else f"{s.trim_upper:g} x mean = {s.trim_upper * mean:.6g}"
        lines.append(
            f"Trimming to [{lo}, {hi}] (mean raked weight {mean:.6g}), re-raked: "
            f"{result.trimmed_low} weight(s) below, {result.trimmed_high} above the bounds"
        )
    lines.append(f"wrote {out}: {len(result.case_ids)} respondents with nr_weight, "
                 "raked_weight, final_weight"
                 + ("; column placeholder_margins on every row" if warning else ""))
    return "\n".join(lines + warning)


def _write(path: str, data: bytes) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def run_weight(args: argparse.Namespace) -> tuple[str, str | None]:
    """Weight, write the file, and return (stdout text, stderr warning or None)."""
    settings = settings_from_args(args)
    margins = load_version(args.margins) if args.margins else None
    if margins is not None and margins.placeholders and not settings.allow_placeholder_margins:
        from analysis.io import refuse_placeholders

        refuse_placeholders(margins.file, flag=FLAG)
    cases = read_cases(args.file)
    result = weight_cases(cases, margins, settings)
    data = weighted_csv(result, cases)
    try:
        _write(args.out, data)
    except OSError as exc:
        raise SurveyInputError(f"cannot write '{args.out}': {exc.strerror or exc}") from None
    warning = placeholder_warning(result.placeholder_margins) if result.placeholder_margins \
        else None
    if args.format == "json":
        return json.dumps(result.to_dict(), ensure_ascii=False), warning
    return render_table(result, args.file, len(cases), args.out), None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0, or 2 for bad input)."""
    args = build_parser().parse_args(argv)
    try:
        text, warning = run_weight(args)
    except (SurveyInputError, SurveyError) as exc:
        msg = " ".join(str(exc).split())
        sys.stderr.write(f"error: {msg}\n")
        return 2
    if warning:
        sys.stderr.write(warning + "\n")
    sys.stdout.write(text + "\n")
    return 0
