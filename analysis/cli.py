"""Command line: ``python -m analysis estimate ...`` and ``python -m analysis rake ...``.

Every bad input ends with a one-line ``error: ...`` on stderr naming the column, row or
level, exit status 2, no traceback, and nothing written (output is produced only after
every figure has been computed; ``rake`` writes its file atomically).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from analysis.errors import SurveyError

NOTE = (
    "Modelled on the national civic science-literacy indicator (share of residents aged "
    "18-69 meeting the standard); our instrument is our own, so this is not the official rate."
)

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


def _load_margins(path: str, allow: bool) -> tuple[Any, list[dict[str, str]]]:
    """Read a margins file; refuse placeholder rows unless ``allow``.  Returns the totals
    and the placeholder rows used as ``{variable, level, source}`` dicts."""
    from analysis.io import read_margins_file, refuse_placeholders

    margins = read_margins_file(path)
    if not allow:
        refuse_placeholders(margins, flag=FLAG)
    used = [
        {"variable": r.variable, "level": r.level, "source": r.source} for r in margins.placeholders
    ]
    return margins.totals, used


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
    est.add_argument("--ci", choices=("logit", "beta", "wald", "xlogit", "wilson"), default="logit")
    est.add_argument("--level", type=float, default=0.95)
    est.add_argument("--replicates", choices=("jk1", "jkn", "bootstrap"))
    est.add_argument(
        "--n-replicates",
        type=int,
        default=100,
        metavar="R",
        help="bootstrap replicates (default 100)",
    )
    est.add_argument("--seed", type=int, default=20250101, help="bootstrap seed")
    est.add_argument(
        "--lonely-psu", choices=("fail", "remove", "adjust", "average"), default="fail"
    )
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


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    return obj


def run_estimate(args: argparse.Namespace) -> dict[str, Any]:
    """Compute everything the ``estimate`` command reports (no output yet)."""
    import numpy as np

    from analysis.calibration import rake
    from analysis.design import svydesign
    from analysis.domains import by as by_domains
    from analysis.estimators import check_indicator, estimate_many
    from analysis.goal import DEFAULT_GOAL, goal_test
    from analysis.io import read_columns
    from analysis.replicates import make_replicates
    from analysis.weights import weight_summary

    if not 0 < args.level < 1:
        raise SurveyError(f"--level must be between 0 and 1 (got {args.level:g})")
    statistic, outcome = (
        ("proportion", args.indicator)
        if args.indicator
        else ("mean", args.mean)
        if args.mean
        else ("total", args.total)
    )
    goal = args.goal
    if goal is None and statistic == "proportion":
        goal = DEFAULT_GOAL
    if goal is not None and not math.isfinite(goal):
        raise SurveyError("--goal must be a number")
    if statistic == "proportion" and goal is not None and not 0 <= goal <= 1:
        raise SurveyError(f"--goal for a share must be between 0 and 1 (got {goal:g})")
    if args.n_replicates < 2:
        raise SurveyError("--n-replicates must be at least 2")

    margins, placeholders = (
        _load_margins(args.rake, args.allow_placeholder_margins) if args.rake else (None, [])
    )
    by_specs = [spec.split(":") for spec in args.by]
    categorical = [c for c in (args.strata, args.psu) if c]
    categorical += [v for spec in by_specs for v in spec]
    if margins:
        categorical += list(margins)
    numeric = [args.weight, outcome] + ([args.fpc] if args.fpc else [])
    cols, nrows = read_columns(args.file, numeric=numeric, categorical=categorical)
    if nrows == 0:
        raise SurveyError(f"'{args.file}' has no data rows")
    names = {
        "weights": args.weight,
        "strata": args.strata or "",
        "psu": args.psu or "",
        "fpc": args.fpc or "",
    }
    design = svydesign(
        cols[args.weight],
        strata=cols[args.strata] if args.strata else None,
        psu=cols[args.psu] if args.psu else None,
        fpc=cols[args.fpc] if args.fpc else None,
        lonely_psu=args.lonely_psu,
        names=names,
    )
    y = cols[outcome]
    if statistic == "proportion":
        check_indicator(y, outcome)
    if margins:
        design = rake(design, {v: cols[v] for v in margins}, margins)
    if args.replicates:
        design = make_replicates(
            design,
            args.replicates,
            replicates=args.n_replicates,
            rng=np.random.default_rng(args.seed),
        )
    overall = estimate_many(
        design, y, [None], statistic=statistic, ci=args.ci, level=args.level, name=outcome
    )[0]
    test = goal_test(overall, goal, args.level) if goal is not None else None
    by_out: dict[str, list[dict[str, Any]]] = {}
    for spec in by_specs:
        key = ":".join(spec)
        rows = by_domains(
            design,
            y,
            [cols[v] for v in spec],
            spec,
            statistic=statistic,
            ci=args.ci,
            level=args.level,
            name=outcome,
        )
        by_out[key] = [
            {
                "level": ":".join(r.levels),
                "estimate": r.estimate.estimate,
                "se": r.estimate.se,
                "ci_low": r.estimate.ci_low,
                "ci_high": r.estimate.ci_high,
                "df": r.estimate.df,
                "n": r.estimate.n,
            }
            for r in rows
        ]
    ws = weight_summary(design.weights)
    method = {
        "statistic": statistic,
        "variable": outcome,
        "weight": args.weight,
        "strata": args.strata,
        "psu": args.psu,
        "fpc": args.fpc,
        "variance": overall.variance_method if not args.replicates else args.replicates,
        "replicates": (
            args.n_replicates
            if args.replicates == "bootstrap"
            else design.replicates.count
            if design.replicates is not None
            else None
        ),
        "calibration": "raking (calibrate linearisation)" if margins else None,
        "placeholder_margins": placeholders,
        "ci": overall.ci_method,
        "level": args.level,
        "lonely_psu": args.lonely_psu,
        "df_rule": "PSUs - strata",
        "deff": "svymean(deff = TRUE): SRS without replacement",
        "rows": nrows,
        "note": NOTE,
    }
    if args.replicates == "bootstrap":
        method["seed"] = args.seed
    return _json_safe(
        {
            "estimate": overall.estimate,
            "se": overall.se,
            "ci_low": overall.ci_low,
            "ci_high": overall.ci_high,
            "deff": overall.deff,
            "df": overall.df,
            "n": overall.n,
            "population": design.population,
            "goal": goal,
            "statistic": test.statistic if test else None,
            "p_value": test.p_value if test else None,
            "verdict": test.verdict if test else None,
            "by": by_out,
            "weights": ws.to_dict(),
            "method": method,
        }
    )


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
    from analysis.calibration import rake
    from analysis.design import svydesign
    from analysis.io import read_columns, write_with_column
    from analysis.weights import weight_summary

    margins, placeholders = _load_margins(args.rake, args.allow_placeholder_margins)
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
            res = run_estimate(args)
            if args.format == "json":
                text = json.dumps(res, ensure_ascii=False, allow_nan=False, indent=2)
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
