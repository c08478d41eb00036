"""List pairs of bank questions that may give each other away (a reviewer's aid).

For every two active questions drawn in the same places (both survey-reserved, or neither),
it compares the first one's stem plus keyed answer with the second one's stem plus all its
options, as sets of character trigrams, and prints the pairs whose overlap (shared trigrams
over the smaller set) reaches the threshold, highest first, with the enemy groups they already
share. A human decides: most pairs above 0.2 share words, not answers.

    .venv/bin/python scripts/bank_giveaways.py [--threshold 0.25] [--topic health]

Used for the second review of the bank (docs/bank-review-2.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from question_bank.check import normalise  # noqa: E402
from question_bank.loader import load_bank  # noqa: E402


def trigrams(text: str) -> frozenset[str]:
    text = normalise(text)
    return frozenset(text[i:i + 3] for i in range(len(text) - 2))


def keyed(spec) -> str:
    if spec.type == "true_false":
        return spec.stem
    return spec.stem + " " + " ".join(spec.options[i] for i in spec.answer)


def shown(spec) -> str:
    return spec.stem + " " + " ".join(spec.options)


def pairs(specs, threshold: float, topic: str | None = None):
    """(score, a, b) for every pair reaching ``threshold``, highest first, each pair once."""
    answered = [trigrams(keyed(s)) for s in specs]
    offered = [trigrams(shown(s)) for s in specs]
    best: dict[tuple[int, int], float] = {}
    for i, a in enumerate(specs):
        for j, b in enumerate(specs):
            if i == j or a.survey != b.survey or not answered[i] or not offered[j]:
                continue
            if topic and topic not in (a.topic, b.topic):
                continue
            score = len(answered[i] & offered[j]) / min(len(answered[i]), len(offered[j]))
            key = (min(i, j), max(i, j))
            if score >= threshold and score > best.get(key, 0.0):
                best[key] = score
    return sorted(((score, specs[i], specs[j]) for (i, j), score in best.items()),
                  key=lambda t: (-t[0], t[1].id, t[2].id))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=float, default=0.25)
    parser.add_argument("--topic", default=None)
    args = parser.parse_args(argv)
    specs = [s for s in load_bank().specs if s.status == "active"]
    for score, a, b in pairs(specs, args.threshold, args.topic):
        shared = sorted(set(a.enemy_groups) & set(b.enemy_groups))
        print(f"{score:.2f}  {a.id}  {b.id}  {'grouped: ' + ', '.join(shared) if shared else ''}")
        print(f"      {keyed(a)[:70]}")
        print(f"      {shown(b)[:70]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
