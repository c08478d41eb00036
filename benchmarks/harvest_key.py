"""Can a script learn an open competition's key? ``.venv/bin/python benchmarks/harvest_key.py``

Plays the attacker of issue 8 against a throw-away app (a migrated SQLite database in a
temporary directory, with ``flask demo load``: the 720-question bank and the demo competition,
open, with its pool of 100 questions), through the pages only, as a script would:

1. **Practice** (the issue's attack): start a practice round from a fresh device every time
   (it drops the device cookie), answer each question, read the right answer on its feedback
   page, and remember it; cycle through the five groups. Stops at ``--max-requests`` or
   ``--max-seconds``; refused rounds (429, the per-address limit) are counted, and the script
   moves to its next address when it has several (``--addresses``).
2. **The competition itself**: register from a fresh device, answer the 20 questions using the
   key learned so far (guessing otherwise), and read the result page, which shows the right
   answers as the competition's setting allows (``--reveal``; default: the demo's own,
   after the competition closes). Same bounds.

Prints, for each phase, the requests made, the time taken, the questions whose key was learned,
and the share of the competition's pool among them, plus the scores the script reached, and the
structural bound: the share of the pool that practice can draw at all while the competition is
open (0%). Options: ``--max-requests 2000``, ``--max-seconds 90`` (each phase), ``--addresses 1``,
``--reveal after_window|after_attempt|after_item``, ``--seed 8``.
"""

from __future__ import annotations

import argparse
import html
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GROUPS = ("youth", "farmer", "worker", "elder", "cadre")
STEM = re.compile(r"<p><strong>(.*?)</strong></p>", re.S)
RIGHT = re.compile(r'<li class="right[^"]*">(.*?)\s*<strong>', re.S)
REVIEW = re.compile(r"<p><strong>(.*?)</strong></p>\s*<ol class=\"review-options\".*?</ol>", re.S)
OPTION = re.compile(r'<input type="(?:radio|checkbox)" name="choice" value="(\d+)".*?'
                    r'<span class="letter">.*?</span>\s*<span>(.*?)</span>', re.S)
QUESTION_STEM = re.compile(r'<h2 class="stem">(.*?)</h2>', re.S)
POSITION = re.compile(r'name="position" value="(\d+)"')
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


@dataclass
class Attacker:
    """A script with a request budget, several addresses and a notebook of learned keys."""

    app: object
    max_requests: int
    max_seconds: float
    addresses: list[str]
    rng: random.Random
    requests: int = 0
    refused: int = 0
    started: float = field(default_factory=time.perf_counter)
    key: dict[str, set[str]] = field(default_factory=dict)  # stem -> right option labels
    address_index: int = 0
    first_refusal: tuple[int, int, float] | None = None  # rounds, requests, seconds

    def out_of_budget(self) -> bool:
        return (self.requests >= self.max_requests
                or time.perf_counter() - self.started >= self.max_seconds)

    def fresh_device(self):
        return self.app.test_client()  # no cookies: a new device

    def call(self, client, method: str, url: str, **kwargs):
        self.requests += 1
        environ = {"REMOTE_ADDR": self.addresses[self.address_index]}
        return client.open(url, method=method, environ_base=environ, **kwargs)

    def learn(self, page: str) -> None:
        for block in REVIEW.finditer(page):
            stem = _text(block.group(1))
            self.key[stem] = {_text(label) for label in RIGHT.findall(block.group(0))}

    def answer_page(self, client, page: str, url: str) -> bool | None:
        """Answer the question on ``page`` with the key if known (True) or a guess (False);
        ``None`` when it is not a question page any more."""
        position = POSITION.search(page)
        if position is None:
            return None
        stem = _text(QUESTION_STEM.search(page).group(1))
        options = [(value, _text(label)) for value, label in OPTION.findall(page)]
        known = self.key.get(stem)
        chosen = [v for v, label in options if known and label in known] or [options[0][0]]
        self.call(client, "POST", url, data={
            "csrf_token": TOKEN.search(page).group(1), "position": position.group(1),
            "choice": chosen})
        return bool(known)


def practice_phase(attacker: Attacker) -> dict:
    rounds = 0
    while not attacker.out_of_budget():
        client = attacker.fresh_device()
        page = attacker.call(client, "GET", "/practice/").text
        group = GROUPS[rounds % len(GROUPS)]
        started = attacker.call(client, "POST", "/practice/start", data={
            "csrf_token": TOKEN.search(page).group(1), "group": group})
        if started.status_code == 429:
            attacker.refused += 1
            if attacker.first_refusal is None:
                attacker.first_refusal = (rounds, attacker.requests,
                                          time.perf_counter() - attacker.started)
            if attacker.address_index + 1 < len(attacker.addresses):
                attacker.address_index += 1
                continue
            break  # every address is refused for the hour: the script must wait
        rounds += 1
        token = started.headers["Location"].rsplit("/", 1)[-1]
        for _ in range(10):
            if attacker.out_of_budget():
                break
            question = attacker.call(client, "GET", f"/practice/{token}").text
            position = POSITION.search(question)
            if position is None:
                break
            answer = attacker.call(client, "POST", f"/practice/{token}/answer", data={
                "csrf_token": TOKEN.search(question).group(1),
                "position": position.group(1), "choice": "0"})
            feedback = attacker.call(client, "GET", answer.headers["Location"]).text
            attacker.learn(feedback)
    return {"rounds": rounds}


def competition_phase(attacker: Attacker, slug: str, township_value: str) -> dict:
    scores: list[tuple[float, float]] = []
    knew: list[int] = []  # questions of each attempt whose key the script already had
    full_marks = None
    while not attacker.out_of_budget():
        client = attacker.fresh_device()
        page = attacker.call(client, "GET", f"/competitions/{slug}").text
        attacker.call(client, "POST", f"/competitions/{slug}/register", data={
            "csrf_token": TOKEN.search(page).group(1), "name": f"脚本{len(scores)}",
            "township_id": township_value, "organisation_id": "0", "phone": ""})
        page = attacker.call(client, "GET", f"/competitions/{slug}").text
        started = attacker.call(client, "POST", f"/competitions/{slug}/start",
                                data={"csrf_token": TOKEN.search(page).group(1)})
        if "/attempt/" not in started.headers.get("Location", ""):
            break
        token = started.headers["Location"].rsplit("/", 1)[-1]
        url = f"/competitions/attempt/{token}"
        began = time.perf_counter()
        known = 0
        for _ in range(40):
            page = attacker.call(client, "GET", url).text
            attacker.learn(page)  # "after each question" shows the last one answered
            answered = attacker.answer_page(client, page, f"{url}/answer")
            if answered is None:
                break
            known += answered
        seconds = time.perf_counter() - began
        knew.append(known)
        result = attacker.call(client, "GET", f"{url}/result").text
        attacker.learn(result)
        score = re.search(r'data-test="score">([\d.]+)<', result)
        scores.append((float(score.group(1)) if score else 0.0, seconds))
        if scores[-1][0] >= 100 and full_marks is None:
            full_marks = (len(scores), attacker.requests,
                          time.perf_counter() - attacker.started)
    return {"attempts": len(scores), "scores": scores, "full_marks": full_marks, "knew": knew}


def build_app(directory: Path, reveal: str | None):
    from flask_migrate import upgrade

    from quizapp import create_app

    app = create_app({
        "QUIZAPP_ENV": "testing", "SECRET_KEY": "harvest-benchmark",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'harvest.sqlite3'}",
        "INSTANCE_PATH": str(directory / "instance"), "RATELIMIT_STORAGE_URI": "memory://",
        "DEMO_SIMULATED_PEOPLE": 20})
    with app.app_context():
        from quizapp.demo import load_demo

        upgrade()
        load_demo()
        if reveal:
            from quizapp.competitions.services import by_slug
            from quizapp.demo.competition import DEMO_SLUG
            from quizapp.extensions import db

            by_slug(DEMO_SLUG).reveal = reveal
            db.session.commit()
    return app


def ground_truth(app) -> dict:
    """What the database knows: the pool's stems, what practice may draw now, the limits."""
    from sqlalchemy import select

    from quizapp.competitions.services import by_slug
    from quizapp.demo.competition import DEMO_SLUG
    from quizapp.engine import clock
    from quizapp.models import Township
    from quizapp.questions_pool import drawable_versions, pool_versions, practice_versions

    with app.app_context():
        from quizapp.extensions import db

        demo = by_slug(DEMO_SLUG)
        pool = {v.stem for v in pool_versions(demo.id)}
        practice = {v.stem for v in practice_versions(None, clock.now())}
        township = db.session.scalar(select(Township.id).order_by(Township.id).limit(1))
        return {"slug": demo.slug, "pool": pool, "practice": practice, "reveal": demo.reveal,
                "bank": len(drawable_versions()), "township": str(township),
                "limit": app.config["PRACTICE_ADDRESS_RATE_LIMIT"],
                "account_limit": app.config["PRACTICE_RATE_LIMIT"]}


def report(title: str, attacker: Attacker, truth: dict, extra: str) -> None:
    seconds = time.perf_counter() - attacker.started
    learned = set(attacker.key)
    in_pool = learned & truth["pool"]
    print(f"\n{title}")
    print(f"  requests {attacker.requests}, {seconds:.1f} s, refused (429) {attacker.refused}; "
          f"{extra}")
    print(f"  keys learned: {len(learned)} questions "
          f"({len(learned & truth['practice'])} of the {len(truth['practice'])} practice "
          f"may draw now)")
    print(f"  of the competition's pool: {len(in_pool)} / {len(truth['pool'])} "
          f"= {100 * len(in_pool) / len(truth['pool']):.0f}%")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-requests", type=int, default=2000)
    parser.add_argument("--max-seconds", type=float, default=90.0)
    parser.add_argument("--addresses", type=int, default=1)
    parser.add_argument("--reveal", choices=("after_window", "after_attempt", "after_item"))
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kexue-harvest-") as directory:
        print("building the demo (720-question bank, the demo competition and its pool)…")
        app = build_app(Path(directory), args.reveal)
        truth = ground_truth(app)
        addresses = [f"10.9.{n // 250}.{n % 250 + 1}" for n in range(args.addresses)]
        print(f"bank {truth['bank']} drawable questions; competition pool {len(truth['pool'])}; "
              f"practice may draw {len(truth['practice'])} now; answers revealed "
              f"{truth['reveal']}; practice limits {truth['limit']} per address, "
              f"{truth['account_limit']} per account; {len(addresses)} address(es)")
        overlap = truth["pool"] & truth["practice"]
        print(f"bound: the share of the open competition's pool practice can show at all = "
              f"{len(overlap)} / {len(truth['pool'])} = "
              f"{100 * len(overlap) / len(truth['pool']):.0f}%")

        rng = random.Random(args.seed)
        attacker = Attacker(app, args.max_requests, args.max_seconds, addresses, rng)
        rounds = practice_phase(attacker)["rounds"]
        report("1. practice, a fresh device every round", attacker, truth,
               f"{rounds} rounds")
        if attacker.first_refusal:
            done, requests, seconds = attacker.first_refusal
            print(f"  first refused round: after {done} rounds, {requests} requests, "
                  f"{seconds:.1f} s")
        share = len(set(attacker.key) & truth["practice"]) / max(len(truth["practice"]), 1)
        print(f"  (before this change practice drew the pool too: this run would have learned "
              f"about {100 * share:.0f}% of it)")

        second = Attacker(app, args.max_requests, args.max_seconds, addresses, rng,
                          key=dict(attacker.key))
        outcome = competition_phase(second, truth["slug"], truth["township"])
        scores = outcome["scores"]
        summary = ", ".join(f"{s:.0f} in {t:.2f} s" for s, t in scores[:5])
        report(f"2. the competition's own pages (answers {truth['reveal']})", second, truth,
               f"{outcome['attempts']} attempts by fresh registrations")
        if scores:
            best = max(s for s, _ in scores)
            print(f"  scores (of 100): first {summary}{' …' if len(scores) > 5 else ''}; "
                  f"best {best:.0f}, last {scores[-1][0]:.0f}")
        if outcome["knew"]:
            print(f"  questions of each attempt already known: {outcome['knew'][:12]}"
                  f"{' …' if len(outcome['knew']) > 12 else ''}")
        if outcome["full_marks"]:
            number, requests, seconds = outcome["full_marks"]
            print(f"  first full marks: attempt {number}, after {requests} requests and "
                  f"{seconds:.1f} s")
        else:
            print("  full marks never reached")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
