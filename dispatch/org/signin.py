"""Signing in to the web desk from the chat: one-time links and browser sessions.

`/desk` mints a link token (single use, minutes); opening it trades the token for a session
cookie. Both are random 256-bit strings handed to the person once; the database keeps only
their SHA-256, so a copy of the tables signs nobody in. A session ends when it has been idle
too long, at its absolute end, on sign-out, or when the person no longer holds a staff role.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import Role
from dispatch.core.errors import PermissionDenied
from dispatch.store.db import rowcount
from dispatch.store.models import DeskSession, DeskToken, Membership, Person

Clock = Callable[[], datetime]
LINK_TTL = timedelta(minutes=10)
STAFF_ROLES = tuple(r.value for r in Role if r is not Role.RESIDENT)
# A session's last-use time is written at most this often: not one UPDATE per page view.
TOUCH_EVERY = timedelta(seconds=60)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(session_token: str) -> str:
    """The form token of a session: derived from the cookie, so nothing more is stored."""
    return hmac.new(session_token.encode(), b"desk-csrf", hashlib.sha256).hexdigest()[:40]


def csrf_matches(session_token: str, offered: str | None) -> bool:
    return bool(offered) and hmac.compare_digest(csrf_token(session_token), offered or "")


async def is_staff(*, session: AsyncSession, person_id: int) -> bool:
    person = await session.get(Person, person_id)
    if person is None or person.blocked:
        return False
    held = await session.scalar(select(Membership.id).where(
        Membership.person_id == person_id, Membership.active.is_(True),
        Membership.role.in_(STAFF_ROLES)).limit(1))
    return held is not None


async def mint_link_token(*, session: AsyncSession, person_id: int, clock: Clock,
                          ttl: timedelta = LINK_TTL) -> str:
    """A fresh one-time token for a staff person; residents are refused."""
    if not await is_staff(session=session, person_id=person_id):
        raise PermissionDenied()
    token = secrets.token_urlsafe(32)
    now = clock()
    session.add(DeskToken(token_hash=digest(token), person_id=person_id, created_at=now,
                          expires_at=now + ttl))
    await session.flush()
    return token


@dataclass(frozen=True)
class Opened:
    """A new browser session: the cookie value (shown once) and whose it is."""

    token: str
    person_id: int
    language: str
    expires_at: datetime


async def redeem_link_token(*, session: AsyncSession, token: str, clock: Clock,
                            lifetime: timedelta = timedelta(hours=12)) -> Opened | None:
    """Use the link once: one conditional UPDATE decides, so a replay (or a race) gets None."""
    now = clock()
    used = await session.execute(
        update(DeskToken)
        .where(DeskToken.token_hash == digest(token), DeskToken.used_at.is_(None),
               DeskToken.expires_at > now)
        .values(used_at=now)
        .returning(DeskToken.person_id)
    )
    person_id = used.scalar()
    if person_id is None or not await is_staff(session=session, person_id=person_id):
        return None
    person = await session.get(Person, person_id)
    cookie = secrets.token_urlsafe(32)
    session.add(DeskSession(session_hash=digest(cookie), person_id=person_id,
                            language=person.language if person else "zh", created_at=now,
                            last_seen_at=now, expires_at=now + lifetime))
    await session.flush()
    return Opened(cookie, person_id, person.language if person else "zh", now + lifetime)


@dataclass(frozen=True)
class Current:
    """The signed-in person behind a cookie."""

    session_id: int
    person_id: int
    language: str


async def current_session(*, session: AsyncSession, token: str, clock: Clock,
                          idle: timedelta) -> Current | None:
    """The live session for a cookie, its idle clock restarted; None when it has ended."""
    now = clock()
    row = await session.scalar(select(DeskSession).where(
        DeskSession.session_hash == digest(token), DeskSession.ended_at.is_(None)))
    if row is None or row.expires_at <= now or row.last_seen_at + idle <= now:
        return None
    if not await is_staff(session=session, person_id=row.person_id):
        return None  # revoked or blocked since: the old cookie grants nothing any more
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return Current(row.id, row.person_id, row.language)


async def end_session(*, session: AsyncSession, token: str, clock: Clock) -> bool:
    result = await session.execute(
        update(DeskSession).where(DeskSession.session_hash == digest(token),
                                  DeskSession.ended_at.is_(None)).values(ended_at=clock()))
    return bool(rowcount(result))


async def set_language(*, session: AsyncSession, session_id: int, language: str) -> None:
    await session.execute(update(DeskSession).where(DeskSession.id == session_id)
                          .values(language="en" if language == "en" else "zh"))
