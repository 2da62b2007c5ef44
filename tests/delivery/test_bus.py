"""Bus semantics, the same on MemoryBus and RedisStreamBus: publish, read, ack, reclaim."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from dispatch.notify.bus import PushBus, RedisStreamBus


async def test_published_ids_are_read_once_in_order(bus: PushBus) -> None:
    await bus.publish([11, 12, 13])

    first = await bus.read("c1", count=2, block_ms=0)
    rest = await bus.read("c2", count=10, block_ms=0)

    assert [outbox_id for _, outbox_id in first] == [11, 12]
    assert [outbox_id for _, outbox_id in rest] == [13]
    assert await bus.read("c1", count=10, block_ms=0) == []


async def test_acked_entries_are_never_reclaimed(bus: PushBus) -> None:
    await bus.publish([1, 2])
    entries = await bus.read("c1", count=10, block_ms=0)
    await bus.ack([entry_id for entry_id, _ in entries])
    await asyncio.sleep(0.05)

    assert await bus.claim_stale("c2", min_idle_ms=0) == []


async def test_unacked_entry_is_reclaimed_by_another_consumer_after_min_idle(
    bus: PushBus,
) -> None:
    await bus.publish([7, 8])
    entries = await bus.read("dead", count=10, block_ms=0)
    await bus.ack([entries[0][0]])  # 7 was handled; "dead" dies holding 8

    assert await bus.claim_stale("live", min_idle_ms=300) == []  # not idle long enough yet
    await asyncio.sleep(0.35)
    claimed = await bus.claim_stale("live", min_idle_ms=300)

    assert claimed == [entries[1]]
    await bus.ack([claimed[0][0]])
    await asyncio.sleep(0.05)
    assert await bus.claim_stale("other", min_idle_ms=0) == []


async def test_read_waits_for_a_publish(bus: PushBus) -> None:
    assert await bus.read("c1", count=5, block_ms=50) == []
    reader = asyncio.create_task(bus.read("c1", count=5, block_ms=3000))
    await asyncio.sleep(0.1)
    await bus.publish([42])

    got = await asyncio.wait_for(reader, 3)
    assert [outbox_id for _, outbox_id in got] == [42]


async def test_consumers_of_one_group_share_the_stream(
    redis: Redis, redis_bus: RedisStreamBus
) -> None:
    # A second process building its own bus object finds the group made by the first.
    twin = RedisStreamBus(redis, stream=redis_bus.stream, group=redis_bus.group)
    await twin.ensure_group()
    await redis_bus.publish(list(range(1, 11)))

    a = await redis_bus.read("a", count=4, block_ms=0)
    b = await twin.read("b", count=10, block_ms=0)

    assert sorted(i for _, i in a + b) == list(range(1, 11))
    assert not {i for _, i in a} & {i for _, i in b}


async def test_group_lost_with_a_redis_restart_is_recreated(
    redis: Redis, redis_bus: RedisStreamBus
) -> None:
    await redis_bus.publish([1])
    await redis.delete(redis_bus.stream)  # what a restart without persistence leaves behind

    assert await redis_bus.read("a", count=1, block_ms=0) == []
    await redis_bus.publish([2])
    assert [i for _, i in await redis_bus.read("a", count=5, block_ms=0)] == [2]
