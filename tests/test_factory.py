import logging
import re
from pathlib import Path

import pytest

from quizapp import create_app
from quizapp.config import ConfigError, load_config, normalise_database_url

PRODUCTION = {"QUIZAPP_ENV": "production", "SECRET_KEY": "x" * 32,
              "REDIS_URL": "redis://127.0.0.1:6379/3"}


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"QUIZAPP_ENV": "production", "REDIS_URL": "redis://127.0.0.1:6379/3",
                    "INSTANCE_PATH": str(tmp_path)})


def test_production_sets_secure_cookies(tmp_path):
    config = load_config(tmp_path, PRODUCTION)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["PREFERENCE_COOKIE_SECURE"] is True
    assert config["HSTS_SECONDS"] == 365 * 24 * 3600
    assert config["SHOW_DEMO_PASSWORDS"] is False


def test_production_refuses_to_start_without_redis(tmp_path):
    """Memory storage counts per worker: 4 workers would allow 4x the login limit."""
    settings = {key: value for key, value in PRODUCTION.items() if key != "REDIS_URL"}
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_config(tmp_path, settings)
    with pytest.raises(ConfigError, match="REDIS_URL"):
        create_app({**settings, "INSTANCE_PATH": str(tmp_path)})


def test_memory_rate_limits_in_production_need_the_override_and_say_so(tmp_path, caplog):
    settings = {key: value for key, value in PRODUCTION.items() if key != "REDIS_URL"}
    with caplog.at_level(logging.WARNING):
        app = create_app({**settings, "RATELIMIT_ALLOW_MEMORY": "1",
                          "INSTANCE_PATH": str(tmp_path)})
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert "each worker process counts on its own" in caplog.text
    with pytest.raises(ConfigError, match="RATELIMIT_ALLOW_MEMORY"):
        load_config(tmp_path, {**settings, "RATELIMIT_ALLOW_MEMORY": "maybe"})


def test_with_redis_production_starts_quietly(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        app = create_app({**PRODUCTION, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    assert "worker process" not in caplog.text


def test_one_name_for_the_environment(tmp_path):
    for name in ("development", "production", "testing"):
        config = load_config(tmp_path, {**PRODUCTION, "QUIZAPP_ENV": name})
        assert config["QUIZAPP_ENV"] == name
        assert config["TESTING"] is (name == "testing")
    assert "KEXUE_ENV" not in config


def test_testing_environment_writes_no_secret_key_file(tmp_path):
    first = load_config(tmp_path, {"QUIZAPP_ENV": "testing"})
    second = load_config(tmp_path, {"QUIZAPP_ENV": "testing"})
    assert not (tmp_path / "secret_key").exists()
    assert len(first["SECRET_KEY"]) == 64 and first["SECRET_KEY"] != second["SECRET_KEY"]
    assert first["SHOW_DEMO_PASSWORDS"] is False
    assert first["RATELIMIT_STORAGE_URI"] == "memory://"


LEAKY_ENVIRONMENT = {
    "QUIZAPP_ENV": "production",
    "SECRET_KEY": "leaked-from-the-shell",
    "DATABASE_URL": "postgresql://someone@db.example/prod",
    "REDIS_URL": "redis://cache.example:6379/0",
    "RATELIMIT_ALLOW_MEMORY": "1",
    "LOGIN_RATE_LIMIT": "1 per day",
    "PRACTICE_RATE_LIMIT": "1 per day",
    "MAX_UPLOAD_BYTES": "7",
    "TRUSTED_PROXIES": "3",
}


def test_the_developers_environment_does_not_leak_into_test_apps(monkeypatch, tmp_path):
    """The fixtures' app is built from the test configuration alone, whatever the shell set."""
    from tests.conftest import make_app

    database = f"sqlite:///{tmp_path / 'hermetic.sqlite3'}"
    for name in LEAKY_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    clean = dict(make_app(database, str(tmp_path / "instance")).config)
    for name, value in LEAKY_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    leaky = dict(make_app(database, str(tmp_path / "instance")).config)
    assert leaky == clean
    assert clean["QUIZAPP_ENV"] == "testing" and clean["REDIS_URL"] is None
    assert clean["LOGIN_RATE_LIMIT"] == "10 per minute" and clean["TRUSTED_PROXIES"] == 0
    # Without a database in the mapping, the database is SQLite in the instance folder.
    bare = create_app({"QUIZAPP_ENV": "testing", "INSTANCE_PATH": str(tmp_path / "bare")})
    assert bare.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_environment_variables_are_read_in_config_and_listed_in_the_readme():
    from quizapp.config import ENVIRONMENT_VARIABLES

    root = Path(__file__).resolve().parent.parent
    config_source = (root / "quizapp" / "config.py").read_text()
    read = set(re.findall(r'env(?:\.get\(|\[|, )"([A-Z_]+)"', config_source))
    assert read == set(ENVIRONMENT_VARIABLES)
    readme = (root / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.MULTILINE))
    assert listed == set(ENVIRONMENT_VARIABLES)
    for path in (root / "quizapp").rglob("*.py"):
        if path.name != "config.py":
            assert not re.search(r"os\.environ|getenv", path.read_text()), path


def test_every_setting_the_code_reads_is_defined_in_config(tmp_path):
    """Flask's and the extensions' own keys aside, the code reads only keys config.py sets."""
    root = Path(__file__).resolve().parent.parent / "quizapp"
    used = set()
    for path in root.rglob("*.py"):
        used |= set(re.findall(r'config(?:\[|\.get\()"([A-Z_]+)"', path.read_text()))
    defined = set(load_config(tmp_path, {"QUIZAPP_ENV": "testing"}))
    assert used - defined == set()


def test_development_generates_secret_key_once(tmp_path):
    first = load_config(tmp_path, {})["SECRET_KEY"]
    second = load_config(tmp_path, {})["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_defaults_to_sqlite_in_instance_folder(tmp_path):
    config = load_config(tmp_path, {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'kexue.sqlite3'}"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_redis_url_drives_rate_limit_storage(tmp_path):
    config = load_config(tmp_path, {"REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


def test_unknown_environment_is_rejected(tmp_path):
    with pytest.raises(ConfigError, match="QUIZAPP_ENV"):
        load_config(tmp_path, {"QUIZAPP_ENV": "staging"})


@pytest.mark.parametrize("url,expected", [
    ("postgresql://postgres@127.0.0.1/test", "postgresql+psycopg://postgres@127.0.0.1/test"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_url_uses_psycopg3(url, expected):
    assert normalise_database_url(url) == expected


def test_wsgi_module_exposes_app(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZAPP_ENV", "development")
    import importlib

    import wsgi

    importlib.reload(wsgi)
    assert wsgi.app.name == "quizapp"


def test_analysis_imports_without_flask():
    import subprocess
    import sys

    code = ("import sys, analysis; "
            "assert 'flask' not in sys.modules, 'analysis imported flask'")
    subprocess.run([sys.executable, "-c", code], check=True)
