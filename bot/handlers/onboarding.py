"""First contact: greeting, language, the person's community; invitations into roles."""

from __future__ import annotations

import math
from dataclasses import replace

from bot.handlers.ids import is_id
from bot.handlers.turn import Turn, main_menu, pairs
from bot.i18n import t
from bot.messages import Button
from dispatch import invitations, residents
from dispatch.errors import InvitationError


def _name(choice: residents.Choice, lang: str) -> str:
    return choice.name_en if lang == "en" and choice.name_en else choice.name


async def start(turn: Turn, code: str) -> None:
    if code:
        await _redeem(turn, code)
        return
    turn.say("start.greeting", buttons=[[Button("中文", "l:zh"), Button("English", "l:en")]],
             name=turn.contact.name or "")
    if turn.contact.community_id is None:
        await ask_community(turn, reason="start.ask_community")
    else:
        turn.say("start.community_known", community=turn.community,
                 buttons=main_menu(turn))


async def _redeem(turn: Turn, code: str) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        try:
            membership = await invitations.redeem_invitation(
                session=session, code=code, person_id=turn.contact.person_id,
                clock=turn.ctx.clock,
            )
        except InvitationError as exc:
            error = exc
        else:
            error = None
            from dispatch.models import Unit

            unit = await session.get(Unit, membership.unit_id)
            unit_name = (unit.name_en if turn.lang == "en" and unit and unit.name_en
                         else unit.name if unit else "")
    if error is not None:
        turn.send(error.message(turn.lang))
        return
    turn.say("start.joined", role=t(f"role.{membership.role}", turn.lang), unit=unit_name)


async def help_command(turn: Turn, _: str = "") -> None:
    turn.say("help.text", buttons=main_menu(turn))


async def language_command(turn: Turn, rest: str = "") -> None:
    if rest in ("zh", "en"):
        await _set_language(turn, rest)
        return
    turn.say("lang.pick", buttons=[[Button("中文", "l:zh"), Button("English", "l:en")]])


async def on_language_press(turn: Turn, rest: str) -> None:
    if rest not in ("zh", "en"):
        turn.toast("press.invalid", alert=True)
        return
    await _set_language(turn, rest)


async def _set_language(turn: Turn, lang: str) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        await residents.set_language(session=session, person_id=turn.contact.person_id,
                                     language=lang)
    turn.lang = lang
    turn.update(lang=lang)
    turn.say("lang.set", buttons=main_menu(turn))


async def ask_community(turn: Turn, *, reason: str) -> None:
    async with turn.ctx.sessions() as session:
        streets = await residents.streets(session=session)
    buttons = [[Button(_name(s, turn.lang), f"c:st:{s.unit_id}")] for s in streets]
    turn.update(**{"await": "community"})
    turn.say(reason, buttons=pairs(buttons))
    turn.say("community.or_location")


async def on_press(turn: Turn, rest: str) -> None:
    kind, _, raw_id = rest.partition(":")
    if not is_id(raw_id):
        turn.toast("press.invalid", alert=True)
        return
    if kind == "st":
        async with turn.ctx.sessions() as session:
            options = await residents.communities(session=session, street_id=int(raw_id))
        if not options:
            turn.toast("press.invalid", alert=True)
            return
        buttons = [[Button(_name(c, turn.lang), f"c:cm:{c.unit_id}")] for c in options]
        turn.edit_pressed(t("community.pick", turn.lang), pairs(buttons))
    elif kind == "cm":
        await _choose(turn, int(raw_id))
    else:
        turn.toast("press.invalid", alert=True)


async def _choose(turn: Turn, unit_id: int, *, then_message: bool = False) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        unit = await residents.set_community(
            session=session, person_id=turn.contact.person_id, unit_id=unit_id
        )
        name = unit.name_en if turn.lang == "en" and unit.name_en else unit.name
    turn.contact = replace(turn.contact, community_id=unit_id, community_name=unit.name,
                           community_name_en=unit.name_en)
    if turn.state.get("await") == "community":
        turn.clear("await")
    turn.say("community.set", community=name)
    if not then_message:  # the message itself comes next: it is the next thing to do
        await _resume_report(turn)


async def _resume_report(turn: Turn) -> None:
    from bot.handlers import report

    draft = turn.state.get("draft")
    if draft and draft.pop("submit_after_community", False):
        await report.submit(turn, draft)
    elif not draft:
        turn.say("start.what_next", buttons=main_menu(turn))


async def typed_community(turn: Turn, text: str) -> bool:
    """The community typed by name. A message that names it and says more (a report written
    straight after /start) chooses the community and is then handled like any message: True
    only when nothing is left to handle."""
    async with turn.ctx.sessions() as session:
        choice = await residents.match_community(session=session, text=text)
    if choice is None:
        return False  # not a community name: treat it as an ordinary message
    await _choose(turn, choice.unit_id, then_message=choice.said_more)
    return not choice.said_more


async def location(turn: Turn) -> None:
    loc = turn.msg.location
    assert loc is not None
    if not (math.isfinite(loc.latitude) and math.isfinite(loc.longitude)
            and -90 <= loc.latitude <= 90 and -180 <= loc.longitude <= 180):
        turn.say("community.bad_location")
        return
    draft = turn.state.get("draft")
    if draft is not None:
        draft["lat"], draft["lon"] = loc.latitude, loc.longitude
        turn.update(draft=draft)
        if turn.state.get("await") == "place":
            turn.clear("await")
    if turn.contact.community_id is None or turn.state.get("await") == "community":
        async with turn.ctx.sessions() as session:
            choice = await residents.nearest_community(
                session=session, latitude=loc.latitude, longitude=loc.longitude
            )
        if choice is None:
            turn.say("community.too_far")
            return
        await _choose(turn, choice.unit_id)
        return
    if draft is not None:
        from bot.handlers import report

        turn.say("report.location_added")
        await report._card_and_question(turn, draft)
        return
    turn.say("community.location_ignored", buttons=main_menu(turn))
