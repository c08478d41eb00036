"""The real Alembic migrations, up and down, on SQLite and on PostgreSQL."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from quizapp.models.migration_filters import include_object
from tests.conftest import make_app
from tests.support import postgres_database


def _tables(app) -> set[str]:
    from quizapp.extensions import db

    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def _round_trip(url: str, instance: str) -> None:
    from quizapp.extensions import db

    app = make_app(url, instance)
    with app.app_context():
        upgrade()
        tables = _tables(app)
        assert {"users", "user_roles", "townships", "organisations", "school_classes"} <= tables
        assert tables == set(db.metadata.tables), "migrations and models disagree on tables"
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": include_object})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models changed without a migration: {diff}"
        indexes = {i["name"] for i in sa.inspect(db.engine).get_indexes("attempts")}
        assert ("ix_attempts_counted" in indexes) == (db.engine.dialect.name == "sqlite")
        downgrade(revision="base")
        assert _tables(app) == set()
        upgrade()
        assert _tables(app) == tables
        db.engine.dispose()


def test_migrations_up_and_down_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'm.sqlite3'}", str(tmp_path / "instance"))


@pytest.mark.postgres
def test_migrations_up_and_down_on_postgres(tmp_path):
    with postgres_database() as url:
        _round_trip(url, str(tmp_path / "instance"))
