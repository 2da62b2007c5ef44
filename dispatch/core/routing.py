"""Routing rules as data: who acts first, who is offered the ticket, which departments fit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dispatch.core.enums import Role

DEFAULT_COMMUNITY_ROLES = (Role.GRID_WORKER, Role.RESPONDER)
DEFAULT_DEPARTMENTS: dict[str, list[str]] = {
    "sanitation": ["dept-urban"],
    "municipal": ["dept-urban", "dept-housing"],
    "utilities": ["dept-water", "dept-power", "dept-gas"],
    "property": ["dept-housing"],
    "noise": ["dept-urban", "dept-police"],
    "dispute": ["dept-civil"],
    "security": ["dept-police"],
    "fire_safety": ["dept-fire"],
    "traffic": ["dept-transport", "dept-police"],
    "construction": ["dept-urban", "dept-housing"],
    "greenery": ["dept-greenery"],
    "social_services": ["dept-civil", "dept-hrss", "dept-health"],
    "neighbor_help": [],
    "other": [],
}


@dataclass(frozen=True)
class Routing:
    # Category → roles in the community offered the ticket when it is handled there.
    community_roles: Mapping[str, Sequence[Role]] = field(
        default_factory=lambda: {"dispute": (Role.MEDIATOR, Role.GRID_WORKER)}
    )
    # Category → department codes the centre is offered as lead unit, best first.
    departments: Mapping[str, Sequence[str]] = field(
        default_factory=lambda: dict(DEFAULT_DEPARTMENTS)
    )
    default_community_roles: Sequence[Role] = DEFAULT_COMMUNITY_ROLES
    help_roles: Sequence[Role] = (Role.VOLUNTEER,)
    verify_roles: Sequence[Role] = (Role.GRID_WORKER,)
    unit_roles: Sequence[Role] = (Role.RESPONDER,)  # streets and departments
    coordinator_roles: Sequence[Role] = (Role.COORDINATOR,)

    def roles_in_community(self, category: str, kind: str) -> Sequence[Role]:
        if kind == "help_request":
            return self.help_roles
        return self.community_roles.get(category, self.default_community_roles)

    def suggested_departments(self, category: str) -> Sequence[str]:
        return self.departments.get(category, ())
