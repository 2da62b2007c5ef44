"""The shared schedule in Redis: several processes together keep Telegram's limits."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis

from bot.channels.pacing import RedisPacer
from tests.conftest import REDIS_URL


async def test_two_senders_share_one_bot_wide_rate_and_each_chat_waits_its_turn() -> None:
    redis = Redis.from_url(REDIS_URL)
    bot = f"test-{uuid.uuid4().hex[:8]}"
    try:
        # Two processes' pacers for one token: 30 a second, a burst of 20.
        a, b = (RedisPacer(redis, bot, per_second=30, burst=20) for _ in range(2))
        waits = [await (a if i % 2 else b).reserve(1000 + i, 1.0) for i in range(80)]
        assert max(waits[:20]) < 0.2  # the burst leaves at once
        # Beyond the burst the reservations queue at one per 1/30 s, whoever asks.
        assert 1.8 < waits[79] < 2.2  # (80 - 20) / 30 = 2 s after the start
        pairs = zip(waits, waits[1:], strict=False)
        assert all(later >= earlier - 0.05 for earlier, later in pairs)
        first, second = await a.reserve(7, 1.0), await b.reserve(7, 1.0)
        assert second - first > 0.9  # one chat: a second apart, even from two processes
    finally:
        await redis.delete(*[k async for k in redis.scan_iter(f"shaosheng:pace:{bot}*")])
        await redis.aclose()
