"""Labels for the schools feature's codes: game states, teams, and why a join or an answer
was refused (English msgids, Chinese in ``translations/zh``). Other schools pages append their
own tables here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

GAME_STATE_LABELS = {
    "lobby": _l("Waiting to start"),
    "question_open": _l("Question open"),
    "question_closed": _l("Time is up"),
    "revealed": _l("Answer shown"),
    "paused": _l("Paused"),
    "finished": _l("Game over"),
}

# Team numbers are 0-based in the database; the room sees colours.
TEAM_LABELS = (_l("Red team"), _l("Blue team"), _l("Green team"), _l("Yellow team"))

JOIN_ERRORS = {
    "blocked": _l("Please choose another nickname."),
    "taken": _l("Someone in this game already uses that nickname. Please choose another."),
    "invalid": _l("Enter a nickname of 1 to 16 characters."),
    "finished": _l("This game has ended."),
    "class": _l("Choose your class from the list."),
    "removed": _l("The teacher removed this player from the game."),
    "not_found": _l("No game with that code is running. Check the code on the screen."),
}

GAME_ERRORS = {
    "illegal": _l("The game cannot do that right now."),
    "conflict": _l("The game changed meanwhile; here is its current state."),
    "invalid": _l("That value is not allowed."),
    "empty": _l("The set has no playable questions."),
    "not_open": _l("This question is not taking answers."),
    "late": _l("You joined after this question opened: you can answer the next one."),
    "time_up": _l("Time is up for this question."),
    "removed": _l("The teacher removed this player from the game."),
    "bad_choice": _l("Choose one of the options."),
    "closed": _l("This game has ended."),
    "unknown_item": _l("This question is not taking answers."),
}


def team_label(team: int | None) -> str:
    """The team's name as the room sees it ('' for no team)."""
    if team is None or not 0 <= team < len(TEAM_LABELS):
        return ""
    return str(TEAM_LABELS[team])
