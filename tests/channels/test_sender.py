"""The sender's pacing and retries on a fake clock, and the conversation gate around handlers."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.channels.base import APOLOGY
from bot.channels.conversations import Conversations
from bot.channels.sender import (
    DeliveryError,
    Rejected,
    RetryAfter,
    SendLimits,
    TelegramSender,
    TokenBucket,
    Transient,
    pieces_of,
)
from bot.core.messages import Answer, Button, ButtonPress, Document, Incoming, Reply


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class FakeTransport:
    """Records what was sent when; fails the first calls as told."""

    def __init__(self, clock: FakeTime, failures: list[Exception] | None = None) -> None:
        self.clock = clock
        self.failures = failures or []
        self.sent: list[tuple[float, int, str]] = []
        self.callbacks: list[tuple[str, str | None, bool]] = []
        self.calls = 0

    async def deliver(self, chat_id: int, reply: Reply) -> int:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((self.clock.now, chat_id, reply.text))
        return len(self.sent)

    async def answer_callback(self, query_id: str, text: str | None, alert: bool) -> None:
        self.callbacks.append((query_id, text, alert))

    async def set_commands(self, commands: list[tuple[str, str]], language: str | None) -> None:
        pass


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


def _sender(transport: FakeTransport, **limits: float) -> TelegramSender:
    clock = transport.clock
    return TelegramSender(transport, SendLimits(**limits), clock=clock, sleep=clock.sleep)


async def test_first_message_goes_at_once_and_the_next_waits_a_second(clock: FakeTime) -> None:
    transport = FakeTransport(clock)
    sender = _sender(transport)
    await sender.send("1", Reply("a"))
    await sender.send("2", Reply("c"))  # another chat: no wait
    await sender.send("1", Reply("b"))
    assert [(when - 1000.0, text) for when, _, text in transport.sent] == [
        (0.0, "a"),
        (0.0, "c"),
        (pytest.approx(1.0), "b"),
    ]


async def test_groups_are_spaced_to_twenty_a_minute(clock: FakeTime) -> None:
    transport = FakeTransport(clock)
    sender = _sender(transport)
    for text in "abc":
        await sender.send("-100", Reply(text))
    gaps = [b[0] - a[0] for a, b in zip(transport.sent, transport.sent[1:], strict=False)]
    assert gaps == [pytest.approx(3.0), pytest.approx(3.0)]


def test_bot_wide_bucket_queues_callers_past_the_burst(clock: FakeTime) -> None:
    bucket = TokenBucket(rate=10, capacity=5, clock=clock)
    assert [bucket.reserve() for _ in range(8)] == [0, 0, 0, 0, 0] + [
        pytest.approx(0.1),
        pytest.approx(0.2),
        pytest.approx(0.3),
    ]
    clock.now += 10  # refilled, but never above capacity
    assert [bucket.reserve() for _ in range(6)][-1] == pytest.approx(0.1)


async def test_429_waits_its_retry_after_and_sends_once(clock: FakeTime) -> None:
    transport = FakeTransport(clock, [RetryAfter(7)])
    sender = _sender(transport)
    assert await sender.send("1", Reply("a")) == 1
    assert [(when - 1000.0, text) for when, _, text in transport.sent] == [(7.0, "a")]


async def test_transient_failures_back_off_then_give_up(clock: FakeTime) -> None:
    transport = FakeTransport(clock, [Transient("500"), Transient("timeout")])
    sender = _sender(transport)
    await sender.send("1", Reply("a"))
    assert len(transport.sent) == 1
    assert transport.sent[0][0] - 1000.0 >= 0.5 + 1.0

    failing = FakeTransport(clock, [Transient("500")] * 10)
    with pytest.raises(DeliveryError):
        await _sender(failing, max_attempts=3).send("1", Reply("a"))
    assert failing.calls == 3


async def test_refusals_are_not_retried(clock: FakeTime) -> None:
    transport = FakeTransport(clock, [Rejected("Forbidden: bot was blocked by the user")])
    with pytest.raises(DeliveryError, match="blocked"):
        await _sender(transport).send("1", Reply("a"))
    assert transport.calls == 1


def test_long_replies_become_pieces_with_the_buttons_last() -> None:
    buttons = [[Button("OK", "ok")]]
    pieces = pieces_of(Reply("x" * 5000, buttons=buttons))
    assert [len(p.text) for p in pieces] == [4096, 904]
    assert (pieces[0].buttons, pieces[1].buttons) == ((), buttons)

    doc = Document("a.txt", b"a")
    pieces = pieces_of(Reply("y" * 2000, document=doc, buttons=buttons))
    assert (pieces[0].document, pieces[0].text, pieces[0].buttons) == (doc, "", ())
    assert (pieces[1].document, pieces[1].text, pieces[1].buttons) == (None, "y" * 2000, buttons)


def _incoming(update_id: int, text: str, chat: str = "9", press: ButtonPress | None = None):  # noqa: ANN202
    return Incoming(
        channel="telegram", user_id=chat, chat_id=chat, text=text, update_id=update_id, press=press
    )


async def test_conversations_dedupe_order_and_apologise(
    clock: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    transport = FakeTransport(clock)
    handled: list[str] = []

    async def handler(incoming: Incoming) -> Answer:
        if incoming.text and incoming.text.startswith("boom"):
            raise ValueError(f"cannot parse {incoming.text}")
        await asyncio.sleep(0.01 if incoming.text == "first" else 0)
        handled.append(incoming.text or "")
        return Answer(toast="ok").add(f"re {incoming.text}")

    conversations = Conversations(handler, _sender(transport))
    for update_id, text in [(1, "first"), (2, "second"), (1, "first"), (3, "boom 13800138000")]:
        incoming = _incoming(update_id, text)
        conversations.submit("9", update_id, lambda i=incoming: conversations.respond(i))
    with caplog.at_level(logging.INFO):
        await conversations.drain()

    assert handled == ["first", "second"]
    assert [text for _, _, text in transport.sent] == ["re first", "re second", APOLOGY]
    assert "ValueError" in caplog.text
    assert "13800138000" not in caplog.text
    assert "boom" not in caplog.text  # what the person wrote stays out of the log

    press = ButtonPress(query_id="q", data="d", message_id=1)
    await conversations.respond(_incoming(4, "", press=press))
    assert transport.callbacks == [("q", "ok", False)]
