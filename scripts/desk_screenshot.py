"""docs/screenshots/desk.png: the desk's ticket table over a few hundred sample tickets.

Debian's Chromium through Playwright, the desk served as in the demo on a temporary SQLite
file; run from the repository root: .venv/bin/python scripts/desk_screenshot.py
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.desk import _rows  # noqa: E402
from dispatch.store.models import Ticket, Unit  # noqa: E402
from tests.desk.world import CENTRE, open_world  # noqa: E402
from tests.e2e.test_browser import CHROMIUM, FLAGS  # noqa: E402


async def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with open_world(f"sqlite+aiosqlite:///{tmp}/shot.db", Path(tmp)) as world:
            async with world.sessions() as session:
                every = (await session.execute(select(Unit.id, Unit.kind, Unit.parent_id))).all()
            units: dict = {"community": [u.id for u in every if u.kind == "community"],
                           "department": [u.id for u in every if u.kind == "department"],
                           "centre": [u.id for u in every if u.kind == "centre"]}
            units["street_of"] = {u.id: u.parent_id for u in every if u.kind == "community"}
            rows = _rows(400, units, world.clock.now, random.Random(7))
            for n, row in enumerate(rows):  # the generator spreads 120 days; here, 10
                row["number"] = f"CL-2026-{n + 100:06d}"
                moved = (world.clock.now - row["created_at"]) * 11 / 12
                for key in ("created_at", "updated_at", "claim_due_at", "resolve_due_at"):
                    row[key] += moved
                row["overdue"] = row["overdue"] and row["claim_due_at"] < world.clock.now
            async with world.sessions() as session, session.begin():
                await session.execute(insert(Ticket), rows)
            link = await world.link(CENTRE)
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS,
                                                   headless=True)
                page = await browser.new_page(viewport={"width": 1280, "height": 900},
                                              locale="zh-CN")
                await page.goto(link)
                await page.wait_for_url(f"{world.base}/desk/")
                await page.goto(f"{world.base}/desk/tickets?status=open&sort=urgency")
                await page.screenshot(path=str(out))
                await browser.close()


if __name__ == "__main__":
    target = ROOT / "docs" / "screenshots" / "desk.png"
    asyncio.run(main(target))
    print(target)
