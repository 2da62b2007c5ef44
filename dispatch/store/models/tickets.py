"""Tickets and their audit trail: units working them, followers, events, ratings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
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
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.store.db import Base, UtcDateTime
from dispatch.store.models.columns import EnumStr

# A ticket whose personal data retention has not removed yet (a purged one's `nlu` is exactly
# this JSON: dispatch.privacy.personal.PURGED).
UNPURGED = "(nlu IS NULL OR CAST(nlu AS TEXT) <> '{\"purged\": true}')"


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
        # Retention: the tickets not yet purged, by closing time. With every ticket past the
        # limit purged, the pass finds none at once instead of walking every ticket ever made
        # (0017). `privacy.purge` spells the condition as here (UNPURGED).
        Index("ix_tickets_closed_unpurged", "closed_at",
              postgresql_where=text(UNPURGED), sqlite_where=text(UNPURGED)),
        # The duplicate check: a community's recent tickets of one category (a busy community
        # holds tens of thousands of tickets over the years; the check reads three days).
        Index("ix_tickets_community_category_created", "community_id", "category",
              "created_at"),
        # The desk's table filtered by urgency or by the centre's list (0010); a list's page
        # is read from the partial index alone (what the page filters and sorts by).
        Index("ix_tickets_urgency_created", "urgency", "created_at"),
        Index("ix_tickets_listed", "list_type", "created_at",
              postgresql_include=["id", "unit_id", "community_id", "lead_unit_id", "status",
                                  "claim_due_at", "resolve_due_at"],
              postgresql_where=text("list_type IS NOT NULL"),
              sqlite_where=text("list_type IS NOT NULL")),
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
    __table_args__ = (
        UniqueConstraint("ticket_id", "person_id"),
        # `/my`: the tickets one person follows (migration 0011)
        Index("ix_ticket_followers_person_id", "person_id", "ticket_id"),
    )

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
        # serves every lookup by ticket alone). On PostgreSQL each carries the columns the
        # period's statements read, so a quarter is read from the indexes alone (0014).
        Index("ix_ticket_events_action_at", "action", "at",
              postgresql_include=["unit_id", "ticket_id", "id", "actor_id", "clock_at", "late",
                                  "from_unit_id"]),
        Index("ix_ticket_events_trail", "ticket_id", "action", "id",
              postgresql_include=["at"]),
        # A district's (or a street's) figures: only its units' events of the period, instead
        # of every district's events filtered afterwards.
        Index("ix_ticket_events_unit_action_at", "unit_id", "action", "at",
              postgresql_include=["ticket_id", "id", "actor_id", "clock_at", "late"]),
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
    # A claim's or a done's clock: when the ticket was last put to a unit before it (the
    # latest clock-start event's `at`, dispatch.core.lifecycle.CLOCK_STARTS), written with the
    # row so the average times read one row per claim instead of walking the trail.
    clock_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A claim's or a done's deadline kept: whether it came after the deadline in force as it
    # was made (the ticket's claim deadline for a claim, its resolve deadline for a done).
    # NULL on every other event (0015).
    late: Mapped[bool | None] = mapped_column(Boolean)
    # An escalation's or a whistle's source: the unit the ticket left, as its previous
    # arrival named it (a copy of that event's unit_id, hence no foreign key of its own), so
    # a unit's escalations are counted without a look-up along the trail (0015).
    from_unit_id: Mapped[int | None] = mapped_column(Integer)


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("ticket_id", "rater_kind", "round"),
        # A district's (a street's) satisfaction: its units' ratings of the period from the
        # index alone, not the city's read and filtered.
        Index("ix_ratings_unit_at", "unit_id", "at",
              postgresql_include=["rater_kind", "value", "ticket_id", "id"]),
    )

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
    # The done this rating answers: the ticket's latest done at or before the rating (the
    # 评单 register's 5-working-day check reads it instead of a look-up along the trail, 0016).
    # Empty on a rating of a ticket that was never done, and on rows written before 0016
    # that an import or a restored backup brings back: those are looked up.
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
