"""The shared schedule in Redis: several processes together keep Telegram's limits."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis

from bot.channels.pacing import RedisPacer
from tests.conftest import REDIS_URL

SLACK = 0.01  # a slot is known to the round trip of the TIME call before its reservation


async def redis_now(redis: Redis) -> float:
    seconds, micros = await redis.time()
    return seconds + micros / 1e6


async def test_two_senders_share_one_bot_wide_rate_and_each_chat_waits_its_turn() -> None:
    redis = Redis.from_url(REDIS_URL)
    bot = f"test-{uuid.uuid4().hex[:8]}"
    try:
        # Two processes' pacers for one token: 30 a second, a burst of 20. Slots are compared
        # in Redis's own time (the pacer's clock), so a slow machine cannot make this fail.
        a, b = (RedisPacer(redis, bot, per_second=30, burst=20) for _ in range(2))
        slots, waits = [], []
        for i in range(80):
            asked = await redis_now(redis)
            waits.append(await (a if i % 2 else b).reserve(1000 + i, 1.0))
            slots.append(asked + waits[-1])
        start = slots[0]
        assert max(waits[:20]) < 0.2  # the burst leaves at once
        # Beyond the burst one slot per 1/30 s, whoever asks: the 80th (index 79) no sooner
        # than (79 - 20) / 30 s after the first, and never more than 30 a second plus the burst.
        assert slots[79] - start >= 59 / 30 - SLACK
        for i in range(80):
            for j in range(i + 1, 80):
                # a full bucket (20) plus the slot that empties it, then 30 a second
                assert j - i + 1 <= 21 + (slots[j] - slots[i] + SLACK) * 30
        pairs = zip(slots, slots[1:], strict=False)
        assert all(later >= earlier - SLACK for earlier, later in pairs)
        asked = await redis_now(redis)
        first = asked + await a.reserve(7, 1.0)
        asked = await redis_now(redis)
        second = asked + await b.reserve(7, 1.0)
        assert second - first >= 1.0 - SLACK  # one chat: a second apart, even from two processes
    finally:
        await redis.delete(*[k async for k in redis.scan_iter(f"shaosheng:pace:{bot}*")])
        await redis.aclose()
