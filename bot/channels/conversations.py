"""Between a runtime and the handler: each update once, one at a time per chat, never silence."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.channels.base import APOLOGY
from bot.channels.keyed import KeyedLocks
from bot.channels.sender import DeliveryError, Rejected, TelegramSender
from bot.core.messages import Answer, Handler, Incoming, Reply

log = logging.getLogger(__name__)


class RecentIds:
    """The last ``size`` update ids seen: a cheap first line against redelivery."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[int, None] = OrderedDict()
        self._size = size

    def add(self, update_id: int) -> bool:
        """Remember ``update_id``; False when it was already there."""
        if update_id in self._ids:
            self._ids.move_to_end(update_id)
            return False
        self._ids[update_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True


class Conversations:
    def __init__(self, handler: Handler, sender: TelegramSender) -> None:
        self.handler = handler
        self.sender = sender
        self._recent = RecentIds()
        self._chats = KeyedLocks()
        self._tasks: set[asyncio.Task[None]] = set()

    async def serve(
        self, key: str, update_id: int | None, work: Callable[[], Awaitable[object]]
    ) -> None:
        """Run ``work`` for one update after the earlier updates of the same chat.

        Nothing suspends before the chat's lock is asked for, so updates of one chat are
        handled in the order serve() was called.
        """
        if update_id is not None and not self._recent.add(update_id):
            log.info("update %s seen before; skipped", update_id)
            return
        async with self._chats.hold(key):
            await work()

    def submit(
        self, key: str, update_id: int | None, work: Callable[[], Awaitable[object]]
    ) -> None:
        """serve() in a task of its own, remembered so stop() can wait for it."""
        task = asyncio.create_task(self.serve(key, update_id, work))
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("update processing failed: %s", type(task.exception()).__name__)

    async def drain(self) -> None:
        """Wait for every submitted update to be handled."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def respond(self, incoming: Incoming) -> None:
        """Ask the handler, then show its answer."""
        await self.show(incoming, await self._answer(incoming))

    async def show(self, incoming: Incoming, answer: Answer) -> None:
        """The toast on the pressed button first, then the replies in order."""
        if incoming.press is not None:
            try:
                await self.sender.answer_callback(
                    incoming.press.query_id, answer.toast, answer.alert
                )
            except DeliveryError as exc:  # an expired query: the replies still matter
                log.warning("callback answer for update %s failed: %s", incoming.update_id, exc)
        for reply in answer.replies:
            try:
                message_id = await self._send(reply.chat_id or incoming.chat_id, reply)
            except DeliveryError as exc:
                log.warning("reply for update %s not delivered: %s", incoming.update_id, exc)
                continue
            if reply.remember is not None and answer.sent is not None:
                await answer.sent(reply.remember, message_id)

    async def _send(self, chat_id: str, reply: Reply) -> int:
        """A remembered card whose edit is refused (deleted, too old to edit) is sent anew."""
        try:
            return await self.sender.send(chat_id, reply)
        except DeliveryError as exc:
            if reply.remember is None or reply.edit_message_id is None \
                    or not isinstance(exc.__cause__, Rejected):
                raise
            return await self.sender.send(chat_id, replace(reply, edit_message_id=None))

    async def _answer(self, incoming: Incoming) -> Answer:
        try:
            return await self.handler(incoming)
        except Exception as exc:
            # Frames only: an exception's message may quote what the person wrote.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error(
                "handler failed on update %s: %s\n%s",
                incoming.update_id,
                type(exc).__name__,
                frames,
            )
            return Answer(replies=[Reply(text=APOLOGY)])
