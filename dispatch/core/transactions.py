"""One use case, one session: the chat's handlers name a service and its arguments, and the
session (and, for a change, its transaction) is opened here, never in a handler.

A service is any ``async def f(*, session, ...)`` of dispatch/. What it returns outlives the
session: the sessions are built with ``expire_on_commit=False``, so a ticket's columns stay
readable after the commit (its relationships are not loaded: read those in the service).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from dispatch.store.db import Sessions

T = TypeVar("T")
Service = Callable[..., Awaitable[T]]


async def change(sessions: Sessions, service: Service[T], /, **arguments: Any) -> T:
    """The service in its own transaction, committed when it returns."""
    async with sessions() as session, session.begin():
        return await service(session=session, **arguments)


async def read(sessions: Sessions, service: Service[T], /, **arguments: Any) -> T:
    """The service in its own session, for reads (no transaction kept open)."""
    async with sessions() as session:
        return await service(session=session, **arguments)
