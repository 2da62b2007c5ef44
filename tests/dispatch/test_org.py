"""Loading the organisation tree: idempotent, updates in place, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from dispatch.core.errors import OrgFileError
from dispatch.org import snapshot
from dispatch.org import tree as org
from dispatch.reporting.questions import load_tree
from dispatch.store.db import create_engine, session_factory
from dispatch.store.models import Unit
from tests.conftest import SAMPLE_ORG


async def _load(session, path: Path) -> dict[str, int]:
    if session.in_transaction():  # reads between loads autobegin one
        await session.commit()
    async with session.begin():
        return await org.load_org(session=session, org=org.parse_org_file(path))


async def _snapshot(session) -> list[tuple]:
    rows = (await session.scalars(select(Unit).order_by(Unit.code))).all()
    return [(u.code, u.name, u.kind, u.parent_id, u.latitude, u.active) for u in rows]


async def test_sample_district_shape(session) -> None:
    await _load(session, SAMPLE_ORG)
    units = await org.list_units(session=session)
    kinds = [u["kind"] for u in units]
    assert kinds.count("centre") == 1
    assert sum(k in ("street", "town", "township") for k in kinds) >= 4
    assert sum(k in ("community", "village") for k in kinds) >= 12
    assert kinds.count("department") >= 10
    by_code = {u["code"]: u for u in units}
    assert by_code["xiguan"]["name"] == "西关社区"
    assert by_code["xiguan"]["parent"] == "wuhang"
    assert by_code["wuhang"]["name"] == "吴航街道"


async def test_loading_twice_changes_nothing(session) -> None:
    await _load(session, SAMPLE_ORG)
    before = await _snapshot(session)
    counts = await _load(session, SAMPLE_ORG)
    assert counts["created"] == counts["updated"] == counts["deactivated"] == 0
    assert await _snapshot(session) == before


async def test_edit_and_reload_updates_in_place(session, tmp_path: Path) -> None:
    await _load(session, SAMPLE_ORG)
    xiguan_id = await session.scalar(select(Unit.id).where(Unit.code == "xiguan"))
    edited = SAMPLE_ORG.read_text(encoding="utf-8").replace("西关社区\n", "西关新社区\n", 1)
    edited = edited.replace("- {code: heping,", "- {code: heping-x,")  # rename a code
    path = tmp_path / "edited.yml"
    path.write_text(edited, encoding="utf-8")
    counts = await _load(session, path)
    assert counts == {"created": 1, "updated": 1, "unchanged": counts["unchanged"],
                      "deactivated": 1}
    unit = await session.scalar(select(Unit).where(Unit.code == "xiguan"))
    assert (unit.id, unit.name) == (xiguan_id, "西关新社区")
    old = await session.scalar(select(Unit).where(Unit.code == "heping"))
    assert old.active is False


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ("kind: community\n            latitude: 25.9634", "kind"),
        ("code: xiguan\n", "code"),
    ],
)
async def test_broken_file_names_the_entry_and_loads_nothing(
    session, tmp_path: Path, broken: str, expected: str
) -> None:
    text = SAMPLE_ORG.read_text(encoding="utf-8")
    if expected == "kind":
        text = text.replace(broken, "kind: kommunity\n            latitude: 25.9634", 1)
    else:
        text = text.replace(broken, "code: Xi Guan!\n", 1)
    path = tmp_path / "broken.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OrgFileError) as caught:
        org.parse_org_file(path)
    message = caught.value.message("en")
    assert f"field '{expected}'" in message
    assert "xiguan" in message.lower().replace(" ", "")
    assert await session.scalar(select(func.count()).select_from(Unit)) == 0


async def test_duplicate_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.yml"
    path.write_text(
        "units:\n- {code: a, name: A, kind: district,\n"
        "   children: [{code: a, name: B, kind: street}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(OrgFileError, match="used twice"):
        org.parse_org_file(path)


def test_gazetteer_has_communities_estates_and_roads() -> None:
    names = org.gazetteer(org.parse_org_file(SAMPLE_ORG))
    for name in ("西关社区", "阳光花园", "郑和路", "Sunshine Garden"):
        assert name in names
    assert "区民政局" not in names


async def test_the_shared_tree_shows_every_edit_at_once_from_any_process(engine, session,
                                                                         tmp_path: Path) -> None:
    """Requests share one tree per process; an org file loaded elsewhere (here through another
    engine, as `shaosheng org load` in its own process) shows on the next read, and so does
    an edit by hand in SQL."""
    await _load(session, SAMPLE_ORG)
    await session.commit()
    tree = await load_tree(session)
    assert await load_tree(session) is tree  # unchanged: the same tree, not read again
    xiguan = next(u for u in tree.units.values() if u.code == "xiguan")
    assert xiguan.name == "西关社区"
    edited = SAMPLE_ORG.read_text(encoding="utf-8").replace("西关社区\n", "西关新社区\n", 1)
    edited = edited.replace("- {code: heping,", "- {code: heping-x,")
    path = tmp_path / "edited.yml"
    path.write_text(edited, encoding="utf-8")
    other = create_engine(engine.url.render_as_string(hide_password=False))
    try:
        async with session_factory(other)() as elsewhere:
            await _load(elsewhere, path)
    finally:
        await other.dispose()
    await session.commit()  # end the read's transaction: see what was committed since
    now = await load_tree(session)
    by_code = {u.code: u for u in now.units.values()}
    assert by_code["xiguan"].name == "西关新社区"
    assert by_code["xiguan"].id == xiguan.id
    assert by_code["heping"].active is False
    assert by_code["heping-x"].parent_id == by_code["heping"].parent_id
    assert by_code["heping-x"].id in now.subtree(by_code["heping"].parent_id)
    await session.execute(update(Unit).where(Unit.code == "xiguan").values(aliases=["西关"]))
    await session.commit()
    assert {u.code: u for u in (await load_tree(session)).units.values()}[
        "xiguan"].aliases == ("西关",)


async def test_every_change_to_the_units_changes_their_mark(session) -> None:
    """The trigger of migration 0018 marks an insert, an update and a delete, whoever makes
    them, in the same transaction; reading marks nothing. (A SQLite batch migration of `units`
    that lost the triggers fails here.)"""
    await _load(session, SAMPLE_ORG)
    await session.commit()
    seen = [await snapshot.mark(session)]
    tree = await load_tree(session)
    assert await snapshot.mark(session) == seen[-1]
    assert await load_tree(session) is tree
    for sql in ("INSERT INTO units (code, name, kind, aliases, active) "
                "VALUES ('marked', '试点社区', 'community', '[]', true)",
                "UPDATE units SET phone = '0591-1234' WHERE code = 'marked'",
                "UPDATE units SET name = name WHERE code = 'marked'",  # the same value
                "DELETE FROM units WHERE code = 'marked'"):
        await session.execute(text(sql))
        assert await snapshot.mark(session) not in seen  # inside the transaction already
        await session.commit()
        seen.append(await snapshot.mark(session))
        changed = await load_tree(session)
        assert changed is not tree
        tree = changed
        assert ("marked" in {u.code for u in tree.units.values()}) == (
            not sql.startswith("DELETE"))
    assert len(set(seen)) == len(seen)
    assert all(seen)
