"""SQLAlchemy models: the organisation, people, tickets and their audit trail, the outbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.store.db import Base, UtcDateTime

# Enum values are stored as short strings: portable across SQLite and PostgreSQL and cheap to
# extend without an ALTER TYPE migration.
Code = String(64)
EnumStr = String(32)


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(Code, unique=True)
    name: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(EnumStr, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    phone: Mapped[str | None] = mapped_column(String(32))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], lazy="raise")


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    phone: Mapped[str | None] = mapped_column(String(32))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ChatIdentity(Base):
    __tablename__ = "chat_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    username: Mapped[str | None] = mapped_column(String(64))


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("person_id", "unit_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(EnumStr)
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # The deadline scheduler: open tickets by status whose clock ran out.
        Index("ix_tickets_status_claim_due_at", "status", "claim_due_at"),
        Index("ix_tickets_status_resolve_due_at", "status", "resolve_due_at"),
        # The public board: tickets closed without a done (resolved_at says when the others
        # were handled). Queries must spell the condition as here for the index to serve them.
        Index("ix_tickets_closed_unresolved", "closed_at",
              postgresql_where=text("resolved_at IS NULL"),
              sqlite_where=text("resolved_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(EnumStr, default="report")
    category: Mapped[str] = mapped_column(EnumStr, index=True)
    urgency: Mapped[str] = mapped_column(EnumStr)
    text: Mapped[str] = mapped_column(Text)
    place_text: Mapped[str | None] = mapped_column(String(512))
    # When a help request needs the help, in the person's words (「明天上午」).
    help_time: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    list_type: Mapped[str | None] = mapped_column(EnumStr)
    expected_date: Mapped[date | None] = mapped_column(Date)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(EnumStr, index=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    understanding_reason: Mapped[str | None] = mapped_column(Text)
    claim_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    resolve_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    rating_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    nlu: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The community that blew the whistle: it rates the unit that answered (报到).
    whistled_by_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # Deadline bookkeeping: each fired reminder/escalation bumps the stage in one conditional
    # UPDATE, so two schedulers never fire the same step twice.
    remind_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    deadline_stage: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    service_minutes: Mapped[int | None] = mapped_column(Integer)
    # The inbound message that created the ticket: a redelivered update finds it, never a twin.
    source_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    # The public board (公示): only once the community or street approved it, with a summary
    # written or approved by them; the resident's own words never reach the board.
    board_summary: Mapped[str | None] = mapped_column(Text)
    board_approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    board_approved_by_id: Mapped[int | None] = mapped_column(Integer)


class TicketUnit(Base):
    """Units beside the current one: the lead unit and the co-units that assist."""

    __tablename__ = "ticket_units"
    __table_args__ = (UniqueConstraint("ticket_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(EnumStr)  # lead | assist


class TicketFollower(Base):
    __tablename__ = "ticket_followers"
    __table_args__ = (UniqueConstraint("ticket_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))


class TicketEvent(Base):
    """The audit trail and the source of every statistic."""

    __tablename__ = "ticket_events"
    __table_args__ = (
        # Statistics: a period's events by action; a ticket's trail by action (this one also
        # serves every lookup by ticket alone).
        Index("ix_ticket_events_action_at", "action", "at"),
        Index("ix_ticket_events_trail", "ticket_id", "action", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(EnumStr)
    from_status: Mapped[str | None] = mapped_column(EnumStr)
    to_status: Mapped[str] = mapped_column(EnumStr)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("ticket_id", "rater_kind", "round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    rater_kind: Mapped[str] = mapped_column(EnumStr)
    rater_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    value: Mapped[str] = mapped_column(EnumStr)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(EnumStr)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


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


class DeskToken(Base):
    """A one-time sign-in link for the web desk, minted by `/desk` in the chat.

    Only the SHA-256 of the token is stored: a copy of the table signs nobody in.
    """

    __tablename__ = "desk_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DeskSession(Base):
    """A signed-in browser: the cookie's hash, when it was last used, when it must end."""

    __tablename__ = "desk_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           index=True)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DeskAudit(Base):
    """Who did or looked at what on the desk: every action and every view of personal data."""

    __tablename__ = "desk_audit"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"),
                                                  index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    action: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    # What was done, never the personal data itself (the ticket holds that, the log points).
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


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
