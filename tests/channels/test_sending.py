"""The sender against the stand-in's real limits: bursts queue instead of failing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.channels.base import TelegramRuntime
from bot.core.messages import Answer, Document, Incoming, Reply
from standin.server import run_standin
from tests.channels.conftest import Harness, runtime_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def mode() -> str:
    return "polling"


async def _send_all(runtime: TelegramRuntime, plan: list[tuple[int, str]]) -> None:
    # Tasks start in creation order, so each chat's sends are asked for in plan order.
    tasks = [asyncio.create_task(runtime.sender.send(str(c), Reply(text=t))) for c, t in plan]
    await asyncio.gather(*tasks)


async def test_burst_to_many_chats_stays_within_limits(running: Harness) -> None:
    await running.post("/_test/config", {"strict_chats": False})
    chats = list(range(1001, 1021))
    plan = [(chat, f"{chat}-{i}") for i in range(3) for chat in chats]
    plan += [(2001, f"solo-{i}") for i in range(10)]
    await _send_all(running.runtime, plan)  # type: ignore[arg-type]

    for chat in chats:
        assert [m["text"] for m in await running.messages(chat)] == [
            f"{chat}-{i}" for i in range(3)
        ]
    assert [m["text"] for m in await running.messages(2001)] == [f"solo-{i}" for i in range(10)]
    stats = await running.get("/_test/stats")
    assert stats["rejected_429"] == 0
    assert stats["sent"] == 70


@pytest.fixture
async def faulty(kind: str) -> AsyncIterator[Harness]:
    """A stand-in that answers some sends with 429 and some with 500, and a bot on it."""
    config = {"fault_429": 0.25, "fault_500": 0.15, "fault_seed": 11, "strict_chats": False}
    async with run_standin(**config) as standin, aiohttp.ClientSession() as session:
        harness = Harness(standin, session)
        runtime = runtime_for(harness, kind, "polling")
        await runtime.start()
        harness.runtime = runtime
        yield harness
        await runtime.stop()


async def test_injected_faults_still_deliver_everything_once(faulty: Harness) -> None:
    plan = [(chat, f"{chat}-{i}") for i in range(3) for chat in range(3001, 3005)]
    await _send_all(faulty.runtime, plan)  # type: ignore[arg-type]

    for chat in range(3001, 3005):
        assert [m["text"] for m in await faulty.messages(chat)] == [
            f"{chat}-{i}" for i in range(3)
        ]
    stats = await faulty.get("/_test/stats")
    assert stats["faults_429"] > 0
    assert stats["faults_500"] > 0
    assert stats["sent"] == 12


async def test_photo_document_location_and_not_modified_edit(running: Harness) -> None:
    await running.say(4001, "hi")
    await running.wait_messages(4001, lambda ms: len(ms) == 1)
    await running.say(4002, photo=True)  # a user's photo: its file_id is the bot's to reuse
    await running.wait_messages(4002, lambda ms: len(ms) == 1)
    file_id = next(i for i in running.seen if i.photo_ids).photo_ids[0]
    sender = running.runtime.sender  # type: ignore[union-attr]

    await sender.send("4001", Reply(text="your photo", photo_id=file_id))
    doc = Document(filename="report.csv", content=b"a,b\n1,2\n")
    await sender.send("4001", Reply(text="the report", document=doc))
    await sender.send("4001", Reply(text="where?", request_location=True))
    first = (await running.messages(4001))[0]
    same = Reply(text=first["text"], edit_message_id=first["message_id"], buttons=[[]])
    edited = await sender.send("4001", same)
    assert edited == first["message_id"]  # "message is not modified" is no failure

    shown = await running.messages(4001)
    assert (shown[1]["text"], shown[1]["photo"], shown[1]["file_id"]) == (
        "your photo",
        True,
        file_id,
    )
    assert shown[2]["document"]["file_name"] == "report.csv"
    assert shown[2]["text"] == "the report"
    assert shown[3]["text"] == "where?"
    [[button]] = shown[3]["reply_keyboard"]
    assert button["request_location"] is True


async def test_each_chat_is_handled_in_order_and_stop_finishes_work(
    harness: Harness, kind: str
) -> None:
    delays = {"slow": 0.6, "mid": 0.3, "fast": 0.0}
    finished: list[str] = []

    async def slow_echo(incoming: Incoming) -> Answer:
        await asyncio.sleep(delays.get(incoming.text or "", 0))
        finished.append(incoming.text or "")
        return Answer().add(f"done {incoming.text}")

    runtime = runtime_for(harness, kind, "polling", harness.handler(slow_echo))
    await runtime.start()
    for text in ("slow", "mid", "fast"):
        await harness.say(5001, text)
    await harness.say(5002, "fast")
    await harness.wait_for(lambda: _all_received(harness))
    await runtime.stop()  # graceful: what was received is still answered

    assert finished[:1] == ["fast"]  # the other chat did not wait behind 5001
    assert finished[1:] == ["slow", "mid", "fast"]
    texts = [m["text"] for m in await harness.messages(5001)]
    assert texts == ["done slow", "done mid", "done fast"]


async def _all_received(harness: Harness) -> bool:
    """The bot has taken every update off the stand-in and started on at least one."""
    return bool(harness.seen) and (await harness.get("/_test/stats"))["pending_updates"] == 0
