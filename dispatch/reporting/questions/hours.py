"""Hours between two timestamps, computed by the database (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class hours_between(FunctionElement[float]):  # noqa: N801 - reads as the SQL function it is
    """`hours_between(start, end)`: (end − start) in hours, a float; NULL when either is."""

    type = Float()
    inherit_cache = True
    name = "hours_between"


@compiles(hours_between)
def _standard(element: hours_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _sqlite(element: hours_between, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UtcDateTime as naive UTC text, which julianday() reads (fractions included).
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"
