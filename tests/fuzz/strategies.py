"""Hypothesis strategies for hostile input: texts, incoming messages, raw Telegram updates."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args, get_origin

from hypothesis import strategies as st

from bot.channels.telegram_common import MEDIA_KINDS
from bot.conversation.table import COMMANDS, STEPS
from bot.core.messages import ButtonPress, Incoming, Location
from dispatch.core.buttons import CallbackData
from dispatch.core.packed import Packed

RESIDENTS = ("1001", "1002")
STAFF = ("2001", "3001", "3002", "4001", "5001", "5002")
# Ids no persona has: a first contact, a huge one, and what str(None) gives a missing "from".
STRANGERS = ("7", "424242", "-100200300", "9223372036854775807", "None")

# Words the domain knows, so generated texts reach the report, consult, status and emergency
# branches rather than stopping at "not understood".
PHRASES = (
    "路灯坏了", "西关社区郑和路12号", "楼道里好大一股煤气味", "救命！着火了", "垃圾好几天没人清理",
    "楼上装修太吵了", "怎么办居住证", "谢谢", "你好", "取消", "我的工单进度", "CL-2026-000001",
    "the street light is broken", "hello", "thanks", "接单", "#1", "#999999999", "明天下午3点",
    "13800138000", "2026-12-20", "12月20日", "2小时", "sanitation", "阳光花园", "吴航街道",
)
PAYLOADS = (
    "'; DROP TABLE tickets; --", "\" OR 1=1 --", "<script>alert(1)</script>", "<b>x</b>&amp;",
    "{{7*7}}", "${jndi:ldap://x}", "%s%n%x", "../../etc/passwd", "\\x00", "NaN", "null", "[]",
    "\u202e\u200b\ufeff", "\u0000\u0001\u001f\u007f", "Ｕ＋ＦＦ０１", "ﷺ", "\u0301" * 5,
)
EMOJI = ("😀", "🔥", "👨‍👩‍👧‍👦", "🇨🇳", "🏳️‍🌈", "❤️", "🆘", "🚒", "1️⃣")

cjk = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=40)
rtl = st.text(st.characters(min_codepoint=0x0590, max_codepoint=0x06FF) | st.sampled_from(
    ("\u200f", "\u202b", "\u202e", " ")), max_size=40)
controls = st.text(st.characters(codec="utf-8", categories=("Cc", "Cf", "Zs", "Zl", "Zp")),
                   max_size=20)
binaryish = st.binary(max_size=200).map(lambda b: b.decode("utf-8", errors="replace")) | (
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
piece = st.one_of(
    st.text(max_size=60),  # any code point except surrogates, controls included
    st.sampled_from(PHRASES), st.sampled_from(PAYLOADS), st.sampled_from(EMOJI),
    cjk, rtl, controls, binaryish,
)
mixed = st.lists(piece, max_size=5).map("".join)


@st.composite
def long_texts(draw: st.DrawFn) -> str:
    """Up to 20k characters, built by repetition (hypothesis cannot draw that many cheaply)."""
    unit = draw(mixed.filter(bool))
    size = draw(st.integers(1_000, 20_000))
    head = draw(st.sampled_from(("", *PHRASES)))
    return (head + unit * (size // len(unit) + 1))[:size]


def texts() -> st.SearchStrategy[str]:
    return st.one_of(mixed, long_texts(), st.sampled_from(PHRASES))


def commands() -> st.SearchStrategy[str]:
    made_up = st.text("abcdefghijklmnopqrstuvwxyz_", max_size=12).map("/{}".format)
    name = st.sampled_from(sorted(COMMANDS)) | made_up
    suffix = st.sampled_from(("", "@shaosheng_bot", "@other_bot", "@"))
    args = st.sampled_from(("", " ", " zh", " en", " on", " off", " CL-2026-000001", " 1", " #2",
                            " 99999999999999999999", " ²", " abc")) | mixed.map(" {}".format)
    return st.builds(lambda n, s, a: n + s + a, name, suffix, args)


def unknown_commands() -> st.SearchStrategy[str]:
    word = st.text("abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=20)
    return word.map("/{}".format).filter(lambda c: c.lower() not in COMMANDS).flatmap(
        lambda c: st.sampled_from(("", " x", "@shaosheng_bot")).map(lambda s: c + s))


def blank_texts() -> st.SearchStrategy[str | None]:
    return st.none() | st.text(st.sampled_from(" \t\n\r\u3000\u00a0\u2003\u200b"), max_size=30)


# Words that fill a button's text fields, so forged values reach each press handler rather
# than stopping at "not valid" ("@draft" becomes the sender's open draft: tests/fuzz/district).
WORDS = ("ok", "okw", "cats", "place", "time", "photo", "x", "zh", "en", "report", "help", "ask",
         "my", "fb", "sat", "bas", "uns", "not", "duplicate", "outside", "not_actionable",
         "noise", "other", "neighbor_help", "@draft", "", ":", "1")
# Ticket and unit ids: the seeded ones, ones nobody has, ones SQLite or PostgreSQL cannot store,
# and digit strings str.isdigit() accepts but int() refuses ("²").
IDS = st.one_of(
    st.integers(0, 12).map(str), st.integers(13, 10**12).map(str),
    st.sampled_from(("999999", "2147483648", "9223372036854775808", "1" * 40, "-1", "0x1",
                     "1.0", " 1", "１", "١", "²", "³", "⑴", "", "abc", "1:2")),
)
KINDS = CallbackData.kinds()  # every button kind the codec knows: the fuzzed shapes follow it


def _field(hint: Any) -> st.SearchStrategy[str]:
    """Values for one field of a button: well-formed ones for its type, and forged ones."""
    by_position = get_origin(hint) is Annotated
    if by_position:
        hint = get_args(hint)[0]
    if hint is int:
        return IDS
    if get_origin(hint) is Literal:
        return st.sampled_from(get_args(hint)) | st.sampled_from(WORDS)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        valid = st.integers(0, len(hint) + 1).map(str) if by_position else st.sampled_from(
            [m.value for m in hint])
        return valid | st.sampled_from(WORDS) | IDS
    return st.sampled_from(WORDS) | st.text(max_size=8)


def _shape(kind: type[CallbackData]) -> st.SearchStrategy[str]:
    parts = [st.just(kind.prefix), *(_field(h) for h in kind.field_types().values())]
    return st.tuples(*parts).map(":".join)


def _valid(kind: type[Packed]) -> st.SearchStrategy[str]:
    """A well-formed record of the kind: it reaches its handler with typed values."""
    def value(hint: Any) -> st.SearchStrategy[Any]:
        hint = get_args(hint)[0] if get_origin(hint) is Annotated else hint
        if hint is int:
            return st.integers(0, 12)
        if get_origin(hint) is Literal:
            return st.sampled_from(get_args(hint))
        if isinstance(hint, type) and issubclass(hint, StrEnum):
            return st.sampled_from(list(hint))
        return st.sampled_from(("draft", "0123456789", "nodraft"))
    fields = {name: value(hint) for name, hint in kind.field_types().items()}
    return st.builds(kind, **fields).map(lambda data: data.pack())


def press_data() -> st.SearchStrategy[str]:
    """Callback data as a bad client may send it: Telegram passes it through unchecked."""
    kinds = st.sampled_from(KINDS)
    families = sorted({k.prefix.split(":")[0] for k in KINDS})
    prefix = st.sampled_from([k.prefix for k in KINDS] + families) | st.sampled_from(
        ("", "zz", "K", " k", "r "))
    part = st.sampled_from(WORDS) | IDS | st.text(max_size=8)
    loose = st.builds(lambda p, parts: ":".join([p, *parts]), prefix,
                      st.lists(part, min_size=0, max_size=4))
    examples = st.sampled_from(("k:c:999999", "x:l:1:2", "v:h:abc", "w:yes:1", "", ":", "::",
                                "r:ok:@draft", "r:okw:@draft", "r:cats:@draft", "t:1", "o:1"))
    long = st.builds(lambda p, n: p + "9" * n, st.sampled_from(("k:c:", "t:", "x:l:1:", "")),
                     st.integers(60, 5000))
    return st.one_of(kinds.flatmap(_shape), kinds.flatmap(_shape), kinds.flatmap(_valid), loose,
                     examples, long, st.text(max_size=100))


def awaited_states() -> st.SearchStrategy[str]:
    """A question left open, of every kind the conversation table declares (and some no
    release knows): whatever comes next lands where an answer is read."""
    kinds = st.sampled_from(sorted(STEPS, key=lambda kind: kind.prefix))
    unknown = st.sampled_from(("note:abc", "note:", "zz", "rate_comment:1:bogus", "place:1",
                               "merge:99999999999"))
    return st.one_of(kinds.flatmap(_valid), kinds.flatmap(_valid), unknown)


coordinates = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    (0.0, -0.0, 90.0, -90.0, 180.0, -180.0, 91.0, 25.96, 119.52, 1e308, -1e308))


def _contents() -> st.SearchStrategy[dict[str, Any]]:
    """What a message carries; the last kind mixes everything, as no channel would."""
    def of(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries(fields)

    photos = st.lists(st.text(max_size=80), min_size=1, max_size=3).map(tuple)
    press = st.builds(ButtonPress, query_id=st.text(max_size=20), data=press_data(),
                      message_id=st.none() | st.integers(-(2**31), 2**31))
    text, press_kind = of(text=texts()), of(press=press)
    return st.one_of(
        text, text, of(text=commands() | unknown_commands()), of(text=blank_texts()),
        of(photo_ids=photos, text=st.none() | texts()),
        of(location=st.builds(Location, coordinates, coordinates)),
        of(media=st.sampled_from(MEDIA_KINDS) | st.text(max_size=10), text=blank_texts()),
        press_kind, press_kind,
        of(text=st.none() | texts(), photo_ids=photos | st.just(()),
           location=st.none() | st.builds(Location, coordinates, coordinates),
           media=st.none() | st.sampled_from(MEDIA_KINDS)),
    )


@st.composite
def incomings(draw: st.DrawFn, users: st.SearchStrategy[str]) -> Incoming:
    """One message or button press, as any channel could hand it to the handler."""
    user = draw(users)
    private = draw(st.sampled_from((True, True, True, False)))
    languages = st.sampled_from(("zh", "en", "zh-hans", "en-US", "ru", "")) | st.text(max_size=12)
    return Incoming(
        channel="telegram", user_id=user,
        chat_id=user if private else draw(st.sampled_from(("-1001", "-42", user))),
        first_name=draw(st.text(max_size=64)),
        language_code=draw(st.none() | languages),
        reply_to_message_id=draw(st.none() | st.integers(-(2**31), 2**31)),
        message_id=draw(st.none() | st.integers(1, 2**31)),
        update_id=draw(st.none() | st.integers(0, 2**31)),
        is_private=private,
        **draw(_contents()),
    )


@st.composite
def conversations(draw: st.DrawFn) -> list[Incoming]:
    """A few messages in a row, mostly from one person, so junk also lands mid-conversation
    (a draft open, a prompt waiting) and presses can name that person's own draft."""
    everyone = st.sampled_from((*RESIDENTS, *STAFF, *STRANGERS))
    main = draw(everyone)
    return draw(st.lists(incomings(st.just(main) | everyone), min_size=1, max_size=3))


# Raw Telegram updates: the keys Telegram uses, holding the right types or junk.
KEYS = ("update_id", "message", "edited_message", "callback_query", "chat", "from", "id", "type",
        "text", "caption", "location", "latitude", "longitude", "photo", "file_id", "width",
        "height", "file_size", "reply_to_message", "message_id", "data", "first_name",
        "language_code", "is_bot", "date", *MEDIA_KINDS)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5),
    max_leaves=20,
)


def _shaped(required: dict[str, st.SearchStrategy[Any]],
            optional: dict[str, st.SearchStrategy[Any]] | None = None,
            *, junk: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Telegram's required and optional fields; with junk, any may be missing or of any type."""
    optional = optional or {}
    if not junk:
        return st.fixed_dictionaries(required, optional=optional)
    every = {k: v | json_values for k, v in {**required, **optional}.items()}
    return st.fixed_dictionaries({}, optional=every)


def telegram_updates(junk: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Updates as the Bot API documents them; junk=True lets any field be missing or odd."""
    ids = st.integers(-(2**63), 2**63 - 1)
    text = st.text(max_size=50)
    user = _shaped({"id": ids, "is_bot": st.booleans(), "first_name": text},
                   {"language_code": st.sampled_from(("zh-hans", "en", "ru")) | text}, junk=junk)
    chat = _shaped({"id": ids, "type": st.sampled_from(("private", "group", "supergroup",
                                                        "channel"))}, junk=junk)
    size = _shaped({"file_id": text, "file_unique_id": text, "width": st.integers(0, 10**4),
                    "height": st.integers(0, 10**4)}, {"file_size": st.integers(0, 10**8)},
                   junk=junk)
    location = _shaped({"latitude": st.floats(-90, 90), "longitude": st.floats(-180, 180)},
                       junk=junk)
    media = {kind: _shaped({"file_id": text}, junk=junk) for kind in MEDIA_KINDS}
    required = {"message_id": ids, "date": st.integers(0, 2**31), "chat": chat}
    message = _shaped(required, {
        "from": user, "text": text, "caption": text, "location": location,
        "photo": st.lists(size, min_size=1, max_size=3),
        "reply_to_message": _shaped(required, junk=junk), **media,
    }, junk=junk)
    query = _shaped({"id": text, "from": user, "chat_instance": text},
                    {"message": message, "data": text}, junk=junk)
    return st.one_of(
        _shaped({"update_id": ids}, {"message": message}, junk=junk),
        _shaped({"update_id": ids}, {"callback_query": query}, junk=junk),
        _shaped({"update_id": ids}, {"edited_message": message}, junk=junk),
    )


def junk_updates() -> st.SearchStrategy[dict[str, Any]]:
    loose = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), json_values, max_size=6)
    return st.one_of(telegram_updates(junk=True), loose)


def webhook_bodies() -> st.SearchStrategy[bytes]:
    """What may be posted to the webhook by someone holding the secret."""
    def dumped(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, allow_nan=True).encode()

    numbered = st.builds(lambda u, i: {**u, "update_id": i}, junk_updates(), st.integers(0, 2**40))
    return st.one_of(
        st.binary(max_size=300), json_values.map(dumped), junk_updates().map(dumped),
        numbered.map(dumped), telegram_updates(junk=False).map(dumped),
        telegram_updates(junk=False).map(dumped),
        st.integers(5_000, 20_000).map(lambda n: b'{"update_id": 1, "x": "' + b"y" * n + b'"}'),
    )


def _message_update(update_id: Any, text: Any, **extra: Any) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": 1, "date": 1_700_000_000, "chat": {"id": 78, "type": "private"},
        "from": {"id": 78, "is_bot": False, "first_name": "Fuzz"}, "text": text, **extra}}


@st.composite
def _deep(draw: st.DrawFn) -> bytes:
    """Nesting deep enough to exhaust a recursive parser, inside an otherwise real update."""
    depth = draw(st.sampled_from((33, 200, 1_500, 20_000, 200_000)))
    opener, closer = draw(st.sampled_from(((b"[", b"]"), (b'{"a":', b"}"))))
    where = draw(st.sampled_from(("top", "field")))
    nested = opener * depth + b"1" + closer * depth
    if where == "top":
        return nested
    head = json.dumps(_message_update(draw(st.integers(1, 2**40)), "x"))[:-1].encode()
    return head + b', "extra": ' + nested + b"}"


def hostile_bodies() -> st.SearchStrategy[bytes]:
    """JSON Telegram never sends and a parser or PostgreSQL chokes on: deep, huge, 10^30 ids,
    NaN/Infinity, NUL and lone surrogates, text that is a number or a list."""
    def raw(update: dict[str, Any]) -> bytes:
        return json.dumps(update, allow_nan=True).encode()  # ensure_ascii: \\ud800 stays escaped

    ids = st.one_of(st.integers(2**63, 10**40), st.integers(-(10**30), -1),
                    st.sampled_from((10**30, 1e30, float("inf"), float("nan"), True, "1", None)))
    bad_numbers = st.sampled_from((float("inf"), float("-inf"), float("nan"), 1e308, 10**30))
    texts_that_are_not = st.one_of(st.integers(), st.floats(), st.lists(st.integers(),
                                   max_size=3), st.dictionaries(st.text(max_size=3), st.none()))
    storable = st.integers(1, 2**40)
    return st.one_of(
        _deep(),
        st.builds(lambda i: raw(_message_update(i, "hi")), ids),
        st.builds(lambda i, a, b: raw(_message_update(i, "在这", location={
            "latitude": a, "longitude": b})), storable, bad_numbers, bad_numbers),
        st.builds(lambda i, t: raw(_message_update(i, t)), storable, texts_that_are_not),
        st.builds(lambda i, t: raw(_message_update(i, t)), storable, st.sampled_from((
            "路灯\x00坏了", "\x00", "a\ud800b", "\udfff", "\x1b[31m红\x7f\x85", "x\u0000" * 50))),
        st.integers(5_000, 20_000).map(
            lambda n: raw(_message_update(5, "y" * n))),  # over the body limit
    )
