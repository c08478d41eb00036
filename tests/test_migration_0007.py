"""Migration 0007 on existing accounts: lower-case usernames, a session token each."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.conftest import make_app
from tests.support import postgres_database

INSERT = sa.text("INSERT INTO users (username, display_name, password_hash, active, created_at) "
                 "VALUES (:name, '', 'x', :active, CURRENT_TIMESTAMP)")


def _with_accounts(url: str, instance: str, names: list[str]):
    from quizapp.extensions import db

    app = make_app(url, instance)
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as connection:
            for name in names:
                connection.execute(INSERT, {"name": name, "active": True})
    return app


def _check_upgrade(url: str, instance: str) -> None:
    from quizapp.extensions import db

    app = _with_accounts(url, instance, ["Admin", "wang", "Li.Ming"])
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT username, session_token FROM users ORDER BY username")).all()
        assert [row.username for row in rows] == ["admin", "li.ming", "wang"]
        tokens = [row.session_token for row in rows]
        assert len(set(tokens)) == 3 and all(len(token) == 32 for token in tokens)
        downgrade(revision="0006")
        with db.engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("users")}
        assert "session_token" not in columns
        downgrade(revision="base")
        db.engine.dispose()


def _check_clash(url: str, instance: str, capfd) -> None:
    """Flask-Migrate turns the migration's RuntimeError into a logged error and exit 1."""
    from quizapp.extensions import db

    app = _with_accounts(url, instance, ["Admin", "admin", "wang"])
    with app.app_context():
        with pytest.raises(SystemExit):
            upgrade(revision="0007")
        assert "usernames that differ only in case must be renamed before this upgrade: " \
               "admin" in capfd.readouterr().err
        with db.engine.connect() as connection:
            names = connection.execute(sa.text("SELECT username FROM users")).scalars().all()
            columns = {c["name"] for c in sa.inspect(connection).get_columns("users")}
        assert sorted(names) == ["Admin", "admin", "wang"], "nothing changed"
        assert "session_token" not in columns
        db.engine.dispose()


def test_upgrade_lowers_usernames_and_gives_each_account_a_token(tmp_path):
    _check_upgrade(f"sqlite:///{tmp_path / 'm.sqlite3'}", str(tmp_path / "instance"))


def test_upgrade_stops_on_usernames_that_differ_only_in_case(tmp_path, capfd):
    _check_clash(f"sqlite:///{tmp_path / 'm.sqlite3'}", str(tmp_path / "instance"), capfd)


@pytest.mark.postgres
def test_upgrade_on_postgres(tmp_path, capfd):
    with postgres_database() as url:
        _check_upgrade(url, str(tmp_path / "instance"))
    with postgres_database() as url:
        _check_clash(url, str(tmp_path / "instance2"), capfd)
