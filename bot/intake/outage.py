"""Telling a database or Redis outage from a bug, and riding one out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLSTATEs of a server going away, coming back or shedding work: connection exceptions (08…),
# shutdown by an administrator or a crash and "the database system is starting up / shutting
# down" (57P01–57P03), too many connections (53300), and a transaction the server aborted that
# runs fine again (40001 serialization failure, 40P01 deadlock).
_TRANSIENT_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300", "40001", "40P01")


def is_transient(exc: BaseException) -> bool:
    """A database or Redis outage (worth a retry), as opposed to a bug (not worth one)."""
    if isinstance(exc, DBAPIError):
        return (exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)
                or _sqlstate(exc).startswith(_TRANSIENT_SQLSTATES))
    if isinstance(exc, asyncpg.PostgresError):  # the inbox's own statements (PgInboxStore)
        return str(getattr(exc, "sqlstate", "") or "").startswith(_TRANSIENT_SQLSTATES)
    return isinstance(exc, PoolTimeout | RedisConnectionError | RedisTimeoutError
                      | ConnectionError | TimeoutError | OSError)


def _sqlstate(exc: DBAPIError) -> str:
    # asyncpg's adapter keeps the server's code on the DBAPI error and on its cause; a failed
    # connect (57P03 while PostgreSQL stops or starts) arrives as a plain DBAPIError.
    for error in (exc.orig, getattr(exc.orig, "__cause__", None)):
        state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(state, str):
            return state
    return ""


async def through_outage(call: Callable[[], Awaitable[None]], attempts: int = 8) -> None:
    """Run ``call`` again through a short database or Redis outage (about 30 s in all).

    For recording that something already left: giving up would send it a second time later.
    """
    for attempt in range(attempts):
        try:
            await call()
            return
        except Exception as exc:
            if not is_transient(exc) or attempt == attempts - 1:
                raise
            await asyncio.sleep(min(0.25 * 2**attempt, 8.0))


# -- the queue of chats with work ---------------------------------------------------------------
