"""The desk's ticket table with 100,000 tickets in PostgreSQL: how long a filtered page takes.

A throwaway database gets the sample district, the demo's staff and ``--tickets`` tickets from
a simple generator of its own (spread over the district's communities, 120 days, every status,
urgency and category; some overdue, some on the lists). The desk is served as in the demo;
a centre coordinator and a street coordinator, signed in through real one-time links, ask for
filtered pages over HTTP one at a time. Prints p50/p95/max in milliseconds per page kind and
over all filtered pages (the goal: p95 ≤ 300 ms).

    .venv/bin/python bench/desk.py [--tickets 100000] [--rounds 20] [--json] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pushes import database  # noqa: E402
from dispatch.core.enums import Category, Urgency  # noqa: E402
from dispatch.org import signin  # noqa: E402
from dispatch.store.db import session_factory  # noqa: E402
from dispatch.store.models import ChatIdentity, Ticket, Unit  # noqa: E402
from shaosheng.app import desk as make_desk  # noqa: E402
from shaosheng.clock import utc_now  # noqa: E402
from shaosheng.demo import prepare_database  # noqa: E402
from shaosheng.settings import load_settings  # noqa: E402
from shaosheng.web import desk_config, free_port, serve_web  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = ["路灯不亮", "垃圾堆放没人清", "井盖缺失", "楼道漏水", "夜间施工噪音", "占道停车",
            "电梯故障", "绿化带枯死", "违章搭建", "下水道堵塞", "street light out",
            "rubbish not collected"]
PLACES = ["会堂路", "阳光花园", "西湖新村", "胜利路", "航城大道", "郑和苑", "锦绣华庭", "海景花园"]
STATUS_WEIGHTS = {"new": 4, "verified": 1, "dispatched": 8, "escalated": 2, "claimed": 6,
                  "in_progress": 6, "resolved": 10, "reopened": 1, "closed": 55,
                  "understanding": 1, "merged": 2, "rejected": 2, "withdrawn": 2}
OPEN = {"new", "verified", "dispatched", "escalated", "claimed", "in_progress", "reopened"}
PAGES = {  # (who, path): the filtered pages a coordinator asks for
    "open+overdue (centre)": ("centre", "/desk/tickets?status=open&overdue=1"),
    "category+month (centre)": ("centre", "/desk/tickets?category=municipal&period=month"),
    "street subtree open (street)": ("street", "/desk/tickets?unit=wuhang&sub=1&status=open"),
    "text search (centre)": ("centre", "/desk/tickets?q=%E8%B7%AF%E7%81%AF&status=open"),
    "critical by due, page 3 (centre)": ("centre",
                                         "/desk/tickets?urgency=critical&sort=due&page=3"),
    "phased list (street)": ("street", "/desk/tickets?list=phased&sort=-due"),
    "live rows refresh (street)": ("street", "/desk/tickets/rows?status=unclaimed&period=week"),
}


def _rows(n: int, units: dict[str, list[int]], now, rng: random.Random) -> list[dict]:
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    out = []
    for i in range(n):
        community = rng.choice(units["community"])
        status = rng.choices(statuses, weights)[0]
        created = now - timedelta(minutes=rng.uniform(0, 120 * 24 * 60))
        holder = rng.random()
        unit = (community if holder < 0.5 else units["street_of"][community] if holder < 0.8
                else rng.choice(units["department"]) if holder < 0.95 else units["centre"][0])
        due = created + timedelta(hours=rng.choice([1, 8, 24, 72, 120]))
        listed = rng.random()
        out.append({
            "number": f"CL-2026-{i + 1:06d}", "kind": "report",
            "category": rng.choice([c.value for c in Category]),
            "urgency": rng.choices([u.value for u in Urgency], [2, 10, 70, 18])[0],
            "text": f"{rng.choice(PLACES)}{rng.randint(1, 30)}号 {rng.choice(PROBLEMS)}，"
                    f"已经{rng.randint(1, 9)}天了",
            "place_text": rng.choice(PLACES), "photos": [], "status": status,
            "community_id": community, "unit_id": unit, "escalation_level": 0,
            "created_at": created, "updated_at": created,
            "claim_due_at": due, "resolve_due_at": due + timedelta(days=5),
            "overdue": status in OPEN and due < now and rng.random() < 0.5, "deadline_stage": 0,
            "flagged": False, "milestones": [],
            "list_type": "phased" if listed < 0.03 else "immediate" if listed < 0.06 else None,
        })
    return out


async def _fill(sessions, n: int, seed: int) -> None:
    rng, now = random.Random(seed), utc_now()
    async with sessions() as session:
        every = (await session.execute(select(Unit.id, Unit.kind, Unit.parent_id))).all()
    units: dict = {"community": [u.id for u in every if u.kind in ("community", "village")],
                   "department": [u.id for u in every if u.kind == "department"],
                   "centre": [u.id for u in every if u.kind == "centre"]}
    units["street_of"] = {u.id: u.parent_id for u in every if u.kind in ("community",
                                                                          "village")}
    rows = _rows(n, units, now, rng)
    for start in range(0, n, 5000):
        async with sessions() as session, session.begin():
            await session.execute(insert(Ticket), rows[start:start + 5000])
    async with sessions() as session, session.begin():
        await session.execute(text("ANALYZE tickets"))


async def _browser(sessions, base: str, external_id: str) -> httpx.AsyncClient:
    async with sessions() as session, session.begin():
        person = await session.scalar(select(ChatIdentity.person_id).where(
            ChatIdentity.external_id == external_id))
        token = await signin.mint_link_token(session=session, person_id=person, clock=utc_now)
    client = httpx.AsyncClient(base_url=base, timeout=60)
    assert (await client.get(f"/desk/signin/{token}")).status_code == 200
    return client


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"p50_ms": round(pick(0.5), 1), "p95_ms": round(pick(0.95), 1),
            "max_ms": round(ordered[-1] * 1000, 1), "n": len(ordered)}


async def main(args: argparse.Namespace) -> dict:
    async with database("postgresql", args.pg_url) as engine:
        url = engine.url.render_as_string(hide_password=False)
        settings = load_settings(ROOT / "config.yml", **{
            "db.url": url, "org.file": str(ROOT / "dispatch/sample/changle.yml")})
        await prepare_database(settings)
        sessions = session_factory(engine)
        started = time.perf_counter()
        await _fill(sessions, args.tickets, args.seed)
        filled = time.perf_counter() - started
        port = free_port()
        config = desk_config(settings, sessions=sessions, desk=make_desk(settings),
                             web_port=port)
        async with serve_web(sessions, "127.0.0.1", port, config):
            base = f"http://127.0.0.1:{port}"
            people = {"centre": await _browser(sessions, base, "5002"),
                      "street": await _browser(sessions, base, "5001")}
            for who, path in PAGES.values():  # warm-up: compiled statements, caches
                assert (await people[who].get(path)).status_code == 200
            times: dict[str, list[float]] = {name: [] for name in PAGES}
            for _ in range(args.rounds):
                for name, (who, path) in PAGES.items():
                    begin = time.perf_counter()
                    answer = await people[who].get(path)
                    times[name].append(time.perf_counter() - begin)
                    assert answer.status_code == 200, answer.text[:300]
            dashboard = []
            for _ in range(max(3, args.rounds // 4)):
                begin = time.perf_counter()
                assert (await people["centre"].get("/desk/")).status_code == 200
                dashboard.append(time.perf_counter() - begin)
            for client in people.values():
                await client.aclose()
    return {"tickets": args.tickets, "fill_s": round(filled, 1),
              "filtered_page": _summary([t for ts in times.values() for t in ts]),
              "pages": {name: _summary(ts) for name, ts in times.items()},
              "dashboard_page": _summary(dashboard), "goal_p95_ms": 300}


def _print(report: dict) -> None:
    print(f"tickets in PostgreSQL: {report['tickets']:,} (filled in {report['fill_s']} s)")
    print(f"{'page':<36}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'n':>6}")
    for name, s in [*report["pages"].items(), ("ALL filtered pages", report["filtered_page"]),
                    ("dashboard (centre)", report["dashboard_page"])]:
        print(f"{name:<36}{s['p50_ms']:>9}{s['p95_ms']:>9}{s['max_ms']:>9}{s['n']:>6}")
    verdict = "met" if report["filtered_page"]["p95_ms"] <= report["goal_p95_ms"] else "MISSED"
    print(f"goal p95 ≤ {report['goal_p95_ms']} ms for a filtered page: {verdict}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    parser.add_argument("--pg-url", default=os.environ.get(
        "SHAOSHENG_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"))
    found = asyncio.run(main(parser.parse_args()))
    if parser.parse_args().json:
        print(json.dumps(found, ensure_ascii=False))
    else:
        _print(found)
