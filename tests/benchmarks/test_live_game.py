"""Smoke test of benchmarks/live_game.py (live class games under load): the whole harness,
tiny — 2 games × 3 students × 2 questions against a real gunicorn on SQLite, long polling on
gevent workers and short polling on sync workers — so that it cannot rot. The full run (40
games × 60 students × 10 questions on PostgreSQL) is the benchmark itself, not a test."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("live_game_benchmark",
                                                  ROOT / "benchmarks" / "live_game.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = _load()
TINY = ["--games", "2", "--students", "3", "--questions", "2", "--database", "sqlite",
        "--think", "0.2,0.4", "--reveal-seconds", "0.3", "--join-seconds", "0.5",
        "--stagger-seconds", "0.2", "--double-tap", "0.5", "--timeout", "60"]


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert bench.percentile(values, 0.50) == 10.0
    assert bench.percentile(values, 0.95) == 19.0
    assert bench.percentile(values, 0.99) == 20.0
    assert bench.percentile([], 0.5) is None


def test_cpu_seconds_reads_this_process() -> None:
    import os
    import time

    began = bench.cpu_seconds(os.getpid())
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    assert bench.cpu_seconds(os.getpid()) - began >= 0.2
    assert bench.cpu_seconds(2 ** 22 + 7) is None  # no such process


@pytest.mark.parametrize("mode, worker_class",
                         [("sse", "gevent"), ("long", "gevent"), ("short", "sync")])
def test_tiny_run_plays_every_game_and_stores_every_answer_once(mode, worker_class) -> None:
    settings, _ = bench.parse(TINY + ["--mode", mode, "--worker-class", worker_class])
    result = bench.run(settings)
    assert result["errors"] == 0, (result["error_examples"], result["server_log_tail"])
    assert result["finished_games"] == 2 and result["finished_students"] == 6
    assert result["joined"] == 6
    # every student saw every question open, and answered it: 2 × 3 × 2
    assert result["delays"] == 12 and result["missed_questions"] == 0
    check = result["check"]
    assert check["acknowledged"] == 12 and check["stored"] == 12
    assert check["exactly_once"] and check["unacknowledged"] == 0
    assert result["delay_p95"] is not None and result["server_cpu_seconds"] > 0
    assert "advance → question visible" in bench.table(result)
