"""A preformatted reply (the scorecard's table) stays a monospace block wherever it goes."""

from __future__ import annotations

import io

from bot.channels.console import ConsoleChannel
from bot.channels.sender import pieces_of
from bot.core.messages import (
    Answer,
    Incoming,
    Reply,
    answer_from_json,
    answer_to_json,
    pre_entities,
)

TABLE = "#   单位      得分\n1   吴航街道  75.0\n2   Hangcheng 50.0"


def test_one_pre_entity_counts_utf16_units() -> None:
    assert pre_entities(Reply(text="表 🚨")) is None  # not preformatted: no entity
    # 🚨 is two UTF-16 units: Telegram's offsets and lengths count those, not characters.
    assert pre_entities(Reply(text="表 🚨", preformatted=True)) == [
        {"type": "pre", "offset": 0, "length": 4}]


def test_a_stored_answer_keeps_its_monospace() -> None:
    answer = Answer(replies=[Reply(text=TABLE, preformatted=True), Reply(text="plain")])
    again = answer_from_json(answer_to_json(answer))
    assert [r.preformatted for r in again.replies] == [True, False]
    # Answers stored before the flag existed read as plain text.
    old = answer_to_json(answer)
    del old["replies"][0]["preformatted"]
    assert answer_from_json(old).replies[0].preformatted is False


def test_a_long_table_is_monospace_in_every_piece() -> None:
    long = "\n".join(f"{n:>4} 吴航街道 {'-' * 60}" for n in range(200))
    pieces = pieces_of(Reply(text=long, preformatted=True))
    assert len(pieces) > 1
    assert all(p.preformatted for p in pieces)


async def test_the_console_indents_every_line_alike() -> None:
    async def handler(incoming: Incoming) -> Answer:
        return Answer(replies=[Reply(text=TABLE, preformatted=True)])

    out = io.StringIO()
    await ConsoleChannel(handler, out=out).feed("/scorecard")
    assert out.getvalue().splitlines() == [f"  {line}" for line in TABLE.splitlines()]
