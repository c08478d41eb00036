"""benchmarks/page_weight.py run whole (a few seconds): every resident page within issue 13's
budgets (30 kB on a first visit, 8 kB on a next page) and none of them loading Plotly."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("page_weight_benchmark",
                                                  ROOT / "benchmarks" / "page_weight.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = _load()


def test_asset_urls_are_what_a_browser_loads() -> None:
    html = ('<link rel="stylesheet" href="/static/a.css?v=1&amp;x=2">'
            '<link rel="canonical" href="/page"><script src="/static/q.js" defer></script>'
            '<img src="https://elsewhere.example/i.png"><link rel="icon" href="/static/i.svg">')
    assert bench.asset_urls(html) == ["/static/a.css?v=1&x=2", "/static/q.js", "/static/i.svg"]


def test_every_resident_page_is_within_budget_and_free_of_plotly(capsys) -> None:
    assert bench.main([]) == 0, capsys.readouterr().out
    table = capsys.readouterr().out
    for page in ("home", "practice question", "competition question", "result", "mine",
                 "certificate", "certificate check", "sign in"):
        assert page in table
