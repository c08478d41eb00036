"""Seats in a live game: joining, nicknames, rejoining, removal, late joiners, teams."""

from __future__ import annotations

import os

import pytest

from quizapp.extensions import db
from tests.schools.live_fixtures import *  # noqa: F401,F403
from tests.schools.live_fixtures import right_choices


@pytest.mark.parametrize("nickname, problem", [
    ("小明", None),
    ("  Li  Lei ", None),
    ("a" * 16, None),
    ("好" * 16, None),
    ("", "invalid"),
    ("   ", "invalid"),
    ("a" * 17, "invalid"),
    ("ab\x00c", "invalid"),
    ("ab\u200bc", "invalid"),      # zero-width space: a format character
    ("ab\x07c", "invalid"),
    (None, "invalid"),
    (12345, "invalid"),
    ("傻逼", "blocked"),
    ("我是傻逼同学", "blocked"),      # anywhere in the name
    ("傻 逼", "blocked"),            # spaces do not hide it
    ("FUCK", "blocked"),
    ("f.u.c.k", "blocked"),         # nor punctuation
    ("ｆｕｃｋ", "blocked"),          # nor full-width letters
    ("Shit_happens", "blocked"),
    ("class7", None),               # no short words that hit innocent names
    ("Dickens", None),
    ("尼玛次仁", None),              # a Tibetan given name, not on the list
])
def test_nickname_problem(app, nickname, problem):
    from quizapp.schools.live_players import nickname_problem

    assert nickname_problem(nickname) == problem


def test_the_word_list_is_an_editable_file(app, tmp_path):
    from quizapp.schools.live_players import nickname_problem

    words = tmp_path / "words.txt"
    words.write_text("# my list\nbanana\n", encoding="utf-8")
    app.config["BLOCKED_NICKNAMES_FILE"] = str(words)
    assert nickname_problem("Bananas") == "blocked"
    assert nickname_problem("傻逼") is None  # only this file's words now
    words.write_text("苹果  # fruit\n", encoding="utf-8")
    os.utime(words, (1_000_000_000, 1_000_000_000))  # a different mtime: re-read
    assert nickname_problem("Bananas") is None
    assert nickname_problem("大苹果") == "blocked"
    app.config["BLOCKED_NICKNAMES_FILE"] = str(tmp_path / "missing.txt")
    assert nickname_problem("banana") is None


def test_the_setting_comes_from_the_environment(tmp_path):
    from quizapp.config import load_config

    assert load_config(tmp_path, {})["BLOCKED_NICKNAMES_FILE"] is None
    assert load_config(tmp_path, {"BLOCKED_NICKNAMES_FILE": "/etc/words.txt"})[
        "BLOCKED_NICKNAMES_FILE"] == "/etc/words.txt"


@pytest.mark.parametrize("first, second", [
    ("abc", "Ａｂｃ"),     # full-width
    ("abc", "ABC"),
    ("abc", "a b c"),
    ("Ａｂｃ", " aBc "),
    ("小明", "小 明"),
    ("ﬁsh", "fish"),      # the ligature NFKC unfolds
])
def test_nicknames_that_collide(make_game, school, first, second):
    from quizapp.schools.live_players import JoinError, join

    game = make_game()
    join(game, first, school.classes[0].id)
    with pytest.raises(JoinError) as raised:
        join(game, second, school.classes[0].id)
    assert raised.value.code == "taken"


def test_the_same_nickname_in_another_game_is_fine(make_game, school):
    from quizapp.schools.live_players import join

    join(make_game(), "小明", school.classes[0].id)
    player, _ = join(make_game(), "小明", school.classes[0].id)
    assert player.nickname == "小明"


def test_join_makes_a_seat_and_its_engine_attempt(make_game, school, questions, now):
    from quizapp.models import Attempt
    from quizapp.schools.live_players import join, seat_hash

    game = make_game()
    player, secret = join(game, "  Ｌｉ　Ｌｅｉ ", school.classes[1].id)
    assert (player.nickname, player.nickname_key) == ("Li Lei", "lilei")
    assert player.school_class_id == school.classes[1].id and player.team is None
    assert player.seat_hash == seat_hash(secret) and secret not in player.seat_hash
    assert player.joined_at == now.value
    attempt = db.session.get(Attempt, player.attempt_id)
    assert (attempt.kind, attempt.status, attempt.question_count) == ("class_game", "open", 4)
    assert [i.question_version_id for i in attempt.items] == [q.id for q in questions]
    for item, version in zip(attempt.items, questions, strict=True):
        assert sorted(item.option_order) == list(range(version.choice_count))
        assert item.shown_at is None and item.answered_at is None
    tf = attempt.items[2]
    assert tf.option_order == [0, 1]  # true/false: true first, never shuffled


def test_option_orders_differ_between_seats(make_game, school):
    from quizapp.schools.live_players import join

    game = make_game()
    orders = {tuple(join(game, f"p{n}", school.classes[0].id)[0].attempt.items[0].option_order)
              for n in range(12)}
    # 12 seats, 24 orders of 4 options: all alike has probability 24**-11.
    assert len(orders) > 1


@pytest.mark.parametrize("setup, code", [
    ("other_school_class", "class"),
    ("no_class", "class"),
    ("unknown_class", "class"),
    ("finished", "finished"),
    ("blocked", "blocked"),
    ("empty", "invalid"),
])
def test_join_refusals(make_game, school, other_school, setup, code):
    from quizapp.schools import live_state
    from quizapp.schools.live_players import JoinError, join

    game = make_game()
    nickname, class_id = "小明", school.classes[0].id
    if setup == "other_school_class":
        class_id = other_school.classes[0].id
    elif setup == "no_class":
        class_id = None
    elif setup == "unknown_class":
        class_id = 10**9
    elif setup == "finished":
        live_state.end(game)
    elif setup == "blocked":
        nickname = "傻逼"
    elif setup == "empty":
        nickname = " "
    with pytest.raises(JoinError) as raised:
        join(game, nickname, class_id)
    assert raised.value.code == code
    assert game.players == [] or setup == "finished"


def test_a_school_without_classes_needs_no_class(app, questions, now):
    from quizapp.models import Organisation, Township
    from quizapp.schools import live_state
    from quizapp.schools.live_players import join

    town = Township(code="t2", name="二镇", kind="town")
    bare = Organisation(name="无班级学校", kind="school", township=town)
    db.session.add(bare)
    db.session.commit()
    game = live_state.create_game(questions, title="t", school_id=bare.id, teacher_id=None,
                                  question_set_id=None)
    player, _ = join(game, "小明", None)
    assert player.school_class_id is None


def test_find_game_by_code(make_game, monkeypatch):
    from quizapp.schools import live_state
    from quizapp.schools.live_players import find_game

    monkeypatch.setattr(live_state, "new_code", lambda: "012345")
    game = make_game()
    assert find_game("012345") == game
    assert find_game(" 012 345 ") == game
    assert find_game("０１２３４５") == game  # full-width digits
    for bad in ("12345", "0123456", "abcdef", "", None, "01234\x005"):
        assert find_game(bad) is None
    live_state.end(game)
    assert find_game("012345") is None


def test_rejoin_keeps_seat_and_score(make_game, school, now):
    from quizapp.models import LiveGame
    from quizapp.schools import live_scoring, live_state
    from quizapp.schools.live_players import join, seat

    game = make_game(seconds_per_question=20)
    elsewhere_token = make_game().token
    player, secret = join(game, "小明", school.classes[0].id)
    other, other_secret = join(game, "小红", school.classes[0].id)
    live_state.start(game)
    now.move(seconds=5)
    live_scoring.answer(game, player, right_choices(player, 0))  # 875
    # The phone reloads: a new request knows only the game's token and the secret in its
    # cookie.
    ids, token = (player.id, other.id), game.token
    db.session.expunge_all()
    game = db.session.query(LiveGame).filter_by(token=token).one()
    again = seat(game, secret)
    assert again.id == ids[0] and again.nickname == "小明"
    # The answer already given is not counted twice, whatever the phone sends again.
    assert live_scoring.answer(game, again, right_choices(again, 0)).recorded is False
    assert [(r.nickname, r.score) for r in live_scoring.leaderboard(game)][0] == ("小明", 875)
    assert seat(game, other_secret).id == ids[1]
    for bad in ("", None, "nope", "x" * 1000, secret + "x"):
        assert seat(game, bad) is None
    elsewhere = db.session.query(LiveGame).filter_by(token=elsewhere_token).one()
    assert seat(elsewhere, secret) is None  # a seat belongs to its game


def test_removed_players(make_game, school, now):
    from quizapp.models import Attempt
    from quizapp.schools import live_players, live_scoring, live_state
    from quizapp.schools.live_players import JoinError
    from quizapp.schools.live_state import GameError

    game = make_game()
    kept, _ = live_players.join(game, "小红", school.classes[0].id)
    gone, secret = live_players.join(game, "捣乱", school.classes[0].id)
    live_state.start(game)
    version = game.state_version
    live_players.remove_player(game, gone.id)
    assert game.state_version == version + 1  # the removed phone wakes up and learns it
    assert live_players.seat(game, secret) is None
    with pytest.raises(GameError) as raised:
        live_scoring.answer(game, gone, right_choices(gone, 0))
    assert raised.value.code == "removed"
    with pytest.raises(JoinError) as raised:
        live_players.join(game, "捣 乱", school.classes[0].id)
    assert raised.value.code == "removed"
    assert [r.nickname for r in live_scoring.leaderboard(game)] == ["小红"]
    attempt = db.session.get(Attempt, gone.attempt_id)
    assert (attempt.status, attempt.void_reason) == ("voided", "removed from live game")
    # Removing twice changes nothing; a player of another game is not found.
    live_players.remove_player(game, gone.id)
    assert game.state_version == version + 1
    with pytest.raises(JoinError) as raised:
        live_players.remove_player(make_game(), kept.id)
    assert raised.value.code == "not_found"
    # The removed seat no longer holds the question open: the one left answering closes it.
    live_scoring.answer(game, kept, right_choices(kept, 0))
    assert game.status == "question_closed"


def test_extra_time_settings(make_game, school):
    from quizapp.schools import live_players
    from quizapp.schools.live_players import JoinError

    game = make_game()
    player, _ = live_players.join(game, "小明", school.classes[0].id)
    version = game.state_version
    assert live_players.set_extra_time(game, player.id, 30).extra_seconds == 30
    assert game.state_version == version + 1
    for bad in (-1, 121, "10", 1.5, True, 10**12):
        with pytest.raises(JoinError) as raised:
            live_players.set_extra_time(game, player.id, bad)
        assert raised.value.code == "invalid"
    with pytest.raises(JoinError) as raised:
        live_players.set_extra_time(make_game(), player.id, 10)
    assert raised.value.code == "not_found"


@pytest.mark.parametrize("joined_in", ["question_open", "paused_open", "question_closed"])
def test_a_late_joiner_cannot_answer_the_open_question_but_the_next(
        make_game, school, now, joined_in):
    from quizapp.schools import live_players, live_scoring, live_state
    from quizapp.schools.live_state import GameError

    game = make_game()
    live_players.join(game, "早", school.classes[0].id)
    live_state.start(game)
    now.move(seconds=3)
    if joined_in == "paused_open":
        live_state.pause(game)
    if joined_in == "question_closed":
        live_state.close_question(game)
    late, _ = live_players.join(game, "迟", school.classes[0].id)
    if joined_in == "paused_open":
        live_state.resume(game)
    if game.status == "question_open":
        with pytest.raises(GameError) as raised:
            live_scoring.answer(game, late, right_choices(late, 0))
        assert raised.value.code == "late"
    live_state.reveal(game)
    live_state.next_question(game)
    now.move(seconds=2)
    assert live_scoring.answer(game, late, right_choices(late, 1)).points == 950


def test_joining_in_the_lobby_or_after_a_reveal_answers_the_next_question(
        make_game, school, now):
    from quizapp.schools import live_players, live_scoring, live_state

    game = make_game()
    early, _ = live_players.join(game, "早", school.classes[0].id)
    live_state.start(game)
    live_state.reveal(game)
    between, _ = live_players.join(game, "中", school.classes[0].id)
    live_state.next_question(game)
    assert live_scoring.answer(game, between, right_choices(between, 1)).points == 1000
    assert live_scoring.answer(game, early, right_choices(early, 1)).points == 1000


def test_teams_fill_the_smallest_first(make_game, school):
    from quizapp.schools import live_players

    game = make_game(team_count=3)
    players = [live_players.join(game, f"p{n}", school.classes[0].id)[0] for n in range(5)]
    assert [p.team for p in players] == [0, 1, 2, 0, 1]
    live_players.remove_player(game, players[0].id)  # team 0 down to one, like team 2
    nxt = live_players.join(game, "p5", school.classes[0].id)[0]
    assert nxt.team == 0  # a tie between 0 and 2: the lowest number
    assert live_players.join(game, "p6", school.classes[0].id)[0].team == 2
