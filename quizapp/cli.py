"""``flask`` commands: accounts, reference data and the demo."""

from __future__ import annotations

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
