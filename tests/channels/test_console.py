"""The developer console: lines in, numbered buttons out, /press N presses."""

from __future__ import annotations

import io

from bot.channels.console import ConsoleChannel
from bot.core.messages import Answer, Button, Incoming, Reply


async def test_type_then_press() -> None:
    seen: list[Incoming] = []

    async def handler(incoming: Incoming) -> Answer:
        seen.append(incoming)
        if incoming.press:
            edit = Reply(
                text=f"chose {incoming.press.data}", edit_message_id=incoming.press.message_id
            )
            return Answer(replies=[edit], toast="saved")
        return Answer().add(
            "Submit?", buttons=[[Button("Submit", "submit"), Button("Cancel", "no")]]
        )

    out = io.StringIO()
    console = ConsoleChannel(handler, out=out)
    await console.feed("路灯坏了")
    await console.feed("/press 1")
    await console.feed("/press 9")
    text = out.getvalue()
    assert "[1] Submit  [2] Cancel" in text
    assert "(saved)" in text
    assert "(edited) chose submit" in text
    assert "(no such button)" in text
    assert seen[0].text == "路灯坏了"
    assert seen[0].channel == "console"
    assert seen[1].press is not None
    assert seen[1].press.data == "submit"
