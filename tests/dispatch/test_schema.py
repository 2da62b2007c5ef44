"""The models and the migrations describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from dispatch.store.db import Base, create_engine
from dispatch.store.migrate import alembic_config, head, is_current, upgrade


async def test_models_match_migrations(engine) -> None:
    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []
    assert await is_current(engine)


async def test_a_database_behind_or_never_migrated_is_not_current(engine, tmp_path) -> None:
    """The bot's processes refuse to start on a database that is not at the newest migration;
    they read the newest from the revision files themselves, as Alembic does."""
    assert head() == ScriptDirectory.from_config(alembic_config()).get_current_head()
    fresh = create_engine(f"sqlite+aiosqlite:///{tmp_path}/fresh.db")
    try:
        assert not await is_current(fresh)
        await upgrade(fresh, "0018_org_mark")
        assert not await is_current(fresh)
        await upgrade(fresh)
        assert await is_current(fresh)
    finally:
        await fresh.dispose()
    assert await is_current(engine)
