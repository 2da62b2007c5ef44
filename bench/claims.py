"""A claim storm: many responders press 接单 on the same ticket at the same moment.

Production as deployed (``tests/production/system.py``): `shaosheng run` (+ workers) on
PostgreSQL + Redis, the stand-in with Telegram's limits on. Each round a resident reports, the
grid worker whistles it to the street, every responder of the street gets the claim card, and
all of them press at once. Prints, over all rounds: presses, winners per ticket (must be 1),
press → answer latency (the toast each presser sees), and how long each storm took to settle.

    .venv/bin/python bench/claims.py --responders 20 --rounds 10 [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dispatch.core.enums import Role  # noqa: E402
from dispatch.org.people import enrol  # noqa: E402
from dispatch.store.db import create_engine, session_factory  # noqa: E402
from shaosheng.clock import utc_now  # noqa: E402
from tests.production.system import System, report, report_text, wait_for  # noqa: E402

FIRST_RESPONDER = 30_000


def _button(message: dict[str, Any], prefix: str) -> str | None:
    return next((b["data"] for row in message.get("buttons") or [] for b in row
                 if b["data"].startswith(prefix)), None)


async def _card(http: httpx.AsyncClient, chat: int, prefix: str, *,
                skip: set[int]) -> dict[str, Any]:
    """The first message in ``chat`` with a ``prefix`` button, not one of ``skip``."""
    card = await wait_for(http, chat, lambda m: m["message_id"] not in skip
                          and _button(m, prefix), within=60, poll=0.1)
    assert card is not None, f"no {prefix} card in chat {chat}"
    return card


async def _responders(system: System, n: int) -> None:
    """``n`` responders on duty in the street above the first community."""
    conn = await system.connect()
    try:
        street = await conn.fetchval("SELECT parent_id FROM units WHERE id = $1",
                                     system.communities[0]["id"])
    finally:
        await conn.close()
    engine = create_engine(system.db_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            for k in range(n):
                await enrol(session=session, channel="telegram",
                            external_id=str(FIRST_RESPONDER + k), name=f"街道{k}",
                            role=Role.RESPONDER, unit_id=street, clock=utc_now)
    finally:
        await engine.dispose()


async def _storm(http: httpx.AsyncClient, system: System, round_no: int, n: int,
                 seen: dict[int, set[int]]) -> tuple[list[float], float]:
    # residents are spread over the communities in turn: take those of the first community
    resident, community = system.residents[round_no * len(system.communities)]
    outcome = await report(http, resident, report_text(round_no, community))
    assert outcome.error is None, outcome.error
    grid = system.staff[0]
    verify = await _card(http, grid, "v:w:", skip=seen.setdefault(grid, set()))
    seen[grid].add(verify["message_id"])
    await http.post("/_test/press", json={"user_id": grid, "message_id": verify["message_id"],
                                          "data": _button(verify, "v:w:")})
    people = [FIRST_RESPONDER + k for k in range(n)]
    cards = await asyncio.gather(*(_card(http, p, "k:c:", skip=seen.setdefault(p, set()))
                                   for p in people))
    for person, card in zip(people, cards, strict=True):
        seen[person].add(card["message_id"])
    start = time.perf_counter()
    pressed = await asyncio.gather(*(
        http.post("/_test/press", json={"user_id": p, "message_id": c["message_id"],
                                        "data": _button(c, "k:c:")})
        for p, c in zip(people, cards, strict=True)))
    waiting = {r.json()["callback_query_id"]: start for r in pressed}
    answered: dict[str, float] = {}
    while len(answered) < len(waiting) and time.perf_counter() - start < 60:
        for answer in (await http.get("/_test/callback_answers")).json()["answers"]:
            query = answer["callback_query_id"]
            if query in waiting and query not in answered:
                answered[query] = time.perf_counter() - start
        await asyncio.sleep(0.02)
    assert len(answered) == len(waiting), f"{len(waiting) - len(answered)} presses unanswered"
    return list(answered.values()), max(answered.values())


async def main(args: argparse.Namespace) -> None:
    system = System(workers=args.workers - 1, standin_limits=True)
    await system.start()
    try:
        await system.add_residents(args.rounds * len(system.communities))
        await _responders(system, args.responders)
        latencies: list[float] = []
        settles: list[float] = []
        seen: dict[int, set[int]] = {}
        async with httpx.AsyncClient(base_url=system.standin, timeout=60) as http:
            for round_no in range(args.rounds):
                answers, settle = await _storm(http, system, round_no, args.responders, seen)
                latencies += answers
                settles.append(settle)
        conn = await system.connect()
        try:
            winners = await conn.fetch(
                "SELECT ticket_id, count(*) AS n FROM ticket_events WHERE action = 'claim' "
                "GROUP BY ticket_id")
            claimed = await conn.fetchval("SELECT count(*) FROM tickets WHERE status = 'claimed'")
        finally:
            await conn.close()
    finally:
        system.stop()
        await system.drop()
    ordered = sorted(latencies)
    cut = statistics.quantiles(ordered, n=100)
    print(f"claim storm: {args.responders} responders × {args.rounds} tickets, "
          f"{args.workers} processes, telegram limits on")
    print(f"{'presses answered':<30}{len(ordered):8d}")
    print(f"{'tickets claimed':<30}{claimed:8d}")
    print(f"{'winners per ticket':<30}{','.join(str(r['n']) for r in winners):>8}")
    print(f"{'press → answer p50':<30}{cut[49] * 1000:8.0f} ms")
    print(f"{'press → answer p99':<30}{cut[98] * 1000:8.0f} ms")
    print(f"{'storm settled (mean / max)':<30}{statistics.mean(settles) * 1000:8.0f} ms "
          f"/ {max(settles) * 1000:.0f} ms")
    print(f"{'presses/s within a storm':<30}{args.responders / statistics.mean(settles):8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responders", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="processes: run + workers")
    asyncio.run(main(parser.parse_args()))
