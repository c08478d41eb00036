"""surveys.provenance: the code version stored with a run and the input hashes."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from surveys import provenance
from surveys.provenance import code_version, sha256_bytes, sha256_file

PROJECT = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]
PACKAGE_VERSION = f"{PROJECT['name']} {PROJECT['version']}"  # "kexue 0.1.0"
# FIPS 180-2 test vectors
ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_sha256_of_bytes_and_files(tmp_path: Path):
    assert sha256_bytes(b"abc") == ABC
    assert sha256_bytes(b"") == EMPTY
    (tmp_path / "a.csv").write_bytes(b"abc")
    assert sha256_file(tmp_path / "a.csv") == ABC
    big = bytes(range(256)) * 10_000  # more than one 1 MiB block
    (tmp_path / "big.bin").write_bytes(big)
    assert sha256_file(str(tmp_path / "big.bin")) == sha256_bytes(big)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    _git(tmp_path, "init", "-q")
    (tmp_path / "tracked.py").write_text("x = 1\n")
    _git(tmp_path, "add", "tracked.py")
    _git(tmp_path, "commit", "-q", "-m", "one")
    monkeypatch.setattr(provenance, "_HERE", tmp_path)
    return tmp_path


def test_code_version_is_the_commit_and_dirty_only_for_tracked_changes(repo: Path):
    head = _git(repo, "rev-parse", "HEAD")
    assert code_version() == head
    (repo / "untracked.txt").write_text("scratch")
    assert code_version() == head  # untracked files do not make a tree dirty
    (repo / "tracked.py").write_text("x = 2\n")
    assert code_version() == head + "+dirty"


def test_this_checkout():
    version = code_version()
    commit = version.removesuffix("+dirty")
    assert len(commit) == 40 and set(commit) <= set("0123456789abcdef")


def test_without_git_the_package_version(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(provenance, "_HERE", tmp_path)  # not a repository
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert code_version() == PACKAGE_VERSION


@pytest.mark.parametrize("error", [FileNotFoundError("git"),
                                   subprocess.TimeoutExpired("git", 5.0)])
def test_a_missing_or_stuck_git_falls_back(monkeypatch, error):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(provenance.subprocess, "run", broken)
    assert code_version() == PACKAGE_VERSION


def test_never_raises(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("anything")

    monkeypatch.setattr(provenance.subprocess, "run", broken)
    monkeypatch.setattr(provenance.metadata, "version", broken)
    assert code_version() == "unknown"
