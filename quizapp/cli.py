"""``flask`` commands: accounts, reference data, the demo, closing a survey wave, and backing
the database up and restoring it."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from quizapp.access import ROLES
from quizapp.credentials import (
    describe_problem,
    normalise_username,
    password_problem,
    valid_username,
)
from quizapp.extensions import db
from quizapp.models import User


def register(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(reference)
    app.cli.add_command(surveys_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.group(help="Manage accounts.")
def users() -> None:
    pass


@users.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES),
              help="A role; repeat for several.")
@click.option("--name", "display_name", default="", help="Display name.")
@click.password_option()
def create_user(username: str, roles: tuple[str, ...], display_name: str, password: str) -> None:
    """Create an account with the given roles (usernames ignore case)."""
    if not valid_username(username):
        raise click.ClickException(
            "a username has 3 to 64 letters, digits, dots, dashes or underscores")
    username = normalise_username(username)
    if db.session.scalar(select(User).where(User.username == username)) is not None:
        raise click.ClickException(f"user {username!r} already exists")
    _check_password(password, username, roles)
    user = User(username=username, display_name=display_name)
    user.set_password(password)
    user.roles = set(roles)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {username} with roles {', '.join(sorted(roles))}")


@users.command("reset-password")
@click.argument("username")
@click.password_option()
def reset_password(username: str, password: str) -> None:
    """Set a new password for an account (and enable it); its sessions all end."""
    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    _check_password(password, user.username, user.roles)
    user.set_password(password)
    user.active = True
    db.session.commit()
    click.echo(f"password reset for {username}")


def _check_password(password: str, username: str, roles) -> None:
    problem = password_problem(password, username=username, roles=roles)
    if problem is not None:
        raise click.ClickException(f"password refused: {describe_problem(problem, roles)}")


@click.group(help="Reference data.")
def reference() -> None:
    pass


@reference.command("townships")
def seed_townships_command() -> None:
    """Add Xinzheng's shipped townships that are missing."""
    from quizapp.reference_data import seed_townships

    click.echo(f"added {seed_townships()} townships")


@reference.command("plan-targets")
def seed_plan_targets_command() -> None:
    """Add the plan's measurable targets (quizapp/plan/targets.json) that are missing."""
    from quizapp.plan.services import seed_targets

    click.echo(f"added {seed_targets()} plan targets")


@click.group(help="Demo data.")
def demo() -> None:
    pass


@demo.command("load")
def load_demo_command() -> None:
    """Load the demo data (idempotent) and print the demo accounts in development."""
    if current_app.config["QUIZAPP_ENV"] == "production":
        raise click.ClickException("the demo data is not loaded in production")
    from quizapp.demo import load_demo

    passwords = load_demo()
    if current_app.config["SHOW_DEMO_PASSWORDS"]:
        click.echo("Demo accounts (development only):")
        for username, password in passwords.items():
            click.echo(f"  {username:<13} {password}")


@click.group("surveys", help="The literacy survey's waves.")
def surveys_group() -> None:
    pass


@surveys_group.command("close-wave")
@click.argument("wave_id", type=click.IntRange(1, 2**31 - 1))
def close_wave_command(wave_id: int) -> None:
    """Close a wave and delete its personal data (no questions asked); print what was deleted.

    Refused for a wave still being designed or with interviews waiting for review.  Running it
    again on a closed wave deletes nothing more.
    """
    from quizapp.surveys import closing, services

    wave = services.get_wave(wave_id)
    if wave is None:
        raise click.ClickException(f"no survey wave {wave_id}")
    try:
        report = closing.close_wave(wave)
    except services.WaveRefused as error:
        raise click.ClickException(f"wave {wave_id} not closed: {error}") from None
    click.echo(f"wave {wave_id} {'was already closed' if report.was_closed else 'closed'}")
    click.echo(f"  contact records deleted (names, phones, addresses): {report.contacts_deleted}")
    click.echo(f"  household descriptions blanked: {report.labels_blanked}")
    click.echo(f"  visit notes blanked: {report.notes_blanked}")
    click.echo(f"  invitation codes deleted: {report.codes_deleted}")
    click.echo(f"  saved self-completion answers deleted: {report.progress_cleared}")
    click.echo(f"  interviews whose paradata was reduced (device kind only): "
               f"{report.paradata_reduced}")
    if report.paradata_keys_dropped:
        click.echo(f"  paradata keys dropped: {', '.join(report.paradata_keys_dropped)}")
    click.echo(f"  interviews kept with answers, scores and dispositions: "
               f"{report.interviews_kept}")


@click.command("backup")
@click.option("--to", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for the backup file (default: instance/backups).")
def backup_command(directory: Path | None) -> None:
    """Back the database up into a new timestamped file and print its path.

    SQLite: the online backup API (the app may keep running). PostgreSQL: pg_dump -Fc.
    """
    from quizapp import backups

    target = directory or Path(current_app.instance_path) / "backups"
    try:
        path = backups.backup(db.engine.url, target)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(str(path))


@click.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="Overwrite a database that already has tables (stop the app first).")
def restore_command(backup_file: Path, replace: bool) -> None:
    """Restore BACKUP_FILE (from `flask backup`) into the configured database.

    The database must be empty (a fresh one) unless --replace is given.
    """
    from quizapp import backups

    url = db.engine.url
    db.session.remove()
    db.engine.dispose()
    try:
        backups.restore(backup_file, url, replace=replace)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored {backup_file}")
