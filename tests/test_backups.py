"""Backups (quizapp/backups.py, ``flask backup``/``flask restore``) and the restore check
(scripts/backup_check.py): demo data backed up, restored into a fresh database, compared."""

from __future__ import annotations

import importlib.util
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support import postgres_database

ROOT = Path(__file__).resolve().parent.parent


def _backup_check():
    spec = importlib.util.spec_from_file_location("backup_check",
                                                  ROOT / "scripts" / "backup_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_sqlite_backup_restores_every_row_and_answer(tmp_path):
    report = _backup_check().check(f"sqlite:///{tmp_path / 'source.sqlite3'}",
                                   f"sqlite:///{tmp_path / 'restored.sqlite3'}",
                                   tmp_path, small=True)
    before, after = report["before"], report["after"]
    assert report["same"], (before, after)
    assert Path(report["backup_file"]).name.startswith("kexue-")
    assert Path(report["backup_file"]).suffix == ".sqlite3"
    # The demo's answers are there to compare: every item of the simulated residents.
    assert before["answers"] > 100
    assert before["row_counts"]["attempt_items"] == before["answers"]
    assert before["row_counts"]["townships"] == 17  # Xinzheng's shipped townships
    assert after["row_counts"] == before["row_counts"]
    assert after["answers_sha256"] == before["answers_sha256"]


@pytest.mark.postgres
def test_a_postgres_backup_restores_every_row_and_answer(tmp_path):
    import shutil

    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is not installed (postgresql-client)")
    with postgres_database() as source, postgres_database() as target:
        report = _backup_check().check(source, target, tmp_path, small=True)
    assert report["same"], (report["before"], report["after"])
    assert Path(report["backup_file"]).suffix == ".dump"
    assert report["before"]["answers"] > 100
    assert report["after"]["row_counts"]["townships"] == 17


def test_the_fingerprint_sees_a_changed_answer(app):
    from sqlalchemy import update

    from quizapp.backups import fingerprint
    from quizapp.demo import load_demo
    from quizapp.extensions import db
    from quizapp.models import AttemptItem

    load_demo()
    first = fingerprint(db.engine)
    item = db.session.scalars(
        db.select(AttemptItem).where(AttemptItem.choices.is_not(None))
        .order_by(AttemptItem.id)).first()
    db.session.execute(update(AttemptItem).where(AttemptItem.id == item.id)
                       .values(points=item.points + 1))
    db.session.commit()
    second = fingerprint(db.engine)
    assert second.row_counts == first.row_counts
    assert second.answers == first.answers
    assert second.answers_sha256 != first.answers_sha256


def _sqlite_with_rows(path: Path, rows: int) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x INTEGER)")
        connection.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(rows)])


def test_backup_names_the_file_by_utc_time_and_keeps_it_private(tmp_path):
    from quizapp import backups

    _sqlite_with_rows(tmp_path / "db.sqlite3", 3)
    when = datetime(2026, 12, 1, 12, 5, 9, tzinfo=UTC)
    path = backups.backup(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "b", now=when)
    assert path == tmp_path / "b" / "kexue-20261201T120509Z.sqlite3"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(path) as copy:
        assert copy.execute("SELECT count(*) FROM t").fetchone() == (3,)
    with pytest.raises(backups.BackupError, match="already exists"):
        backups.backup(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "b", now=when)


def test_restore_refuses_a_database_that_has_tables_unless_told_to_replace(tmp_path):
    from quizapp import backups

    _sqlite_with_rows(tmp_path / "old.sqlite3", 3)
    _sqlite_with_rows(tmp_path / "live.sqlite3", 5)
    copy = backups.backup(f"sqlite:///{tmp_path / 'old.sqlite3'}", tmp_path)
    live = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    with pytest.raises(backups.BackupError, match="not empty"):
        backups.restore(copy, live)
    with sqlite3.connect(tmp_path / "live.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM t").fetchone() == (5,)
    backups.restore(copy, live, replace=True)
    with sqlite3.connect(tmp_path / "live.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM t").fetchone() == (3,)


@pytest.mark.parametrize(("url", "message"), [
    ("sqlite://", "in-memory"),
    ("mysql://u@h/d", "not mysql"),
])
def test_backup_refuses_what_it_cannot_copy(tmp_path, url, message):
    from quizapp import backups

    with pytest.raises(backups.BackupError, match=message):
        backups.backup(url, tmp_path)


def test_the_restore_command_gives_a_clear_error_not_a_traceback(tmp_path):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", str(tmp_path / "instance"))
    runner = app.test_cli_runner()
    with app.app_context():  # what `flask` itself pushes for every command
        result = runner.invoke(args=["restore", str(tmp_path / "missing.sqlite3")])
        assert result.exit_code == 1
        assert "no backup file" in result.output
        pg_dump_file = tmp_path / "kexue.dump"
        pg_dump_file.write_bytes(b"PGDMP")
        result = runner.invoke(args=["restore", str(pg_dump_file)])
    assert result.exit_code == 1
    assert "cannot be restored into SQLite" in result.output


def test_pg_dump_gets_the_password_in_its_environment_not_its_command_line(tmp_path,
                                                                          monkeypatch):
    import subprocess

    from quizapp import backups

    calls = []

    def fake_run(command, **kwargs):
        calls.append((command, kwargs["env"]))
        Path(command[-1].removeprefix("--file=")).write_bytes(b"PGDMP")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(backups.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(backups.subprocess, "run", fake_run)
    path = backups.backup("postgresql+psycopg://kexue:s3cret@db.internal:5433/kexue"
                          "?sslmode=require", tmp_path)
    (command, env), = calls
    assert command[0] == "/usr/bin/pg_dump"
    assert "--format=custom" in command
    assert not any("s3cret" in part for part in command)
    assert env == {"PGPASSWORD": "s3cret"}
    dbname = next(part for part in command if part.startswith("--dbname="))
    assert set(dbname.removeprefix("--dbname=").split()) == {
        "host=db.internal", "port=5433", "user=kexue", "dbname=kexue", "sslmode=require"}
    assert path.suffix == ".dump"
