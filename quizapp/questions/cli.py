"""``flask questions load | import FILE [--dry-run] [--apply-statuses] | export FILE``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from question_bank.tabular import TableError, read_table
from quizapp.questions import bp, services, transfer


@bp.cli.command("load")
def load_command() -> None:
    """Load the bank's YAML files into the database (idempotent)."""
    try:
        summary = services.sync_bank()
    except services.BankError as error:
        for issue in error.issues:
            click.echo(str(issue), err=True)
        raise click.ClickException("the bank has errors; nothing was loaded") from error
    click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))


@bp.cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--apply-statuses", is_flag=True,
              help="Apply the statuses in the file (publishes its active questions without "
                   "review); without it every imported question or change is a draft.")
def import_command(path: Path, dry_run: bool, apply_statuses: bool) -> None:
    """Import questions from an .xlsx or .csv file (all or nothing; drafts by default)."""
    try:
        table = read_table(path.read_bytes(), path.name)
    except TableError as error:
        where = f" (row {error.params['row']})" if "row" in error.params else ""
        raise click.ClickException(f"cannot read {path.name}: {error.key}{where}") from error
    plan = transfer.plan_import(table.specs, table.rows) if table.ok else None
    faults = table.faults if not table.ok else plan.faults
    if faults:
        for fault in faults:
            click.echo(f"row {fault.line}, {fault.column or '-'}: {fault.message}", err=True)
        raise click.ClickException(f"{len(faults)} faults; nothing was imported")
    for spec in plan.added:
        click.echo(f"add     {spec.id}")
    for spec, differences in plan.changed:
        click.echo(f"change  {spec.id} ({', '.join(differences)})")
    click.echo(f"{len(plan.added)} to add, {len(plan.changed)} to change, "
               f"{plan.unchanged} unchanged")
    if dry_run:
        click.echo("dry run: nothing written")
        return
    transfer.apply_import(plan, apply_statuses=apply_statuses)
    click.echo("imported" if apply_statuses else "imported as drafts")


@bp.cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export_command(path: Path) -> None:
    """Export every question's current version to an .xlsx or .csv file."""
    specs = transfer.export_specs()
    if path.suffix.lower() == ".csv":
        path.write_bytes(transfer.questions_csv(specs))
    elif path.suffix.lower() == ".xlsx":
        path.write_bytes(transfer.questions_xlsx(specs))
    else:
        raise click.ClickException("the file name must end in .xlsx or .csv")
    click.echo(f"exported {len(specs)} questions to {path}")
