"""A person's own data (/mydata, /forgetme) and invitations issued from the chat (/invite)."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.conversation.callbacks import ForgetMe, KeepMe
from bot.core.i18n import t
from bot.core.messages import Document, Reply
from bot.core.turn import Turn
from dispatch.core.enums import Role
from dispatch.core.errors import PermissionDenied
from dispatch.org import invitations
from dispatch.org import tree as org
from dispatch.org.access import is_coordinator_over
from dispatch.privacy import personal as privacy
from dispatch.store.models import Unit

INVITABLE = {"grid_worker", "mediator", "volunteer", "responder", "coordinator"}


async def mydata_command(turn: Turn, _: str = "") -> None:
    async with turn.ctx.sessions() as session:
        data = await privacy.my_data(session=session, person_id=turn.contact.person_id)
    body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    turn.say("account.mydata", n=len(data.get("tickets", [])))
    turn.answer.replies.append(Reply(text="mydata.json", document=Document("mydata.json", body)))


async def forgetme_command(turn: Turn, _: str = "") -> None:
    turn.say("account.forget_ask", buttons=[[turn.button("account.forget_yes", ForgetMe()),
                                             turn.button("account.forget_no", KeepMe())]])


async def on_keep_press(turn: Turn, data: KeepMe) -> None:
    turn.edit_pressed(t("account.forget_kept", turn.lang))


async def on_forget_press(turn: Turn, data: ForgetMe) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        count = await privacy.forget(session=session, person_id=turn.contact.person_id)
    turn.clear(*list(turn.state))
    turn.edit_pressed(t("account.forgotten", turn.lang, n=count))


async def invite_command(turn: Turn, rest: str = "") -> None:
    """/invite ROLE [UNIT_CODE]: a one-time code into a unit the coordinator is over."""
    role, _, unit_code = rest.strip().partition(" ")
    units = [unit for r, unit in turn.contact.roles if r in ("coordinator", "admin")]
    if not units:
        turn.say("error.permission_denied")
        return
    if role not in INVITABLE:
        turn.say("account.invite_usage")
        return
    async with turn.ctx.sessions() as session, session.begin():
        unit = (await org.get_unit(session=session, code=unit_code.strip()) if unit_code.strip()
                else await session.get(Unit, units[0]))
        if unit is None or not await is_coordinator_over(
            session=session, person_id=turn.contact.person_id, unit_id=unit.id
        ):
            turn.say("error.permission_denied")
            return
        invitation = await invitations.create_invitation(
            session=session, role=Role(role), unit=unit, clock=turn.ctx.clock,
            expires_in=timedelta(days=7), created_by_id=turn.contact.person_id)
        code, name = invitation.code, unit.name
    turn.say("account.invite_code", code=code, role=t(f"role.{role}", turn.lang), unit=name)


async def revoke_command(turn: Turn, rest: str = "") -> None:
    if not any(r in ("coordinator", "admin") for r, _ in turn.contact.roles):
        turn.say("error.permission_denied")
        return
    try:
        async with turn.ctx.sessions() as session, session.begin():
            done = await invitations.revoke_invitation(session=session, code=rest.strip(),
                                                       clock=turn.ctx.clock,
                                                       actor=turn.contact.person_id)
    except PermissionDenied:
        turn.say("error.permission_denied")
        return
    turn.say("account.revoked" if done else "account.revoke_unknown", code=rest.strip())
