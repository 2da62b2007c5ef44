"""The fuzzed properties as plain checks: the tests and bench/fuzz.py run the same ones."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from bot.channels.telegram_common import chat_key, incoming_from_update
from bot.conversation.table import COMMANDS
from bot.core.messages import Answer, Button, Incoming, Reply
from nlu import Parse, Parser
from nlu.schema import CATEGORIES, EMERGENCY_KINDS, INTENTS, URGENCIES
from tests.fuzz.district import Step
from tests.fuzz.door import MAX_BODY, Door
from tests.fuzz.strategies import STAFF

MAX_TEXT = 4096  # Telegram's limits: message text, callback data bytes, callback answer
MAX_DATA_BYTES = 64
MAX_TOAST = 200
ENTITIES = ("place", "phone", "time")


def check_parse(parser: Parser, text: str) -> None:
    result = parser.parse(text)
    assert isinstance(result, Parse)
    # Entity offsets must point into what the resident wrote: cleaning keeps the length.
    assert len(result.text) == len(text), (len(result.text), len(text))
    assert result.intent.name in INTENTS
    assert result.intent_ranking[0] == result.intent
    assert all(label.name in INTENTS for label in result.intent_ranking)
    assert result.category is None or result.category.name in CATEGORIES
    assert all(label.name in CATEGORIES for label in result.category_ranking)
    assert result.urgency is None or result.urgency.name in URGENCIES
    assert result.emergency is None or result.emergency in EMERGENCY_KINDS
    assert result.language in ("zh", "en")
    optional = [label for label in (result.category, result.urgency) if label is not None]
    for label in [result.intent, *result.intent_ranking, *result.category_ranking, *optional]:
        assert 0.0 <= label.confidence <= 1.0, label  # False for NaN too
    for entity in result.entities:
        assert entity.entity in ENTITIES, entity
        assert 0 <= entity.start < entity.end <= len(result.text), entity
        assert isinstance(entity.value, str), entity
        assert entity.value.strip(), entity
    json.dumps(result.to_dict(), allow_nan=False)


def check_update(update: Mapping[str, Any]) -> None:
    """Junk in, Incoming or None out; the chat key is a str either way."""
    incoming = incoming_from_update(update)
    assert incoming is None or isinstance(incoming, Incoming)
    assert isinstance(chat_key(update), str)


def check_typed_update(update: Mapping[str, Any]) -> None:
    """On Telegram's own shapes (keys may be missing) the Incoming is typed as declared."""
    check_update(update)
    incoming = incoming_from_update(update)
    if incoming is None:
        return
    assert isinstance(incoming.user_id, str)
    assert isinstance(incoming.chat_id, str)
    assert isinstance(incoming.first_name, str)
    assert incoming.text is None or isinstance(incoming.text, str)
    assert all(isinstance(p, str) for p in incoming.photo_ids)
    if incoming.location is not None:
        assert all(math.isfinite(v) for v in (incoming.location.latitude,
                                              incoming.location.longitude))
    if incoming.press is not None:
        assert isinstance(incoming.press.data, str)
        assert isinstance(incoming.press.query_id, str)


def check_webhook(door: Door, body: bytes) -> None:
    """With the right secret, junk gets a 4xx and an update a 2xx; never a 5xx."""
    status = door.post(body)
    assert status < 500, f"{status} for {body[:200]!r}"
    if not _looks_like_update(body):
        assert status in (400, 413), f"{status} for {body[:200]!r}"


def check_hostile(status: int, body: bytes, max_body: int = MAX_BODY) -> None:
    """Deep, huge or unstorable JSON: a 400 or 413 (or a 200 once cleaned), never a 5xx that
    Telegram would answer by delivering the same body again for ever."""
    assert status in (200, 400, 413), f"{status} for {body[:200]!r}"
    if len(body) > max_body:
        assert status == 413, f"{status} for an oversized body"


def _looks_like_update(body: bytes) -> bool:
    try:
        value = json.loads(body)
    except ValueError:
        return False
    return len(body) <= MAX_BODY and isinstance(value, dict) and isinstance(
        value.get("update_id"), int)


def check_conversation(steps: list[Step]) -> None:
    for step in steps:
        check_answer(step.answer)
        if step.msg.user_id not in STAFF and step.msg.press is not None:
            _check_nothing_forged(step)
        if is_invalid(step.msg):
            created = sorted(set(step.after) - set(step.before))
            assert not created, f"invalid message created tickets {created}"
            assert step.after == step.before, "invalid message changed a ticket"


def check_nothing_forged(steps: list[Step]) -> None:
    """Nothing a non-staff person sends (press, text or photo) changes another's ticket."""
    for step in steps:
        if step.msg.user_id not in STAFF:
            _check_nothing_forged(step)


def check_answer(answer: Answer) -> None:
    assert isinstance(answer, Answer)
    assert answer.toast is None or 0 < len(answer.toast) <= MAX_TOAST, answer.toast
    for reply in answer.replies:
        _check_reply(reply)


def _check_reply(reply: Reply) -> None:
    assert isinstance(reply.text, str), reply
    assert reply.text.strip() or reply.photo_id or reply.document, reply
    assert len(reply.text) <= MAX_TEXT, f"reply of {len(reply.text)} characters"
    for row in reply.buttons:
        for button in row:
            _check_button(button)


def _check_button(button: Button) -> None:
    assert isinstance(button.text, str), button
    assert button.text.strip(), button
    assert 0 < len(button.data.encode()) <= MAX_DATA_BYTES, button


def _check_nothing_forged(step: Step) -> None:
    """A resident's message may change their own tickets, never anyone else's."""
    for ticket_id, row in step.before.items():
        if row.reporter_id == step.person_id:
            continue
        after = step.after[ticket_id]
        assert after == row, f"{step.msg.press} changed ticket {ticket_id}: {row} -> {after}"


def is_invalid(msg: Incoming) -> bool:
    """Nothing to act on: no press, place, photo or media, and blank text or an unknown command."""
    if msg.press or msg.location or msg.photo_ids or msg.media:
        return False
    text = (msg.text or "").strip()
    command = text.partition(" ")[0].split("@")[0].lower()
    return not text or (text.startswith("/") and command not in COMMANDS)
