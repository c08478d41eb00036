"""Where a stored run came from: the code version and hashes of its inputs.

:func:`code_version` is the git commit of the checkout that holds ``surveys/`` (with
``+dirty`` when tracked files have uncommitted changes), or, outside a git checkout (an
installed package), the installed version of the ``kexue`` distribution; it never raises.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from importlib import metadata
from pathlib import Path

__all__ = ["code_version", "sha256_bytes", "sha256_file"]

DISTRIBUTION = "kexue"  # pyproject.toml's [project] name
GIT_TIMEOUT = 5.0  # seconds; a stuck git must not hold up a run
_HERE = Path(__file__).resolve().parent


def _git(*args: str) -> str | None:
    """``git args`` run in the directory of this package; its stdout, or ``None``."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=_HERE,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return done.stdout if done.returncode == 0 else None


def _package_version() -> str:
    try:
        return f"{DISTRIBUTION} {metadata.version(DISTRIBUTION)}"
    except metadata.PackageNotFoundError:
        return "unknown"
    except Exception:  # a broken installation must not stop a run
        return "unknown"


def code_version() -> str:
    """The commit (40 hex digits, ``+dirty`` with uncommitted changes to tracked files) or
    ``"kexue <version>"`` when not in a git checkout, or ``"unknown"``; never raises."""
    try:
        head = _git("rev-parse", "HEAD")
        commit = head.strip() if head else ""
        if len(commit) == 40 and all(c in "0123456789abcdef" for c in commit):
            status = _git("status", "--porcelain", "--untracked-files=no")
            return commit + ("+dirty" if status and status.strip() else "")
        return _package_version()
    except Exception:
        return "unknown"


def sha256_bytes(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes (read in 1 MiB blocks)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
