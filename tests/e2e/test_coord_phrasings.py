"""Issue 21: more than 80 phrasings (zh, en) asked through the stand-in, each checked for its
exact number (counted by the oracle in tests/coord/oracle.py over the raw rows of the scripted
autumn in test_coord_questions.py) or for the clarifying question it must get instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dispatch.core.enums import Role
from tests.coord.oracle import Oracle, period
from tests.e2e.test_coord_questions import COORD_CENTRE, COORD_WH, _unit, ask, play

STREET, COMMUNITY, DEPT = {"street", "town", "township"}, {"community", "village"}, {
    "department"}
RATES = ("satisfaction", "dissatisfaction")
DURATIONS = ("claim_time", "resolve_time")
PER_PERSON = 15


@dataclass(frozen=True)
class Count:
    metric: str
    span: str | None = None
    unit: str | None = None
    category: str | None = None
    urgency: str | None = None
    list_type: str | None = None
    unclaimed: bool = False


@dataclass(frozen=True)
class Rank:
    metric: str
    span: str | None
    kinds: frozenset[str]
    least: bool = False


@dataclass(frozen=True)
class Ask:
    starts: str  # the clarifying question (or refusal) opens with this; it carries no digit


C, R = Count, Rank
WHAT, PERIOD = "没太明白您想查什么。", "请说明时间范围"
UNIT_ZH = "没有找到您说的单位，不会改查全区。"
ONE = "一次只能查一项指标"
WHAT_EN, PERIOD_EN, UNIT_EN = ("Sorry, I did not understand", "Which period?",
                               "I could not find that unit")
Q4 = "this_quarter"
ZH = [
    ("今天新增多少件", C("new", "today")), ("今天新收了几件", C("new", "today")),
    ("本周新增多少件", C("new", "this_week")), ("本月新增了多少", C("new", "this_month")),
    ("本季度受理了多少件", C("new", Q4)), ("今年新增多少件", C("new", "this_year")),
    ("上周新增多少件", C("new", "last_week")), ("上个月新增多少件", C("new", "last_month")),
    ("还有几件没办结", C("open")), ("目前未办结的有多少", C("open")), ("在办的有几件", C("open")),
    ("有几件超时", C("overdue")), ("逾期的有多少件", C("overdue")),
    ("超期工单有几件", C("overdue")),
    ("超时未接单的有几件", C("overdue", unclaimed=True)), ("有几件还没人接单", C("unclaimed")),
    ("未签收的有几件", C("unclaimed")), ("本周办结了多少件", C("resolved", "this_week")),
    ("本月办完了几件", C("resolved", "this_month")), ("本季度解决了多少件", C("resolved", Q4)),
    ("本季度升级了几件", C("escalated", Q4)), ("本月吹哨了几件", C("whistled", "this_month")),
    ("本季度不满意的有几件", C("unsatisfied", Q4)), ("本季度差评有几条", C("unsatisfied", Q4)),
    ("本季度满意率是多少", C("satisfaction", Q4)), ("本季度满意度怎么样", C("satisfaction", Q4)),
    ("本季度不满意率是多少", C("dissatisfaction", Q4)),
    ("本季度差评率", C("dissatisfaction", Q4)), ("今年满意率", C("satisfaction", "this_year")),
    ("即办事项有几件", C("listed", list_type="immediate")),
    ("阶段性的有几件", C("listed", list_type="phased")),
    ("谅解清单有几件", C("listed", list_type="understanding")),
    ("列出即办事项", C("listed", list_type="immediate")),
    ("吴航街道还有几件没办结", C("open", unit="wuhang")),
    ("吴航还有几件没办完", C("open", unit="wuhang")),
    ("城管局还有几件没办完", C("open", unit="dept-urban")),
    ("区城市管理局有几件超时", C("overdue", unit="dept-urban")),
    ("住建局还有几件没办结", C("open", unit="dept-housing")),
    ("航城街道本季度满意率", C("satisfaction", Q4, unit="hangcheng")),
    ("西关社区还有几件没办结", C("open", unit="xiguan")),
    ("西关的路灯问题还有几件没办结", C("open", unit="xiguan", category="municipal")),
    ("首占镇本季度新增多少件", C("new", Q4, unit="shouzhan")),
    ("吴航街道本季度办结了多少件", C("resolved", Q4, unit="wuhang")),
    ("城管局本季度办结了几件", C("resolved", Q4, unit="dept-urban")),
    ("航城街道本季度不满意率", C("dissatisfaction", Q4, unit="hangcheng")),
    ("本季度较急的新增多少件", C("new", Q4, urgency="high")),
    ("本季度环境卫生新增几件", C("new", Q4, category="sanitation")),
    ("本季度噪音问题新增几件", C("new", Q4, category="noise")),
    ("本季度紧急工单新增多少", C("new", Q4, urgency="critical")),
    ("本季度电梯的问题新增几件", C("new", Q4, category="property")),
    ("2026年第四季度新增多少件", C("new", Q4)),
    ("去年新增多少件", C("new", "last_year")),
    ("本季度哪个街道满意率最低", R("satisfaction", Q4, frozenset(STREET), least=True)),
    ("本季度哪个街道满意率最高", R("satisfaction", Q4, frozenset(STREET))),
    ("哪个部门超时最多", R("overdue", None, frozenset(DEPT))),
    ("哪个街道还有几件没办结最多", R("open", None, frozenset(STREET))),
    ("本季度各街道办结多少", R("resolved", Q4, frozenset(STREET))),
    ("本季度哪个社区新增最多", R("new", Q4, frozenset(COMMUNITY))),
    ("本季度哪个社区新增最少", R("new", Q4, frozenset(COMMUNITY), least=True)),
    # no metric named: with a period, how many came in; without one, how many are open
    ("本季度紧急工单有几件", C("new", Q4, urgency="critical")),
    ("本季度有几件紧急的", C("new", Q4, urgency="critical")),
    ("本季度环境卫生多少件", C("new", Q4, category="sanitation")),
    ("紧急工单有几件", C("open", urgency="critical")),
    ("西关社区路灯问题有几件", C("open", unit="xiguan", category="municipal")),
    ("怎么样了", Ask(WHAT)), ("新增多少件", Ask(PERIOD)), ("办结了几件", Ask(PERIOD)),
    ("环保局还有几件没办完", Ask(UNIT_ZH)), ("城建局有几件超时", Ask(UNIT_ZH)),
    ("超时和新增各多少", Ask(ONE)),
    # average times (issue 21): hours from assignment to the claim / the done
    ("本季度平均接单时长是多少", C("claim_time", Q4)),
    ("本月平均接单时间", C("claim_time", "this_month")),
    ("上周接单平均要多久", C("claim_time", "last_week")),
    ("本季度平均办结时长", C("resolve_time", Q4)),
    ("本月平均处理时长是多少", C("resolve_time", "this_month")),
    ("吴航街道本季度平均接单时长", C("claim_time", Q4, unit="wuhang")),
    ("航城本季度平均办结时长", C("resolve_time", Q4, unit="hangcheng")),
    ("城管局本季度平均接单时长", C("claim_time", Q4, unit="dept-urban")),
    ("本季度环境卫生平均办结时长", C("resolve_time", Q4, category="sanitation")),
    ("本季度哪个街道平均接单时长最长", R("claim_time", Q4, frozenset(STREET))),
    ("本季度哪个社区平均办结时长最短", R("resolve_time", Q4, frozenset(COMMUNITY), least=True)),
    ("今天平均接单时长", C("claim_time", "today")),
    ("本季度哪个部门接单最慢", R("claim_time", Q4, frozenset(DEPT))),
    ("本季度哪个街道办结最快", R("resolve_time", Q4, frozenset(STREET), least=True)),
    ("平均办结时长是多少", Ask(PERIOD)),
]
EN = [
    ("how many new tickets today", C("new", "today")), ("new tickets this week",
                                                        C("new", "this_week")),
    ("how many tickets were received this month", C("new", "this_month")),
    ("how many tickets were received in November", C("new", "this_month")),
    ("how many tickets were resolved in October", C("resolved", "last_month")),
    ("how many open tickets", C("open")), ("how many tickets are still unresolved", C("open")),
    ("how many overdue tickets", C("overdue")),
    ("how many overdue tickets are unclaimed", C("overdue", unclaimed=True)),
    ("how many tickets are unclaimed", C("unclaimed")),
    ("how many tickets were resolved this week", C("resolved", "this_week")),
    ("resolved tickets this quarter", C("resolved", Q4)),
    ("how many escalated tickets this quarter", C("escalated", Q4)),
    ("how many whistled tickets this month", C("whistled", "this_month")),
    ("unsatisfied ratings this quarter", C("unsatisfied", Q4)),
    ("what is the satisfaction rate this quarter", C("satisfaction", Q4)),
    ("satisfaction rate this year", C("satisfaction", "this_year")),
    ("what percentage of residents were unhappy this quarter", C("dissatisfaction", Q4)),
    ("dissatisfaction rate this quarter", C("dissatisfaction", Q4)),
    ("how many open tickets in Wuhang", C("open", unit="wuhang")),
    ("open tickets in the Urban Management Bureau", C("open", unit="dept-urban")),
    ("overdue tickets in urban management", C("overdue", unit="dept-urban")),
    ("satisfaction rate in Hangcheng this quarter", C("satisfaction", Q4, unit="hangcheng")),
    ("how many new tickets in Xiguan Community this quarter", C("new", Q4, unit="xiguan")),
    ("how many street light tickets are open", C("open", category="municipal")),
    ("how many critical tickets were received this quarter", C("new", Q4, urgency="critical")),
    ("how many high urgency tickets were received this quarter", C("new", Q4, urgency="high")),
    ("new tickets last week", C("new", "last_week")),
    ("new tickets last quarter", C("new", "last_quarter")),
    ("how many immediate list tickets", C("listed", list_type="immediate")),
    ("which street has the lowest satisfaction rate this quarter",
     R("satisfaction", Q4, frozenset(STREET), least=True)),
    ("which department has the most overdue tickets", R("overdue", None, frozenset(DEPT))),
    ("which street has the most open tickets", R("open", None, frozenset(STREET))),
    ("numbers?", Ask(WHAT_EN)), ("how many tickets were resolved", Ask(PERIOD_EN)),
    ("open tickets in Foo Bureau", Ask(UNIT_EN)),
    ("average time to claim this quarter", C("claim_time", Q4)),
    ("what is the average time to resolve this month", C("resolve_time", "this_month")),
    ("average resolution time in Wuhang this quarter", C("resolve_time", Q4, unit="wuhang")),
    ("which street has the shortest average time to claim this quarter",
     R("claim_time", Q4, frozenset(STREET), least=True)),
    ("which department is fastest to claim this quarter",
     R("claim_time", Q4, frozenset(DEPT), least=True)),
    ("average time to claim", Ask(PERIOD_EN)),
    ("how many critical tickets this quarter", C("new", Q4, urgency="critical")),
    ("how many noise tickets this quarter", C("new", Q4, category="noise")),
    ("how many high urgency tickets", C("open", urgency="high")),
]
STREET_COORD = [  # 吴航街道's coordinator: their street and below
    ("今天新增多少件", C("new", "today", unit="wuhang")),
    ("还有几件没办结", C("open", unit="wuhang")),
    ("本季度满意率", C("satisfaction", Q4, unit="wuhang")),
    ("航城街道本季度满意率", Ask("航城街道不在您的管辖范围内")),
    ("本季度平均办结时长", C("resolve_time", Q4, unit="wuhang")),
]


def _percent(count: int, part: int) -> str:
    return f"{part / count * 100:.1f}%"


def expected(oracle: Oracle, spec: Count | Rank, units: dict[str, int],
             now: datetime) -> object:
    span = period(spec.span, now) if spec.span else None
    if isinstance(spec, Rank):
        return oracle.ranking(oracle.rows(spec.metric, span), spec.metric, set(spec.kinds))
    rows = oracle.rows(spec.metric, span, unclaimed=spec.unclaimed, list_type=spec.list_type,
                       category=spec.category, urgency=spec.urgency)
    return oracle.figure(rows, spec.metric, units[spec.unit] if spec.unit else None)


def _number(text: str) -> str:
    """The count after the first line's last colon."""
    first = text.splitlines()[0]
    return first.rsplit("：" if "：" in first else ": ", 1)[-1].strip()


def _line(name: str, pair: tuple[int, Any], rate: bool, lang: str, duration: bool = False
          ) -> str:
    if duration:
        return f"{name}：{pair[1]} 小时（{pair[0]} 次）" if lang == "zh" else \
            f"{pair[1]} h ({pair[0]})"
    if lang == "zh":
        value = f"{_percent(*pair)}（{pair[1]}/{pair[0]}）" if rate else str(pair[0])
        return f"{name}：{value}"
    return f"{_percent(*pair)} ({pair[1]}/{pair[0]})" if rate else str(pair[0])


def check(text: str, spec: Count | Rank | Ask, want: object, lang: str) -> str | None:
    """None when the answer says what the oracle says; else what is wrong."""
    if isinstance(spec, Ask):
        if not text.startswith(spec.starts) or re.search(r"\d", text):
            return "not the clarifying question"
        return None
    if isinstance(spec, Rank):
        assert isinstance(want, dict)
        rate = spec.metric in RATES

        duration = spec.metric in DURATIONS

        def value(pair: tuple[int, Any]) -> float:
            if duration:
                return float(pair[1])
            return pair[1] / pair[0] if rate else pair[0]

        names = sorted(want, key=lambda n: ((1 if spec.least else -1) * value(want[n]), n))
        lines = text.splitlines()[1:]
        if not want:
            return None if len(text.splitlines()) == 1 else "a ranking of nothing"
        got = [re.sub(r"^\d+\. ", "", line) for line in lines]
        if lang == "en":
            got = [line.rsplit(": ", 1)[1] for line in got]
        wanted = [_line(n, want[n], rate, lang, duration) for n in names]
        return None if got == wanted else f"{got} != {wanted}"
    count, part = want  # type: ignore[misc]
    if spec.metric in DURATIONS:
        first = text.splitlines()[0]
        if count == 0:
            none = "无法计算" in first or ", so no average" in first
            return None if none else "a mean of none"
        said = (f"：{part} 小时（{count} 次" if lang == "zh" else
                f": {part} h ({'claims' if spec.metric == 'claim_time' else 'resolved'}: {count};")
        return None if said in first else f"not {said!r}"
    if spec.metric in RATES:
        if count == 0:
            return None if ("暂无评价" in text or "No ratings" in text) else "a rate of nothing"
        rate = _percent(count, part)
        return None if rate in text.splitlines()[0] else f"not {rate}"
    got = _number(text)
    return None if got == str(count) else f"{got} != {count}"


async def test_more_than_eighty_phrasings_get_the_oracles_numbers(district) -> None:  # noqa: ANN001
    await play(district)
    oracle = await Oracle.read_from(district.sessions, district.clock())
    codes = {"wuhang", "hangcheng", "shouzhan", "xiguan", "dept-urban", "dept-housing"}
    units = {code: await _unit(district, code) for code in codes}
    # Several coordinators share the questions: one person may send 20 messages a minute.
    for user in range(7201, 7212):
        await district.enrol(user, f"协调员{user}", Role.COORDINATOR, "centre")
    zh_pool, en_pool = [COORD_CENTRE, *range(7201, 7207)], list(range(7207, 7212))
    table = ([(zh_pool[n // PER_PERSON], "zh-hans", "zh", *row) for n, row in enumerate(ZH)]
             + [(en_pool[n // PER_PERSON], "en", "en", *row) for n, row in enumerate(EN)]
             + [(COORD_WH, "zh-hans", "zh", *row) for row in STREET_COORD])
    assert len(table) >= 80
    wrong, nonzero, timed = [], 0, 0
    for user, language, lang, text, spec in table:
        want = None if isinstance(spec, Ask) else expected(oracle, spec, units, district.clock())
        nonzero += bool(want) and want != (0, 0)
        timed += isinstance(spec, Count) and spec.metric in DURATIONS and want[0] > 0  # type: ignore[index]
        answer = await ask(district, user, text, language)
        if (problem := check(answer, spec, want, lang)) is not None:
            wrong.append((text, problem, answer))
    assert not wrong, "\n".join(map(repr, wrong))
    assert nonzero >= 50  # the history is not degenerate: most figures are not zero
    assert timed >= 8, timed  # most average times are means of real claims and dones
