import pytest

from quizapp import create_app
from quizapp.config import ConfigError, load_config, normalise_database_url


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("QUIZAPP_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_sets_secure_cookies(tmp_path):
    config = load_config(tmp_path, {"QUIZAPP_ENV": "production", "SECRET_KEY": "x" * 32})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SHOW_DEMO_PASSWORDS"] is False


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
