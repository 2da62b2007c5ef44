"""A stdin/stdout channel for developers: type lines; ``/press N`` presses button N."""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Callable
from typing import TextIO

from bot.channels.base import APOLOGY
from bot.core.messages import Answer, Button, ButtonPress, Handler, Incoming, Reply

CHANNEL = "console"


class ConsoleChannel:
    """One person in one chat; replies printed with their buttons numbered."""

    def __init__(
        self,
        handler: Handler,
        *,
        user_id: str = "console",
        first_name: str = "Developer",
        language_code: str | None = None,
        out: TextIO = sys.stdout,
    ) -> None:
        self.handler, self.out = handler, out
        self.user_id, self.first_name, self.language_code = user_id, first_name, language_code
        self._ids = itertools.count(1)
        self._buttons: list[tuple[int, Button]] = []  # (message id, button) as last shown

    async def send(self, chat_id: str, reply: Reply) -> int:
        """The Sender protocol: pushes are printed like replies."""
        return self._show(reply)

    async def feed(self, line: str) -> None:
        """Handle one typed line."""
        incoming = self._incoming(line.strip())
        if incoming is None:
            print("  (no such button)", file=self.out)
            return
        try:
            answer = await self.handler(incoming)
        except Exception as exc:
            print(f"  !! handler failed: {type(exc).__name__}", file=self.out)
            answer = Answer(replies=[Reply(text=APOLOGY)])
        if answer.toast:
            print(f"  ({answer.toast})", file=self.out)
        for reply in answer.replies:
            self._show(reply)

    async def run(self, readline: Callable[[], str] = sys.stdin.readline) -> None:
        """Read lines until end of input."""
        while line := await asyncio.to_thread(readline):
            if line.strip():
                await self.feed(line)

    def _incoming(self, line: str) -> Incoming | None:
        base = {
            "channel": CHANNEL,
            "user_id": self.user_id,
            "chat_id": self.user_id,
            "first_name": self.first_name,
            "language_code": self.language_code,
            "update_id": next(self._ids),
        }
        if not line.startswith("/press "):
            return Incoming(text=line, **base)  # type: ignore[arg-type]
        number = line.removeprefix("/press ").strip()
        if not number.isdigit() or not 1 <= int(number) <= len(self._buttons):
            return None
        message_id, button = self._buttons[int(number) - 1]
        press = ButtonPress(
            query_id=str(base["update_id"]), data=button.data, message_id=message_id
        )
        return Incoming(press=press, **base)  # type: ignore[arg-type]

    def _show(self, reply: Reply) -> int:
        message_id = reply.edit_message_id or next(self._ids)
        prefix = "  (edited) " if reply.edit_message_id else "  "
        if reply.preformatted:  # a terminal is monospace: every line indented alike, so the
            # columns of a table hold (a plain reply indents only its first line)
            text = "\n".join(f"  {line}" for line in reply.text.splitlines())
            print(f"  (edited)\n{text}" if reply.edit_message_id else text, file=self.out)
        else:
            print(f"{prefix}{reply.text}", file=self.out)
        if reply.photo_id:
            print(f"  [photo {reply.photo_id}]", file=self.out)
        if reply.document:
            print(f"  [file {reply.document.filename}]", file=self.out)
        if reply.request_location:
            print("  [share location: not available in the console]", file=self.out)
        if reply.request_contact:
            print("  [share phone: not available in the console]", file=self.out)
        flat = [b for row in reply.buttons for b in row]
        if flat:
            self._buttons = [(message_id, b) for b in flat]
            print(
                "  " + "  ".join(f"[{i}] {b.text}" for i, b in enumerate(flat, 1)), file=self.out
            )
        return message_id


async def run_console(handler: Handler) -> None:
    await ConsoleChannel(handler).run()
