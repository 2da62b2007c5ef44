"""What goes in and out of the chat: the outbox, pushed cards, the inbox of updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.store.db import Base, UtcDateTime


class OutboxMessage(Base):
    """A push written in the same transaction as the change it announces."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    available_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)


class PushCard(Base):
    """A card the bot delivered about a ticket, so it can be edited later ("claimed by …")."""

    __tablename__ = "push_cards"
    __table_args__ = (UniqueConstraint("outbox_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class InboundUpdate(Base):
    """One update from a channel, stored before it is acknowledged (the inbox).

    ``state``: new → answered (the handler's answer is stored) → done (the answer was shown).
    The payload and answer are cleared once done; the row stays a while as the dedupe record.
    """

    __tablename__ = "inbound_updates"
    __table_args__ = (
        UniqueConstraint("channel", "update_id"),
        # Only the rows not yet shown: a chat's open updates are found without reading its
        # done ones (kept ``inbox.keep_hours`` as the dedupe record). Queries must spell the
        # condition with the literal, as here, for the index to serve them.
        Index("ix_inbound_updates_open", "channel", "chat_key", "update_id",
              postgresql_where=text("state <> 'done'"), sqlite_where=text("state <> 'done'")),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[int] = mapped_column(BigInteger)
    chat_key: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), default="new")
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DraftReminder(Base):
    """A resident's unsubmitted draft, to be reminded of once (the draft itself lives in the
    conversation's state; this row is what the scheduler reads, so a restart loses nothing)."""

    __tablename__ = "draft_reminders"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           primary_key=True)
    draft_id: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # The push as the chat built it (its buttons carry the draft's nonce).
    notice: Mapped[dict[str, Any]] = mapped_column(JSON)


class PassDue(Base):
    """When a periodic pass every process runs (the watch: digest, hotspots, retention, the
    inbox's sweep) is next due. The process whose conditional update moves it on runs the pass;
    the others skip it (migration 0019)."""

    __tablename__ = "passes_due"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
