"""Run Alembic migrations from code (the CLI, the demo and the tests use this).

Alembic is imported where a migration runs, not with the module: the bot's processes only ask
whether the database is current (`is_current`), which reads the revision files' two names and
the version table; Alembic would cost each process 11 MB it never uses again.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str = "") -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    from alembic import command

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def is_current(engine: AsyncEngine) -> bool:
    """True when the database is at the newest migration."""
    async with engine.connect() as connection:
        try:
            current: list[str] = list((await connection.execute(
                text("SELECT version_num FROM alembic_version"))).scalars())
        except Exception:  # no version table: never migrated
            return False
    return current == [head()]


def head() -> str:
    """The newest revision: the one no other revision names as the one it revises (a
    migration file's `revision` and `down_revision`, as Alembic reads them)."""
    revisions: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        names: dict[str, object] = {target.id: node.value.value
                 for node in ast.parse(path.read_text(encoding="utf-8")).body
                 if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                 for target in node.targets if isinstance(target, ast.Name)}
        down = names.get("down_revision")
        revisions[str(names["revision"])] = down if isinstance(down, str) else None
    heads = set(revisions) - set(revisions.values())
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()
