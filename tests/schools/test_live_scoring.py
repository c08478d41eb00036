"""Points, answers, boards and a question's summary in a live game (numbers by hand)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from quizapp.extensions import db
from tests.schools.live_fixtures import *  # noqa: F401,F403
from tests.schools.live_fixtures import right_choices, wrong_choices


@pytest.mark.parametrize("correct, elapsed, limit, speed, points", [
    (True, 0, 20000, True, 1000),        # instant
    (True, 20000, 20000, True, 500),     # at the buzzer
    (True, 25000, 20000, True, 500),     # in the grace after it: still half
    (True, 5000, 20000, True, 875),      # 1000 * (1 - 0.5 * 0.25)
    (True, 10000, 20000, True, 750),
    (True, 3333, 20000, True, 917),      # 916.675 rounds up
    (True, 15000, 30000, True, 750),     # 10 s extra time: 15 of 30 s
    (True, 28000, 30000, True, 533),     # 533.33
    (True, -50, 20000, True, 1000),      # a clock step backwards never gives more than 1000
    (False, 0, 20000, True, 0),
    (True, 19999, 20000, False, 1000),   # accuracy only
    (True, 0, 20000, False, 1000),
    (False, 100, 20000, False, 0),
])
def test_points_for(correct, elapsed, limit, speed, points):
    from quizapp.schools.live_scoring import points_for

    assert points_for(correct, elapsed, limit, speed) == points


def _seat(game, school, *names, extra=None):
    from quizapp.schools import live_players

    players = [live_players.join(game, name, school.classes[0].id)[0] for name in names]
    for player in players:
        if extra and player.nickname in extra:
            live_players.set_extra_time(game, player.id, extra[player.nickname])
    return players


def test_speed_points_in_a_game(make_game, school, now):
    from quizapp.schools import live_scoring, live_state

    game = make_game(seconds_per_question=20)
    fast, slow, wrong = _seat(game, school, "快", "慢", "错")
    live_state.start(game)
    now.move(seconds=5)
    assert live_scoring.answer(game, fast, right_choices(fast, 0)).points == 875
    now.move(seconds=5)
    assert live_scoring.answer(game, wrong, wrong_choices(wrong, 0)).points == 0
    now.move(seconds=10)
    assert live_scoring.answer(game, slow, right_choices(slow, 0)).points == 500
    board = live_scoring.leaderboard(game)
    assert [(r.rank, r.nickname, r.score, r.correct) for r in board] == [
        (1, "快", 875, 1), (2, "慢", 500, 1), (3, "错", 0, 0)]


def test_accuracy_only_in_a_game(make_game, school, now):
    from quizapp.schools import live_scoring, live_state

    game = make_game(seconds_per_question=20, speed_points=False)
    fast, slow = _seat(game, school, "快", "慢")
    live_state.start(game)
    now.move(seconds=1)
    assert live_scoring.answer(game, fast, right_choices(fast, 0)).points == 1000
    now.move(seconds=18)
    assert live_scoring.answer(game, slow, right_choices(slow, 0)).points == 1000
    assert [(r.rank, r.score) for r in live_scoring.leaderboard(game)] == [(1, 1000), (1, 1000)]


def test_extra_time_costs_nothing_and_extends_the_deadline(make_game, school, now):
    from quizapp.schools import live_scoring, live_state
    from quizapp.schools.live_state import GameError

    game = make_game(seconds_per_question=20)
    plain, extra, other = _seat(game, school, "甲", "乙", "丙", extra={"乙": 10})
    live_state.start(game)
    now.move(seconds=15)
    # 15 s of 20: 625; 15 s of the player's own 30: 750.
    assert live_scoring.answer(game, plain, right_choices(plain, 0)).points == 625
    assert live_scoring.answer(game, extra, right_choices(extra, 0)).points == 750
    now.move(seconds=8)  # 23 s: past 20 s + 2 s grace for 丙
    with pytest.raises(GameError) as raised:
        live_scoring.answer(game, other, right_choices(other, 0))
    assert raised.value.code == "time_up"
    live_state.next_question(live_state.reveal(game))
    now.move(seconds=28)  # past the room's 20 s, within 乙's 30 s
    assert live_scoring.answer(game, extra, right_choices(extra, 1)).points == 533
    now.move(seconds=4)  # 32 s: 乙's extra 10 s plus the grace, still taken
    assert live_scoring.answer(game, extra, right_choices(extra, 1)).recorded is False
    with pytest.raises(GameError) as raised:
        live_scoring.answer(game, plain, right_choices(plain, 1))  # 甲 had until 22 s
    assert raised.value.code == "time_up"
    live_state.next_question(live_state.reveal(game))
    now.move(seconds=32, milliseconds=1)
    with pytest.raises(GameError) as raised:
        live_scoring.answer(game, extra, right_choices(extra, 2))
    assert raised.value.code == "time_up"


def test_the_deadline_edge_with_grace(make_game, school, now):
    from quizapp.schools import live_scoring, live_state

    game = make_game(seconds_per_question=20)
    (player,) = _seat(game, school, "甲")
    live_state.start(game)
    now.move(seconds=22)  # exactly the deadline plus grace: accepted, half points
    assert live_scoring.answer(game, player, right_choices(player, 0)).points == 500


def test_a_double_submitted_answer_counts_once(make_game, school, now):
    from quizapp.models import Attempt
    from quizapp.schools import live_scoring, live_state

    game = make_game(seconds_per_question=20)
    player, other = _seat(game, school, "甲", "乙")
    live_state.start(game)
    now.move(seconds=5)
    first = live_scoring.answer(game, player, right_choices(player, 0))
    now.move(seconds=1)
    again = live_scoring.answer(game, player, right_choices(player, 0))
    changed = live_scoring.answer(game, player, wrong_choices(player, 0))
    assert (first.recorded, first.points) == (True, 875)
    assert (again.recorded, again.points, again.correct) == (False, 875, True)
    assert (changed.recorded, changed.points, changed.correct) == (False, 875, True)
    attempt = db.session.get(Attempt, player.attempt_id)
    assert (attempt.score, attempt.correct_count) == (875.0, 1)


@pytest.mark.parametrize("state", ["lobby", "question_closed", "revealed", "paused", "finished"])
def test_answers_only_while_the_question_is_open(make_game, school, now, state):
    from quizapp.schools import live_scoring, live_state
    from quizapp.schools.live_state import GameError

    game = make_game()
    (player,) = _seat(game, school, "甲")
    if state != "lobby":
        live_state.start(game)
    if state in ("question_closed", "revealed"):
        live_state.close_question(game)
    if state == "revealed":
        live_state.reveal(game)
    if state == "paused":
        live_state.pause(game)
    if state == "finished":
        live_state.end(game)
    with pytest.raises(GameError) as raised:
        live_scoring.answer(game, player, [0])
    assert raised.value.code == "not_open"


def test_bad_choices_are_refused(make_game, school, now):
    from quizapp.schools import live_scoring, live_state
    from quizapp.schools.live_state import GameError

    game = make_game()
    (player,) = _seat(game, school, "甲")
    live_state.start(game)  # question 0 is single choice with 4 options
    for choices in ([], [4], [-1], [0, 1], [1, 1], [10**12]):
        with pytest.raises(GameError) as raised:
            live_scoring.answer(game, player, choices)
        assert raised.value.code == "bad_choice"
    assert live_scoring.answer(game, player, [0]).recorded is True


def test_a_skipped_question_scores_nothing(make_game, school, now):
    from quizapp.models import Attempt, AttemptItem
    from quizapp.schools import live_scoring, live_state

    game = make_game(seconds_per_question=20)
    one, two = _seat(game, school, "甲", "乙")
    live_state.start(game)
    now.move(seconds=5)
    live_scoring.answer(game, one, right_choices(one, 0))  # 875
    live_state.next_question(live_state.reveal(game))
    now.move(seconds=10)
    live_scoring.answer(game, one, right_choices(one, 1))  # 750, then skipped
    live_scoring.answer(game, two, right_choices(two, 1))  # 750, then skipped
    live_state.skip(game)
    assert (game.status, game.current_index) == ("question_open", 2)
    assert [(r.nickname, r.score) for r in live_scoring.leaderboard(game)] == [
        ("甲", 875), ("乙", 0)]
    item = db.session.query(AttemptItem).filter_by(attempt_id=one.attempt_id, position=1).one()
    assert (item.points, item.correct) == (0.0, True)  # answered right, scored nothing
    assert db.session.get(Attempt, one.attempt_id).score == 875.0
    now.move(seconds=2)  # the question after the skip is open to everyone seated
    assert live_scoring.answer(game, two, right_choices(two, 2), position=2).points == 950


def _set_scores(players, scores):
    from quizapp.models import Attempt

    for player, score in zip(players, scores, strict=True):
        db.session.execute(update(Attempt).where(Attempt.id == player.attempt_id)
                           .values(score=score))
    db.session.commit()


def test_leaderboard_ties_share_a_rank_and_removed_players_are_out(make_game, school, now):
    from quizapp.schools import live_players, live_scoring

    game = make_game()
    players = _seat(game, school, "丁", "Bob", "alice", "甲", "出局")
    _set_scores(players, [750, 1000, 1000, 0, 2000])
    live_players.remove_player(game, players[4].id)
    board = live_scoring.leaderboard(game)
    assert [(r.rank, r.nickname, r.score) for r in board] == [
        (1, "alice", 1000), (1, "Bob", 1000), (3, "丁", 750), (4, "甲", 0)]
    assert [(r.rank, r.nickname) for r in live_scoring.podium(game)] == [
        (1, "alice"), (1, "Bob"), (3, "丁")]


def test_teams_are_ranked_by_mean_not_sum(make_game, school, now):
    from quizapp.schools import live_scoring
    from quizapp.schools.live_scoring import TeamRow

    game = make_game(team_count=2)
    players = _seat(game, school, "a", "b", "c", "d", "e")
    assert [p.team for p in players] == [0, 1, 0, 1, 0]
    # Team 0 (a, c, e): 1000 + 1000 + 800 = 2800, mean 933.3; team 1 (b, d): 1000 + 950 =
    # 1950, mean 975. By sum team 0 would win; by mean team 1 does.
    _set_scores(players, [1000, 1000, 1000, 950, 800])
    assert live_scoring.team_board(game) == [
        TeamRow(rank=1, team=1, members=2, total=1950, mean=975.0),
        TeamRow(rank=2, team=0, members=3, total=2800, mean=933.3)]
    assert live_scoring.podium(game) == live_scoring.team_board(game)


def test_team_board_with_an_empty_team_and_a_tie(make_game, school, now):
    from quizapp.schools import live_scoring
    from quizapp.schools.live_scoring import TeamRow

    game = make_game(team_count=3)
    players = _seat(game, school, "a", "b", "c", "d")  # teams 0, 1, 2, 0
    _set_scores(players, [600, 500, 0, 400])
    assert live_scoring.team_board(game) == [
        TeamRow(rank=1, team=0, members=2, total=1000, mean=500.0),
        TeamRow(rank=1, team=1, members=1, total=500, mean=500.0),
        TeamRow(rank=3, team=2, members=1, total=0, mean=0.0)]
    assert live_scoring.team_board(make_game()) == []


def test_teams_in_a_played_game(make_game, school, now):
    from quizapp.schools import live_scoring, live_state

    game = make_game(team_count=2, seconds_per_question=20)
    a, b, c = _seat(game, school, "a", "b", "c")  # teams 0, 1, 0
    live_state.start(game)
    now.move(seconds=4)
    live_scoring.answer(game, a, right_choices(a, 0))  # 900
    live_scoring.answer(game, b, right_choices(b, 0))  # 900
    now.move(seconds=4)
    live_scoring.answer(game, c, wrong_choices(c, 0))  # 0
    assert [(t.team, t.total, t.mean) for t in live_scoring.team_board(game)] == [
        (1, 900, 900.0), (0, 900, 450.0)]


def test_question_summary_counts_original_options(make_game, school, now):
    from quizapp.schools import live_players, live_scoring, live_state

    game = make_game()
    players = _seat(game, school, "a", "b", "c", "d", "e", "f")
    live_state.start(game)
    live_state.reveal(game)
    live_state.next_question(game)  # question 1: multiple choice, keyed 0 and 2 of 4

    def shown(player, originals):
        item = next(i for i in player.attempt.items if i.position == 1)
        return [item.option_order.index(o) for o in originals]

    now.move(seconds=3)
    live_players.join(game, "late", school.classes[0].id)  # cannot answer: not counted
    for player, originals in zip(players, ([0, 2], [0, 2], [0, 1], [1], [1, 3], [0, 2, 3]),
                                 strict=True):
        live_scoring.answer(game, player, shown(player, originals))
    summary = live_scoring.question_summary(game, 1)
    assert (summary.eligible, summary.answered, summary.correct) == (6, 6, 2)
    assert summary.counts == [4, 3, 3, 2]
    assert summary.share_correct == pytest.approx(2 / 6)
    assert summary.most_common_wrong == 1  # chosen in 3 wrong answers (3: in 2)
    empty = live_scoring.question_summary(game, 2)
    assert (empty.answered, empty.share_correct, empty.most_common_wrong) == (0, None, None)
    assert empty.counts == [0, 0]  # true/false


def test_an_answer_names_its_question_and_a_stale_one_is_refused(make_game, school, now):
    from quizapp.schools import live_scoring, live_state
    from quizapp.schools.live_state import GameError

    game = make_game()
    (player,) = _seat(game, school, "甲")
    live_state.start(game)
    choices = right_choices(player, 0)
    live_state.next_question(live_state.reveal(game))
    # The phone still shows question 0 when its answer arrives: not counted for question 1.
    with pytest.raises(GameError) as raised:
        live_scoring.answer(game, player, choices, position=0)
    assert raised.value.code == "not_open"
    assert live_scoring.answer(game, player, right_choices(player, 1), position=1).recorded
