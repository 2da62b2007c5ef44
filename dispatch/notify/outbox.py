"""Pushes as outbox rows, written in the same transaction as the change they announce."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.store.models import OutboxMessage


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
    """`enqueue` for several (person, dedupe key) pairs at once: one look-up for the keys
    written before, one row for each new key; returns how many were added."""
    if not people:
        return 0
    keys = [key for _, key in people]
    written = set((await session.scalars(
        select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))
    )).all())
    now = clock()
    added = 0
    for person_id, key in people:
        if key in written:
            continue
        written.add(key)
        session.add(
            OutboxMessage(
                dedupe_key=key[:128], person_id=person_id, kind=kind,
                payload={**notice.payload(),
                         **({"chat_id": chat[0], "lang": chat[1]} if chat else {})},
                created_at=now, available_at=now, attempts=0,
            )
        )
        added += 1
    return added
