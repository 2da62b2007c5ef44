"""The closed vocabularies of the domain."""

from enum import StrEnum


class UnitKind(StrEnum):
    DISTRICT = "district"
    CENTRE = "centre"
    STREET = "street"
    TOWN = "town"
    TOWNSHIP = "township"
    COMMUNITY = "community"
    VILLAGE = "village"
    ESTATE = "estate"
    BUILDING = "building"
    GRID = "grid"
    DEPARTMENT = "department"


# Kinds that play the "street/township" rung of the escalation ladder.
STREET_KINDS = frozenset({UnitKind.STREET, UnitKind.TOWN, UnitKind.TOWNSHIP})
COMMUNITY_KINDS = frozenset({UnitKind.COMMUNITY, UnitKind.VILLAGE})


class Role(StrEnum):
    RESIDENT = "resident"
    GRID_WORKER = "grid_worker"
    MEDIATOR = "mediator"
    VOLUNTEER = "volunteer"
    RESPONDER = "responder"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Category(StrEnum):
    SANITATION = "sanitation"
    MUNICIPAL = "municipal"
    UTILITIES = "utilities"
    PROPERTY = "property"
    NOISE = "noise"
    DISPUTE = "dispute"
    SECURITY = "security"
    FIRE_SAFETY = "fire_safety"
    TRAFFIC = "traffic"
    CONSTRUCTION = "construction"
    GREENERY = "greenery"
    SOCIAL_SERVICES = "social_services"
    NEIGHBOR_HELP = "neighbor_help"
    OTHER = "other"


class Urgency(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class TicketKind(StrEnum):
    REPORT = "report"
    HELP_REQUEST = "help_request"
    CONSULT = "consult"


class Status(StrEnum):
    NEW = "new"
    VERIFIED = "verified"
    DISPATCHED = "dispatched"
    ESCALATED = "escalated"
    CLAIMED = "claimed"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"
    UNDERSTANDING = "understanding"
    MERGED = "merged"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ListType(StrEnum):
    IMMEDIATE = "immediate"
    PHASED = "phased"
    UNDERSTANDING = "understanding"


class RatingValue(StrEnum):
    SATISFIED = "satisfied"
    BASIC = "basically_satisfied"
    UNSATISFIED = "unsatisfied"
    NOT_RATED = "not_rated"


class RaterKind(StrEnum):
    REPORTER = "reporter"
    COMMUNITY = "community"


class RejectReason(StrEnum):
    """Why a community turns a new ticket away (the reporter is told which)."""

    DUPLICATE = "duplicate"
    OUTSIDE = "outside"
    NOT_ACTIONABLE = "not_actionable"
