"""SQLAlchemy models: the organisation, people, tickets and their audit trail, the outbox, the
inbox and the desk. One module per part; importing this package registers every table on
`Base.metadata` (migrations, the schema test and the privacy scan read all of them)."""

from __future__ import annotations

from dispatch.store.models.delivery import (
    DraftReminder,
    InboundUpdate,
    OutboxMessage,
    PassDue,
    PushCard,
)
from dispatch.store.models.desk import DeskAudit, DeskSession, DeskToken
from dispatch.store.models.org import (
    ChatIdentity,
    Invitation,
    Membership,
    OrgMark,
    Person,
    Unit,
)
from dispatch.store.models.tickets import Rating, Ticket, TicketEvent, TicketFollower, TicketUnit

__all__ = [
    "ChatIdentity", "DeskAudit", "DeskSession", "DeskToken", "DraftReminder", "InboundUpdate",
    "Invitation", "Membership", "OrgMark", "OutboxMessage", "PassDue", "Person", "PushCard",
    "Rating", "Ticket", "TicketEvent",
    "TicketFollower", "TicketUnit", "Unit",
]
