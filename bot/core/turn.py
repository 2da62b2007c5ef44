"""One incoming message being answered: the person, their language, their state, the answer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.core.context import BotContext
from bot.core.i18n import t
from bot.core.messages import Answer, Button, Incoming, Reply, answer_from_json, answer_to_json
from bot.core.state import State, conversation_key
from dispatch.core.buttons import CallbackData
from dispatch.org.residents import Contact
from nlu import Parse


@dataclass
class Turn:
    ctx: BotContext
    msg: Incoming
    contact: Contact
    lang: str
    state: State
    answer: Answer = field(default_factory=Answer)
    dirty: bool = False
    _read: dict[str, Parse] = field(default_factory=dict, repr=False)

    async def read(self, text: str) -> Parse:
        """The model's reading of ``text`` (up to the message limit), off the event loop: the
        model's native code releases the GIL, so the other core helps and other chats are not
        held up. A text read once in this turn is not read again."""
        text = text[: self.ctx.max_text_chars]
        if text not in self._read:
            self._read[text] = await asyncio.to_thread(self.ctx.nlu.parse, text)
        return self._read[text]

    @property
    def key(self) -> str:
        return conversation_key(self.ctx.channel, self.msg.chat_id, self.msg.user_id)

    def say(self, key: str, buttons: Sequence[Sequence[Button]] = (), **params: Any) -> None:
        self.answer.replies.append(Reply(text=t(key, self.lang, **params), buttons=buttons))

    def send(self, text: str, buttons: Sequence[Sequence[Button]] = (), **kw: Any) -> None:
        self.answer.replies.append(Reply(text=text, buttons=buttons, **kw))

    def edit_pressed(self, text: str, buttons: Sequence[Sequence[Button]] = ()) -> None:
        """Edit the message whose button was pressed, or send anew when there is none."""
        message_id = self.msg.press.message_id if self.msg.press else None
        self.answer.replies.append(Reply(text=text, buttons=buttons, edit_message_id=message_id))

    def toast(self, key: str, alert: bool = False, **params: Any) -> None:
        self.answer.toast = t(key, self.lang, **params)
        self.answer.alert = alert

    def sent_id(self, name: str) -> int | None:
        """The id of the message shown earlier with ``Reply(remember=name)``, if known."""
        found = (self.state.get(SENT) or {}).get(name)
        return found if isinstance(found, int) else None

    def button(self, key: str, data: CallbackData, **params: Any) -> Button:
        return Button(t(key, self.lang, **params), data.pack())

    def update(self, **values: Any) -> None:
        self.state.update(values)
        self.dirty = True

    def clear(self, *names: str) -> None:
        for name in names:
            self.state.pop(name, None)
        self.dirty = True

    @property
    def community(self) -> str | None:
        """The person's community, named in their language."""
        if self.lang == "en" and self.contact.community_name_en:
            return self.contact.community_name_en
        return self.contact.community_name

    async def save(self) -> None:
        if not self.dirty:
            return
        self.answer.recomputable = False  # it changed the state: its answer is the record
        self.state.pop(ANSWERED, None)
        # Kept with the state it produced: when the process dies before the inbox has stored
        # the answer, the update is handled again and gets this answer back (see `replayed`)
        # instead of changing the state a second time (a report's text added twice).
        if self.msg.update_id is not None and not any(r.document for r in self.answer.replies):
            self.state[ANSWERED] = {"update": self.msg.update_id,
                                    "answer": answer_to_json(self.answer)}
        await self.ctx.state.set(self.key, self.state, self.ctx.state_ttl_s)


# The state's note of messages whose ids a handler asked to learn (Reply.remember): {name: id},
# the newest few only.
SENT = "sent"
SENT_KEPT = 4


async def note_sent(ctx: BotContext, key: str, name: str, message_id: int) -> None:
    """Called by the channel once a remembered reply is shown: its id goes into the state.
    The chat's updates are handled one at a time, so nothing else writes this state now."""
    state = await ctx.state.get(key) or {}
    sent = state.get(SENT)
    kept = {k: v for k, v in sent.items() if k != name} if isinstance(sent, dict) else {}
    kept[name] = message_id
    state[SENT] = dict(list(kept.items())[-SENT_KEPT:])
    await ctx.state.set(key, state, ctx.state_ttl_s)


# The state's note of the last update that changed it, and that update's answer. Answers
# carrying a file (spreadsheet exports) change no state and are not kept: they would bloat it.
ANSWERED = "answered"


def replayed(msg: Incoming, state: State) -> Answer | None:
    """The answer already given to this very update, when it changed the state before."""
    kept = state.get(ANSWERED)
    if msg.update_id is None or not isinstance(kept, dict) or kept.get("update") != msg.update_id:
        return None
    return answer_from_json(kept["answer"])


def pairs(rows: list[list[Button]]) -> list[list[Button]]:
    """One button per row → two per row: long lists stay short on a phone."""
    flat = [b for row in rows for b in row]
    return [flat[i : i + 2] for i in range(0, len(flat), 2)]
