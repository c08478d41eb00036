"""Check that a backup restores what was backed up (docs/deploy.md, "Backups").

    python scripts/backup_check.py                       # SQLite, in a temporary folder
    python scripts/backup_check.py --source postgresql://postgres@127.0.0.1:5432/kexue_a \\
        --target postgresql://postgres@127.0.0.1:5432/kexue_b     # two EMPTY databases

Migrates the source database, loads the demo data (``flask demo load``: accounts, the demo
competition with its simulated residents' answers, schools, survey waves), backs it up with
``flask backup``, restores the file into the empty target with ``flask restore``, and compares
the two databases: the row count of every table and the SHA-256 of the competition answers
(quizapp.backups.fingerprint). Prints the comparison as JSON; exits 1 when they differ.
``--small`` loads a smaller demo (the tests' settings: seconds instead of a minute).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL_DEMO = {"DEMO_SIMULATED_PEOPLE": 12, "DEMO_SURVEY_LISTED_PSUS": 2,
              "DEMO_EARLIER_LISTED_PSUS": 0}


def _app(database_url: str, instance: Path, small: bool):
    from quizapp import create_app

    config = {"QUIZAPP_ENV": "testing", "DATABASE_URL": database_url,
              "INSTANCE_PATH": str(instance)}
    if small:
        config.update(SMALL_DEMO)
    return create_app(config)


def _invoke(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exit_code != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.output}"
                         + (f"\n{result.exception!r}" if result.exception else ""))
    return result.output


def check(source: str, target: str, workdir: Path, small: bool = False) -> dict:
    """Demo data into ``source``, backup, restore into ``target``; the two fingerprints and
    whether they are equal."""
    from flask_migrate import upgrade

    from quizapp.backups import fingerprint
    from quizapp.extensions import db

    origin = _app(source, workdir / "instance-source", small)
    with origin.app_context():
        upgrade()
        _invoke(origin, "demo", "load")
        before = fingerprint(db.engine)
        backup_file = Path(_invoke(origin, "backup", "--to", str(workdir / "backups"))
                           .strip().splitlines()[-1])
        db.engine.dispose()
    restored = _app(target, workdir / "instance-target", small)
    with restored.app_context():
        _invoke(restored, "restore", str(backup_file))
        after = fingerprint(db.engine)
        db.engine.dispose()
    return {"backup_file": str(backup_file), "backup_bytes": backup_file.stat().st_size,
            "same": before == after, "before": asdict(before), "after": asdict(after)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", help="an empty database to fill (default: SQLite file)")
    parser.add_argument("--target", help="an empty database to restore into (default: SQLite)")
    parser.add_argument("--workdir", type=Path, help="folder for files (default: temporary)")
    parser.add_argument("--small", action="store_true", help="a smaller demo (faster)")
    options = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="kexue-backup-check-") as scratch:
        workdir = options.workdir or Path(scratch)
        source = options.source or f"sqlite:///{workdir / 'source.sqlite3'}"
        target = options.target or f"sqlite:///{workdir / 'restored.sqlite3'}"
        report = check(source, target, workdir, small=options.small)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if report["same"] else 1


if __name__ == "__main__":
    sys.exit(main())
