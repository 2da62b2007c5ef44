"""The scheme's rules as config.yml sets them (sections of `shaosheng.settings.Settings`):
ticket numbers, emergencies, time limits, working days, ratings, the lists, routing, the
coordinators' digest and draft reminders. The rest of Settings is where things run."""

from __future__ import annotations

from datetime import date, time

from pydantic import BaseModel, Field, field_validator

from dispatch.core.enums import Role
from dispatch.core.routing import DEFAULT_DEPARTMENTS
from dispatch.core.workdays import parse_limit


class TicketSettings(BaseModel):
    number_prefix: str = Field("CL", pattern=r"^[A-Z]{1,6}$")


class EmergencySettings(BaseModel):
    # For this long after an emergency ticket, the reporter's next text, shared location or
    # shared contact is added to it (the place, the phone), not read as a new message.
    followup_minutes: int = Field(30, ge=1, le=24 * 60)


class LimitPair(BaseModel):
    claim: str
    resolve: str

    @field_validator("claim", "resolve")
    @classmethod
    def _check(cls, value: str) -> str:
        parse_limit(value)  # raises ValueError with a readable message
        return value.strip()


def default_limits() -> dict[str, LimitPair]:
    return {
        "critical": LimitPair(claim="10m", resolve="end_of_day"),
        "high": LimitPair(claim="1h", resolve="1wd"),
        "normal": LimitPair(claim="1wd", resolve="5wd"),
        "low": LimitPair(claim="3wd", resolve="10wd"),
    }


class WorkingDaySettings(BaseModel):
    """Overrides for years the official calendar has not published yet (and corrections)."""

    extra_holidays: list[date] = []
    extra_workdays: list[date] = []
    # Working-day limits end when the office closes; a clock started outside these hours
    # starts at the next opening.
    office_hours: str = Field("08:30-17:30", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")

    @field_validator("office_hours")
    @classmethod
    def _opens_before_closing(cls, value: str) -> str:
        opens, closes = (time.fromisoformat(part) for part in value.split("-"))
        if opens >= closes:
            raise ValueError("office_hours: opening must come before closing (HH:MM-HH:MM)")
        return value

    def hours(self) -> tuple[time, time]:
        opens, closes = self.office_hours.split("-")
        return time.fromisoformat(opens), time.fromisoformat(closes)


class RatingSettings(BaseModel):
    window_working_days: int = Field(5, ge=1, le=30)


class ListSettings(BaseModel):
    """The centre's lists: a phased (阶段性) item's lead unit is reminded this many days before
    each milestone and before the expected date."""

    phased_remind_days: int = Field(3, ge=0, le=60)


class RoutingSettings(BaseModel):
    """Who is offered what: roles per category in the community, lead-unit suggestions."""

    community_roles: dict[str, list[Role]] = {"dispute": [Role.MEDIATOR, Role.GRID_WORKER]}
    default_community_roles: list[Role] = [Role.GRID_WORKER, Role.RESPONDER]
    departments: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_DEPARTMENTS.items()}
    )
    help_roles: list[Role] = [Role.VOLUNTEER]
    verify_roles: list[Role] = [Role.GRID_WORKER]
    unit_roles: list[Role] = [Role.RESPONDER]
    coordinator_roles: list[Role] = [Role.COORDINATOR]


class CoordinationSettings(BaseModel):
    digest_at: str = Field("08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class DraftSettings(BaseModel):
    # A report or help request not submitted this long after it began is reminded of once
    # (0: never).
    remind_minutes: int = Field(10, ge=0, le=24 * 60)
