"""Exactly once under real concurrency, on PostgreSQL: many threads, one live game.

Each thread is its own request: its own app context, session and database connection.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.competitions.conftest import add_question

pytestmark = pytest.mark.postgres
THREADS = 12


def _run_threads(target, count: int = THREADS) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def runner(index):
        try:
            barrier.wait(timeout=20)
            target(index)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _setup(app, *, players: int = 0, team_count: int = 0, speed_points: bool = False):
    """A school with a class, a game of three single-choice questions, seated players.
    Returns (game id, class id, [(player id, secret)])."""
    from quizapp.extensions import db
    from quizapp.models import Organisation, SchoolClass, Township
    from quizapp.schools import live_players, live_state

    with app.app_context():
        town = db.session.scalar(select(Township)) or Township(code="t", name="镇", kind="town")
        school = Organisation(name=f"学校{db.session.scalar(select(func.count(Organisation.id)))}",
                              kind="school", township=town)
        school.classes = [SchoolClass(grade=7, name="1班", size=40)]
        db.session.add(school)
        db.session.commit()
        versions = [add_question("single") for _ in range(3)]
        game = live_state.create_game(versions, title="并发", school_id=school.id,
                                      teacher_id=None, question_set_id=None,
                                      team_count=team_count, speed_points=speed_points,
                                      seconds_per_question=60)
        seats = []
        for n in range(players):
            player, secret = live_players.join(game, f"p{n}", school.classes[0].id)
            seats.append((player.id, secret))
        result = game.id, school.classes[0].id, seats
        db.session.remove()
        return result


def _right(player, position):
    item = next(i for i in player.attempt.items if i.position == position)
    return [item.option_order.index(c) for c in item.question_version.answer]


def test_many_threads_answering_one_item_count_it_once(pg_app):
    from quizapp.extensions import db
    from quizapp.models import Attempt, AttemptItem, LiveGame, LivePlayer
    from quizapp.schools import live_scoring, live_state

    game_id, _, seats = _setup(pg_app, players=2)
    with pg_app.app_context():
        live_state.start(db.session.get(LiveGame, game_id))
        db.session.remove()
    outcomes = []

    def answer(index):
        with pg_app.app_context():
            game = db.session.get(LiveGame, game_id)
            player = db.session.get(LivePlayer, seats[0][0])
            outcomes.append(live_scoring.answer(game, player, _right(player, 0)).recorded)
            db.session.remove()

    assert _run_threads(answer) == []
    assert sorted(outcomes) == [False] * (THREADS - 1) + [True]
    with pg_app.app_context():
        attempt = db.session.get(Attempt, db.session.get(LivePlayer, seats[0][0]).attempt_id)
        assert (attempt.score, attempt.correct_count) == (1000.0, 1)
        assert db.session.scalar(select(func.count(AttemptItem.id)).where(
            AttemptItem.attempt_id == attempt.id, AttemptItem.answered_at.is_not(None))) == 1
        # The other player has not answered: the question is still open.
        assert db.session.get(LiveGame, game_id).status == "question_open"


@pytest.mark.parametrize("action", ["next_question", "end", "pause"])
def test_many_threads_racing_one_transition_make_it_once(pg_app, action):
    from quizapp.extensions import db
    from quizapp.models import LiveGame
    from quizapp.schools import live_state
    from quizapp.schools.live_state import GameError

    game_id, _, _ = _setup(pg_app, players=3)
    with pg_app.app_context():
        game = db.session.get(LiveGame, game_id)
        live_state.reveal(live_state.start(game))
        version = game.state_version
        db.session.remove()
    won, lost = [], []

    def click(index):
        with pg_app.app_context():
            game = db.session.get(LiveGame, game_id)
            assert (game.status, game.state_version) == ("revealed", version)
            barrier_wait()
            try:
                getattr(live_state, action)(game)
                won.append(index)
            except GameError as error:
                lost.append(error.code)
            db.session.remove()

    # Every thread loads the game first, then they all act at once.
    loaded = threading.Barrier(THREADS)

    def barrier_wait():
        loaded.wait(timeout=20)

    assert _run_threads(click) == []
    assert len(won) == 1 and lost == ["conflict"] * (THREADS - 1)
    with pg_app.app_context():
        game = db.session.get(LiveGame, game_id)
        assert game.state_version == version + 1
        expected = {"next_question": ("question_open", 1), "end": ("finished", 0),
                    "pause": ("paused", 0)}[action]
        assert (game.status, game.current_index) == expected


def test_many_threads_ticking_close_the_question_once(pg_app):
    from quizapp.engine import clock
    from quizapp.extensions import db
    from quizapp.models import LiveGame
    from quizapp.schools import live_state

    game_id, _, _ = _setup(pg_app, players=3)
    with pg_app.app_context():
        game = live_state.start(db.session.get(LiveGame, game_id))
        version = game.state_version
        # Everyone's time ran out a minute ago.
        db.session.execute(update(LiveGame).where(LiveGame.id == game_id).values(
            question_closes_at=clock.now() - timedelta(minutes=1)))
        db.session.commit()
        db.session.remove()
    closed = []

    def read(index):
        with pg_app.app_context():
            closed.append(live_state.tick(db.session.get(LiveGame, game_id)))
            db.session.remove()

    assert _run_threads(read) == []
    assert sorted(closed) == [False] * (THREADS - 1) + [True]
    with pg_app.app_context():
        game = db.session.get(LiveGame, game_id)
        assert (game.status, game.state_version) == ("question_closed", version + 1)


def _skip_round(app, skip_ms: float, answers_ms: float) -> tuple[int, int]:
    """One game: the seated players answer question 0, 2 ms apart from ``answers_ms`` on,
    while the teacher skips it at ``skip_ms``. Returns (answers recorded, answers refused)."""
    from quizapp.extensions import db
    from quizapp.models import Attempt, AttemptItem, LiveGame, LivePlayer
    from quizapp.schools import live_scoring, live_state
    from quizapp.schools.live_state import GameError

    game_id, _, seats = _setup(app, players=THREADS - 1)
    with app.app_context():
        live_state.start(db.session.get(LiveGame, game_id))
        db.session.remove()
    refused, recorded = [], []

    ready = threading.Barrier(THREADS)

    def act(index):
        with app.app_context():
            game = db.session.get(LiveGame, game_id)
            if index == THREADS - 1:
                ready.wait(timeout=20)
                time.sleep(skip_ms / 1000)
                try:
                    live_state.skip(game)
                except GameError as error:
                    # The last answer closed the question meanwhile: the teacher's page
                    # shows that, and the teacher skips again.
                    assert error.code == "conflict" and game.status == "question_closed"
                    live_state.skip(game)
            else:
                player = db.session.get(LivePlayer, seats[index][0])
                choices = _right(player, 0)
                ready.wait(timeout=20)
                time.sleep((answers_ms + index * 2) / 1000)
                try:
                    recorded.append(live_scoring.answer(game, player, choices, position=0))
                except GameError as error:
                    refused.append(error.code)
            db.session.remove()

    assert _run_threads(act) == []
    assert len(refused) + len(recorded) == THREADS - 1
    assert set(refused) <= {"not_open"}
    with app.app_context():
        ids = [db.session.get(LivePlayer, pid).attempt_id for pid, _ in seats]
        assert db.session.scalar(select(func.sum(Attempt.score)).where(
            Attempt.id.in_(ids))) == 0.0
        assert db.session.scalar(select(func.sum(AttemptItem.points)).where(
            AttemptItem.attempt_id.in_(ids))) == 0.0
        game = db.session.get(LiveGame, game_id)
        assert (game.status, game.current_index) == ("question_open", 1)
    return len(recorded), len(refused)


def test_answers_racing_a_skip_never_score(pg_app):
    """Whether an answer got in before the skip (its points are taken back) or was refused
    after it, nobody scores for a skipped question."""
    totals = [_skip_round(pg_app, skip, answers)
              for skip, answers in ((0, 30), (0, 10), (10, 0), (20, 0), (40, 0))]
    print("recorded, refused per round:", totals)
    # Over the rounds both sides of the race happened (the skip's delays make sure).
    assert sum(r for r, _ in totals) > 0 and sum(f for _, f in totals) > 0


def test_joins_at_once_fill_teams_evenly_and_a_nickname_once(pg_app):
    from quizapp.extensions import db
    from quizapp.models import LiveGame, LivePlayer
    from quizapp.schools import live_players
    from quizapp.schools.live_players import JoinError

    game_id, class_id, _ = _setup(pg_app, team_count=3)
    taken = []

    def join(index):
        with pg_app.app_context():
            game = db.session.get(LiveGame, game_id)
            live_players.join(game, f"s{index}", class_id)
            try:
                live_players.join(game, "同名", class_id)
            except JoinError as error:
                taken.append(error.code)
            db.session.remove()

    assert _run_threads(join) == []
    assert taken == ["taken"] * (THREADS - 1)
    with pg_app.app_context():
        teams = dict(db.session.execute(
            select(LivePlayer.team, func.count(LivePlayer.id))
            .where(LivePlayer.game_id == game_id).group_by(LivePlayer.team)).all())
        # 13 players over 3 teams, always the smallest first: 5, 4, 4.
        assert sorted(teams.values()) == [4, 4, 5] and teams[0] == 5


def test_joins_racing_the_start_either_answer_or_are_late(pg_app):
    """A join at the moment the game starts is either seated before the first question opens
    (and can answer it) or after (and is late for it), never in between."""
    from quizapp.extensions import db
    from quizapp.models import AttemptItem, LiveGame, LivePlayer
    from quizapp.schools import live_players, live_state

    game_id, class_id, _ = _setup(pg_app, players=1)

    def act(index):
        with pg_app.app_context():
            game = db.session.get(LiveGame, game_id)
            if index == 0:
                live_state.start(game)
            else:
                live_players.join(game, f"j{index}", class_id)
            db.session.remove()

    assert _run_threads(act) == []
    with pg_app.app_context():
        game = db.session.get(LiveGame, game_id)
        rows = db.session.execute(
            select(LivePlayer.joined_at, AttemptItem.shown_at)
            .join(AttemptItem, AttemptItem.attempt_id == LivePlayer.attempt_id)
            .where(LivePlayer.game_id == game_id, AttemptItem.position == 0)).all()
        assert len(rows) == THREADS
        for joined_at, shown_at in rows:
            assert shown_at in (None, game.question_opened_at)
            if shown_at is None:
                assert joined_at >= game.question_opened_at


def test_removals_racing_answers_do_not_deadlock(pg_app):
    """The teacher removes players while they answer: every request completes (the game row
    is always locked before the attempts), and a removed player is off the board."""
    from quizapp.extensions import db
    from quizapp.models import LiveGame, LivePlayer
    from quizapp.schools import live_players, live_scoring, live_state
    from quizapp.schools.live_state import GameError

    game_id, _, seats = _setup(pg_app, players=THREADS - 1)
    with pg_app.app_context():
        live_state.start(db.session.get(LiveGame, game_id))
        db.session.remove()
    doomed = [pid for pid, _ in seats[:5]]

    def act(index):
        with pg_app.app_context():
            game = db.session.get(LiveGame, game_id)
            if index == THREADS - 1:
                for pid in doomed:
                    live_players.remove_player(game, pid)
                    live_players.set_extra_time(game, seats[-1][0], 5)
            else:
                player = db.session.get(LivePlayer, seats[index][0])
                choices = _right(player, 0)
                try:
                    live_scoring.answer(game, player, choices, position=0)
                except GameError as error:
                    assert error.code == "removed"
            db.session.remove()

    assert _run_threads(act) == []
    with pg_app.app_context():
        game = db.session.get(LiveGame, game_id)
        names = [row.player_id for row in live_scoring.leaderboard(game)]
        assert set(names) == {pid for pid, _ in seats[5:]}
