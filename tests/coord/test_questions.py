"""Coordinators ask in plain Chinese and English; the numbers are counted from the script."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dispatch.core.enums import RatingValue
from dispatch.reporting.questions import Clarify, Refusal, Result, answer, render
from tests.coord.conftest import Fact, Script, local

NOW = local(11, 26, 10)
TODAY = (local(11, 26, 0), local(11, 27, 0))
WEEK, LAST_WEEK = (local(11, 23, 0), local(11, 30, 0)), (local(11, 16, 0), local(11, 23, 0))
MONTH = (local(11, 1, 0), local(12, 1, 0))
QUARTER = (local(10, 1, 0), datetime(2026, 12, 31, 16, tzinfo=UTC))
NAMES = {"wuhang": "吴航街道", "hangcheng": "航城街道", "dept-urban": "区城市管理局"}
GOOD = (RatingValue.SATISFIED, RatingValue.BASIC)


def _in(moment: datetime, span: tuple[datetime, datetime]) -> bool:
    return span[0] <= moment < span[1]


class Expect:
    """The scripted facts, counted by the definitions in docs/statistics.md."""

    def __init__(self, facts: dict[str, Fact], where: Callable[[Fact], bool],
                 category: str | None = None) -> None:
        self.facts = [f for f in facts.values()
                      if where(f) and (category is None or f.category == category)]

    def new(self, span):  # noqa: ANN001, ANN201
        return sum(_in(f.created, span) for f in self.facts)

    def open(self, span=None):  # noqa: ANN001, ANN201
        return sum(f.open and (span is None or _in(f.created, span)) for f in self.facts)

    def overdue(self) -> int:
        return len(self.overdue_now())

    def overdue_now(self) -> set[str]:
        return {f.number for f in self.facts if f.open and f.overdue_at}

    def open_numbers(self, span=None) -> set[str]:  # noqa: ANN001
        return {f.number for f in self.facts if f.open and (span is None or
                                                           _in(f.created, span))}

    def resolved(self, span):  # noqa: ANN001, ANN201
        return sum(any(_in(d, span) for d in f.done) for f in self.facts)

    def unsatisfied(self, span):  # noqa: ANN001, ANN201
        return sum(_in(at, span) and v is RatingValue.UNSATISFIED
                   for f in self.facts for at, v in f.ratings)

    def rate(self, span):  # noqa: ANN001, ANN201
        values = [v for f in self.facts for at, v in f.ratings if _in(at, span)]
        return sum(v in GOOD for v in values) / len(values)

    def overdue_by(self, key: Callable[[Fact], str | None]) -> dict[str, int]:
        counts = Counter(key(f) for f in self.facts if f.open and f.overdue_at)
        return {NAMES[k]: n for k, n in counts.items() if k}


def ALL(f: Fact) -> bool:  # noqa: N802
    return True


def street(code: str) -> Callable[[Fact], bool]:
    """Held by the street or a unit below it now: the responsible-unit view (按责任单位)."""
    return lambda f: f.holder_street == code


def community(code: str) -> Callable[[Fact], bool]:
    return lambda f: f.holder == code


def _count(where, metric, *args, category=None):  # noqa: ANN001, ANN202
    return lambda facts: ("count", getattr(Expect(facts, where, category), metric)(*args))


def _rate(where, span):  # noqa: ANN001, ANN202
    return lambda facts: ("rate", Expect(facts, where).rate(span))


def _list(where, numbers, *args):  # noqa: ANN001, ANN202
    return lambda facts: ("list", getattr(Expect(facts, where), numbers)(*args))


def _rank(key):  # noqa: ANN001, ANN202
    return lambda facts: ("rank", Expect(facts, ALL).overdue_by(key))


WH, HC = street("wuhang"), street("hangcheng")
CASES = [
    ("coord_c", "吴航街道本周还有几件没办结", _count(WH, "open", WEEK)),
    ("coord_c", "how many tickets are still open in Wuhang this week", _count(WH, "open", WEEK)),
    ("coord_c", "今天新增多少件", _count(ALL, "new", TODAY)),
    ("coord_c", "how many new tickets today", _count(ALL, "new", TODAY)),
    ("coord_w", "今天新增多少件", _count(WH, "new", TODAY)),
    ("coord_c", "上周新增了多少件", _count(ALL, "new", LAST_WEEK)),
    ("coord_c", "how many new tickets last week", _count(ALL, "new", LAST_WEEK)),
    ("coord_w", "本周有几件路灯新增", _count(WH, "new", WEEK, category="municipal")),
    ("coord_c", "unsatisfied ratings this month", _count(ALL, "unsatisfied", MONTH)),
    ("coord_c", "本月不满意的有几件", _count(ALL, "unsatisfied", MONTH)),
    ("coord_w", "本月不满意的有几件", _count(WH, "unsatisfied", MONTH)),
    ("coord_c", "航城街道上周办结了多少", _count(HC, "resolved", LAST_WEEK)),
    ("coord_c", "how many were resolved in Hangcheng last week",
     _count(HC, "resolved", LAST_WEEK)),
    ("coord_c", "本周办结了多少件", _count(ALL, "resolved", WEEK)),
    ("coord_c", "本季度满意率是多少", _rate(ALL, QUARTER)),
    ("coord_c", "what is the satisfaction rate this quarter", _rate(ALL, QUARTER)),
    ("coord_h", "satisfaction rate this quarter", _rate(HC, QUARTER)),
    ("coord_c", "西关社区有多少件超时的", _count(community("xiguan"), "overdue")),
    ("coord_c", "how many overdue tickets in Xiguan Community",
     _count(community("xiguan"), "overdue")),
    ("coord_c", "吴航街道有多少件超时的", _count(WH, "overdue")),
    ("coord_c", "show overdue tickets in Hangcheng", _list(HC, "overdue_now")),
    ("coord_c", "列出航城街道超时的工单", _list(HC, "overdue_now")),
    ("coord_c", "list open tickets in Wuhang this week", _list(WH, "open_numbers", WEEK)),
    ("coord_c", "列出吴航本周未办结的工单", _list(WH, "open_numbers", WEEK)),
    ("coord_w", "列出还没办结的工单", _list(WH, "open_numbers")),
    ("coord_c", "哪个部门超时最多", _rank(lambda f: f.dept)),
    ("coord_c", "which department has the most overdue tickets", _rank(lambda f: f.dept)),
    ("coord_c", "which street has the most overdue tickets", _rank(lambda f: f.holder_street)),
    ("coord_c", "哪个街道超时最多", _rank(lambda f: f.holder_street)),
    # days and months as coordinators write them (the year is the current one)
    ("coord_c", "11月23日到11月26日新增多少件", _count(ALL, "new", (WEEK[0], TODAY[1]))),
    ("coord_c", "2026年11月1日至30日新增多少件", _count(ALL, "new", MONTH)),
    ("coord_c", "11月新增了多少", _count(ALL, "new", MONTH)),
    ("coord_c", "11/16-11/22新增多少件", _count(ALL, "new", LAST_WEEK)),
    ("coord_c", "new tickets 2026-11-23 to 2026-11-29", _count(ALL, "new", WEEK)),
    # ... and in English words
    ("coord_c", "how many new tickets from 23 Nov to 26 Nov",
     _count(ALL, "new", (WEEK[0], TODAY[1]))),
    ("coord_c", "new tickets between Nov 16th and Nov 22nd", _count(ALL, "new", LAST_WEEK)),
    ("coord_c", "how many new tickets in November", _count(ALL, "new", MONTH)),
    ("coord_c", "new tickets November 2026", _count(ALL, "new", MONTH)),
    ("coord_c", "how many street light problems in November",
     _count(ALL, "new", MONTH, category="municipal")),
    # a count with no metric: new ones in a named period, open ones otherwise
    ("coord_c", "11月路灯有几件", _count(ALL, "new", MONTH, category="municipal")),
    ("coord_c", "吴航街道路灯问题有几件", _count(WH, "open", category="municipal")),
]


def _got(result: Result, kind: str):  # noqa: ANN202
    if kind == "rate":
        return result.rate
    if kind == "list":
        return {t.number for t in result.tickets}
    if kind == "rank":
        return {unit["zh"]: fig.count for unit, fig in result.ranking}
    return result.count


async def _ask(s: Script, who: str, text: str):  # noqa: ANN202
    async with s.sessions() as session:
        return await answer(session=session, person_id=s.ids[who], text=text, now=NOW)


async def test_phrasings_in_both_languages_give_the_scripted_numbers(autumn: Script) -> None:
    wrong = []
    for who, text, expected in CASES:
        kind, want = expected(autumn.facts)
        got = await _ask(autumn, who, text)
        if not isinstance(got, Result) or _got(got, kind) != want:
            wrong.append((who, text, want, got))
        elif kind == "count":  # the number reaches the coordinator in words, in each language
            assert all(str(want) in render(got, lang) for lang in ("zh", "en"))
    assert not wrong, "\n".join(map(repr, wrong))
    # The scenario is not degenerate: the figures asked about are really there.
    assert [expected(autumn.facts)[1] for _, _, expected in CASES[:3]] == [2, 2, 2]
    assert Expect(autumn.facts, ALL).rate(QUARTER) == 0.6


async def test_street_coordinator_is_refused_other_streets_and_never_sees_them(autumn: Script):
    hangcheng = {f.number for f in autumn.facts.values() if f.street == "hangcheng"}
    for text in ("show overdue tickets in Hangcheng", "航城街道上周办结了多少",
                 "琴江社区有几件超时", "list open tickets in Qinjiang Community"):
        got = await _ask(autumn, "coord_w", text)
        assert isinstance(got, Refusal), text
        assert not re.search(r"\d", render(got, "zh") + render(got, "en"))
    for text in ("列出还没办结的工单", "show overdue tickets", "list new tickets this month"):
        got = await _ask(autumn, "coord_w", text)
        assert isinstance(got, Result)
        shown = {t.number for t in got.tickets}
        assert shown
        assert not shown & hangcheng
        assert not any(n in render(got, "en") for n in hangcheng)
    got = await _ask(autumn, "coord_c", "show overdue tickets in Hangcheng")  # the centre may
    assert {t.number for t in got.tickets} == Expect(autumn.facts, HC).overdue_now()


async def test_people_without_a_coordinator_role_are_refused(autumn: Script) -> None:
    for who in ("res_x", "grid_x", "resp_w"):
        got = await _ask(autumn, who, "今天新增多少件")
        assert isinstance(got, Refusal)
        assert got.key == "coord.refuse.not_coordinator"
        assert "协调员" in render(got, "zh")


async def test_vague_questions_are_asked_back_never_guessed(autumn: Script) -> None:
    for text, key in (("怎么样了", "coord.clarify.what"), ("numbers?", "coord.clarify.what"),
                      ("how many tickets were resolved", "coord.clarify.period"),
                      ("新增多少件", "coord.clarify.period"),
                      ("超时和新增各多少", "coord.clarify.one_metric")):
        got = await _ask(autumn, "coord_c", text)
        assert isinstance(got, Clarify), text
        assert got.key == key
        for lang in ("zh", "en"):
            words = render(got, lang)
            assert len(words.splitlines()) >= 4  # the question back and suggested rephrasings
            assert not re.search(r"\d", words)


async def _today_new(s: Script, zone: ZoneInfo) -> int:
    async with s.sessions() as session:
        got = await answer(session=session, person_id=s.ids["coord_c"], text="今天新增多少件",
                           now=NOW, zone=zone)
    assert isinstance(got, Result)
    return got.count


async def test_periods_are_local_days_of_the_configured_zone(autumn: Script) -> None:
    """10:00 in Shanghai is 18:00 the day before in Los Angeles: "today" is another day."""
    counted = {}
    for name in ("Asia/Shanghai", "America/Los_Angeles", "Europe/London"):
        zone = ZoneInfo(name)
        day = NOW.astimezone(zone).date()
        start = datetime(day.year, day.month, day.day, tzinfo=zone)
        want = sum(start <= f.created < start + timedelta(days=1) for f in autumn.facts.values())
        counted[name] = await _today_new(autumn, zone)
        assert counted[name] == want, name
    # W4 and W5 came on 26 Nov (Shanghai); W7 at 16:01 on 25 Nov Shanghai is 00:01 on 25 Nov
    # in Los Angeles, whose "today" (25 Nov) still runs at NOW.
    assert counted["Asia/Shanghai"] == 2
    assert counted["America/Los_Angeles"] == 3
