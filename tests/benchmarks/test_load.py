"""Smoke test of benchmarks/load.py (the competition answer path under load): the whole
harness, tiny — 2 residents for a few seconds against a real gunicorn on SQLite, with and
without JavaScript — so that it cannot rot. The full run (50 residents, PostgreSQL) is the
benchmark itself, not a test."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("load_benchmark", ROOT / "benchmarks" / "load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = _load()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_tiny_run_stores_every_acknowledged_answer_once(javascript) -> None:
    argv = ["--residents", "2", "--questions", "5", "--seconds", "4", "--workers", "2"]
    settings = bench.parse(argv + ([] if javascript else ["--no-js"]))
    result = bench.run(settings)
    assert result["errors"] == 0, (result["error_examples"], result["server_log_tail"])
    assert result["answers"] >= 5 and result["finished_residents"] >= 1
    check = result["check"]
    assert check["exactly_once"] and check["lost"] == 0 and check["unacknowledged"] == 0
    assert check["stored"] == check["acknowledged"] == result["answers"]
    assert result["steps"]["answer"]["p95"] is not None and result["app_cpu_ms_per_answer"] > 0
    assert "stored exactly once: yes" in bench.table(result)
