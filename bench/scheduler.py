"""The deadline scheduler on a kept city fill: passes timed, statements counted.

    nice -n 10 .venv/bin/python bench/scheduler.py --db NAME [--ahead 60] [--passes 3]
        [--concurrency K] [--explain]

Each pass is one ``run_due`` with the clock ``--ahead`` minutes past now (a fill made by
``bench/city.py --open N --keep`` has its open tickets' deadlines spread over the next two days,
so every pass finds another 200 due steps; a pass fires what it finds, so the fill changes).
Prints per pass: seconds, steps fired, SQL statements sent (by their first word) and statements
a step; then a pass with nothing due, and with ``--explain`` the plan of the due-select.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import inspect
import json
import os
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.dialects import postgresql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dispatch.schedule import deadlines  # noqa: E402
from dispatch.store.db import create_engine, session_factory  # noqa: E402
from dispatch.store.models import Ticket  # noqa: E402
from shaosheng.app import desk as make_desk  # noqa: E402
from shaosheng.clock import utc_now  # noqa: E402
from shaosheng.settings import load_settings  # noqa: E402

PG = os.environ.get("SHAOSHENG_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def main(args: argparse.Namespace) -> dict[str, Any]:
    url = f"{PG.rsplit('/', 1)[0]}/{args.db}"
    settings = load_settings(ROOT / "config.yml", **{"db.url": url})
    engine = create_engine(url)
    sessions = session_factory(engine)
    sent: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent[statement.split(None, 1)[0].upper()] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    start = datetime.fromisoformat(args.at) if args.at else utc_now()
    extra: dict[str, Any] = {}
    if args.concurrency is not None and "concurrency" in inspect.signature(
            deadlines.run_due).parameters:
        extra["concurrency"] = args.concurrency
    report: dict[str, Any] = {"db": args.db, "passes": []}
    for i in range(args.passes):
        moment = start + timedelta(minutes=args.ahead + i * args.step)
        desk = make_desk(settings, clock=lambda moment=moment: moment)
        sent.clear()
        begin, cpu = time.perf_counter(), time.process_time()
        fired = await deadlines.run_due(sessions=sessions, desk=desk, **extra)
        spent, cpu = time.perf_counter() - begin, time.process_time() - cpu
        statements = sum(sent.values())
        report["passes"].append({
            "s": round(spent, 3), "cpu_s": round(cpu, 3), "fired": fired, "statements": statements,
            "per_step": round(statements / fired, 1) if fired else None,
            "by_kind": dict(sent.most_common())})
        print(report["passes"][-1], file=sys.stderr)
    idle_desk = dataclasses.replace(make_desk(settings), clock=lambda: start - timedelta(
        days=3650))
    begin = time.perf_counter()
    await deadlines.run_due(sessions=sessions, desk=idle_desk)
    report["idle_s"] = round(time.perf_counter() - begin, 3)
    async with sessions() as session:
        report["open_tickets"] = await session.scalar(text(
            "SELECT count(*) FROM tickets WHERE status IN ('new', 'verified', 'dispatched', "
            "'escalated', 'claimed', 'in_progress', 'reopened')"))
        if args.explain:
            due = (select(Ticket.id, Ticket.deadline_stage)
                   .where(deadlines._due(start + timedelta(minutes=args.ahead)))
                   .order_by(Ticket.id + 0).limit(200))
            sql = str(due.compile(dialect=postgresql.dialect(),
                                  compile_kwargs={"literal_binds": True}))
            plan = await session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))
            report["explain"] = [row[0] for row in plan]
            print("\n".join(report["explain"]), file=sys.stderr)
    await engine.dispose()
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="a kept fill (bench/city.py --keep)")
    parser.add_argument("--at", help="the clock instead of now (ISO, with zone): a copy of a "
                        "fill measured at the same moment fires the same steps")
    parser.add_argument("--ahead", type=float, default=0.0, help="minutes past the clock")
    parser.add_argument("--step", type=float, default=0.0, help="minutes added each pass")
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument("--concurrency", type=int, help="sessions firing steps at once")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args))))
