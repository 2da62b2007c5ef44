"""Bot API methods that send, edit, delete and answer: the part that hits the limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from standin.errors import bad_request, too_many_requests
from standin.files import StoredFile
from standin.markup import buttons_of, check_reply_markup, inline_markup, keyboard_of
from standin.params import Params, Upload
from standin.state import ChatState, StandInState, StoredMessage
from standin.textfmt import MAX_CAPTION, parse_text

CHAT_ACTIONS = frozenset(
    {
        *("typing", "upload_photo", "record_video", "upload_video", "record_voice"),
        *("upload_voice", "upload_document", "choose_sticker", "find_location"),
        *("record_video_note", "upload_video_note"),
    }
)


@dataclass
class Call:
    state: StandInState
    token: str
    params: Params


def _target_chat(call: Call) -> ChatState:
    return call.state.chat_for_bot(call.params.integer("chat_id", required=True) or 0)


def _reply_target(call: Call, chat: ChatState) -> dict[str, Any] | None:
    reply = call.params.json("reply_parameters") or {}
    message_id = reply.get("message_id") or call.params.integer("reply_to_message_id")
    if not message_id:
        return None
    target = call.state.find_message(chat.chat["id"], int(message_id))
    if target is None:
        if reply.get("allow_sending_without_reply") or call.params.flag(
            "allow_sending_without_reply"
        ):
            return None
        raise bad_request("message to be replied not found")
    return {k: v for k, v in target.payload.items() if k != "reply_to_message"}


def _charge(state: StandInState, chat_id: int) -> None:
    retry_after = state.limiter.acquire(chat_id)
    if retry_after is not None:
        state.stats["rejected_429"] += 1
        raise too_many_requests(retry_after)


def _deliver(call: Call, content: dict[str, Any]) -> dict[str, Any]:
    """Checks shared by every send, then the message is stored and returned."""
    state = call.state
    markup = check_reply_markup(call.params.json("reply_markup"))
    chat = _target_chat(call)
    reply_to = _reply_target(call, chat)
    chat_id = chat.chat["id"]
    _charge(state, chat_id)
    message_id = state.next_message_id(chat_id)
    payload: dict[str, Any] = {
        "message_id": message_id,
        "from": state.bot_user(call.token),
        "chat": chat.chat,
        "date": state.now(),
        **content,
    }
    if reply_to:
        payload["reply_to_message"] = reply_to
    if inline := inline_markup(markup):
        payload["reply_markup"] = inline
    stored = chat.messages[message_id] = StoredMessage(chat_id, message_id, payload, True, markup)
    if (keyboard := keyboard_of(markup)) is not None:
        chat.keyboard = keyboard
    chat.action = None
    state.stats["sent"] += 1
    state.shown(stored)
    return payload


def _caption(call: Call) -> dict[str, Any]:
    caption, entities = parse_text(
        call.params.string("caption"), call.params.string("parse_mode"), limit=MAX_CAPTION
    )
    content: dict[str, Any] = {"caption": caption} if caption else {}
    if entities:
        content["caption_entities"] = entities
    return content


async def send_message(call: Call) -> dict[str, Any]:
    text, entities = parse_text(call.params.string("text"), call.params.string("parse_mode"))
    explicit = call.params.json("entities")
    content: dict[str, Any] = {"text": text}
    if entities or explicit:
        content["entities"] = entities or explicit
    return _deliver(call, content)


def _file_param(call: Call, name: str, folder: str) -> StoredFile:
    value = call.params.raw(name)
    if isinstance(value, Upload):
        mime = value.content_type
        if mime in (None, "application/octet-stream"):
            mime = None
        return call.state.files.add(
            value.data, folder=folder, file_name=value.file_name, mime_type=mime
        )
    if not value:
        raise bad_request(f"there is no {name} in the request")
    stored = call.state.files.get(str(value))
    if stored is None:
        # Offline: an HTTP URL cannot be fetched, exactly like an unknown file_id.
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


async def send_photo(call: Call) -> dict[str, Any]:
    content = _caption(call)
    photo = _file_param(call, "photo", "photos")
    if not photo.width:
        raise bad_request("IMAGE_PROCESS_FAILED")
    return _deliver(call, {"photo": [photo.as_photo_size()], **content})


async def send_document(call: Call) -> dict[str, Any]:
    content = _caption(call)
    document = _file_param(call, "document", "documents")
    return _deliver(call, {"document": document.as_document(), **content})


async def send_location(call: Call) -> dict[str, Any]:
    latitude, longitude = call.params.number("latitude"), call.params.number("longitude")
    if latitude is None or longitude is None:
        raise bad_request("wrong latitude or longitude specified")
    return _deliver(call, {"location": {"latitude": latitude, "longitude": longitude}})


def _editable(call: Call) -> StoredMessage:
    if call.params.string("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = _target_chat(call)
    message_id = call.params.integer("message_id", required=True) or 0
    message = call.state.find_message(chat.chat["id"], message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def _inline_only(call: Call) -> dict[str, Any] | None:
    markup = check_reply_markup(call.params.json("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return inline_markup(markup)


def _apply_edit(call: Call, message: StoredMessage, changes: dict[str, Any]) -> dict[str, Any]:
    current = message.payload
    if all(current.get(key) == value for key, value in changes.items()):
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    _charge(call.state, message.chat_id)
    message.history.append(
        {
            "text": current.get("text", current.get("caption")),
            "buttons": buttons_of(current.get("reply_markup")),
            "date": current.get("edit_date", current["date"]),
        }
    )
    for key, value in changes.items():
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
    current["edit_date"] = call.state.now()
    message.edited = True
    call.state.stats["edited"] += 1
    call.state.shown(message)
    return current


async def edit_message_text(call: Call) -> dict[str, Any]:
    text, entities = parse_text(call.params.string("text"), call.params.string("parse_mode"))
    markup = _inline_only(call)
    message = _editable(call)
    if "text" not in message.payload:
        raise bad_request("there is no text in the message to edit")
    kept = entities or call.params.json("entities") or None
    # Like Telegram, an edit without reply_markup drops the inline keyboard.
    changes = {"text": text, "entities": kept, "reply_markup": markup}
    return _apply_edit(call, message, changes)


async def edit_message_caption(call: Call) -> dict[str, Any]:
    content = _caption(call)
    markup = _inline_only(call)
    message = _editable(call)
    changes = {
        "caption": content.get("caption"),
        "caption_entities": content.get("caption_entities"),
        "reply_markup": markup,
    }
    return _apply_edit(call, message, changes)


async def edit_message_reply_markup(call: Call) -> dict[str, Any]:
    markup = _inline_only(call)
    message = _editable(call)
    return _apply_edit(call, message, {"reply_markup": markup})


async def delete_message(call: Call) -> bool:
    chat = _target_chat(call)
    message_id = call.params.integer("message_id", required=True) or 0
    message = call.state.find_message(chat.chat["id"], message_id)
    if message is None:
        raise bad_request("message to delete not found")
    message.deleted = True
    call.state.stats["deleted"] += 1
    call.state.shown(message)
    return True


async def send_chat_action(call: Call) -> bool:
    action = call.params.string("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat = _target_chat(call)
    chat.action = (action, call.state.config.wall_clock())
    call.state.stats["chat_actions"] += 1
    return True


async def answer_callback_query(call: Call) -> bool:
    state = call.state
    query = state.callbacks.get(call.params.string("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = call.params.string("text")
    if text and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    state.callback_answers.append(
        {
            "callback_query_id": query.query_id,
            "user_id": query.user_id,
            "chat_id": query.chat_id,
            "message_id": query.message_id,
            "data": query.data,
            "text": text,
            "show_alert": call.params.flag("show_alert"),
            "url": call.params.string("url"),
            "date": state.now(),
        }
    )
    state.stats["callback_answers"] += 1
    state.notify()
    return True


async def get_file(call: Call) -> dict[str, Any]:
    stored = call.state.files.get(call.params.string("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.as_file()


METHODS = {
    "sendmessage": send_message,
    "sendphoto": send_photo,
    "senddocument": send_document,
    "sendlocation": send_location,
    "editmessagetext": edit_message_text,
    "editmessagecaption": edit_message_caption,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "sendchataction": send_chat_action,
    "answercallbackquery": answer_callback_query,
    "getfile": get_file,
}
