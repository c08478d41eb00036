"""Configuration read from environment variables, with safe defaults.

Every setting can be overridden by passing a mapping to ``create_app(config)``; tests do that.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENVIRONMENTS = ("development", "production", "testing")


class ConfigError(RuntimeError):
    """Raised when the environment does not describe a safe configuration."""


def normalise_database_url(url: str) -> str:
    """Point ``postgresql://`` URLs at the psycopg 3 driver, which is the one we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _development_secret_key(instance_path: Path) -> str:
    """Generate a secret key once and keep it in the instance folder (never in the repo)."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_config(instance_path: Path, environ: os._Environ | dict | None = None) -> dict:
    """Build the Flask configuration mapping from the environment."""
    env = os.environ if environ is None else environ
    kexue_env = env.get("QUIZAPP_ENV", "development")
    if kexue_env not in ENVIRONMENTS:
        allowed = ", ".join(ENVIRONMENTS)
        raise ConfigError(f"QUIZAPP_ENV must be one of {allowed}, not {kexue_env!r}")
    production = kexue_env == "production"

    secret_key = env.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError("SECRET_KEY must be set in production (QUIZAPP_ENV=production).")
        secret_key = _development_secret_key(instance_path)

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'kexue.sqlite3'}"
    redis_url = env.get("REDIS_URL") or None

    return {
        "KEXUE_ENV": kexue_env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "KEXUE_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh_CN", "en"],
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_BYTES", 5 * 1024 * 1024)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERENCE_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        "SHOW_DEMO_PASSWORDS": kexue_env == "development",
        # Reverse proxies in front of the app (nginx: 1), so client addresses are right for
        # the login rate limit and the cheating signals. 0 trusts no forwarded headers.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # Practice rounds per account, and per client address (accounts and visitors without
        # one together: a school shares one address), never per device (a cookie is dropped).
        "PRACTICE_RATE_LIMIT": env.get("PRACTICE_RATE_LIMIT", "60 per hour"),
        "PRACTICE_ADDRESS_RATE_LIMIT": env.get("PRACTICE_ADDRESS_RATE_LIMIT", "600 per hour"),
    }
