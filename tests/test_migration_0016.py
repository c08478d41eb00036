"""Migration 0016 (who reports a plan target) up and down, with its checks."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.conftest import make_app
from tests.support import postgres_database

TARGET = sa.text(
    "INSERT INTO plan_targets (code, name_zh, name_en, kind, target_value, unit_zh, unit_en, "
    "denominator_zh, denominator_en, lead_unit, source, sort_order) VALUES ('volunteers', "
    "'科技志愿者', 'Volunteers', 'cumulative', 1000, '人', 'people', '', '', '新郑市科学技术协会', "
    "'', 0)")
USER = sa.text("INSERT INTO users (username, display_name, password_hash, active, created_at, "
               "session_token) VALUES ('zhang', 'zhang', 'x', true, CURRENT_TIMESTAMP, 'tok')")
REPORTER = sa.text("INSERT INTO plan_reporters (target_id, user_id) VALUES (:target, :user)")


def _check(url: str, instance: str) -> None:
    from quizapp.extensions import db

    app = make_app(url, instance)
    with app.app_context():
        upgrade(revision="0016")
        with db.engine.begin() as connection:
            connection.execute(TARGET)
            connection.execute(USER)
            target = connection.execute(sa.text("SELECT id FROM plan_targets")).scalar()
            user = connection.execute(sa.text("SELECT id FROM users")).scalar()
            connection.execute(REPORTER, {"target": target, "user": user})
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            connection.execute(REPORTER, {"target": target, "user": user})  # the pair twice
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM plan_reporters")) \
                .scalar() == 1
        downgrade(revision="0015")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert "plan_reporters" not in tables
        assert {"plan_targets", "plan_figures"} <= tables
        downgrade(revision="base")
        db.engine.dispose()


def test_migration_0016_on_sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'm.sqlite3'}", str(tmp_path / "instance"))


@pytest.mark.postgres
def test_migration_0016_on_postgres(tmp_path):
    with postgres_database() as url:
        _check(url, str(tmp_path / "instance"))
