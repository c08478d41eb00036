"""Backing up and restoring the database (``flask backup``, ``flask restore``; docs/deploy.md).

- SQLite (the embedded default): SQLite's online backup API (``sqlite3.Connection.backup``),
  a consistent copy taken page by page while the app keeps writing, into
  ``kexue-<UTC time>.sqlite3``.
- PostgreSQL: ``pg_dump -Fc`` (the custom format: compressed, restored selectively and in
  parallel by ``pg_restore``) into ``kexue-<UTC time>.dump``. The password travels in
  ``PGPASSWORD``, never on a command line that ``ps`` shows.

A restore goes into an EMPTY database (a fresh one, or ``--replace`` to drop what is there):
restoring over live tables mixes two states. :func:`fingerprint` is what a restore is checked
against: the row count of every table and a checksum of the competition answers (attempt
items), used by scripts/backup_check.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from psycopg.conninfo import make_conninfo
from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy.engine import URL, make_url

# An answer, as the checksum sees it: which attempt and position, which question version, what
# was chosen, whether right, the points and when.
ANSWER_COLUMNS = ("attempt_id", "position", "question_version_id", "choices", "correct",
                  "points", "answered_at")
PG_TIMEOUT_SECONDS = 3600


class BackupError(RuntimeError):
    """A backup or restore that could not be done (the message says why)."""


@dataclass(frozen=True)
class Fingerprint:
    """What must be equal before a backup and after its restore."""

    row_counts: dict[str, int]
    answers: int
    answers_sha256: str


def backend(url: str | URL) -> str:
    """``"sqlite"`` or ``"postgresql"`` (anything else is refused)."""
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def backup_file_name(kind: str, now: datetime | None = None) -> str:
    """``kexue-20261201T040500Z.sqlite3`` (SQLite) or ``….dump`` (PostgreSQL), in UTC."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"kexue-{stamp}.{'sqlite3' if kind == 'sqlite' else 'dump'}"


def backup(url: str | URL, directory: Path, now: datetime | None = None) -> Path:
    """Back the database of ``url`` up into a new timestamped file in ``directory``."""
    kind = backend(url)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / backup_file_name(kind, now)
    if target.exists():
        raise BackupError(f"{target} already exists")
    if kind == "sqlite":
        _sqlite_copy(_sqlite_path(url), target)
    else:
        _pg_run("pg_dump", ["--format=custom", "--no-owner", f"--file={target}"], url)
    os.chmod(target, 0o600)  # names, phones and answers: readable by the service account only
    return target


def restore(backup_path: Path, url: str | URL, *, replace: bool = False) -> None:
    """Restore ``backup_path`` into the database of ``url``, which must be empty unless
    ``replace`` (then its tables are dropped first: SQLite's file is overwritten page by page,
    PostgreSQL's objects are dropped by ``pg_restore --clean``)."""
    kind = backend(url)
    if not backup_path.is_file():
        raise BackupError(f"no backup file {backup_path}")
    if not replace and _has_tables(url):
        raise BackupError("the target database is not empty: restore into a fresh database, "
                          "or pass --replace to overwrite it")
    if kind == "sqlite":
        if backup_path.suffix == ".dump":
            raise BackupError("a PostgreSQL dump cannot be restored into SQLite")
        _sqlite_copy(backup_path, _sqlite_path(url))
    else:
        if backup_path.suffix != ".dump":
            raise BackupError("restore a PostgreSQL database from a pg_dump -Fc file (.dump)")
        options = ["--no-owner", "--exit-on-error", "--single-transaction"]
        if replace:
            options += ["--clean", "--if-exists"]
        _pg_run("pg_restore", [*options, str(backup_path)], url)


def fingerprint(engine: Engine) -> Fingerprint:
    """Row counts of every table in the database and the SHA-256 of its answers in order."""
    from quizapp.models import AttemptItem

    items = AttemptItem.__table__
    digest = hashlib.sha256()
    answers = 0
    with engine.connect() as connection:
        names = sorted(inspect(connection).get_table_names())
        counts = {}
        for name in names:
            counts[name] = connection.scalar(select(func.count()).select_from(table(name)))
        rows = connection.execute(
            select(*(items.c[c] for c in ANSWER_COLUMNS))
            .order_by(items.c.attempt_id, items.c.position))
        for row in rows:
            answers += 1
            digest.update(json.dumps(list(row), sort_keys=True, default=str).encode())
            digest.update(b"\n")
    return Fingerprint(counts, answers, digest.hexdigest())


def _has_tables(url: str | URL) -> bool:
    from sqlalchemy import create_engine

    if backend(url) == "sqlite" and not _sqlite_path(url).exists():
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _sqlite_path(url: str | URL) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy one SQLite database into another with the online backup API (readers and
    writers of ``source`` carry on meanwhile)."""
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    source_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        target_db = sqlite3.connect(target)
        try:
            source_db.backup(target_db)
        finally:
            target_db.close()
    finally:
        source_db.close()


def _pg_run(program: str, arguments: list[str], url: str | URL) -> None:
    """Run ``pg_dump``/``pg_restore`` against ``url``, its password in the environment."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} is not installed (Debian: apt-get install "
                          "postgresql-client, the same major version as the server)")
    parsed = make_url(url)
    parameters = {"host": parsed.host, "port": parsed.port, "user": parsed.username,
                  "dbname": parsed.database, **{k: str(v) for k, v in parsed.query.items()}}
    conninfo = make_conninfo(**{k: v for k, v in parameters.items() if v is not None})
    # Only the password in the environment (never on a command line that ps shows).
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    arguments = [f"--dbname={conninfo}", *arguments]
    try:
        done = subprocess.run([executable, *arguments], env=env, capture_output=True, text=True,
                              timeout=PG_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{program} took longer than {PG_TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        raise BackupError(f"{program} failed: {done.stderr.strip()[-2000:]}")
