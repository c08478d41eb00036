"""Migration 0015 (the plan's targets and their yearly figures) up and down, with its checks."""

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
FIGURE = sa.text("INSERT INTO plan_figures (target_id, year, value, denominator, entered_at) "
                 "VALUES (:target, :year, :value, NULL, CURRENT_TIMESTAMP)")


def _check(url: str, instance: str) -> None:
    from quizapp.extensions import db

    app = make_app(url, instance)
    with app.app_context():
        upgrade(revision="0015")
        with db.engine.begin() as connection:
            connection.execute(TARGET)
            target = connection.execute(sa.text("SELECT id FROM plan_targets")).scalar()
            connection.execute(FIGURE, {"target": target, "year": 2021, "value": 150})
        for bad in ({"year": 2021, "value": 1},  # the same target and year twice
                    {"year": 2022, "value": -1}):  # a negative figure
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
                connection.execute(FIGURE, {"target": target, **bad})
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT value FROM plan_figures")).scalars() \
                .all() == [150]
        downgrade(revision="0014")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert not {"plan_targets", "plan_figures"} & tables
        assert "certificates" in tables
        downgrade(revision="base")
        db.engine.dispose()


def test_migration_0015_on_sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'm.sqlite3'}", str(tmp_path / "instance"))


@pytest.mark.postgres
def test_migration_0015_on_postgres(tmp_path):
    with postgres_database() as url:
        _check(url, str(tmp_path / "instance"))
