"""Command line: ``python -m analysis estimate ...`` and ``python -m analysis rake ...``.

Every bad input ends with a one-line ``error: ...`` on stderr naming the column, row or
level, exit status 2, no traceback, and nothing written (output is produced only after
every figure has been computed; ``rake`` writes its file atomically).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from analysis.api import NOTE, EstimateSpec, Report
from analysis.errors import SurveyError
from analysis.options import BUILT_REPLICATES, CIMethod, LonelyPSU, Statistic, choices

ALLOW_HELP = "use margins rows marked placeholder (stand-in figures); every output then says so"
FLAG = "--allow-placeholder-margins"
PLACEHOLDER_COLUMN = "placeholder_margins"


def _placeholder_warning(rows: list[dict[str, str]]) -> str:
    pairs = ", ".join(f"{r['variable']}={r['level']}" for r in rows)
    return (
        f"WARNING: raked to {len(rows)} PLACEHOLDER margin{'s' if len(rows) != 1 else ''} "
        f"(stand-in figures, not population totals; {FLAG}): {pairs}. "
        "The figures are illustrative only."
    )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        self.exit(2, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    est = sub.add_parser("estimate", help="share / mean / total with SE, CI and goal test")
    est.add_argument("file", metavar="FILE.csv")
    what = est.add_mutually_exclusive_group(required=True)
    what.add_argument("--indicator", metavar="COL", help="0/1 column: estimate the share")
    what.add_argument("--mean", metavar="COL", help="numeric column: estimate the mean")
    what.add_argument("--total", metavar="COL", help="numeric column: estimate the total")
    est.add_argument("--weight", required=True, metavar="COL")
    est.add_argument("--strata", metavar="COL")
    est.add_argument("--psu", metavar="COL")
    est.add_argument("--fpc", metavar="COL")
    est.add_argument("--rake", metavar="MARGINS.csv")
    est.add_argument("--allow-placeholder-margins", action="store_true", help=ALLOW_HELP)
    est.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="VAR",
        help="domain variable (repeatable; A:B crosses two variables)",
    )
    est.add_argument(
        "--ci",
        choices=choices(CIMethod, aliases=True),
        default="logit",
        help="interval of a share (xlogit is another name for logit)",
    )
    est.add_argument("--level", type=float, default=0.95)
    est.add_argument("--replicates", choices=[str(k) for k in BUILT_REPLICATES])
    est.add_argument(
        "--n-replicates",
        type=int,
        default=100,
        metavar="R",
        help="bootstrap replicates (default 100)",
    )
    est.add_argument("--seed", type=int, default=20250101, help="bootstrap seed")
    est.add_argument("--lonely-psu", choices=choices(LonelyPSU), default="fail")
    est.add_argument("--goal", type=float)
    est.add_argument("--format", choices=("table", "json", "csv"), default="table")

    rk = sub.add_parser("rake", help="write raked weights to a new CSV")
    rk.add_argument("file", metavar="FILE.csv")
    rk.add_argument("--weight", required=True, metavar="COL")
    rk.add_argument("--rake", required=True, metavar="MARGINS.csv")
    rk.add_argument("--allow-placeholder-margins", action="store_true", help=ALLOW_HELP)
    rk.add_argument("--out", required=True, metavar="OUT.csv")
    rk.add_argument("--column", default="raked_weight", help="name of the new weight column")
    return parser


def _fmt(x: float | None, digits: int = 6) -> str:
    if x is None:
        return "-"
    return f"{x:.{digits}g}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.2f}%"


def spec_from_args(args: argparse.Namespace) -> EstimateSpec:
    """The :class:`EstimateSpec` of an ``estimate`` command line."""
    statistic, outcome = (
        (Statistic.PROPORTION, args.indicator)
        if args.indicator
        else (Statistic.MEAN, args.mean)
        if args.mean
        else (Statistic.TOTAL, args.total)
    )
    if not 0 < args.level < 1:
        raise SurveyError(f"--level must be between 0 and 1 (got {args.level:g})")
    if args.goal is not None and not math.isfinite(args.goal):
        raise SurveyError("--goal must be a number")
    if statistic is Statistic.PROPORTION and args.goal is not None and not 0 <= args.goal <= 1:
        raise SurveyError(f"--goal for a share must be between 0 and 1 (got {args.goal:g})")
    if args.n_replicates < 2:
        raise SurveyError("--n-replicates must be at least 2")
    return EstimateSpec(
        data=args.file,
        outcome=outcome,
        weight=args.weight,
        statistic=statistic,
        strata=args.strata,
        psu=args.psu,
        fpc=args.fpc,
        by=tuple(args.by),
        margins=args.rake,
        allow_placeholder_margins=args.allow_placeholder_margins,
        ci=args.ci,
        level=args.level,
        goal=args.goal,
        lonely_psu=args.lonely_psu,
        replicates=args.replicates,
        n_replicates=args.n_replicates,
        seed=args.seed,
    )


def arguments_for(spec: EstimateSpec, data: str, margins: str | None = None) -> list[str]:
    """The ``python -m analysis`` arguments that reproduce ``spec`` with the survey file
    ``data`` and margins file ``margins`` (shown as given; ``spec``'s own may be in memory).

    Values are attached with ``=`` so that a column name starting with a dash stays a value;
    ``spec_from_args(build_parser().parse_args(arguments_for(spec, ...)))`` is ``spec`` again,
    but for ``max_levels`` (the command line has no cap; the figures are the same).
    """
    if spec.statistic is Statistic.QUANTILE or spec.user_replicates is not None:
        raise SurveyError("the command line has no quantiles or user replicate weights")
    if spec.calibration != "raking":
        raise SurveyError("the command line rakes with the calibrate linearisation only")
    flag = {"proportion": "--indicator", "mean": "--mean", "total": "--total"}
    args = ["estimate", data, f"{flag[spec.statistic]}={spec.outcome}", f"--weight={spec.weight}"]
    for name, value in (("--strata", spec.strata), ("--psu", spec.psu), ("--fpc", spec.fpc)):
        if value:
            args.append(f"{name}={value}")
    if margins is not None:
        args.append(f"--rake={margins}")
    if spec.allow_placeholder_margins:
        args.append("--allow-placeholder-margins")
    args += [f"--by={':'.join(parts)}" for parts in spec.by]
    args += [f"--ci={spec.ci}", f"--level={spec.level!r}"]
    if spec.goal is not None:
        args.append(f"--goal={spec.goal!r}")
    args.append(f"--lonely-psu={spec.lonely_psu}")
    if spec.replicates is not None:
        args += [f"--replicates={spec.replicates}", f"--n-replicates={spec.n_replicates}",
                 f"--seed={spec.seed}"]
    return args + ["--format=json"]


def run_estimate(args: argparse.Namespace) -> Report:
    """Compute everything the ``estimate`` command reports (no output yet)."""
    from analysis.api import estimate

    return estimate(spec_from_args(args))


def render_table(res: dict[str, Any]) -> str:
    m = res["method"]
    share = m["statistic"] == "proportion"
    show = _pct if share else _fmt
    what = {"proportion": "Share", "mean": "Mean", "total": "Total"}[m["statistic"]]
    warning = [_placeholder_warning(m["placeholder_margins"])] if m["placeholder_margins"] else []
    lines = warning + [
        f"{what} of {m['variable']} (weights {m['weight']}; variance {m['variance']}"
        + (", raked" if m["calibration"] else "")
        + ")",
        f"  estimate   {show(res['estimate'])}",
        f"  SE         {show(res['se'])}",
        f"  {int(round(100 * m['level']))}% CI     {show(res['ci_low'])} to {show(res['ci_high'])}"
        f"  ({m['ci']}, df {res['df']})",
        f"  deff       {_fmt(res['deff'], 4)}",
        f"  n          {res['n']}   population {res['population']:.6g}",
    ]
    if res["goal"] is not None:
        verdict = {
            "above": "above the goal",
            "below": "below the goal",
            "not distinguishable": "not distinguishable from the goal",
        }[res["verdict"]]
        goal_txt = _pct(res["goal"]) if share else _fmt(res["goal"])
        lines.append(
            f"  goal       {goal_txt}: t = {_fmt(res['statistic'], 4)}, one-sided p = "
            f"{_fmt(res['p_value'], 4)} -> {verdict}"
        )
    for key, rows in res["by"].items():
        lines.append(f"By {key}:")
        width = max([len(str(r["level"])) for r in rows] + [5])
        lines.append(
            f"  {'level':<{width}}  {'estimate':>10}  {'SE':>10}  {'CI':>23}  {'df':>5}  {'n':>7}"
        )
        for r in rows:
            ci = f"{show(r['ci_low'])} to {show(r['ci_high'])}"
            lines.append(
                f"  {r['level']:<{width}}  {show(r['estimate']):>10}  {show(r['se']):>10}  "
                f"{ci:>23}  {r['df']:>5}  {r['n']:>7}"
            )
    w = res["weights"]
    lines.append(
        f"Weights: n {w['n']} (zero {w['n_zero']}), min {w['min']:.4g}, max {w['max']:.4g}, "
        f"CV {w['cv']:.3f}, Kish deff {w['kish_deff']:.3f}, effective n {w['effective_n']:.1f}"
    )
    if share:
        lines.append(NOTE)
    lines += warning
    return "\n".join(lines)


def render_csv(res: dict[str, Any]) -> str:
    import csv
    import io

    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    cols = ["domain", "level", "estimate", "se", "ci_low", "ci_high", "df", "n"]
    used = res["method"]["placeholder_margins"]
    # with placeholder margins every row carries them, so no extract can lose the warning
    extra = [";".join(f"{r['variable']}={r['level']}" for r in used)] if used else []
    out.writerow(cols + (["placeholder_margins"] if used else []))

    def cell(v: Any) -> str:
        return "" if v is None else repr(v) if isinstance(v, float) else str(v)

    out.writerow(["(all)", ""] + [cell(res[c]) for c in cols[2:]] + extra)
    for key, rows in res["by"].items():
        for r in rows:
            out.writerow([key, r["level"]] + [cell(r[c]) for c in cols[2:]] + extra)
    return buf.getvalue()


def run_rake(args: argparse.Namespace) -> str:
    from analysis.api import load_margins
    from analysis.calibration import rake
    from analysis.design import svydesign
    from analysis.io import read_columns, write_with_column
    from analysis.weights import weight_summary

    margins, used = load_margins(args.rake, args.allow_placeholder_margins)
    assert margins is not None
    placeholders = [dataclasses.asdict(p) for p in used]
    if placeholders and args.column == PLACEHOLDER_COLUMN:
        raise SurveyError(
            f"--column cannot be '{PLACEHOLDER_COLUMN}' (that column marks placeholder margins)"
        )
    cols, nrows = read_columns(args.file, numeric=[args.weight], categorical=list(margins))
    if nrows == 0:
        raise SurveyError(f"'{args.file}' has no data rows")
    design = svydesign(cols[args.weight], names={"weights": args.weight})
    raked = rake(design, {v: cols[v] for v in margins}, margins)
    write_with_column(
        args.file,
        args.out,
        args.column,
        raked.weights,
        flag=(PLACEHOLDER_COLUMN, "true") if placeholders else None,
    )
    s = weight_summary(raked.weights)
    warning = _placeholder_warning(placeholders) + "\n" if placeholders else ""
    marked = f"; column '{PLACEHOLDER_COLUMN}' = true on every row" if placeholders else ""
    return warning + (
        f"wrote {args.out}: {nrows} rows, column '{args.column}' raked to "
        f"{len(margins)} margins (total {s.total:.10g}, CV {s.cv:.3f}, Kish deff "
        f"{s.kish_deff:.3f}){marked}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0, or 2 for bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "estimate":
            report = run_estimate(args)
            res = report.to_dict()
            if args.format == "json":
                text = report.to_json()
            elif args.format == "csv":
                text = render_csv(res).rstrip("\n")
            else:
                text = render_table(res)
            used = res["method"]["placeholder_margins"]
            if used and args.format != "table":  # the table prints it itself
                sys.stderr.write(_placeholder_warning(used) + "\n")
        else:
            text = run_rake(args)
    except SurveyError as exc:
        msg = " ".join(str(exc).split())
        sys.stderr.write(f"error: {msg}\n")
        return 2
    sys.stdout.write(text + "\n")
    return 0
