"""Answering a whole attempt through the pages, as a person would, choosing by the key."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt
from tests.support import csrf_token

RIGHT = {"single": [1], "multiple": [0, 2], "true_false": [0]}


def right_or_wrong(right: int) -> Callable[[int, object], list[int]]:
    """The first ``right`` questions answered rightly, the others wrongly (original options)."""
    def choose(answered: int, item) -> list[int]:
        key = RIGHT[item.question_version.type]
        if answered < right:
            return key
        return [o for o in range(len(item.option_order)) if o not in key][:1]
    return choose


def answer_all(client, token: str, question_url: str, answer_url: str,
               choose: Callable[[int, object], list[int]]) -> Attempt:
    """Answer every question the page shows at ``question_url`` until it shows none."""
    answered = 0
    while True:
        html = client.get(question_url).text
        match = re.search(r'name="position" value="(\d+)"', html)
        if match is None:
            break
        position = int(match.group(1))
        attempt = db.session.scalar(select(Attempt).where(Attempt.token == token))
        item = next(i for i in attempt.items if i.position == position)
        client.post(answer_url, data={
            "csrf_token": csrf_token(html), "position": str(position),
            "choice": [str(item.option_order.index(o)) for o in choose(answered, item)]})
        answered += 1
    db.session.expire_all()
    return db.session.scalar(select(Attempt).where(Attempt.token == token))
