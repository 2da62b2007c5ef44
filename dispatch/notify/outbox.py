"""Pushes as outbox rows, written in the same transaction as the change they announce."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.store.models import OutboxMessage

# One statement a batch of pushes; the unique dedupe key turns a push written before away.
_ROWS = cast(Table, OutboxMessage.__table__)
_INSERTS = {
    name: dialect.insert(_ROWS).on_conflict_do_nothing(index_elements=["dedupe_key"])
    .returning(_ROWS.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


@dataclass(frozen=True)
class NoticeButton:
    key: str  # catalogue key of the label
    data: str  # callback data: ids only, never authority


@dataclass(frozen=True)
class Notice:
    """A message for one person, rendered in their language when it is delivered.

    Values in ``params`` are plain, or ``{"t": key}`` (translated), or ``{"when": iso}``
    (a local date and time).
    """

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    buttons: Sequence[Sequence[NoticeButton]] = ()
    photo_ids: Sequence[str] = ()
    # Remember the delivered message as this ticket's card of this kind (to edit it later)…
    card: tuple[int, str] | None = None
    # …or, instead of sending anew, edit every card of this ticket and kind the person holds.
    replace_cards: tuple[int, str] | None = None
    # …or, addressed to no one, edit every card about this ticket delivered before this row
    # (to anyone but `spare`, who acted) to say what happened, its buttons gone (retire.py).
    retire: int | None = None
    spare: int | None = None
    retire_kinds: Sequence[str] = ()  # only cards of these kinds (none named: every card)

    def payload(self) -> dict[str, Any]:
        data = asdict(self)
        data["buttons"] = [[asdict(b) for b in row] for row in self.buttons]
        data["photo_ids"] = list(self.photo_ids)
        data["retire_kinds"] = list(self.retire_kinds)
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Notice:
        return cls(
            key=data["key"],
            params=dict(data.get("params") or {}),
            buttons=[[NoticeButton(**b) for b in row] for row in data.get("buttons") or []],
            photo_ids=list(data.get("photo_ids") or []),
            card=tuple(data["card"]) if data.get("card") else None,  # type: ignore[arg-type]
            replace_cards=(
                tuple(data["replace_cards"])  # type: ignore[arg-type]
                if data.get("replace_cards") else None
            ),
            retire=data.get("retire"),
            spare=data.get("spare"),
            retire_kinds=tuple(data.get("retire_kinds") or ()),
        )


def tr(key: str) -> dict[str, str]:
    """A parameter translated in the recipient's language."""
    return {"t": key}


def at(moment: datetime | None) -> dict[str, str] | str:
    return {"when": moment.isoformat()} if moment else "-"


def by_day(moment: datetime | date | None) -> dict[str, str] | str:
    """A promised day, read without the time (「12月11日（周五）前」)."""
    return {"by_day": moment.isoformat()} if moment else "-"


async def enqueue(
    *,
    session: AsyncSession,
    person_id: int | None,
    notice: Notice,
    dedupe_key: str,
    clock: Callable[[], datetime],
    kind: str = "notice",
    chat: tuple[str, str] | None = None,
) -> bool:
    """Add one push unless the same dedupe key was written before; True when added.

    `chat` = (chat id, language) addresses a chat that is no person (the public board channel).
    """
    added = await enqueue_many(session=session, people=[(person_id, dedupe_key)],
                               notice=notice, clock=clock, kind=kind, chat=chat)
    return added == 1


async def enqueue_many(
    *,
    session: AsyncSession,
    people: Sequence[tuple[int | None, str]],
    notice: Notice,
    clock: Callable[[], datetime],
    kind: str = "notice",
    chat: tuple[str, str] | None = None,
) -> int:
    """`enqueue` for several (person, dedupe key) pairs at once, in one statement: a key
    written before (by this transaction or any other) is skipped by the unique index, not
    looked up first; returns how many were added.

    A session whose ``info`` holds an ``"outbox"`` dict (a scheduler step, whose keys are its
    own) keeps the rows there instead, and `write_held` writes them all in one statement
    before the commit; the count is then of keys new to the step."""
    if not people:
        return 0
    payload = {**notice.payload(), **({"chat_id": chat[0], "lang": chat[1]} if chat else {})}
    now = clock()
    rows: dict[str, dict[str, Any]] = {}
    for person_id, key in people:
        rows.setdefault(key[:128], {
            "dedupe_key": key[:128], "person_id": person_id, "kind": kind, "payload": payload,
            "created_at": now, "available_at": now, "attempts": 0})
    held: dict[str, dict[str, Any]] | None = session.info.get("outbox")
    if held is not None:
        new = [key for key in rows if key not in held]
        held.update((key, rows[key]) for key in new)
        return len(new)
    return await _insert(session, list(rows.values()))


async def write_held(session: AsyncSession) -> int:
    """Write the pushes the session held back (see `enqueue_many`), in the order they were
    made; returns how many were added."""
    held: dict[str, dict[str, Any]] | None = session.info.get("outbox")
    if not held:
        return 0
    session.info["outbox"] = {}
    return await _insert(session, list(held.values()))


async def _insert(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    added = await session.execute(_INSERTS[session.get_bind().dialect.name], rows)
    return len(added.all())
