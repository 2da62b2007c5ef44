"""A chat's lock across processes (Redis), with a lease that is renewed while held."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.intake.queue import GROUP, STREAM

LOCK_PREFIX = "shaosheng:inbox:chat:"
KNOCK_PREFIX = "shaosheng:inbox:knock:"


@dataclass
class Lease:
    """A chat's lock as held: ``again`` is True once released if someone knocked meanwhile.

    A holder that sets ``ack`` to its queue entry has the entry acknowledged by the release
    itself (one round trip instead of two); ``acked`` tells whether that happened.
    """

    held: bool
    again: bool = False
    ack: str | None = None
    acked: bool = False


class RedisChatLocks:
    """A chat's lock across processes: SET NX with a lease, renewed while held.

    A process that finds the chat taken leaves a knock (in the same script, so the holder
    cannot let go in between); letting go returns the knock, and only then does the holder
    look at the chat once more. No knock, no second look: one query less per update.

    One renewer per process renews every lease it holds, in one pipeline, every third of the
    lease; it runs while any lease is held (a task per held chat cost a task, a timer and a
    cancellation on every update).
    """

    _TAKE = ("if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end "
             "redis.call('set', KEYS[2], '1', 'PX', ARGV[2]) return 0")
    _RELEASE = ("if ARGV[2] ~= '' then redis.call('xack', KEYS[3], ARGV[3], ARGV[2]) end "
                "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) "
                "return redis.call('del', KEYS[2]) end return 1")
    _RENEW = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
              "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0")

    def __init__(self, redis: Redis, lease_ms: int = 15_000) -> None:
        self.redis, self.lease_ms = redis, lease_ms
        self._take = redis.register_script(self._TAKE)  # EVALSHA, loaded again if flushed
        self._release = redis.register_script(self._RELEASE)
        self._renew_script = redis.register_script(self._RENEW)
        self._held: dict[str, str] = {}  # lock name -> token, for every lease held here
        self._renewer: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[Lease]:
        """Yields a held Lease, or one not held when another process holds the chat."""
        token, name, knock = secrets.token_hex(8), LOCK_PREFIX + key, KNOCK_PREFIX + key
        if not await self._take(keys=[name, knock], args=[token, self.lease_ms]):
            yield Lease(held=False)
            return
        lease = Lease(held=True)
        self._held[name] = token
        if self._renewer is None:
            self._renewer = asyncio.create_task(self._renew_held())
        try:
            yield lease
        finally:
            del self._held[name]
            if not self._held and self._renewer is not None:
                # Nothing left to renew. The renewer also ends by itself when it finds nothing
                # held (redis-py can swallow a cancellation), and a hold from now on starts
                # a new one.
                self._renewer.cancel()
                self._renewer = None
            try:  # a lost lease (or Redis away) counts as a knock: look again to be safe
                lease.again = bool(await self._release(keys=[name, knock, STREAM],
                                                       args=[token, lease.ack or "", GROUP]))
                lease.acked = lease.ack is not None
            except Exception:
                lease.again = True

    async def _renew_held(self) -> None:
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            held = list(self._held.items())
            if not held or self._renewer is not asyncio.current_task():
                return
            with contextlib.suppress(Exception):
                async with self.redis.pipeline(transaction=False) as pipe:
                    for name, token in held:
                        await self._renew_script(keys=[name], args=[token, self.lease_ms],
                                                 client=pipe)
                    await pipe.execute()


# -- receiving ----------------------------------------------------------------------------------
