"""The morning digest: once per coordinator per local day, at the set time, with right figures."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.delivery.notices import render_notice
from dispatch.notify.outbox import Notice
from dispatch.schedule.digest import send_due_digests
from dispatch.store.models import OutboxMessage
from tests.coord.conftest import Script, local

AT = "08:00"


async def _send(s: Script, now) -> int:  # noqa: ANN001
    async with s.sessions() as session, session.begin():
        return await send_due_digests(session=session, now=now, at_local=AT, clock=s.clock)


async def _digests(s: Script) -> dict[int, list[dict]]:
    async with s.sessions() as session:
        rows = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "digest").order_by(OutboxMessage.id))).all()
    out: dict[int, list[dict]] = {}
    for row in rows:
        out.setdefault(row.person_id, []).append(row.payload)
    return out


def _expected(s: Script, street: str | None) -> dict[str, int]:
    """Counted from the script at 26 Nov 10:00: the last 24 h and the state now, by
    responsible unit: a ticket counts for the street whose area holds it now (W1 of 东关 is the
    urban bureau's, so not 吴航's); a rating for the unit rated, which in this script is the
    unit holding the ticket."""
    now = local(11, 26, 10)
    facts = [f for f in s.facts.values() if street is None or f.holder_street == street]
    return {
        "new": sum(now - timedelta(hours=24) <= f.created < now for f in facts),
        "open": sum(f.open for f in facts),
        "overdue": sum(f.open and f.overdue_at is not None for f in facts),
        # W3 waits for its street to claim it by 14:00 today; nothing else falls due today.
        "due_today": sum(f.open and f.overdue_at is None and f.community == "dongguan"
                         and f.created >= local(11, 25, 0) for f in facts),
        "unsatisfied": sum(now - timedelta(hours=24) <= at < now and v.value == "unsatisfied"
                           for f in facts for at, v in f.ratings),
    }


async def test_digest_fires_once_a_day_at_the_set_time_with_the_figures(autumn: Script):
    ids = autumn.ids
    assert await _send(autumn, local(11, 26, 7, 59)) == 0  # not yet eight o'clock
    assert await _digests(autumn) == {}
    assert await _send(autumn, local(11, 26, 10)) == 3  # one per coordinator
    assert await _send(autumn, local(11, 26, 10)) == 0  # the same day: nothing more
    assert await _send(autumn, local(11, 26, 23, 59)) == 0
    sent = await _digests(autumn)
    assert sorted(sent) == sorted([ids["coord_c"], ids["coord_w"], ids["coord_h"]])
    for who, street in (("coord_c", None), ("coord_w", "wuhang"), ("coord_h", "hangcheng")):
        (payload,) = sent[ids[who]]
        figures = {k: payload["params"][k] for k in _expected(autumn, street)}
        assert figures == _expected(autumn, street), who
        assert payload["params"]["date"] == "2026-11-26"
    assert _expected(autumn, "wuhang") == {"new": 2, "open": 3, "overdue": 1, "due_today": 1,
                                           "unsatisfied": 0}
    assert _expected(autumn, "hangcheng")["unsatisfied"] == 1
    # Rendered in each coordinator's own language by catalogue key.
    hc = render_notice(Notice.from_payload(sent[ids["coord_h"]][0]), "en").text
    assert hc.startswith("Good morning")
    assert "Hangcheng Subdistrict" in hc
    wh = render_notice(Notice.from_payload(sent[ids["coord_w"]][0]), "zh").text
    assert "吴航街道" in wh
    assert "超时：1" in wh  # L1; W1 in 东关 is overdue at the urban bureau, not at the street
    assert "工单概况（按责任单位统计）：" in wh
    assert "(by responsible unit)" in hc
    assert "全区" in render_notice(Notice.from_payload(sent[ids["coord_c"]][0]), "zh").text
    # The next morning brings the next digest, once again.
    assert await _send(autumn, local(11, 27, 8)) == 3
    assert await _send(autumn, local(11, 27, 9)) == 0
    assert all(len(v) == 2 for v in (await _digests(autumn)).values())


async def test_the_digest_hour_and_day_are_those_of_the_configured_zone(autumn: Script):
    """07:59 in Shanghai is 15:59 the day before in Los Angeles: past its eight o'clock."""
    early = local(11, 26, 7, 59)
    async with autumn.sessions() as session, session.begin():
        assert await send_due_digests(session=session, now=early, at_local=AT, clock=autumn.clock,
                                      zone=ZoneInfo("Asia/Shanghai")) == 0
    async with autumn.sessions() as session, session.begin():
        assert await send_due_digests(session=session, now=early, at_local=AT, clock=autumn.clock,
                                      zone=ZoneInfo("America/Los_Angeles")) == 3
    sent = await _digests(autumn)
    assert {p["params"]["date"] for v in sent.values() for p in v} == {"2026-11-25"}
