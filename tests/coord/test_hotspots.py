"""Hotspots: five street-light reports on one road this week → one alert, once; four → none."""

from __future__ import annotations

import random
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from dispatch.core.enums import Category
from dispatch.schedule.hotspots import (
    NOT_PLACES,
    SUFFIX_EN,
    SUFFIX_ZH,
    detect_and_alert,
    place_tokens,
)
from dispatch.store.models import OutboxMessage, Unit
from tests.coord.conftest import Script, local

ROAD = ["会堂路12号路灯不亮", "在会堂路口，路灯坏了", "会堂路与郑和路交叉口", "会堂路88号旁",
        "会堂路菜市场门口"]


async def _detect(s: Script) -> list:
    async with s.sessions() as session, session.begin():
        return await detect_and_alert(session=session, now=s.clock(), clock=s.clock)


async def _alerts(s: Script) -> list[OutboxMessage]:
    async with s.sessions() as session:
        return list((await session.scalars(select(OutboxMessage).where(
            OutboxMessage.payload["key"].as_string() == "coord.hotspot"))).all())


async def _world(engine, clock) -> Script:  # noqa: ANN001
    s = Script(engine, clock)
    s.clock.now = local(11, 23, 9)  # Monday
    await s.people()
    return s


async def test_five_light_reports_on_one_road_alert_once(engine, clock) -> None:
    s = await _world(engine, clock)
    for n, place in enumerate(ROAD[:4]):
        await s.report(f"R{n}", "xiguan", Category.MUNICIPAL, place=place)
        s.clock.advance(hours=20)
    # Distractors: other kinds on the same road, the same kind elsewhere in the community.
    for n in range(4):
        await s.report(f"S{n}", "xiguan", Category.SANITATION, place=f"会堂路{n}号垃圾")
        await s.report(f"E{n}", "xiguan", Category.MUNICIPAL, place=f"阳光花园{n}号楼")
    assert await _detect(s) == []  # four lights are not yet a hotspot
    await s.report("R4", "xiguan", Category.MUNICIPAL, place=ROAD[4])
    (spot,) = await _detect(s)
    assert (spot.place, spot.category, len(spot.ticket_ids)) == ("会堂路", "municipal", 5)
    assert await _detect(s) == []  # not twice
    alerts = await _alerts(s)
    assert sorted(a.person_id for a in alerts) == sorted([s.ids["coord_w"], s.ids["coord_c"]])
    numbers = {s.facts[f"R{n}"].number for n in range(5)}
    for alert in alerts:
        params = alert.payload["params"]
        assert (params["count"], params["place"]) == (5, "会堂路")
        assert set(params["numbers"].split(", ")) == numbers
    await s.report("R5", "xiguan", Category.MUNICIPAL, place="会堂路99号")  # a sixth: same week
    assert await _detect(s) == []
    assert len(await _alerts(s)) == 2


async def test_reports_spread_over_more_than_a_week_are_no_hotspot(engine, clock) -> None:
    s = await _world(engine, clock)
    for n, place in enumerate(ROAD):
        await s.report(f"R{n}", "xiguan", Category.MUNICIPAL, place=place)
        s.clock.advance(days=2)
    assert await _detect(s) == []
    assert await _alerts(s) == []


def test_place_tokens_find_the_road_or_estate_not_the_street_office() -> None:
    assert "会堂路" in place_tokens("在会堂路口")
    assert "阳光花园" in place_tokens("阳光花园3号楼502")
    assert "huitang road" in place_tokens("near Huitang Road no. 5")
    assert not any("街" in t for t in place_tokens("吴航街道西关社区"))


def test_shared_locations_within_the_radius_make_a_hotspot() -> None:
    from dispatch.schedule.hotspots import Report, find_hotspots

    def t(i: int, lat: float) -> Report:
        return Report(id=i, number=f"N{i}", category="municipal", community_id=1,
                      place="灯不亮", latitude=lat, longitude=119.5168)

    near = [t(i, 25.9634 + i * 0.0002) for i in range(5)]  # about 22 m apart
    assert len(find_hotspots(near)) == 1
    assert find_hotspots(near[:4]) == []
    assert find_hotspots([t(i, 25.9634 + i * 0.01) for i in range(5)]) == []  # 1 km apart


@pytest.mark.parametrize(("zone", "alerts"), [("Asia/Shanghai", 2), ("Europe/London", 1)])
async def test_an_alert_is_once_per_week_of_the_configured_zone(engine, clock, zone: str,
                                                                 alerts: int) -> None:
    s = Script(engine, clock)
    s.clock.now = local(11, 22, 12)  # Sunday noon in Shanghai, 04:00 on Sunday in London
    await s.people()
    for n, place in enumerate(ROAD):
        await s.report(f"R{n}", "xiguan", Category.MUNICIPAL, place=place)
    found = 0
    for _ in range(2):
        async with s.sessions() as session, session.begin():
            found += len(await detect_and_alert(session=session, now=s.clock(), clock=s.clock,
                                                zone=ZoneInfo(zone)))
        s.clock.advance(hours=14)  # Monday 02:00 in Shanghai (a new week); Sunday in London
    assert found == alerts


def _tokens_by_definition(place: str) -> set[str]:
    """place_tokens as its docstring defines it, position by position (the old code)."""
    found: set[str] = set()
    for end in range(len(place) + 1):
        for suffix in SUFFIX_ZH:
            if place.endswith(suffix, 0, end) and not place.startswith(NOT_PLACES, end - 1):
                stem = end - len(suffix)
                found.update(place[s:end] for s in range(max(0, stem - 8), stem - 1)
                             if re.fullmatch(r"[\u4e00-\u9fff]+", place[s:stem]))
    words = re.findall(r"[a-z]+", place.lower())
    for j, word in enumerate(words):
        if word in SUFFIX_EN:
            found.update(" ".join(words[i:j + 1]) for i in range(max(0, j - 3), j))
    return found


def test_place_tokens_are_those_of_the_definition_on_random_text() -> None:
    letters = [*"会堂路大道街巷花园小区新村家园公寓华庭苑广场西关阳光3号，a ",
               "街道", "Road ", "st ", "near ", "滨海大道"]
    rng = random.Random(20261207)
    for _ in range(20_000):
        place = "".join(rng.choice(letters) for _ in range(rng.randint(0, 40)))
        assert place_tokens(place) == _tokens_by_definition(place), place


async def test_reports_without_a_place_cluster_by_what_their_text_names(engine, clock) -> None:
    s = await _world(engine, clock)
    for place in ROAD:  # the resident named the road in the text and gave no place
        await s.report(place, "xiguan", Category.MUNICIPAL)
        s.clock.advance(hours=20)
    (spot,) = await _detect(s)
    assert (spot.place, len(spot.ticket_ids)) == ("会堂路", 5)


async def test_the_watchers_of_a_community_are_those_the_org_tree_walk_finds(
        engine, tmp_path) -> None:
    """`_watchers` reads the shared org snapshot; `ancestors` and `centre` walk the database.
    Two districts under a city, with the second district's centre in service and retired.
    (A fresh session each time: `centre` keeps a district's centre for the session.)"""
    from dispatch.org import tree as org
    from dispatch.reporting.questions import load_tree
    from dispatch.schedule.hotspots import _watchers
    from dispatch.store.db import session_factory
    from tests.desk.test_districts import city_file

    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await org.load_org(session=session, org=org.parse_org_file(city_file(tmp_path)))
    for centre_active in (True, False):
        async with sessions() as session:
            async with session.begin():
                await session.execute(update(Unit).where(Unit.code == "gulou-centre")
                                      .values(active=centre_active))
            tree = await load_tree(session)
            communities = (await session.scalars(select(Unit).where(
                Unit.kind.in_(("community", "village"))))).all()
            assert any(u.code == "gulou-wenquan" for u in communities)
            for community in communities:
                walked = [community.id, *(u.id for u in await org.ancestors(
                    session=session, unit=community))]
                top = await org.centre(session=session, near=community)
                assert _watchers(tree, community.id) == [*walked, *([top.id] if top else [])]
