"""Which tickets and units a staff person sees on the desk: their jurisdiction as SQL.

The same reach as the chat's rules (`dispatch.org.access`, `dispatch.privacy.reads`):
coordinators and admins see their units' subtrees (a centre sees its district; `everything` is
a reach that covers the whole deployment); responders see the tickets of their units (current,
lead or assisting) and what they hold; volunteers and mediators only what they hold; grid
workers see their community.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import COMMUNITY_KINDS, Role
from dispatch.reporting.questions import Tree, load_tree
from dispatch.store.models import Membership, Ticket, TicketUnit

COORDINATING = (Role.COORDINATOR.value, Role.ADMIN.value)
HELPERS = (Role.VOLUNTEER.value, Role.MEDIATOR.value)


@dataclass(frozen=True)
class Scope:
    person_id: int
    roles: tuple[tuple[str, int], ...]  # (role, unit id), active memberships
    everything: bool  # a coordinator of the centre or the district
    coordinated: frozenset[int]  # units in the subtrees the person coordinates
    worked: frozenset[int]  # units where the person responds
    communities: frozenset[int]  # the subtrees of the communities the person is grid worker of
    helper: bool = False  # a volunteer or mediator: the tickets they hold

    @property
    def is_coordinator(self) -> bool:
        return self.everything or bool(self.coordinated)

    @property
    def is_centre(self) -> bool:
        return self.everything

    @cached_property
    def _covered(self) -> frozenset[int]:
        return self.coordinated | self.worked | self.communities

    def covers_unit(self, unit_id: int | None) -> bool:
        """Units the person may filter by, invite into and read figures of."""
        if self.everything:
            return True
        return unit_id is not None and unit_id in self._covered

    def tickets(self) -> Any:
        """A WHERE clause over `tickets` selecting what the person sees."""
        if self.everything:
            return true()
        ors: list[Any] = []
        if self.coordinated:
            ids = sorted(self.coordinated)
            ors += [Ticket.unit_id.in_(ids), Ticket.community_id.in_(ids),
                    Ticket.lead_unit_id.in_(ids), _assisting(ids)]
        if self.worked:
            ids = sorted(self.worked)
            ors += [Ticket.unit_id.in_(ids), Ticket.lead_unit_id.in_(ids), _assisting(ids),
                    Ticket.claimed_by_id == self.person_id]
        if self.communities:
            ids = sorted(self.communities)
            ors += [Ticket.community_id.in_(ids), Ticket.unit_id.in_(ids)]
        if self.helper:
            ors.append(Ticket.claimed_by_id == self.person_id)
        return or_(*ors) if ors else false()


def _assisting(ids: list[int]) -> Any:
    return Ticket.id.in_(select(TicketUnit.ticket_id).where(TicketUnit.unit_id.in_(ids)))


def scope_of(person_id: int, roles: tuple[tuple[str, int], ...], tree: Tree) -> Scope:
    coordinated: set[int] = set()
    worked: set[int] = set()
    communities: set[int] = set()
    helper = False
    for role, unit_id in roles:
        if unit_id not in tree.units:
            continue
        if role in COORDINATING:
            coordinated |= reach(tree, unit_id)
        elif role == Role.GRID_WORKER.value:
            community = tree.up_to(unit_id, COMMUNITY_KINDS) or unit_id
            communities |= tree.subtree(community)
        elif role in HELPERS:
            helper = True  # the tickets they hold, not their community's (the read policy)
        elif role != Role.RESIDENT.value:
            worked.add(unit_id)
    # Everything: a coordinator whose reach is the whole deployment (the centre of the only
    # district, or a city-level unit above every district).
    everything = bool(coordinated) and len(coordinated) == len(tree.units)
    return Scope(person_id, roles, everything, frozenset(coordinated), frozenset(worked),
                 frozenset(communities), helper)


def reach(tree: Tree, unit_id: int) -> set[int]:
    """The units a coordinator of `unit_id` sees (`Tree.reach`: a centre, its district)."""
    return tree.reach(unit_id)


async def desk_scope(*, session: AsyncSession, person_id: int,
                     tree: Tree | None = None) -> Scope:
    rows = (await session.execute(select(Membership.role, Membership.unit_id).where(
        Membership.person_id == person_id, Membership.active.is_(True))
        .order_by(Membership.id))).all()
    tree = tree or await load_tree(session)
    return scope_of(person_id, tuple((r.role, r.unit_id) for r in rows), tree)
