"""Building the pieces once from Settings: the composition root's helpers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from dispatch import invitations, org
from dispatch.db import create_engine, session_factory
from dispatch.enums import Role
from dispatch.workdays import WorkCalendar
from shaosheng.clock import utc_now
from shaosheng.settings import Settings


def open_engine(settings: Settings) -> AsyncEngine:
    url = settings.db.url
    if url.startswith("sqlite") and ":///" in url:
        path = Path(url.split(":///", 1)[1])
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url)


def work_calendar(settings: Settings) -> WorkCalendar:
    return WorkCalendar(
        extra_holidays=settings.working_days.extra_holidays,
        extra_workdays=settings.working_days.extra_workdays,
        timezone=settings.app.timezone,
    )


async def load_org_file(settings: Settings, path: Path) -> dict[str, int]:
    parsed = org.parse_org_file(path)
    engine = open_engine(settings)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await org.load_org(session=session, org=parsed)
    finally:
        await engine.dispose()


async def list_org(settings: Settings) -> list[dict[str, Any]]:
    engine = open_engine(settings)
    try:
        async with session_factory(engine)() as session:
            return await org.list_units(session=session)
    finally:
        await engine.dispose()


async def issue_invitation(
    settings: Settings, role: Role, unit_code: str, ttl: timedelta
) -> str:
    engine = open_engine(settings)
    try:
        async with session_factory(engine)() as session, session.begin():
            unit = await org.get_unit(session=session, code=unit_code)
            invitation = await invitations.create_invitation(
                session=session, role=role, unit=unit, clock=utc_now, expires_in=ttl
            )
            return invitation.code
    finally:
        await engine.dispose()
