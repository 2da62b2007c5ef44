"""First contact: greeting, language, the person's community; invitations into roles."""

from __future__ import annotations

import math

from bot.conversation import awaiting, callbacks
from bot.conversation.awaiting import is_awaiting, stop_waiting
from bot.conversation.menu import language_buttons, main_menu
from bot.conversation.resident import card, community, report
from bot.core.i18n import t
from bot.core.turn import Turn
from dispatch.core.errors import InvitationError
from dispatch.org import accounts


async def start(turn: Turn, code: str) -> None:
    if code:
        await _redeem(turn, code)
        return
    turn.say("start.greeting", buttons=language_buttons(), name=turn.contact.name or "")
    report.tell_kept_draft(turn)
    if turn.contact.community_id is None:
        await community.ask_community(turn, reason="start.ask_community")
    else:
        turn.say("start.community_known", community=turn.community,
                 buttons=main_menu(turn))


async def _redeem(turn: Turn, code: str) -> None:
    try:
        placed = await accounts.redeem(sessions=turn.ctx.sessions, code=code,
                                       person_id=turn.contact.person_id, clock=turn.ctx.clock)
    except InvitationError as error:
        turn.send(error.message(turn.lang))
        return
    turn.say("start.joined", role=t(f"role.{placed.role}", turn.lang),
             unit=placed.unit(turn.lang))


async def help_command(turn: Turn, _: str = "") -> None:
    turn.say("help.text", buttons=main_menu(turn))


async def language_command(turn: Turn, rest: str = "") -> None:
    if rest in ("zh", "en"):
        await _set_language(turn, rest)
        return
    turn.say("lang.pick", buttons=language_buttons())


async def on_language_press(turn: Turn, data: callbacks.PickLanguage) -> None:
    await _set_language(turn, data.lang)


async def _set_language(turn: Turn, lang: str) -> None:
    await accounts.set_language(sessions=turn.ctx.sessions, person_id=turn.contact.person_id,
                                language=lang)
    turn.lang = lang
    turn.update(lang=lang)
    turn.say("lang.set", buttons=main_menu(turn))


async def on_street_press(turn: Turn, data: callbacks.PickStreet) -> None:
    await community.show_communities(turn, data.street)


async def on_community_press(turn: Turn, data: callbacks.PickCommunity) -> None:
    await community.choose(turn, data.community)
    await _resume_report(turn)


async def _resume_report(turn: Turn) -> None:
    draft = card.draft_of(turn)
    if draft is not None and draft.submit_after_community:
        draft.submit_after_community = False
        card.keep(turn, draft)
        await report.submit_then_also(turn, draft)
    elif draft is None:
        turn.say("start.what_next", buttons=main_menu(turn))


async def typed_community(turn: Turn, _: awaiting.Community, text: str) -> bool:
    """The community typed by name. A message that names it and says more (a report written
    straight after /start) chooses the community and is then handled like any message: True
    only when nothing is left to handle."""
    choice = await community.typed(turn, text)
    if choice is None:
        return False  # not a community name: treat it as an ordinary message
    await community.choose(turn, choice.unit_id)
    if choice.said_more:  # the message itself comes next: it is the next thing to do
        return False
    await _resume_report(turn)
    return True


async def location(turn: Turn) -> None:
    loc = turn.msg.location
    assert loc is not None
    if not (math.isfinite(loc.latitude) and math.isfinite(loc.longitude)
            and -90 <= loc.latitude <= 90 and -180 <= loc.longitude <= 180):
        turn.say("community.bad_location")
        return
    draft = card.draft_of(turn)
    if draft is not None:
        draft.lat, draft.lon = loc.latitude, loc.longitude
        if is_awaiting(turn, awaiting.NewPlace):  # 修改地点 answered with a location
            draft.place = None
        card.keep(turn, draft)
        if is_awaiting(turn, awaiting.Place) or is_awaiting(turn, awaiting.NewPlace):
            stop_waiting(turn)
    if turn.contact.community_id is None or is_awaiting(turn, awaiting.Community):
        choice = await community.nearest(turn, loc.latitude, loc.longitude)
        if choice is None:
            turn.say("community.too_far")
            return
        await community.choose(turn, choice.unit_id)
        await _resume_report(turn)
        return
    if draft is not None:
        turn.say("report.location_added")
        await card.show_card(turn, draft)
        return
    turn.say("community.location_ignored", buttons=main_menu(turn))
