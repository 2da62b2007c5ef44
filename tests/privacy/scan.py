"""Every text-bearing cell of every table, read through the models' metadata: a privacy rule is
checked by scanning all of them for the datum afterwards, not one column."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from dispatch.store import models
from dispatch.store.db import Base

assert models.__all__  # importing the package registers every table on Base.metadata


def words(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if isinstance(value, int | float | datetime | date) else str(value)


async def every_cell(sessions: Any) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every non-empty cell of every table."""
    cells = []
    async with sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                cells += [(table.name, str(k), words(v)) for k, v in row.items() if v]
    return cells
