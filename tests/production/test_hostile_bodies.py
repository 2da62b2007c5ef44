"""`run`'s webhook receiver on PostgreSQL against JSON Telegram never sends: every body gets a
200 or a 4xx, never a 500 or a 503 (which Telegram answers by delivering it again, for ever),
and what is stored carries no NUL or other control characters."""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.base import WebhookConfig
from tests.fuzz.properties import check_hostile
from tests.fuzz.strategies import hostile_bodies
from tests.production.test_inbox import SECRET, pg_engine, redis, rows, update, webhook

__all__ = ["pg_engine", "redis"]  # fixtures, shared with the inbox tests

HEADERS = {**SECRET, "Content-Type": "application/json"}


async def _post(http: httpx.AsyncClient, url: str, body: bytes) -> int:
    return (await http.post(url, content=body, headers=HEADERS)).status_code


def _raw(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


async def test_each_known_attack_body_gets_its_answer_and_a_nul_is_removed_before_storage(
    pg_engine: AsyncEngine, redis: Redis
) -> None:
    located = update(3003, 73, "在这")
    located["message"]["location"] = {"latitude": float("inf"), "longitude": 119.5}
    listed = update(3004, 74, "x")
    listed["message"]["text"] = [1, 2]
    async with webhook(pg_engine, redis) as url, httpx.AsyncClient() as http:
        answers = {
            "deep": await _post(http, url, b"[" * 100_000 + b"]" * 100_000),
            "deep field": await _post(http, url, _raw(update(3001, 71, "x"))[:-1]
                                      + b', "x": ' + b'{"a":' * 5_000 + b"1" + b"}" * 5_001),
            "10^30": await _post(http, url, _raw(update(10**30, 72, "hi"))),
            "Infinity": await _post(http, url, _raw(located)),
            "NUL": await _post(http, url, _raw(update(3002, 75, "井盖\x00丢了\x1b"))),
            "surrogate": await _post(http, url, _raw(update(3005, 76, "路灯\ud800坏了"))),
            "list text": await _post(http, url, _raw(listed)),
        }
    assert answers == {"deep": 400, "deep field": 400, "10^30": 400, "Infinity": 400,
                       "NUL": 200, "surrogate": 200, "list text": 200}
    stored = {r.update_id: r.payload["message"]["text"] for r in await rows(pg_engine)}
    assert stored == {3002: "井盖丢了", 3005: "路灯坏了", 3004: [1, 2]}


async def test_fuzzed_hostile_bodies_never_get_a_5xx_from_the_production_receiver(
    pg_engine: AsyncEngine, redis: Redis
) -> None:
    bodies: list[bytes] = []

    @settings(max_examples=80, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(body=hostile_bodies())
    def collect(body: bytes) -> None:  # drawn first; posted below, in this test's loop
        bodies.append(body)

    collect()
    async with webhook(pg_engine, redis) as url, httpx.AsyncClient() as http:
        statuses = [await _post(http, url, body) for body in bodies]
    for status, body in zip(statuses, bodies, strict=True):
        check_hostile(status, body, WebhookConfig(secret="s").max_body_bytes)
    assert any(status == 400 for status in statuses)
