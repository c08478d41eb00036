"""One page of a competition's board as a visitor sees it: the page's rows, where the visitor
(or their township or organisation) stands, and the rows around them when they are on another
page.

Rules:

- Boards are read a page at a time (:data:`PER_PAGE` rows; :data:`ADMIN_PER_PAGE` for the
  organisers), page 1 first; page links work without script.
- A participant with a score always sees their own row: on the page itself, highlighted, or
  else in a short table of the ranks around theirs (:data:`CONTEXT` either side), with a link to
  the page that holds it. The same holds for their township on the township board and their
  organisation on the organisation board.
- Names come from :mod:`quizapp.engine.boards`, which publishes them masked unless the
  competition says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quizapp.engine import boards
from quizapp.models import Competition, Participant
from quizapp.shared.paging import Paging, paging

PER_PAGE = 25
ADMIN_PER_PAGE = 50
CONTEXT = 2


@dataclass(frozen=True)
class BoardPage:
    """What the board template shows.

    ``mine`` is the key of the visitor's row on this view (their participant id on the people
    board, their township's or organisation's id on those boards), ``None`` when they have none;
    ``me`` that row where the board has it (a :class:`~quizapp.engine.boards.PersonRow` or
    :class:`~quizapp.engine.boards.GroupRow`); ``around`` the rows around it when it is not on
    this page, and ``my_page`` the page that holds it.
    """

    view: str
    round_id: int | None
    rows: list
    paging: Paging
    mine: int | None = None
    me: boards.PersonRow | boards.GroupRow | None = None
    around: list = field(default_factory=list)
    my_page: int | None = None
    most: int = 1  # the group boards' bars: the leader's participants fill the bar

    def is_mine(self, row) -> bool:
        """Whether ``row`` is the visitor's own (or their township's or organisation's)."""
        return self.mine is not None and _key(row) == self.mine


def _key(row) -> int:
    return row.participant_id if isinstance(row, boards.PersonRow) else row.group_id


def _window(rows: list, index: int) -> list:
    return rows[max(index - CONTEXT, 0):index + CONTEXT + 1]


def build(competition: Competition, view: str, round_id: int | None, page: int | None,
          participant: Participant | None, per_page: int = PER_PAGE) -> BoardPage:
    """The ``page``-th page of board ``view`` (``people``, ``township``, ``organisation``) for
    a visitor registered as ``participant`` (``None``: not registered, or an organiser)."""
    if view == "people":
        return _people(competition, round_id, page, participant, per_page)
    all_rows = boards.group_board(competition, view, round_id)
    where = paging(len(all_rows), page, per_page)
    rows = all_rows[where.offset:where.offset + per_page]
    mine = None
    if participant is not None:
        mine = participant.township_id if view == "township" else participant.organisation_id
    most = max((row.participants for row in all_rows), default=1)
    index = next((i for i, row in enumerate(all_rows) if row.group_id == mine), None) \
        if mine is not None else None
    if index is None:
        return BoardPage(view, round_id, rows, where, mine=mine, most=most)
    my_page = where.page_of(index + 1)
    return BoardPage(view, round_id, rows, where, mine=mine, me=all_rows[index],
                     around=[] if my_page == where.page else _window(all_rows, index),
                     my_page=my_page, most=most)


def _people(competition: Competition, round_id: int | None, page: int | None,
            participant: Participant | None, per_page: int) -> BoardPage:
    where = paging(boards.participant_count(competition, round_id), page, per_page)
    rows = boards.individual_board(competition, round_id, limit=per_page, offset=where.offset)
    me = participant and boards.rank_of(competition, participant.id, round_id)
    if me is None:
        return BoardPage("people", round_id, rows, where)
    result = BoardPage("people", round_id, rows, where, mine=me.participant_id, me=me,
                       my_page=where.page_of(me.rank))
    if any(result.is_mine(row) for row in rows):
        return result
    start = max(me.rank - 1 - CONTEXT, 0)
    around = boards.ranked_rows(competition, round_id, limit=me.rank - start + CONTEXT,
                                offset=start)
    return BoardPage("people", round_id, rows, where, mine=me.participant_id, me=me,
                     around=around, my_page=result.my_page)
