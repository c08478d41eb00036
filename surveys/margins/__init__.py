"""Margins versions: the population margins files shipped in this folder, by name.

A version is one ``*.csv`` file here (see ``README.md`` for the columns); its name is the
file stem (``xinzheng_adults_18_69``) and its identity the SHA-256 of the file's bytes, so a
weighting run can say exactly which figures it raked to.  Reading is
:func:`analysis.io.read_margins_file` (the same rules as ``python -m analysis estimate
--rake``); nothing here refuses placeholders - the caller does (``surveys.weight_cases``).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import SurveyError
from analysis.io import MarginsFile, read_margins_file
from surveys.errors import SurveyInputError

__all__ = ["MARGINS_DIR", "MarginsVersion", "list_versions", "load_version"]

#: The folder of shipped margins files (this package).
MARGINS_DIR = Path(__file__).resolve().parent
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class MarginsVersion:
    """One margins file: its name (file stem), path, SHA-256 of its bytes and its rows."""

    name: str
    path: Path
    sha256: str
    file: MarginsFile

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The placeholder rows as ``variable=level``, in file order."""
        return tuple(f"{r.variable}={r.level}" for r in self.file.placeholders)

    def totals(self) -> dict[str, dict[str, float]]:
        """``{variable: {level: population total}}`` (what :func:`analysis.rake` takes)."""
        return self.file.totals


def _read(path: Path) -> MarginsVersion:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SurveyInputError(f"margins file '{path}' does not exist") from None
    except OSError as exc:
        raise SurveyInputError(f"cannot read margins file '{path}': {exc}") from None
    try:
        read = read_margins_file(os.fspath(path))
    except SurveyError as exc:
        raise SurveyInputError(str(exc)) from None
    return MarginsVersion(
        name=path.stem, path=path, sha256=hashlib.sha256(data).hexdigest(), file=read
    )


def list_versions() -> list[MarginsVersion]:
    """Every shipped margins file (``surveys/margins/*.csv``), by name."""
    return [_read(p) for p in sorted(MARGINS_DIR.glob("*.csv"), key=lambda p: p.stem)]


def load_version(name_or_path: str | os.PathLike[str]) -> MarginsVersion:
    """A shipped version by name (``xinzheng_adults_18_69``) or any margins file by path.

    A bare name (no folder, no ``.csv``) must be a shipped file; anything else is read as a
    path.  Raises :class:`SurveyInputError` for an unknown name or an unreadable file.
    """
    text = os.fspath(name_or_path)
    if _NAME.fullmatch(text) and not text.lower().endswith(".csv"):
        path = MARGINS_DIR / f"{text}.csv"
        if not path.is_file():
            shipped = ", ".join(p.stem for p in sorted(MARGINS_DIR.glob("*.csv"))) or "none"
            raise SurveyInputError(
                f"unknown margins version '{text}' (shipped: {shipped}; or give a file path)"
            )
        return _read(path)
    return _read(Path(text))
