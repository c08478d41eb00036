"""Alembic's environment for Flask-Migrate: the app's database and models, online or offline.

Both modes use the same options: the project's UTCDateTime columns are written as plain
timezone-aware DateTime, and the SQLite-only indexes are left out of comparisons
(``quizapp/models/migration_filters.py``).
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
# Keep the app's own loggers: an upgrade run from a live process (the tests' PostgreSQL
# databases, `flask db upgrade`) would otherwise silence every logger that already exists.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
# Alembic's ini file reads % as interpolation.
config.set_main_option(
    "sqlalchemy.url",
    target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def include_object(obj, name, type_, reflected, compare_to):
    from quizapp.models.migration_filters import include_object as keep

    return keep(obj, name, type_, reflected, compare_to)


def render_item(type_, obj, autogen_context):
    """Write the project's UTCDateTime columns as plain timezone-aware DateTime."""
    from quizapp.models.types import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


COMMON = {"target_metadata": target_db.metadata, "render_item": render_item,
          "include_object": include_object}


def run_migrations_offline():
    """Write the SQL to standard output (``flask db upgrade --sql``) without connecting."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                      **COMMON)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on the app's database."""

    def process_revision_directives(context, revision, directives):
        # `flask db migrate` with no model change writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    with target_db.engine.connect() as connection:
        context.configure(connection=connection, **COMMON, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
