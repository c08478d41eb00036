"""Helpers for the estimates page tests: submitting the form, running the command line."""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys
from pathlib import Path

from quizapp.estimates.services import STANDARD_BY
from tests.support import csrf_token

ROOT = Path(__file__).resolve().parents[2]
URL = "/statistics/estimates/"
DEMO = "surveys/demo/simulated_survey.csv"
MARGINS = "surveys/margins/xinzheng_adults_18_69.csv"
DESIGN = ["--indicator", "meets", "--weight", "weight", "--strata", "stratum", "--psu", "psu"]
DEFAULTS = {"indicator": "meets", "weight": "weight", "strata": "stratum", "psu": "psu",
            "fpc": "", "by": list(STANDARD_BY), "by_other": "", "margins": "none",
            "ci": "logit", "level": "0.95", "goal": "0.178", "lonely_psu": "fail"}


def post_form(client, files: dict | None = None, **fields):
    """Submit the estimates form with its defaults, ``fields`` and ``files``
    ({field: (bytes, filename)}); a field set to ``None`` is left out (an unticked box)."""
    data = {**DEFAULTS, **fields}
    data = {k: v for k, v in data.items() if v is not None}
    data["csrf_token"] = csrf_token(client.get(URL).text)
    for name, (content, filename) in (files or {}).items():
        data[name] = (io.BytesIO(content), filename)
    return client.post(URL, data=data, content_type="multipart/form-data")


def cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m analysis estimate ARGS`` in a subprocess, from the repository root."""
    return subprocess.run([sys.executable, "-m", "analysis", "estimate", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def cli_json(*args: str) -> dict:
    done = cli(*args, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def page_report(text: str) -> dict:
    """The JSON report the results page carries."""
    match = re.search(r'<pre class="report" id="report-json">(.*?)</pre>', text, re.S)
    assert match, "no report on the page"
    return json.loads(html.unescape(match.group(1)))


def shown(text: str, name: str) -> str:
    """The text of the element marked ``data-test=name``, tags removed, spaces collapsed."""
    match = re.search(rf'data-test="{name}"[^>]*>(.*?)</(p|dd|div|code)>', text, re.S)
    assert match, f"no {name} on the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())
