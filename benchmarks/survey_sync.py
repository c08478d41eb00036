"""Benchmark of the offline app's sync: ``.venv/bin/python benchmarks/survey_sync.py``.

Options: ``--interviews 50`` (the queue length), ``--repeat 3`` (fresh database each time),
``--browser`` (also the app's own sync in headless Chromium: the queue put into the app's
IndexedDB outbox, then ``window.kexueCapiSync()`` timed against a live server).

It builds a migrated SQLite database in a temporary directory holding one wave in fieldwork
(forms assembled from 100 made-up reserved items, 5 villages with 10 households each taken,
every household's adults recorded through the same service functions as the pages), signs in
an interviewer assigned to all five villages, and then times, through the real endpoint
(``POST /fieldwork/api/interviews`` via the Flask test client, CSRF on, one request per
queued interview as the phone sends them):

* the first sync of a queue of N complete interviews (every one created, 201), and
* the same queue sent again, as after a lost reply (every one recognised, 200),

printing the total, the median and the max per interview, and checking that exactly N
interviews are stored.  Bounded: it stops after one run of at most a few hundred requests.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "correct horse 42"
FRAME = ("township,psu,name,urban_rural,size,households\n" + "".join(
    f"龙湖街道,B{k},村{k},rural,{100 + 10 * k},40\n" for k in range(1, 6))).encode()


def _pool() -> None:
    from quizapp.extensions import db
    from quizapp.models import Question, QuestionVersion

    for dimension, count in {"K": 40, "M": 20, "S": 20, "A": 20}.items():
        for k in range(count):
            code = f"bench-{dimension}-{k:03d}"
            question = Question(code=code, source="ui", survey_reserved=True)
            version = QuestionVersion(
                version=1, status="active", type="single", topic="health", stem=f"{code}?",
                options=["甲", "乙", "丙", "丁"], answer=[k % 4], explanation="-",
                authority="-", groups_mask=0, dimension=dimension, difficulty=1 + k % 3,
                content_hash=code)
            question.versions.append(version)
            db.session.add(question)
            db.session.flush()
            question.current_version_id = version.id
    db.session.commit()


def _wave(interviews: int):
    import surveys
    from quizapp.reference_data import seed_townships
    from quizapp.surveys import design, services

    seed_townships()
    _pool()
    wave = services.create_wave(services.WaveSettings(
        name="同步基准", year=2027, reference_date=date(2027, 6, 1),
        instrument_version="bench", target_sample_size=interviews, seed=20270601))
    services.assemble_forms(wave)
    design.import_frame(wave, FRAME, "frame.csv")
    take = -(-interviews // 5)
    design.fix_design(wave, surveys.DesignSpec(interviews=take * 5, take=take,
                                               method="proportional", min_psus=5))
    design.draw_sample(wave)
    services.start_fieldwork(wave)
    cases = []
    for psu in design.sampled_psus(wave):
        design.list_households(wave, psu, [f"{k}号" for k in range(1, 41)])
        for case in design.cases_of(psu):
            design.record_adults(wave, case, design.parse_adults("男 45\n女 43"), commit=False)
            cases.append(case)
    from quizapp.extensions import db

    db.session.commit()
    return wave, cases[:interviews]


def _payload(case, client_id: str, options: dict) -> dict:
    start = datetime(2027, 6, 10, 9, 0, tzinfo=UTC)
    answers = []
    for position, item in enumerate(case.form.items):
        version = item.question_version
        order = options[str(version.id)]
        answers.append({"item": version.id, "position": position, "option_order": order,
                        "answer": [order[position % len(order)]], "elapsed_ms": 15000,
                        "changes": 0})
    return {"client_id": client_id, "case_id": case.id, "consent_at": start.isoformat(),
            "started_at": start.isoformat(),
            "ended_at": (start + timedelta(minutes=25)).isoformat(), "broken_off": False,
            "profile": {"sex": "female", "birth_year": 1980, "birth_month": 5,
                        "education": "senior_secondary", "occupation": "agriculture",
                        "township": "longhu", "urban_rural": "rural"},
            "answers": answers, "page_ms": [60000] * 7, "device": "benchmark"}


def _setup(folder: str, interviews: int, **config):
    """A migrated database with the wave and an interviewer ``bench`` assigned to its cases;
    returns the app and the queue of interview payloads (dicts) the phone would send."""
    from flask_migrate import upgrade

    from quizapp.extensions import db
    from quizapp.models import User
    from quizapp.surveys import capi
    from tests.conftest import TEST_SECRET, make_app

    app = make_app(f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                   str(Path(folder) / "instance"), SECRET_KEY=TEST_SECRET, **config)
    with app.app_context():
        upgrade()
        wave, cases = _wave(interviews)
        user = User(username="bench", display_name="bench")
        user.set_password(PASSWORD)
        user.roles = {"interviewer"}
        db.session.add(user)
        db.session.commit()
        for psu in {case.sampled_psu for case in cases}:
            psu.interviewer_id = user.id
        db.session.commit()
        queue = [_payload(case, f"bench-{case.id:06d}", capi.option_orders(wave, case))
                 for case in cases]
        db.session.remove()
    return app, queue


def _stored(app) -> int:
    from sqlalchemy import func, select

    from quizapp.extensions import db
    from quizapp.models import SurveyInterview

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(SurveyInterview))
        db.session.remove()
        db.engine.dispose()
        return count


def run(interviews: int) -> dict[str, list[float]]:
    from tests.support import AuthActions

    with tempfile.TemporaryDirectory() as folder:
        app, payloads = _setup(folder, interviews)
        queue = [json.dumps(payload).encode() for payload in payloads]
        with app.app_context():
            client = app.test_client()
            AuthActions(client).login("bench", PASSWORD)
            figures: dict[str, list[float]] = {}
            for label, expected in (("first sync (201)", 201), ("resend (200)", 200)):
                token = client.get("/fieldwork/api/csrf").get_json()["csrf_token"]
                times = []
                started = time.perf_counter()
                for body in queue:
                    t0 = time.perf_counter()
                    response = client.post("/fieldwork/api/interviews", data=body,
                                           content_type="application/json",
                                           headers={"X-CSRFToken": token})
                    times.append((time.perf_counter() - t0) * 1000)
                    assert response.status_code == expected, response.get_json()
                figures[label] = [(time.perf_counter() - started) * 1000, *times]
        stored = _stored(app)
        assert stored == interviews, stored
        return figures


# The app's own record shape (static/fieldwork/app.js, store "outbox").
FILL_OUTBOX = """async (payloads) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("kexue-capi", 1);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  await new Promise((resolve, reject) => {
    const tx = db.transaction("outbox", "readwrite");
    for (const p of payloads) {
      tx.objectStore("outbox").put({client_id: p.client_id, kind: "interview", case_id: p.case_id,
        label: "bench", created_at: p.ended_at, state: "waiting", message: "", payload: p});
    }
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}"""


def run_browser(interviews: int) -> float:
    """Milliseconds for the app's own sync (``window.kexueCapiSync``) to send a queue of
    ``interviews`` records from IndexedDB over HTTP to a live server, in headless Chromium."""
    import shutil
    import threading

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from tests.browser.conftest import CHROMIUM_ARGS, PHONE

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise SystemExit("--browser needs Debian's chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        app, payloads = _setup(folder, interviews, TESTING=False)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable,
                                                     args=CHROMIUM_ARGS)
                context = browser.new_context(
                    base_url=f"http://127.0.0.1:{server.server_port}", **PHONE)
                context.set_default_timeout(120_000)
                page = context.new_page()
                page.goto("/login")
                page.fill("input[name=username]", "bench")
                page.fill("input[name=password]", PASSWORD)
                page.locator("form button.primary, form button[type=submit]").last.click()
                page.wait_for_load_state()
                page.goto("/fieldwork/app")
                page.wait_for_selector("#capi[data-ready='1']", state="attached")
                page.evaluate(FILL_OUTBOX, payloads)
                started = time.perf_counter()
                page.evaluate("() => window.kexueCapiSync()")
                elapsed = (time.perf_counter() - started) * 1000
                waiting = page.locator("[data-test=queue-count]").inner_text()
                browser.close()
        finally:
            server.shutdown()
            thread.join(5)
        assert waiting == "0", waiting
        stored = _stored(app)
        assert stored == interviews, stored
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=50, choices=range(1, 201),
                        metavar="1..200")
    parser.add_argument("--repeat", type=int, default=3, choices=range(1, 11), metavar="1..10")
    parser.add_argument("--browser", action="store_true",
                        help="also time the app's own sync in headless Chromium")
    options = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    print(f"Sync of a queue of {options.interviews} offline interviews (50 items each) through "
          f"POST /fieldwork/api/interviews, Flask test client, SQLite, {options.repeat} runs")
    totals: dict[str, list[float]] = {}
    per_item: dict[str, list[float]] = {}
    for _ in range(options.repeat):
        for label, (total, *times) in run(options.interviews).items():
            totals.setdefault(label, []).append(total)
            per_item.setdefault(label, []).extend(times)
    for label in totals:
        print(f"  {label:17s} total median {statistics.median(totals[label]) / 1000:6.2f} s "
              f"(runs: {', '.join(f'{t / 1000:.2f}' for t in totals[label])} s); "
              f"per interview median {statistics.median(per_item[label]):6.1f} ms, "
              f"max {max(per_item[label]):6.1f} ms")
    print(f"  stored: exactly {options.interviews} interviews per run (checked)")
    if options.browser:
        runs = [run_browser(options.interviews) for _ in range(options.repeat)]
        print(f"  browser: the app's sync of {options.interviews} queued interviews from "
              f"IndexedDB over HTTP (headless Chromium, threaded dev server): median "
              f"{statistics.median(runs) / 1000:.2f} s (runs: "
              f"{', '.join(f'{t / 1000:.2f}' for t in runs)} s)")


if __name__ == "__main__":
    main()
