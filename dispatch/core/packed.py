"""Small typed records packed into short strings: ``prefix:field:field``.

Button data (``dispatch.core.buttons``) and the conversation's awaited input
(``bot.conversation.awaiting``) are both such records: a frozen dataclass per kind, its prefix
and typed fields declared once, one ``pack``/``unpack`` for all (in the spirit of aiogram's
``CallbackData``). What comes back from a client is never trusted: ``unpack`` accepts only the
exact shape of a registered kind and raises ``Malformed`` for anything else.

Field types a record may declare:
- ``int``: an id, ASCII digits, at most 9 of them (``str.isdigit`` accepts '²', which ``int``
  refuses, and longer numbers overflow the database's integer columns);
- a ``StrEnum``: one of its values; ``Annotated[SomeEnum, BY_POSITION]`` packs its position
  instead (shorter, for long values);
- ``Literal["a", "b"]``: one of those strings;
- ``str``: a short token, ``[A-Za-z0-9_-]{1,32}`` (draft and question nonces).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from dataclasses import fields
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Self, get_args, get_origin

SEP = ":"
_ID = re.compile(r"[0-9]{1,9}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,32}")


class Malformed(ValueError):
    """Data that is no registered record: forged, truncated, or from an older release."""


class ByPosition:
    """Marks an enum field packed as its position in the enum (``Annotated[E, BY_POSITION]``)."""


BY_POSITION = ByPosition()


class Packed:
    """Base of a family of records; each family (a direct subclass) keeps its own registry.

    A kind is declared as ``@dataclass(frozen=True) class Claim(Family, prefix="k:c")``.
    """

    prefix: ClassVar[str] = ""
    max_bytes: ClassVar[int | None] = None  # per family: Telegram's 64 bytes for buttons
    registry: ClassVar[dict[str, type[Packed]]]

    def __init_subclass__(cls, prefix: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if Packed in cls.__bases__:  # a family: its own registry
            cls.registry = {}
            return
        if not prefix or not all(_TOKEN.fullmatch(p) for p in prefix.split(SEP)):
            raise TypeError(f"{cls.__name__}: a prefix of one or two tokens is required")
        if prefix.count(SEP) > 1:
            raise TypeError(f"{cls.__name__}: a prefix has at most two parts")
        clash = [p for p in cls.registry
                 if p == prefix or p.split(SEP)[0] == prefix or prefix.split(SEP)[0] == p]
        if clash:  # a one-part prefix may not name a family of two-part ones, or unpack guesses
            raise TypeError(f"{cls.__name__}: prefix {prefix!r} clashes with {clash}")
        cls.prefix = prefix
        cls.registry[prefix] = cls

    def pack(self) -> str:
        parts = [self.prefix]
        for name, (encode, _) in _codecs(type(self)).items():
            parts.append(encode(getattr(self, name)))
        packed = SEP.join(parts)
        if self.max_bytes is not None and len(packed.encode()) > self.max_bytes:
            raise ValueError(f"{packed!r} is longer than {self.max_bytes} bytes")
        return packed

    @classmethod
    def unpack(cls, data: str) -> Self:
        """The record ``data`` packs, of this family (or this kind); ``Malformed`` otherwise."""
        if not isinstance(data, str) or (
            cls.max_bytes is not None and len(data.encode()) > cls.max_bytes
        ):
            raise Malformed("too long")
        parts = data.split(SEP)
        kind = cls.registry.get(SEP.join(parts[:2])) or cls.registry.get(parts[0])
        if kind is None or not issubclass(kind, cls):
            raise Malformed("unknown prefix")
        values = parts[kind.prefix.count(SEP) + 1:]
        codecs = _codecs(kind)
        if len(values) != len(codecs):
            raise Malformed(f"{kind.__name__} takes {len(codecs)} fields")
        decoded = {name: decode(raw) for (name, (_, decode)), raw in zip(codecs.items(), values,
                                                                            strict=True)}
        return kind(**decoded)  # type: ignore[return-value]

    @classmethod
    def kinds(cls) -> list[type[Self]]:
        """Every registered kind of this family (for routing tables, tests and fuzzing)."""
        return [k for k in cls.registry.values() if issubclass(k, cls)]

    @classmethod
    def field_types(cls) -> dict[str, Any]:
        """Each field's declared type (``Annotated`` kept), in order."""
        hints = typing.get_type_hints(cls, include_extras=True)
        return {f.name: hints[f.name] for f in fields(cls)}  # type: ignore[arg-type]


Encode = Callable[[Any], str]
Decode = Callable[[str], Any]


_CODECS: dict[type[Packed], dict[str, tuple[Encode, Decode]]] = {}


def _codecs(kind: type[Packed]) -> dict[str, tuple[Encode, Decode]]:
    """Each field's encoder and decoder, worked out from its type once per kind."""
    found = _CODECS.get(kind)
    if found is None:
        found = _CODECS[kind] = {name: _codec(kind, name, hint)
                                 for name, hint in kind.field_types().items()}
    return found


def _codec(kind: type[Packed], name: str, hint: Any) -> tuple[Encode, Decode]:
    by_position = False
    if get_origin(hint) is Annotated:
        hint, *extras = get_args(hint)
        by_position = BY_POSITION in extras
    if hint is int:
        return str, _decode_id
    if hint is str:
        return _encode_token, _decode_token
    if get_origin(hint) is Literal:
        return _choice(tuple(str(a) for a in get_args(hint)))
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return _positional(hint) if by_position else _enum(hint)
    raise TypeError(f"{kind.__name__}.{name}: no codec for {hint!r}")


def _decode_id(raw: str) -> int:
    if _ID.fullmatch(raw) is None:
        raise Malformed("not an id")
    return int(raw)


def _encode_token(value: str) -> str:
    if _TOKEN.fullmatch(value) is None:
        raise ValueError(f"{value!r} is not a token")
    return value


def _decode_token(raw: str) -> str:
    if _TOKEN.fullmatch(raw) is None:
        raise Malformed("not a token")
    return raw


def _choice(options: tuple[str, ...]) -> tuple[Encode, Decode]:
    def decode(raw: str) -> str:
        if raw not in options:
            raise Malformed("not one of the choices")
        return raw

    return str, decode


def _enum(enum: type[StrEnum]) -> tuple[Encode, Decode]:
    def decode(raw: str) -> StrEnum:
        try:
            return enum(raw)
        except ValueError:
            raise Malformed(f"not a {enum.__name__}") from None

    return lambda value: enum(value).value, decode


def _positional(enum: type[StrEnum]) -> tuple[Encode, Decode]:
    members = list(enum)

    def decode(raw: str) -> StrEnum:
        index = _decode_id(raw)
        if index >= len(members):
            raise Malformed(f"not a {enum.__name__}")
        return members[index]

    return lambda value: str(members.index(enum(value))), decode
