"""Telegram's sending limits shared by every process that sends with one bot token.

Each process's ``TelegramSender`` keeps the limits by itself; with several processes sending
(`shaosheng run` and its workers) their sum would break Telegram's 30 messages a second. The
``RedisPacer`` keeps one schedule for all of them in Redis: a reservation says when this
message may leave, after the chat's previous one and within the bot-wide rate and burst.
"""

from __future__ import annotations

from redis.asyncio import Redis

# KEYS: bot-wide next slot, chat's next slot. ARGV: global interval ms, burst, chat interval ms.
# Returns how many ms to wait. Redis's own clock, so processes on several machines agree.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gi, burst, ci = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local g = tonumber(redis.call('GET', KEYS[1]) or '0')
local c = tonumber(redis.call('GET', KEYS[2]) or '0')
local at = math.max(now, c, g - burst * gi)
redis.call('SET', KEYS[1], math.max(g, at) + gi, 'PX', 600000)
redis.call('SET', KEYS[2], at + ci, 'PX', math.ceil(at - now + ci) + 1000)
return at - now
"""


class RedisPacer:
    def __init__(self, redis: Redis, bot_id: str, *, per_second: float, burst: int) -> None:
        self.redis, self.prefix = redis, f"shaosheng:pace:{bot_id}"
        self.interval_ms, self.burst = 1000.0 / per_second, burst
        self._reserve = redis.register_script(_RESERVE)  # EVALSHA: the body is not resent

    async def reserve(self, chat: int, chat_interval_s: float) -> float:
        """Seconds to wait before sending to ``chat``; the slot is taken."""
        wait_ms = await self._reserve(keys=[self.prefix, f"{self.prefix}:{chat}"],
                                      args=[self.interval_ms, self.burst,
                                            chat_interval_s * 1000])
        return max(0.0, float(wait_ms) / 1000)
