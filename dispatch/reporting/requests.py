"""What staff ask of the reporting side from the chat, each in its own session: a quarter's
scorecard within their reach, the answer to a plain-language question, a ticket on the board."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from dispatch.org.scope import desk_scope
from dispatch.reporting import questions
from dispatch.reporting.board_review import approve_for_board
from dispatch.reporting.scorecards import Quarter, Scorecard, build_scorecard
from dispatch.store.db import Sessions
from dispatch.store.models import Ticket


async def scorecard_for(*, sessions: Sessions, person_id: int, quarter: Quarter) -> Scorecard:
    """The quarter's scorecard within the person's reach: a district's centre never sees
    another district, a street's coordinator sees the street and its communities."""
    async with sessions() as session:
        scope = await desk_scope(session=session, person_id=person_id)
        return await build_scorecard(session=session, quarter=quarter,
                                     within=None if scope.everything else scope.coordinated)


async def answer_questions(*, sessions: Sessions, person_id: int, text: str, now: datetime,
                           zone: ZoneInfo, page: int = 0) -> list[questions.Answer]:
    """Each question a message holds (one or more), answered in order."""
    async with sessions() as session:
        return await questions.answer_each(session=session, person_id=person_id, text=text,
                                           now=now, page=page, zone=zone)


async def publish(*, sessions: Sessions, number: str, actor: int, summary: str,
                  clock: Callable[[], datetime]) -> Ticket:
    """A handled ticket onto the public board, with the publisher's own summary."""
    async with sessions() as session, session.begin():
        return await approve_for_board(session=session, number=number, actor=actor,
                                       summary=summary, clock=clock)
