"""``pip install .`` gives a working app outside the source tree: the wheel carries the compiled
Chinese catalogue and the migrations (setup.py), so an installed app migrates an empty
database with ``flask db upgrade`` and serves its pages in Chinese.

The wheel is built from a copy of the project's files (``git ls-files``: what a clean checkout
has, with nothing compiled) by ``pip wheel`` in pip's isolated build environment (setuptools,
wheel and Babel from pyproject's ``build-system``), then installed with ``--no-deps`` into a
fresh venv whose dependencies are this environment's (one ``.pth`` line naming its
site-packages: the machine may have no network for a second copy of numpy, scipy, ...). The
test checks that ``quizapp`` is imported from the fresh venv, not from the source tree.
About a minute (most of it the build).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK_HOME = """
import json, quizapp
from quizapp import create_app, migrations_directory
app = create_app()
client = app.test_client()
home = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
missing = client.get("/no-such-page", headers={"Accept-Language": "zh-CN"})
print(json.dumps({"package": quizapp.__file__, "migrations": str(migrations_directory()),
                  "home_status": home.status_code, "home": home.get_data(as_text=True),
                  "missing_status": missing.status_code,
                  "missing": missing.get_data(as_text=True)}))
"""


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, \
        f"{command[:4]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _copy_of_the_project(target: Path) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout (git ls-files names the project's files)")
    listed = _run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                  cwd=ROOT).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not name.startswith(("tests/", "docs/", "benchmarks/")):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = _copy_of_the_project(tmp_path_factory.mktemp("source"))
    assert not list(source.rglob("*.mo")), "the copy must start with no compiled catalogue"
    out = tmp_path_factory.mktemp("wheelhouse")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
          str(source)])
    (built,) = out.glob("kexue-*.whl")
    return built


def test_the_wheel_carries_the_catalogue_and_the_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "quizapp/translations/zh/LC_MESSAGES/messages.mo" in names
    assert "quizapp/migrations/env.py" in names
    assert "quizapp/migrations/alembic.ini" in names
    assert "quizapp/migrations/script.py.mako" in names
    revisions = {n for n in names if n.startswith("quizapp/migrations/versions/")
                 and n.endswith(".py")}
    shipped = {f"quizapp/migrations/versions/{p.name}"
               for p in (ROOT / "migrations" / "versions").glob("*.py")}
    assert revisions == shipped
    assert not any("__pycache__" in n for n in names)


def test_an_installed_wheel_migrates_and_serves_chinese(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
          "--no-index", "--quiet", str(wheel)])
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
                .stdout.strip())
    (site / "kexue-test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")

    elsewhere = tmp_path / "elsewhere"  # no source tree here or above
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DATABASE_URL", "REDIS_URL", "FLASK_APP")}
    env.update({"QUIZAPP_ENV": "production", "SECRET_KEY": "wheel-test-secret",
                "RATELIMIT_ALLOW_MEMORY": "1",
                "DATABASE_URL": f"sqlite:///{elsewhere / 'kexue.sqlite3'}"})
    _run([str(python), "-m", "flask", "--app", "quizapp:create_app", "db", "upgrade"],
         cwd=elsewhere, env=env)
    tables = _run([str(python), "-c",
                   "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
                   "\"SELECT version_num FROM alembic_version\").fetchone()[0])",
                   str(elsewhere / "kexue.sqlite3")], cwd=elsewhere).stdout.strip()
    assert tables, "flask db upgrade left no revision"

    result = json.loads(_run([str(python), "-c", CHECK_HOME], cwd=elsewhere, env=env)
                        .stdout.strip().splitlines()[-1])
    assert Path(result["package"]).is_relative_to(venv), result["package"]
    assert Path(result["migrations"]).is_relative_to(venv), result["migrations"]
    assert result["home_status"] == 200
    assert "练习" in result["home"]  # "Practice", from the catalogue
    assert ">Practice<" not in result["home"]
    assert result["missing_status"] == 404
    assert "页面不存在" in result["missing"]  # "This page does not exist."
