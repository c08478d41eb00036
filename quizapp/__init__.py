"""Kexue (科学素质平台): the Flask application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the application.

    Without ``config`` the settings come from the process environment. With it, from the
    mapping alone: its environment-variable keys (``QUIZAPP_ENV``, ``REDIS_URL``...) are read
    as the environment would be, the process environment is not read at all (so tests are
    hermetic), and its other keys override the resulting settings.
    """
    from quizapp.config import load_config

    instance_override = (config or {}).get("INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_override)
    instance_path = Path(app.instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    settings = load_config(instance_path, environ=None if config is None else _environ_for(config))
    app.config.update(settings)
    if config:
        app.config.update(config)
    _warn_about_memory_rate_limits(app)

    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from quizapp import inputs

    inputs.register(app)  # the URL converter must be in place before any route is added
    _init_extensions(app)
    _register_blueprints(app)
    _register_links(app)
    _register_hooks(app)

    from quizapp import cli, device, errors, preferences, request_id, security, static_files
    from quizapp.shared import assets

    assets.register(app)
    device.register(app)
    errors.register(app)
    preferences.register(app)
    request_id.register(app)
    security.register(app)
    static_files.register(app)
    cli.register(app)
    return app


def migrations_directory() -> Path:
    """The Alembic migrations: the copy an installed wheel carries inside the package
    (setup.py puts it there), else the source tree's ``migrations/`` beside the package."""
    package = Path(__file__).resolve().parent
    installed = package / "migrations"
    return installed if (installed / "env.py").is_file() else package.parent / "migrations"


def _environ_for(config: dict[str, Any]) -> dict[str, str]:
    """The environment variables a configuration mapping sets (the process sets none here)."""
    from quizapp.config import ENVIRONMENT_VARIABLES

    return {name: str(config[name]) for name in ENVIRONMENT_VARIABLES
            if config.get(name) is not None}


def _warn_about_memory_rate_limits(app: Flask) -> None:
    if app.config["QUIZAPP_ENV"] == "production" and \
            app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        app.logger.warning(
            "Rate limits are kept in memory (RATELIMIT_ALLOW_MEMORY=1, no REDIS_URL): each "
            "worker process counts on its own. Run a single worker, or set REDIS_URL.")


def _init_extensions(app: Flask) -> None:
    from quizapp import models  # noqa: F401  (registers every table)
    from quizapp.extensions import (
        babel,
        compress,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
        select_locale,
    )

    # First, so its after-request hook runs last: it compresses the response that every other
    # hook has finished (headers, cookies, the cache headers of static files).
    compress.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(migrations_directory()))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(session_id: str):
        from quizapp.auth.services import load_session_user

        return load_session_user(session_id)


def _register_blueprints(app: Flask) -> None:
    from quizapp.admin import bp as admin_bp
    from quizapp.auth import bp as auth_bp
    from quizapp.competitions import admin_bp as competition_admin_bp
    from quizapp.competitions import bp as competitions_bp
    from quizapp.estimates import bp as estimates_bp
    from quizapp.health import bp as health_bp
    from quizapp.main import bp as main_bp
    from quizapp.mine import bp as mine_bp
    from quizapp.plan import bp as plan_bp
    from quizapp.plan import mine_bp as plan_mine_bp
    from quizapp.practice import bp as practice_bp
    from quizapp.questions import bp as questions_bp
    from quizapp.schools import bp as schools_bp
    from quizapp.schools import play_bp
    from quizapp.shared.assets import bp as assets_bp
    from quizapp.surveys import bp as surveys_bp
    from quizapp.surveys import fieldwork_bp, literacy_bp, respond_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(questions_bp, url_prefix="/admin/questions")
    app.register_blueprint(plan_bp, url_prefix="/admin/plan")
    app.register_blueprint(plan_mine_bp, url_prefix="/plan")
    app.register_blueprint(practice_bp)
    app.register_blueprint(mine_bp, url_prefix="/me")
    app.register_blueprint(competitions_bp)
    app.register_blueprint(competition_admin_bp, url_prefix="/admin/competitions")
    app.register_blueprint(estimates_bp, url_prefix="/statistics/estimates")
    app.register_blueprint(surveys_bp, url_prefix="/statistics/surveys")
    app.register_blueprint(fieldwork_bp, url_prefix="/fieldwork")
    app.register_blueprint(respond_bp, url_prefix="/survey")
    app.register_blueprint(literacy_bp, url_prefix="/literacy")
    app.register_blueprint(schools_bp, url_prefix="/schools")
    app.register_blueprint(play_bp)
    app.register_blueprint(assets_bp, url_prefix="/assets")
    app.register_blueprint(health_bp)


def _register_links(app: Flask) -> None:
    """The navigation bar's links; every link the home page shows, by audience (admins see
    every role's section); the admin index lists the admins' links."""
    from flask_babel import lazy_gettext as _l

    from quizapp.shared.links import (
        NAV,
        Link,
        nav_items,
        register_links,
        register_personal_links,
    )

    practice = Link(_l("Practice"), "practice.index", "practice")
    competitions = Link(_l("Competitions"), "competitions.index", "competitions")
    estimate = Link(_l("Literacy estimate"), "estimates.index")
    survey_waves = Link(_l("Survey waves"), "surveys.index")
    city = Link(_l("City literacy dashboard"), "surveys.city_dashboard")
    public_city = Link(_l("Science literacy in Xinzheng"), "literacy.index")
    townships_ranking = Link(_l("Townships ranking"), "surveys.townships_ranking")
    register_links(app, NAV, Link(_l("Home"), "main.home", "home"), practice, competitions,
                   Link(_l("Mine"), "mine.index", "mine"))
    app.context_processor(lambda: {"nav_items": nav_items})
    register_links(app, "resident", practice, competitions, public_city)
    register_links(app, "interviewer", Link(_l("My villages and communities"), "fieldwork.index"))
    schools_dashboard = Link(_l("Schools dashboard"), "schools.dashboard_page")
    bank_health = Link(_l("Question bank health"), "questions.health_page")
    register_links(app, "teacher", Link(_l("Classes and question sets"), "schools.index"),
                   schools_dashboard)
    register_links(app, "statistician", city, townships_ranking, estimate, survey_waves,
                   Link(_l("Item statistics"), "questions.items"))
    register_links(app, "admin",
                   Link(_l("Users"), "admin.users"),
                   Link(_l("Townships"), "admin.townships"),
                   Link(_l("Organisations"), "admin.organisations"),
                   Link(_l("Questions"), "questions.index"),
                   Link(_l("Import questions"), "questions.import_upload"),
                   Link(_l("Competitions"), "competition_admin.index"),
                   Link(_l("Plan targets"), "plan.index"),
                   Link(_l("Competitions dashboard"), "competition_admin.dashboard_page"),
                   city, townships_ranking, estimate, survey_waves, schools_dashboard,
                   bank_health)
    # Links by what an account was given, whatever its roles: the plan targets it reports.
    from quizapp.plan.services import reporter_links

    register_personal_links(app, reporter_links)


def _register_hooks(app: Flask) -> None:
    """Pieces one feature shows on another's pages: the survey's published estimate on the
    home page."""
    from quizapp.shared.city_estimate import register_provider
    from quizapp.surveys.headline import published_city_estimate

    register_provider(app, published_city_estimate)
