"""Both state stores behave the same (the Redis one on the real server)."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis

from bot.core.state import MemoryStateStore, RedisStateStore, conversation_key
from tests.conftest import REDIS_URL


class Ticking:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
async def store(request):
    if request.param == "memory":
        yield MemoryStateStore()
        return
    redis = Redis.from_url(REDIS_URL)
    await redis.ping()  # no skip: CI must fail loudly without Redis
    yield RedisStateStore(redis)
    await redis.aclose()


async def test_roundtrip_and_delete(store) -> None:
    key = conversation_key("telegram", "1", uuid.uuid4().hex)
    assert await store.get(key) is None
    await store.set(key, {"flow": "report", "draft": {"texts": ["路灯坏了"]}}, ttl_s=60)
    assert (await store.get(key))["draft"]["texts"] == ["路灯坏了"]
    await store.delete(key)
    assert await store.get(key) is None


async def test_mark_seen_once(store) -> None:
    key = f"shaosheng:seen:{uuid.uuid4().hex}"
    assert await store.mark_seen(key, ttl_s=60) is True
    assert await store.mark_seen(key, ttl_s=60) is False


async def test_counts_within_a_window(store) -> None:
    key = f"shaosheng:rate:{uuid.uuid4().hex}"
    assert [await store.incr(key, ttl_s=60) for _ in range(3)] == [1, 2, 3]
    assert await store.incr(f"{key}:other", ttl_s=60) == 1


async def test_state_and_count_read_together(store) -> None:
    key, counter = f"shaosheng:conv:{uuid.uuid4().hex}", f"shaosheng:rate:{uuid.uuid4().hex}"
    assert await store.get_counting(key, counter, ttl_s=60) == (None, 1)
    await store.set(key, {"step": "地点", "lang": "zh"}, ttl_s=60)
    assert await store.get_counting(key, counter, ttl_s=60) == ({"step": "地点", "lang": "zh"}, 2)
    assert await store.incr(counter, ttl_s=60) == 3  # one count, however it is read


async def test_the_redis_window_starts_with_the_first_count_and_is_not_extended() -> None:
    redis = Redis.from_url(REDIS_URL)
    store, key = RedisStateStore(redis), f"shaosheng:rate:{uuid.uuid4().hex}"
    try:
        assert await store.incr(key, ttl_s=60) == 1
        assert 0 < await redis.pttl(key) <= 60_000
        await redis.pexpire(key, 5_000)  # time has passed in the window
        await redis.script_flush()  # a Redis restarted without its script cache
        assert await store.incr(key, ttl_s=60) == 2
        assert 0 < await redis.pttl(key) <= 5_000  # the later count kept the window's end
        await redis.script_flush()
        assert (await store.get_counting(f"{key}:conv", key, ttl_s=60))[1] == 3
        assert 0 < await redis.pttl(key) <= 5_000
    finally:
        await redis.delete(key)
        await redis.aclose()


async def test_memory_state_expires() -> None:
    clock = Ticking()
    store = MemoryStateStore(monotonic=clock)
    await store.set("k", {"a": 1}, ttl_s=10)
    clock.now = 9.9
    assert await store.get("k") == {"a": 1}
    clock.now = 10.0
    assert await store.get("k") is None
