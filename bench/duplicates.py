"""The duplicate check of a new report against a busy community's open tickets, on PostgreSQL.

A new database gets the sample org and ``--open`` open municipal reports of one community
from the last day; then `find_duplicate` runs for one more report ``--runs`` times, each in a
fresh session as the whistle path calls it. Prints the twin it found and the median and p90
time per check.

    .venv/bin/python bench/duplicates.py [--open 400] [--runs 30] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pushes import database  # noqa: E402
from dispatch.org import tree as org  # noqa: E402
from dispatch.store.db import session_factory  # noqa: E402
from dispatch.store.models import Ticket  # noqa: E402
from dispatch.tickets.duplicates import find_duplicate  # noqa: E402
from shaosheng.clock import utc_now  # noqa: E402
from tests.conftest import SAMPLE_ORG  # noqa: E402


async def main(args: argparse.Namespace) -> None:
    async with database("postgresql", args.pg_url) as engine:  # migrated, dropped afterwards
        sessions = session_factory(engine)
        now = utc_now()
        async with sessions() as session, session.begin():
            await org.load_org(session=session, org=org.parse_org_file(SAMPLE_ORG))
            community = await org.get_unit(session=session, code="xiguan")

            def ticket(n: int, text: str, place: str) -> Ticket:
                return Ticket(number=f"B-2026-{n:06d}", kind="report", category="municipal",
                              urgency="normal", status="new", text=text, place_text=place,
                              community_id=community.id, created_at=now, updated_at=now)

            session.add_all([ticket(n, f"阳光花园{n}号楼门口的路灯坏了好几天了，晚上很黑{n}",
                                    f"阳光花园{n}号楼") for n in range(args.open)])
            new = ticket(args.open, "阳光花园7号楼门口路灯坏了", "阳光花园7号楼")
            session.add(new)
            await session.flush()
            new_id = new.id
        times, twin = [], None
        for _ in range(args.runs):
            async with sessions() as session:
                fresh = await session.get(Ticket, new_id)
                assert fresh is not None
                start = time.perf_counter()
                found = await find_duplicate(session=session, ticket=fresh, clock=lambda: now)
                times.append(time.perf_counter() - start)
                twin = found.number if found else None
        times.sort()
        print(f"{'open tickets of the community':<32}{args.open:>10}")
        print(f"{'twin found':<32}{twin or '-':>10}")
        print(f"{'check median':<32}{statistics.median(times) * 1000:>7.1f} ms")
        print(f"{'check p90':<32}{times[int(len(times) * 0.9)] * 1000:>7.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=400)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    asyncio.run(main(parser.parse_args()))
