"""``flask questions load [--dir DIR] | import FILE [--dry-run] [--apply-statuses] |
export FILE | export-bank [--dir DIR] [--dry-run] | difficulty [--min-answers N] [--all]
[--apply]``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from question_bank.loader import QUESTIONS_DIR
from question_bank.rewrite import set_difficulty
from question_bank.tabular import TableError, read_table
from question_bank.writer import WriteError
from quizapp.questions import bank_export, bp, difficulty, services, transfer

BANK_DIR = click.option("--dir", "directory", type=click.Path(
    exists=True, file_okay=False, path_type=Path), default=QUESTIONS_DIR, show_default=True,
    help="the folder of <topic>.yaml files")


@bp.cli.command("load")
@BANK_DIR
def load_command(directory: Path) -> None:
    """Load the bank's YAML files into the database (idempotent).

    A question corrected in the UI is never overwritten: when the files changed it too, it is
    skipped and reported, and the command exits with status 1.
    """
    try:
        summary = services.sync_bank(directory)
    except services.BankError as error:
        for issue in error.issues:
            click.echo(str(issue), err=True)
        raise click.ClickException("the bank has errors; nothing was loaded") from error
    click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    for code in summary.ui_kept:
        click.echo(f"{code}: corrected in the UI and not yet in the files; kept as the UI made "
                   "it (flask questions export-bank writes it into the files)", err=True)
    for code in summary.ui_conflicts:
        click.echo(f"{code}: CONFLICT: changed in the files and in the UI since the last load; "
                   "skipped, the UI's version stays in use. Resolve it by writing the UI's "
                   "version into the files (flask questions export-bank) or by making the "
                   "file agree with it, then load again.", err=True)
    if summary.ui_conflicts:
        raise SystemExit(1)


@bp.cli.command("export-bank")
@BANK_DIR
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
def export_bank_command(directory: Path, dry_run: bool) -> None:
    """Write the UI's corrections of bank questions back into the YAML files."""
    try:
        report = bank_export.export_bank(directory, dry_run=dry_run)
    except WriteError as error:
        raise click.ClickException(f"nothing written: {error}") from error
    for code, path in report.written.items():
        click.echo(f"{'would write' if dry_run else 'wrote'} {code} to {path}")
    for code in report.drafts_left:
        click.echo(f"{code}: a draft waits for review; not exported until it is active",
                   err=True)
    if not report.written:
        click.echo("no corrections to export")
    elif not dry_run:
        click.echo("run 'flask questions load' with these files to record them as loaded")


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


@bp.cli.command("difficulty")
@click.option("--min-answers", type=click.IntRange(1), default=difficulty.MIN_ANSWERS,
              show_default=True, help="Answers an item needs before its label can be off.")
@click.option("--all", "show_all", is_flag=True,
              help="List every answered item, not only those whose label is clearly off.")
@click.option("--apply", is_flag=True,
              help="Write the proposed difficulty of the clearly-off bank questions into the "
                   "bank files (version + 1); run `flask questions load` afterwards.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=QUESTIONS_DIR, help="The bank folder --apply writes (default: shipped).")
def difficulty_command(min_answers: int, show_all: bool, apply: bool, directory: Path) -> None:
    """Propose difficulty from the share correct (easy p ≥ 0.80, medium ≥ 0.55, hard below)."""
    rows = difficulty.proposals(min_answers=min_answers)
    off = [r for r in rows if r.clearly_off]
    click.echo("code\ttype\tanswered\tp\t95% interval\tauthor\tproposed\tclearly off")
    for r in rows if show_all else off:
        click.echo(f"{r.code}\t{r.type}\t{r.answered}\t{r.p:.2f}\t{r.low:.2f}–{r.high:.2f}\t"
                   f"{r.author}\t{r.proposed}\t{'yes' if r.clearly_off else ''}")
    agree = sum(1 for r in rows if r.proposed == r.author)
    click.echo(f"{len(rows)} items answered; the band of p matches the author's label for "
               f"{agree}; {len(off)} clearly off (at least {min_answers} answers and the whole "
               f"95% interval in another band)")
    if apply:
        changes = {r.code: r.proposed for r in off if r.source == "bank"}
        if changes:
            set_difficulty(changes, directory)
        skipped = len(off) - len(changes)
        click.echo(f"wrote {len(changes)} difficulties into {directory}"
                   + (f"; {skipped} UI questions left to edit in the web pages" if skipped else ""))
