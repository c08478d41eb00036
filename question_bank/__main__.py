"""``python -m question_bank check`` and ``python -m question_bank stats --format json|table``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from question_bank.check import check_bank
from question_bank.loader import QUESTIONS_DIR, load_bank
from question_bank.stats import bank_stats, format_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m question_bank",
                                     description="Check the question bank and count it.")
    parser.add_argument("--dir", type=Path, default=QUESTIONS_DIR,
                        help="the folder of <topic>.yaml files (default: the shipped bank)")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate the files; exit 1 on any error")
    check.add_argument("--no-coverage", action="store_true",
                       help="skip the coverage floor (600 active, 100 per group)")
    check.add_argument("--quiet", action="store_true", help="print errors only, no warnings")
    stats = commands.add_parser("stats", help="count the active questions")
    stats.add_argument("--format", choices=("json", "table"), default="table")
    args = parser.parse_args(argv)

    if args.command == "check":
        report = check_bank(args.dir, with_coverage=not args.no_coverage)
        for issue in report.issues:
            if issue.severity == "error" or not args.quiet:
                print(issue, file=sys.stderr if issue.severity == "error" else sys.stdout)
        print(f"{len(report.specs)} questions read from {args.dir}: "
              f"{len(report.errors)} errors, {len(report.warnings)} warnings")
        return 0 if report.ok else 1

    loaded = load_bank(args.dir)
    if loaded.errors:
        for issue in loaded.errors:
            print(issue, file=sys.stderr)
        print("stats counts only valid questions; run `python -m question_bank check`",
              file=sys.stderr)
    result = bank_stats(loaded.specs)
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(format_table(result))
    return 1 if loaded.errors else 0


if __name__ == "__main__":
    sys.exit(main())
