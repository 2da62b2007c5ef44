"""/desk: a staff person asks for a one-time link that signs them in to the web desk."""

from __future__ import annotations

from datetime import timedelta

from bot.core.turn import Turn
from dispatch.org import accounts


async def desk_command(turn: Turn, _: str = "") -> None:
    """Any staff role; residents are told it is not theirs (the service checks, not the chat)."""
    ctx = turn.ctx
    if not turn.contact.roles:
        turn.say("error.permission_denied")
        return
    if not ctx.desk_url:
        turn.say("desk.unavailable")
        return
    token = await accounts.desk_link_token(
        sessions=ctx.sessions, person_id=turn.contact.person_id, clock=ctx.clock,
        ttl=timedelta(minutes=ctx.desk_link_minutes))
    turn.say("desk.link", url=f"{ctx.desk_url}/desk/signin/{token}",
             minutes=ctx.desk_link_minutes)
    # Not stored by the production inbox before it is shown (the link is a credential): after
    # a crash a fresh link is minted instead, and the unshown one simply expires unused.
    turn.answer.recomputable = True
