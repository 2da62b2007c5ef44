"""`shaosheng report --quarter Q --out DIR` on a seeded SQLite file."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

from click.testing import CliRunner

from dispatch.store.db import create_engine
from dispatch.store.migrate import upgrade
from shaosheng.report_cli import report_command
from tests.conftest import FakeClock
from tests.stats.conftest import Script, play


async def _seed(url: str) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    await play(Script(engine, FakeClock()))
    await engine.dispose()


def test_report_writes_three_files_and_prints_them(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    asyncio.run(_seed(url))
    out = tmp_path / "out"
    result = CliRunner().invoke(report_command, ["--quarter", "2026Q4", "--out", str(out)],
                                obj={"config_path": None}, env={"SHAOSHENG__DB__URL": url})
    assert result.exit_code == 0, result.output
    printed = [Path(p) for p in result.output.split()]
    assert [p.name for p in printed] == ["scorecard.csv", "scorecard.xlsx", "scorecard.png"]
    assert all(p.is_file() and p.stat().st_size > 500 for p in printed)
    rows = list(csv.DictReader(printed[0].open(encoding="utf-8-sig")))
    assert next(r for r in rows if r["code"] == "wuhang")["received"] == "4"


def test_report_refuses_a_bad_quarter(tmp_path: Path) -> None:
    result = CliRunner().invoke(report_command, ["--quarter", "2026Q7", "--out", str(tmp_path)],
                                obj={"config_path": None},
                                env={"SHAOSHENG__DB__URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"})
    assert result.exit_code == 2
    assert "2026Q3" in result.output
