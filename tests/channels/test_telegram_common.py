"""Telegram JSON → Incoming, on the shapes Telegram sends."""

from __future__ import annotations

from typing import Any

from bot.channels.telegram_common import chat_key, incoming_from_update, split_text
from bot.core.messages import ButtonPress, Location


def _message(**content: Any) -> dict[str, Any]:
    return {
        "update_id": 77,
        "message": {
            "message_id": 5,
            "date": 1,
            "chat": {"id": 42, "type": "private", "first_name": "Li"},
            "from": {"id": 42, "is_bot": False, "first_name": "Li", "language_code": "zh-hans"},
            **content,
        },
    }


def test_text_message() -> None:
    incoming = incoming_from_update(_message(text="路灯坏了"))
    assert incoming is not None
    assert (incoming.channel, incoming.user_id, incoming.chat_id) == ("telegram", "42", "42")
    assert (incoming.text, incoming.first_name, incoming.language_code) == (
        "路灯坏了",
        "Li",
        "zh-hans",
    )
    assert (incoming.message_id, incoming.update_id, incoming.is_private) == (5, 77, True)
    assert incoming.dedupe_key == "telegram:77"


def test_photo_takes_the_largest_size_and_the_caption() -> None:
    sizes = [
        {"file_id": "small", "width": 90, "height": 60},
        {"file_id": "big", "width": 1280, "height": 960},
        {"file_id": "mid", "width": 320, "height": 240},
    ]
    incoming = incoming_from_update(_message(photo=sizes, caption="积水"))
    assert incoming is not None
    assert (incoming.photo_ids, incoming.text, incoming.media) == (("big",), "积水", None)


def test_location_reply_and_group_chat() -> None:
    update = _message(
        location={"latitude": 25.96, "longitude": 119.52}, reply_to_message={"message_id": 3}
    )
    update["message"]["chat"] = {"id": -100, "type": "supergroup", "title": "网格"}
    incoming = incoming_from_update(update)
    assert incoming is not None
    assert incoming.location == Location(25.96, 119.52)
    assert (incoming.reply_to_message_id, incoming.is_private, incoming.chat_id) == (
        3,
        False,
        "-100",
    )
    assert chat_key(update) == "-100"


def test_a_reply_carries_the_text_of_the_bot_message_it_answers() -> None:
    card = {"message_id": 7, "from": {"id": 1, "is_bot": True}, "text": "🔔 新工单 CL-2026-000001"}
    incoming = incoming_from_update(_message(text="接单", reply_to_message=card))
    assert incoming is not None
    assert (incoming.reply_to_message_id, incoming.reply_to_bot_text) == (7, card["text"])
    # A person's message replied to is not the bot's word: its text is not taken.
    other = dict(card, **{"from": {"id": 5, "is_bot": False}})
    incoming = incoming_from_update(_message(text="接单", reply_to_message=other))
    assert incoming is not None
    assert (incoming.reply_to_message_id, incoming.reply_to_bot_text) == (7, None)


def test_media_kinds_we_cannot_read() -> None:
    for kind in ("voice", "audio", "sticker", "video", "video_note", "document", "contact"):
        incoming = incoming_from_update(_message(**{kind: {"file_id": "x"}}))
        assert incoming is not None
        assert incoming.media == kind
    gif = incoming_from_update(_message(animation={"file_id": "a"}, document={"file_id": "a"}))
    assert gif is not None
    assert gif.media == "animation"


def test_callback_query_is_a_press_on_the_bot_message() -> None:
    update = {
        "update_id": 78,
        "callback_query": {
            "id": "q1",
            "from": {"id": 42, "is_bot": False, "first_name": "Li", "language_code": "en"},
            "message": {"message_id": 9, "date": 1, "chat": {"id": 42, "type": "private"}},
            "chat_instance": "c",
            "data": "claim:17",
        },
    }
    incoming = incoming_from_update(update)
    assert incoming is not None
    assert incoming.press == ButtonPress(query_id="q1", data="claim:17", message_id=9)
    assert (incoming.chat_id, incoming.language_code, incoming.text) == ("42", "en", None)
    assert chat_key(update) == "42"


def test_other_updates_are_not_ours() -> None:
    assert incoming_from_update({"update_id": 1, "edited_message": {"message_id": 1}}) is None
    assert chat_key({"update_id": 1, "poll": {}}) == "update:1"


def test_split_text_cuts_at_line_ends_within_the_limit() -> None:
    text = "\n".join(f"line {i:04d}" for i in range(1000))
    pieces = split_text(text, limit=4096)
    assert all(len(p) <= 4096 for p in pieces)
    assert "\n".join(pieces) == text
    assert split_text("x" * 5000, limit=4096) == ["x" * 4096, "x" * 904]
