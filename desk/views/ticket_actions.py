"""The actions on a ticket page: which the viewer is offered, and the domain call behind each.

Every action is the chat's own use case (`dispatch.tickets.*`) with the chat's checks inside
it, so a button shown here by mistake is still refused by the service. What is offered mirrors
those checks: coordinators over the ticket sort, lead, reassign, escalate and correct; the
community's grid workers verify, whistle, reject and merge; the unit's people claim.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from desk.i18n import t
from dispatch.core import lifecycle
from dispatch.core.enums import Category, ListType, Status
from dispatch.core.errors import ShaoshengError
from dispatch.org.access import is_centre_coordinator, is_coordinator_over, roles_in
from dispatch.privacy.reads import holds
from dispatch.store.models import Ticket
from dispatch.tickets import centre, duplicates, verify, work
from dispatch.tickets.desk import CLAIMABLE, Desk
from dispatch.tickets.phased import Milestone, parse_milestones
from dispatch.tickets.reassign import reassign
from dispatch.tickets.understanding import close_understanding_with_note, resume_understanding
from dispatch.tickets.urgency import change_urgency

# The district centre's decisions (docs/roles.md, "Who may do what"): a street coordinator's
# page does not offer them.
CENTRE_ACTIONS = frozenset({"immediate", "phased", "understanding", "lead", "close_understanding",
                            "resume"})
COORDINATOR_ACTIONS = ("immediate", "phased", "understanding", "lead", "assist", "reassign",
                       "escalate", "category", "urgency", "note")
VERIFY_ACTIONS = ("handle_here", "whistle", "reject", "merge")


class Invalid(ShaoshengError):
    """A form that is not filled in right: the desk's own catalogue says what is missing."""

    key = "desk.invalid"

    def message(self, language: str) -> str:
        return t(self.key, language, **self.params)


async def offered(*, session: AsyncSession, ticket: Ticket, person_id: int,
                  desk: Desk) -> list[str]:
    status = Status(ticket.status)
    is_open = status in lifecycle.OPEN
    coordinator = ticket.unit_id is not None and await is_coordinator_over(
        session=session, person_id=person_id, unit_id=ticket.unit_id)
    actions: list[str] = []
    if status in (Status.NEW, Status.VERIFIED) and ticket.community_id is not None:
        held = await roles_in(session=session, person_id=person_id, unit_id=ticket.community_id)
        verifier = bool(held & {r.value for r in desk.routing.verify_roles})
        if verifier or await is_coordinator_over(session=session, person_id=person_id,
                                                 unit_id=ticket.community_id):
            actions += VERIFY_ACTIONS
    if ticket.status in CLAIMABLE and ticket.unit_id is not None:
        held = await roles_in(session=session, person_id=person_id, unit_id=ticket.unit_id)
        claimers = {*desk.routing.unit_roles, *desk.routing.help_roles,
                    *desk.routing.roles_in_community(ticket.category, ticket.kind)}
        if held & {r.value for r in claimers}:
            actions.append("claim")
    centre_only = set() if not coordinator or await is_centre_coordinator(
        session=session, person_id=person_id) else CENTRE_ACTIONS
    if coordinator and is_open:
        actions += [a for a in COORDINATOR_ACTIONS if a not in actions and a not in centre_only]
        if status in lifecycle.NOT_YET_WORKED and "merge" not in actions:
            actions.append("merge")
    elif is_open and await holds(session=session, ticket=ticket, person_id=person_id,
                                 routing=desk.routing):
        actions.append("note")
    if coordinator and status is Status.UNDERSTANDING and "close_understanding" not in centre_only:
        actions += ["close_understanding", "resume"]
    return actions


Run = Callable[[AsyncSession], Awaitable[Any]]


# C0 controls (tab, newline and return become spaces first), DEL, C1 controls, lone surrogates:
# PostgreSQL refuses NUL in text, and none of them belongs in a note a resident may read.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def form_text(form: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    """A free-text field of a desk form: one line, no control characters, at most 1000."""
    value = _CONTROL.sub("", " ".join(str(form.get(name, "")).split()))[:1000]
    if required and not value:
        raise Invalid(f"desk.invalid.{name}")
    return value


def _unit(form: Mapping[str, Any]) -> int:
    value = str(form.get("unit", ""))
    if not value.isdigit():
        raise Invalid("desk.invalid.unit")
    return int(value)


def _expected(form: Mapping[str, Any], today: date) -> date:
    try:
        found = date.fromisoformat(str(form.get("expected", "")).strip())
    except ValueError:
        raise Invalid("desk.invalid.expected") from None
    if found < today:
        raise Invalid("desk.invalid.expected")
    return found


async def _ticket_ref(session: AsyncSession, text: str) -> int:
    ref = text.strip().lstrip("#").upper()
    if ref.isdigit() and len(ref) < 10:
        found = await session.get(Ticket, int(ref))
        if found is not None:
            return found.id
    found_id = await session.scalar(select(Ticket.id).where(Ticket.number == ref))
    if found_id is None:
        raise Invalid("desk.invalid.into")
    return int(found_id)


def build(action: str, form: Mapping[str, Any], *, ticket_id: int, actor: int,
          desk: Desk) -> Run:
    """The domain call for one submitted action; Invalid when the form lacks what it needs."""
    common: dict[str, Any] = {"ticket_id": ticket_id, "actor": actor, "desk": desk}
    today = desk.clock().date()
    calls: dict[str, Callable[[], Run]] = {
        "handle_here": lambda: lambda s: verify.handle_here(session=s, **common),
        "whistle": lambda: lambda s: verify.whistle(session=s, **common),
        "reject": lambda: _reject(form, common),
        "claim": lambda: lambda s: work.claim(session=s, **common),
        "immediate": lambda: lambda s: centre.put_on_list(
            session=s, list_type=ListType.IMMEDIATE, **common),
        "phased": lambda: _phased(form, common, today),
        "understanding": lambda: _understanding(form, common),
        "lead": lambda: _with_unit(centre.set_lead, form, common),
        "assist": lambda: _with_unit(centre.add_co_unit, form, common),
        "reassign": lambda: _with_unit(reassign, form, common),
        "escalate": lambda: lambda s: centre.escalate_now(session=s, **common),
        "category": lambda: _category(form, common),
        "urgency": lambda: _urgency(form, common),
        "merge": lambda: _merge(form, common),
        "close_understanding": lambda: _close(form, common),
        "resume": lambda: _resume(form, common, today),
        "note": lambda: _note(form, common),
    }
    if action not in calls:
        raise Invalid("desk.invalid.action")
    return calls[action]()


def _reject(form: Mapping[str, Any], common: dict[str, Any]) -> Run:
    reason = str(form.get("reason", ""))
    if reason not in verify.REJECT_REASONS:
        raise Invalid("desk.invalid.reason")
    return lambda s: verify.reject(session=s, reason=reason, **common)


def _milestones(form: Mapping[str, Any], today: date) -> list[Milestone]:
    """The milestones textarea: one "date step" a line (the service checks the dates)."""
    lines = str(form.get("milestones", ""))[:4000].splitlines()[:20]
    return parse_milestones([_CONTROL.sub("", line) for line in lines], today=today)


def _phased(form: Mapping[str, Any], common: dict[str, Any], today: date) -> Run:
    expected = _expected(form, today)
    note = form_text(form, "reason", required=False) or None
    milestones = _milestones(form, today)
    return lambda s: centre.put_on_list(session=s, list_type=ListType.PHASED, expected=expected,
                                        reason=note, milestones=milestones, **common)


def _resume(form: Mapping[str, Any], common: dict[str, Any], today: date) -> Run:
    """恢复办理: the list, the lead unit and (phased) the expected date and milestones."""
    chosen = str(form.get("list", ""))
    if chosen not in (ListType.IMMEDIATE.value, ListType.PHASED.value):
        raise Invalid("desk.invalid.list")
    list_type, unit_id = ListType(chosen), _unit(form)
    expected = _expected(form, today) if list_type is ListType.PHASED else None
    milestones = _milestones(form, today) if list_type is ListType.PHASED else []
    return lambda s: resume_understanding(session=s, list_type=list_type, unit_id=unit_id,
                                          expected=expected, milestones=milestones, **common)


def _understanding(form: Mapping[str, Any], common: dict[str, Any]) -> Run:
    reason = form_text(form, "reason")
    return lambda s: centre.put_on_list(session=s, list_type=ListType.UNDERSTANDING,
                                        reason=reason, **common)


def _with_unit(service: Callable[..., Awaitable[Any]], form: Mapping[str, Any],
               common: dict[str, Any]) -> Run:
    unit_id = _unit(form)
    return lambda s: service(session=s, unit_id=unit_id, **common)


def _category(form: Mapping[str, Any], common: dict[str, Any]) -> Run:
    category = str(form.get("category", ""))
    if category not in {c.value for c in Category}:
        raise Invalid("desk.invalid.category")
    return lambda s: centre.correct_category(session=s, category=category, **common)


def _urgency(form: Mapping[str, Any], common: dict[str, Any]) -> Run:
    urgency = str(form.get("urgency", ""))
    if urgency not in ("critical", "high", "normal", "low"):
        raise Invalid("desk.invalid.urgency")
    return lambda s: change_urgency(session=s, urgency=urgency, **common)


def _merge(form: Mapping[str, Any], common: dict[str, Any]) -> Run:
    ref = form_text(form, "into")

    async def run(session: AsyncSession) -> Any:
        into = await _ticket_ref(session, ref)
        return await duplicates.merge(session=session, into_id=into, **common)
    return run


def _close(form: Mapping[str, Any], common: dict[str, Any]) -> Run:
    note = form_text(form, "note")
    return lambda s: close_understanding_with_note(session=s, note=note, **common)


def _note(form: Mapping[str, Any], common: dict[str, Any]) -> Run:
    text = form_text(form, "text")
    return lambda s: work.add_note(session=s, text=text, **common)
