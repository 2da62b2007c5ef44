"""Which community a report's place names (dispatch.org.places), on the sample district."""

from __future__ import annotations

from sqlalchemy import select

from dispatch.org import tree as org
from dispatch.org.places import community_named
from dispatch.store.db import session_factory
from dispatch.store.models import Unit
from nlu.text import normalize
from tests.conftest import SAMPLE_ORG


async def _units(engine) -> dict[str, int]:
    async with session_factory(engine)() as session, session.begin():
        await org.load_org(session=session, org=org.parse_org_file(SAMPLE_ORG))
    async with session_factory(engine)() as session:
        return {u.code: u.id for u in (await session.scalars(select(Unit))).all()}


async def named(engine, place: str, own: int | None) -> str | None:
    found = await community_named(sessions=session_factory(engine), folded_place=normalize(place),
                                  own=own)
    return found.name if found else None


async def test_a_community_an_estate_or_an_alias_names_its_community(engine) -> None:
    units = await _units(engine)
    xiguan = units["xiguan"]
    assert await named(engine, "北关社区和平路7号", xiguan) == "北关社区"
    assert await named(engine, "北關社區和平路7號", xiguan) == "北关社区"  # traditional, folded
    assert await named(engine, "锦绣华庭3栋", xiguan) == "东关社区"  # an estate of 东关社区
    assert await named(engine, "block 3 of Jinxiu Court", xiguan) == "东关社区"
    assert await named(engine, "北关那边的菜市场", xiguan) == "北关社区"  # the alias 北关
    assert await named(engine, "Beiguan Community, Heping Road", None) == "北关社区"


async def test_the_own_community_a_street_or_no_name_changes_nothing(engine) -> None:
    units = await _units(engine)
    xiguan = units["xiguan"]
    assert await named(engine, "西关社区郑和路88号", xiguan) is None
    assert await named(engine, "西湖新村2栋", xiguan) is None  # an estate of the own community
    assert await named(engine, "吴航街道胜利路", xiguan) is None  # a street: no one community
    assert await named(engine, "2栋502", xiguan) is None
    assert await named(engine, "", xiguan) is None


async def test_a_name_two_communities_share_is_the_own_districts_or_none(engine) -> None:
    units = await _units(engine)
    async with session_factory(engine)() as session, session.begin():
        district = Unit(code="other-district", name="别的区", kind="district")
        session.add(district)
        await session.flush()
        session.add(Unit(code="other-beiguan", name="北关社区", kind="community",
                         parent_id=district.id))
    assert await named(engine, "北关社区和平路7号", units["xiguan"]) == "北关社区"
    found = await community_named(sessions=session_factory(engine),
                                  folded_place=normalize("北关社区"), own=units["xiguan"])
    assert found is not None
    assert found.id == units["beiguan"]  # the own district's
    assert await named(engine, "北关社区和平路7号", None) is None  # two, and no tie: none
