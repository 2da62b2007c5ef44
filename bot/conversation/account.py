"""A person's own data (/mydata, /forgetme) and invitations issued from the chat (/invite)."""

from __future__ import annotations

import json

from bot.conversation.callbacks import ForgetMe, KeepMe
from bot.core.i18n import t
from bot.core.messages import Document, Reply
from bot.core.turn import Turn
from dispatch.core.enums import Role
from dispatch.core.errors import PermissionDenied
from dispatch.org import accounts

INVITABLE = {"grid_worker", "mediator", "volunteer", "responder", "coordinator"}


async def mydata_command(turn: Turn, _: str = "") -> None:
    data = await accounts.my_data(sessions=turn.ctx.sessions, person_id=turn.contact.person_id)
    body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    turn.say("account.mydata", n=len(data.get("tickets", [])))
    turn.answer.replies.append(Reply(text="mydata.json", document=Document("mydata.json", body)))


async def forgetme_command(turn: Turn, _: str = "") -> None:
    turn.say("account.forget_ask", buttons=[[turn.button("account.forget_yes", ForgetMe()),
                                             turn.button("account.forget_no", KeepMe())]])


async def on_keep_press(turn: Turn, data: KeepMe) -> None:
    turn.edit_pressed(t("account.forget_kept", turn.lang))


async def on_forget_press(turn: Turn, data: ForgetMe) -> None:
    count = await accounts.forget_me(sessions=turn.ctx.sessions, person_id=turn.contact.person_id)
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
    try:
        placed = await accounts.invite(
            sessions=turn.ctx.sessions, role=Role(role), unit_code=unit_code.strip(),
            fallback_unit_id=units[0], person_id=turn.contact.person_id, clock=turn.ctx.clock)
    except PermissionDenied:
        turn.say("error.permission_denied")
        return
    turn.say("account.invite_code", code=placed.code, role=t(f"role.{role}", turn.lang),
             unit=placed.unit_name)


async def revoke_command(turn: Turn, rest: str = "") -> None:
    if not any(r in ("coordinator", "admin") for r, _ in turn.contact.roles):
        turn.say("error.permission_denied")
        return
    try:
        done = await accounts.revoke(sessions=turn.ctx.sessions, code=rest.strip(),
                                     person_id=turn.contact.person_id, clock=turn.ctx.clock)
    except PermissionDenied:
        turn.say("error.permission_denied")
        return
    turn.say("account.revoked" if done else "account.revoke_unknown", code=rest.strip())
