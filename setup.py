"""The one build step pyproject.toml cannot declare: the wheel carries the compiled translation
catalogues and the Alembic migrations, so an installed app serves Chinese and migrates.

The choice: compile at build time (Babel's own reader and writer, the same as
``pybabel compile --use-fuzzy``), because the ``.mo`` files are build output and not committed
(.gitignore); copy ``migrations/`` into the package as ``quizapp/migrations`` in the wheel,
where ``create_app`` looks first (quizapp.migrations_directory), so the source tree keeps its
one ``migrations/`` folder at the top. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def compile_catalogues(source: Path, target: Path) -> list[Path]:
    """Compile every ``*/LC_MESSAGES/*.po`` under ``source`` into a ``.mo`` at the same place
    under ``target``; fuzzy entries included, as ``make i18n-compile`` does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalogue, use_fuzzy=True)
        written.append(mo_path)
    return written


class BuildPy(build_py):
    """setuptools' build_py, then the catalogues and the migrations into the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the source tree (make i18n-compile)
        package = Path(self.build_lib) / "quizapp"
        compile_catalogues(ROOT / "quizapp" / "translations", package / "translations")
        target = package / "migrations"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / "migrations", target,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPy})
