"""The person's community: asked once, picked from lists, typed, or found by location."""

from __future__ import annotations

from dataclasses import replace

from bot.conversation import awaiting
from bot.conversation.awaiting import expect, is_awaiting, stop_waiting
from bot.conversation.callbacks import PickCommunity, PickStreet
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.turn import Turn, pairs
from dispatch.org import accounts, residents


def name_of(choice: residents.Choice, lang: str) -> str:
    return choice.name_en if lang == "en" and choice.name_en else choice.name


async def ask_community(turn: Turn, *, reason: str) -> None:
    streets = await accounts.streets(sessions=turn.ctx.sessions)
    buttons = [[Button(name_of(s, turn.lang), PickStreet(s.unit_id).pack())] for s in streets]
    expect(turn, awaiting.Community())
    turn.say(reason, buttons=pairs(buttons))
    turn.say("community.or_location")


async def show_communities(turn: Turn, street_id: int) -> None:
    """A street was picked: its communities, in place of the street list."""
    options = await accounts.communities(sessions=turn.ctx.sessions, street_id=street_id)
    if not options:
        turn.toast("press.invalid", alert=True)
        return
    buttons = [[Button(name_of(c, turn.lang), PickCommunity(c.unit_id).pack())] for c in options]
    turn.edit_pressed(t("community.pick", turn.lang), pairs(buttons))


async def choose(turn: Turn, unit_id: int) -> None:
    """Remember the person's community and say so."""
    unit = await accounts.set_community(sessions=turn.ctx.sessions,
                                        person_id=turn.contact.person_id, unit_id=unit_id)
    name = unit.name_en if turn.lang == "en" and unit.name_en else unit.name
    turn.contact = replace(turn.contact, community_id=unit_id, community_name=unit.name,
                           community_name_en=unit.name_en)
    if is_awaiting(turn, awaiting.Community):
        stop_waiting(turn)
    turn.say("community.set", community=name)


async def typed(turn: Turn, text: str) -> residents.Choice | None:
    return await accounts.match_community(sessions=turn.ctx.sessions, text=text)


async def nearest(turn: Turn, latitude: float, longitude: float) -> residents.Choice | None:
    return await accounts.nearest_community(sessions=turn.ctx.sessions, latitude=latitude,
                                            longitude=longitude)
