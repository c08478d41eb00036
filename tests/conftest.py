"""Fixtures shared by the whole suite.

The app runs on a real database migrated with the real Alembic migrations: SQLite by default,
or PostgreSQL when ``KEXUE_TEST_DATABASE=postgres`` (``.ci/run`` does that in its second pass).
Every test that uses the ``app`` fixture is marked ``db`` and starts from empty tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient

from tests.support import IN_CI, AuthActions, postgres_database

TEST_SECRET = "test-secret-key-not-for-production"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "app" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "db: uses the application database")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("KEXUE_TEST_DATABASE") == "postgres":
        with postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def make_app(database_url: str, instance_path: str, **overrides):
    from quizapp import create_app

    config = {
        "TESTING": True,
        "QUIZAPP_ENV": "testing",
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": instance_path,
        "WTF_CSRF_ENABLED": True,
        "DEMO_SIMULATED_PEOPLE": 12,
        "DEMO_SURVEY_LISTED_PSUS": 2,
        "DEMO_EARLIER_LISTED_PSUS": 0,  # no earlier wave (tests/surveys_web/test_demo_earlier)
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def migrated_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database, brought to the newest revision once per session."""
    from flask_migrate import upgrade

    app = make_app(database_url, str(tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()
        from quizapp.extensions import db

        db.engine.dispose()
    return database_url


def _empty_all_tables() -> None:
    from quizapp.extensions import db

    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def app_config() -> dict:
    """Per-test overrides of the app configuration (override this fixture in a module)."""
    return {}


@pytest.fixture
def app(migrated_database: str, tmp_path, app_config: dict):
    application = make_app(migrated_database, str(tmp_path / "instance"), **app_config)
    with application.app_context():
        _empty_all_tables()
        yield application
        from quizapp.extensions import db

        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own ``g``, as in production.

    The ``app`` fixture keeps an app context open so that tests can use ``db.session``; Flask
    reuses that context for requests, which would leak ``g`` (the signed-in user, the locale)
    from one request into the next.
    """

    def open(self, *args, **kwargs):
        context = _cv_app.get(None)
        if context is None:
            return super().open(*args, **kwargs)
        saved = context.g
        context.g = context.app.app_ctx_globals_class()
        try:
            return super().open(*args, **kwargs)
        finally:
            context.g = saved


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def make_user(app):
    """Create an account with roles and a known password."""
    from quizapp.extensions import db
    from quizapp.models import User

    def factory(username: str, *roles: str, password: str = "correct horse 42") -> User:
        user = User(username=username, display_name=username)
        user.set_password(password)
        user.roles = set(roles) or {"resident"}
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def admin(client, auth, make_user):
    """The test client, signed in as an administrator (``root``)."""
    make_user("root", "admin")
    auth.login("root")
    return client


@pytest.fixture
def unique_name() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def redis_url():
    """The test Redis (TEST_REDIS_URL), emptied; skipped when unreachable, failed in CI."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        reason = f"Redis not reachable at {url}: {error.__class__.__name__}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def pg_app(tmp_path):
    """An app on a fresh, migrated PostgreSQL database of its own (dropped afterwards)."""
    from flask_migrate import upgrade

    with postgres_database() as url:
        app = make_app(url, str(tmp_path / "instance"))
        with app.app_context():
            upgrade()
        yield app
        with app.app_context():
            from quizapp.extensions import db

            db.engine.dispose()
