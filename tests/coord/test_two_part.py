"""A coordinator's message holding two (or more) questions gets every answer, in order, each the
same as that question asked alone; the unit and period said once carry to a later question that
names none. A single question whose 和 / "and" belongs to it stays one question.
"""

from __future__ import annotations

import pytest

from dispatch.org import tree as org
from dispatch.org.snapshot import OrgUnit
from dispatch.reporting.questions import Clarify, Result, answer, answer_each, render
from dispatch.reporting.questions.split import parts
from tests.conftest import SAMPLE_ORG
from tests.coord.conftest import Script
from tests.coord.test_questions import ALL, MONTH, NOW, WEEK, Expect, street


def _units() -> list[OrgUnit]:
    flat = org.parse_org_file(SAMPLE_ORG).units
    ids = {u.spec.code: n for n, u in enumerate(flat, 1)}
    return [OrgUnit(ids[u.spec.code], u.spec.code, u.spec.name, u.spec.name_en, u.spec.kind,
                    ids.get(u.parent or ""), None, None, None, tuple(u.spec.aliases), True)
            for u in flat]


UNITS = _units()


@pytest.mark.parametrize(("text", "want"), [
    ("西关社区这个月有多少件？逾期的有几件？", ["西关社区这个月有多少件", "逾期的有几件"]),
    ("本月受理多少件，满意率多少", ["本月受理多少件", "满意率多少"]),
    ("本月新增、办结各多少", ["本月新增", "办结各多少"]),
    ("本月新增多少件\n办结了多少件", ["本月新增多少件", "办结了多少件"]),  # a line each
    ("吴航街道本周新增多少件以及办结了多少件", ["吴航街道本周新增多少件", "办结了多少件"]),
    ("本周新增多少还有几件没办结", ["本周新增多少", "还有几件没办结"]),
    ("How many tickets this month and how many are overdue?",
     ["how many tickets this month", "how many are overdue"]),
    ("how many new tickets this week, and also how many were resolved",
     ["how many new tickets this week", "how many were resolved"]),
    ("how many open tickets in the Housing and Construction Bureau and how many are overdue",
     ["how many open tickets in the housing and construction bureau", "how many are overdue"]),
    ("本季度新增多少？办结多少？满意率多少？升级几件？",
     ["本季度新增多少", "办结多少", "满意率多少", "升级几件"]),
])
def test_a_message_is_cut_into_its_questions(text: str, want: list[str]) -> None:
    assert parts(text, units=UNITS, now=NOW) == want


@pytest.mark.parametrize("text", [
    "城管和环保哪个部门超时最多",  # one ranking
    "城管局和住建局有几件超时",  # two units, one question (asked back: which unit)
    "区住房和城乡建设局还有几件没办结",  # 和 inside a unit's name
    "和平社区还有几件没办结",
    "吴航街道还有几件没办结",  # 还有 inside the question
    "超时和新增各多少",  # the second half has no period of its own: unsure, one question
    "本月新增多少件，谢谢",
    "how many open tickets in Xiguan and Dongguan",
    "how many noise and dispute tickets are open",  # the second half asks nothing itself
    "有几件噪音和纠纷没办结",
    "which street has the most open tickets and which has the most overdue",
    "how many new tickets between 1 Nov and 15 Nov",
    "本季度新增多少？办结多少？满意率多少？不满意率多少？升级几件？",  # more than four
])
def test_one_question_with_and_stays_one(text: str) -> None:
    assert parts(text, units=UNITS, now=NOW) == [text]


async def _each(s: Script, who: str, text: str) -> list:  # noqa: ANN001
    async with s.sessions() as session:
        return await answer_each(session=session, person_id=s.ids[who], text=text, now=NOW)


async def _alone(s: Script, who: str, text: str):  # noqa: ANN202
    async with s.sessions() as session:
        return await answer(session=session, person_id=s.ids[who], text=text, now=NOW)


TWO = [  # (who, the message, each part as asked alone, with what it carries)
    ("coord_c", "西关社区这个月有多少件？逾期的有几件？",
     ["西关社区这个月有多少件", "西关社区这个月逾期的有几件"]),
    ("coord_c", "本月受理多少件，满意率多少", ["本月受理多少件", "本月满意率多少"]),
    ("coord_w", "本周新增多少件，还有几件没办结", ["本周新增多少件", "本周还有几件没办结"]),
    ("coord_c", "吴航街道本季度新增多少，哪个社区新增最多",  # the street's communities ranked
     ["吴航街道本季度新增多少", "吴航街道本季度哪个社区新增最多"]),
    ("coord_c", "城管局还有几件没办完？本季度哪个社区新增最多",  # a bureau holds no community
     ["城管局还有几件没办完", "本季度哪个社区新增最多"]),
    ("coord_c", "How many tickets this month and how many are overdue?",
     ["how many tickets this month", "how many are overdue this month"]),
    ("coord_c", "how many new tickets this week and how many were resolved",
     ["how many new tickets this week", "how many were resolved this week"]),
    ("coord_h", "satisfaction rate this month, and how many tickets were resolved?",
     ["satisfaction rate this month", "how many tickets were resolved this month"]),
]


@pytest.mark.parametrize(("who", "text", "alone"), TWO)
async def test_each_question_is_answered_as_if_asked_alone(autumn: Script, who: str, text: str,
                                                           alone: list[str]) -> None:
    got = await _each(autumn, who, text)
    assert len(got) == len(alone)
    for lang in ("zh", "en"):
        assert [render(a, lang) for a in got] == [
            render(await _alone(autumn, who, part), lang) for part in alone]
    assert all(isinstance(a, Result) for a in got)


async def test_the_figures_are_the_scripts(autumn: Script) -> None:
    """The counts of a two-part message against the scripted facts, not the code."""
    new, rate = await _each(autumn, "coord_c", "本月受理多少件，满意率多少")
    assert new.count == Expect(autumn.facts, ALL).new(MONTH)
    assert rate.rate == pytest.approx(Expect(autumn.facts, ALL).rate(MONTH))
    assert render(new, "zh").startswith("全区 · 本月 · 新增工单")
    assert render(rate, "zh").startswith("全区 · 本月 · 满意率")
    new, done = await _each(autumn, "coord_c", "how many new tickets this week and how many "
                                               "were resolved")
    assert (new.count, done.count) == (Expect(autumn.facts, ALL).new(WEEK),
                                       Expect(autumn.facts, ALL).resolved(WEEK))
    assert new.count
    assert done.count
    overdue_now, wuhang = await _each(autumn, "coord_c", "有几件超时？吴航街道呢，有几件超时")
    assert overdue_now.count == Expect(autumn.facts, ALL).overdue()
    assert wuhang.count == Expect(autumn.facts, street("wuhang")).overdue()
    assert overdue_now.count > wuhang.count > 0


@pytest.mark.parametrize("text", [
    "城管局和住建局有几件超时", "区住房和城乡建设局还有几件没办结", "超时和新增各多少",
    "how many open tickets in Xiguan and Dongguan", "哪个部门超时最多"])
async def test_a_single_question_is_answered_once_as_before(autumn: Script, text: str) -> None:
    (got,) = await _each(autumn, "coord_c", text)
    alone = await _alone(autumn, "coord_c", text)
    assert render(got, "zh") == render(alone, "zh")
    assert render(got, "en") == render(alone, "en")
    if "住建局有几件超时" in text or "超时和新增" in text:
        assert isinstance(got, Clarify)
