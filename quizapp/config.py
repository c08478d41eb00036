"""Configuration read from environment variables, with safe defaults.

This is the only module that reads the environment, and it reads only the variables named in
:data:`ENVIRONMENT_VARIABLES` (each one is in the README's configuration table).
``create_app()`` reads them from the process environment; ``create_app(mapping)`` reads them
from the mapping only, so a test's configuration never picks up the developer's
``DATABASE_URL`` or ``REDIS_URL``; the mapping's other keys then override the settings.

``QUIZAPP_ENV`` is one of:

- ``development`` (the default): a secret key generated once into the instance folder, the
  demo passwords printed by ``flask demo load``;
- ``production``: ``SECRET_KEY`` and ``REDIS_URL`` required (see :func:`load_config`), every
  cookie Secure, HSTS sent;
- ``testing``: ``TESTING`` on (errors reach the test instead of the error page), a random
  secret key per process unless one is given (nothing written to the instance folder),
  insecure cookies and the memory rate-limit storage allowed, demo passwords never printed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

ENVIRONMENTS = ("development", "production", "testing")

ENVIRONMENT_VARIABLES = (
    "QUIZAPP_ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "DATABASE_POOL_RECYCLE",
    "DATABASE_POOL_PRE_PING",
    "REDIS_URL",
    "RATELIMIT_ALLOW_MEMORY",
    "LOGIN_RATE_LIMIT",
    "PRACTICE_RATE_LIMIT",
    "PRACTICE_ADDRESS_RATE_LIMIT",
    "MAX_UPLOAD_BYTES",
    "TRUSTED_PROXIES",
    "BLOCKED_NICKNAMES_FILE",
    "CJK_FONT_PATH",
)

# How long "keep me signed in" lasts: staff see other people's data, residents only their own.
STAFF_REMEMBER_DURATION = timedelta(days=14)
RESIDENT_REMEMBER_DURATION = timedelta(days=90)
HSTS_SECONDS = 365 * 24 * 3600
# Static files: a URL carrying the file's content hash (``?v=``) never changes meaning, so it is
# cached for a year; any other URL of a static file only briefly (quizapp/static_files.py).
STATIC_HASHED_MAX_AGE = 365 * 24 * 3600
STATIC_UNHASHED_MAX_AGE = 300
# What is worth compressing; never text/event-stream, whose events must not wait in a buffer.
COMPRESS_MIMETYPES = (
    "text/html", "text/css", "text/plain", "text/csv", "text/javascript",
    "application/javascript", "application/json", "image/svg+xml",
)


class ConfigError(RuntimeError):
    """Raised when the environment does not describe a safe configuration."""


def engine_options(database_url: str, env) -> dict:
    """The connection pool's options. PostgreSQL connections are recycled after
    ``DATABASE_POOL_RECYCLE`` seconds (default 300) instead of pinged at every checkout (a
    round trip per request); a connection that died anyway (the database restarted) fails
    one request with the 503 page (quizapp.errors) and the pool is discarded, so the next
    requests reconnect. ``DATABASE_POOL_PRE_PING=1`` brings the ping back. SQLite needs
    neither."""
    if not database_url.startswith("postgresql"):
        return {}
    options: dict = {"pool_recycle": _integer(env, "DATABASE_POOL_RECYCLE", 300)}
    if _flag(env, "DATABASE_POOL_PRE_PING"):
        options["pool_pre_ping"] = True
    return options


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


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ConfigError(f"{name} must be 1 or 0, not {value!r}")


def _integer(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None


def load_config(instance_path: Path, environ: Mapping[str, str] | None = None) -> dict:
    """Build the Flask configuration mapping from the environment (``os.environ`` if None)."""
    source = os.environ if environ is None else environ
    env = {name: str(source[name]) for name in ENVIRONMENT_VARIABLES
           if source.get(name) is not None}
    quizapp_env = env.get("QUIZAPP_ENV", "development")
    if quizapp_env not in ENVIRONMENTS:
        allowed = ", ".join(ENVIRONMENTS)
        raise ConfigError(f"QUIZAPP_ENV must be one of {allowed}, not {quizapp_env!r}")
    production = quizapp_env == "production"
    testing = quizapp_env == "testing"

    secret_key = env.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError("SECRET_KEY must be set in production (QUIZAPP_ENV=production).")
        secret_key = secrets.token_hex(32) if testing else _development_secret_key(instance_path)

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'kexue.sqlite3'}"
    redis_url = env.get("REDIS_URL") or None
    allow_memory = _flag(env, "RATELIMIT_ALLOW_MEMORY")
    # Each worker process counts in its own memory: four workers would allow four times the
    # login limit. Production needs the shared Redis storage unless told otherwise.
    if production and redis_url is None and not allow_memory:
        raise ConfigError(
            "REDIS_URL must be set in production: without it every worker process keeps its own "
            "rate-limit counts. Set RATELIMIT_ALLOW_MEMORY=1 only for a single worker process.")

    return {
        "QUIZAPP_ENV": quizapp_env,
        "TESTING": testing,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(normalise_database_url(database_url), env),
        # How long a worker keeps a competition's settings and its questions (active versions
        # never change in place) for the answer path (quizapp.engine.answering).
        "ANSWER_CACHE_SECONDS": 30,
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ALLOW_MEMORY": allow_memory,
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # Practice rounds per account, and per client address (accounts and visitors without
        # one together: a school shares one address), never per device (a cookie is dropped).
        "PRACTICE_RATE_LIMIT": env.get("PRACTICE_RATE_LIMIT", "60 per hour"),
        "PRACTICE_ADDRESS_RATE_LIMIT": env.get("PRACTICE_ADDRESS_RATE_LIMIT", "600 per hour"),
        # Failed look-ups of self-completion invitation codes per client address (a guess).
        "SURVEY_CODE_RATE_LIMIT": "10 per minute;60 per hour",
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "KEXUE_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh_CN", "en"],
        "MAX_CONTENT_LENGTH": _integer(env, "MAX_UPLOAD_BYTES", 5 * 1024 * 1024),
        "QUESTION_IMPORT_MAX_BYTES": 2 * 1024 * 1024,
        "DEMO_SIMULATED_PEOPLE": 240,
        # Sampled PSUs of the demo survey wave whose households are listed (None: all).
        "DEMO_SURVEY_LISTED_PSUS": None,
        # The same for the earlier (2024, closed) demo wave (None: all; 0: no earlier wave).
        "DEMO_EARLIER_LISTED_PSUS": None,
        "SURVEY_FRAME_MAX_BYTES": 5 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": RESIDENT_REMEMBER_DURATION,
        "STAFF_REMEMBER_COOKIE_DURATION": STAFF_REMEMBER_DURATION,
        # The app's own cookies (language, large type, device, practice group).
        "PREFERENCE_COOKIE_SECURE": production,
        "HSTS_SECONDS": HSTS_SECONDS if production else 0,
        "WTF_CSRF_TIME_LIMIT": None,
        "SHOW_DEMO_PASSWORDS": quizapp_env == "development",
        # Reverse proxies in front of the app (nginx: 1), so client addresses are right for
        # the login rate limit and the cheating signals. 0 trusts no forwarded headers.
        "TRUSTED_PROXIES": _integer(env, "TRUSTED_PROXIES", 0),
        # The word list refusing nicknames in live class games (None: the one in the app).
        "BLOCKED_NICKNAMES_FILE": env.get("BLOCKED_NICKNAMES_FILE") or None,
        # The Chinese font embedded in PDFs (None: the system's, quizapp/shared/fonts.py).
        "CJK_FONT_PATH": env.get("CJK_FONT_PATH") or None,
        "STATIC_HASHED_MAX_AGE": STATIC_HASHED_MAX_AGE,
        "STATIC_UNHASHED_MAX_AGE": STATIC_UNHASHED_MAX_AGE,
        # flask-compress: brotli where the browser takes it, else gzip (zstd left out: no
        # smaller for pages this size, and one encoding fewer to test). Moderate levels: the
        # 2-core server also answers the live games' phones; brotli 4 came out smaller and
        # faster than gzip 6 on Plotly's bundle (1.41 MB in 107 ms against 1.47 MB in 133 ms).
        "COMPRESS_MIMETYPES": list(COMPRESS_MIMETYPES),
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],  # static files are sent as streams
        "COMPRESS_BR_LEVEL": 4,
        "COMPRESS_LEVEL": 6,
        "COMPRESS_MIN_SIZE": 500,  # smaller bodies gain next to nothing
    }
