"""`shaosheng people` and `shaosheng privacy`: roles, blocks and retention from the shell."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from dispatch.core.enums import Role

T = TypeVar("T")


def _with_session(ctx: click.Context, work: Callable[[Any], Awaitable[T]],
                  write: bool = False) -> T:
    from dispatch.store.db import session_factory
    from shaosheng.app import open_engine
    from shaosheng.cli import run_async, settings_from

    settings = settings_from(ctx)

    async def go() -> T:
        engine = open_engine(settings)
        try:
            async with session_factory(engine)() as session:
                if not write:
                    return await work(session)
                async with session.begin():
                    return await work(session)
        finally:
            await engine.dispose()

    return run_async(go)


@click.group("people", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def people_group(ctx: click.Context, as_json: bool) -> None:
    """List people with roles; subcommands change roles and blocks."""
    if ctx.invoked_subcommand is not None:
        return
    from dispatch.org.people import list_people

    found = _with_session(ctx, lambda s: list_people(session=s))
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=1))
        return
    for p in found:
        roles = ", ".join(f"{r['role']}@{r['unit']}" + ("" if r["active"] else " (revoked)")
                          for r in p["roles"])
        click.echo(f"{p['id']:>6}  {p['name']:<24} {'BLOCKED ' if p['blocked'] else ''}{roles}")


@people_group.command("revoke")
@click.argument("person_id", type=int)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "unit_code", required=True)
@click.pass_context
def revoke(ctx: click.Context, person_id: int, role: str, unit_code: str) -> None:
    """End PERSON_ID's ROLE in UNIT at once."""
    from dispatch.org.tree import get_unit
    from dispatch.tickets.revocation import revoke_role
    from shaosheng.app import desk
    from shaosheng.cli import settings_from

    rules = desk(settings_from(ctx))

    async def work(session: Any) -> bool:
        unit = await get_unit(session=session, code=unit_code)
        return await revoke_role(session=session, person_id=person_id, unit_id=unit.id,
                                 role=Role(role), desk=rules)

    done = _with_session(ctx, work, write=True)
    click.echo("revoked" if done else "no such active role")


@people_group.command("block")
@click.argument("person_id", type=int)
@click.option("--undo", is_flag=True, help="lift the block")
@click.pass_context
def block(ctx: click.Context, person_id: int, undo: bool) -> None:
    """Block (or with --undo unblock) a person: the bot answers them once, then ignores them."""
    from dispatch.tickets.revocation import block_person
    from shaosheng.app import desk
    from shaosheng.cli import settings_from

    rules = desk(settings_from(ctx))
    done = _with_session(ctx, lambda s: block_person(session=s, person_id=person_id,
                                                     blocked=not undo, desk=rules),
                         write=True)
    click.echo(("unblocked" if undo else "blocked") if done else "no such person")


@click.group("privacy")
def privacy_group() -> None:
    """Personal data retention."""


@privacy_group.command("purge")
@click.option("--days", type=int, default=None, help="default: privacy.retention_days")
@click.pass_context
def purge(ctx: click.Context, days: int | None) -> None:
    """Anonymise personal data of tickets closed longer ago than the retention period."""
    from dispatch.privacy.personal import purge as purge_tickets
    from shaosheng.cli import settings_from
    from shaosheng.clock import utc_now

    limit = days or settings_from(ctx).privacy.retention_days
    count = _with_session(ctx, lambda s: purge_tickets(session=s, older_than_days=limit,
                                                       clock=utc_now), write=True)
    click.echo(f"{count} tickets anonymised")
