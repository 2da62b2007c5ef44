"""Two questions in one message, asked through the stand-in on both runtimes and databases: one
reply holding both answers in order, each exactly the reply to that question asked alone (with
the unit and period said once), and each figure the oracle's (tests/coord/oracle.py, counted
from the raw rows). A single question whose 和 / "and" is part of it is answered once.
"""

from __future__ import annotations

from dispatch.core.enums import Category
from tests.coord.oracle import Oracle
from tests.e2e.test_coord_phrasings import COMMUNITY, Count, Rank, check, expected
from tests.e2e.test_coord_questions import (
    COORD_CENTRE,
    RESIDENT,
    _unit,
    answer_like,
    ask,
    play,
)

C, Q4 = Count, "this_quarter"
# (language, the message, each part as asked alone, the oracle's figure for it or None where
# the oracle has no such figure: an overdue count over a period)
TWO = [
    ("zh", "西关社区这个月有多少件？逾期的有几件？",
     [("西关社区这个月有多少件", C("new", "this_month", unit="xiguan")),
      ("西关社区这个月逾期的有几件", None)]),
    ("zh", "本月受理多少件，满意率多少",
     [("本月受理多少件", C("new", "this_month")),
      ("本月满意率多少", C("satisfaction", "this_month"))]),
    ("zh", "吴航街道本季度新增多少件？办结了多少件？",
     [("吴航街道本季度新增多少件", C("new", Q4, unit="wuhang")),
      ("吴航街道本季度办结了多少件", C("resolved", Q4, unit="wuhang"))]),
    ("zh", "城管局还有几件没办完？本季度哪个社区新增最多",  # a ranking: several lines
     [("城管局还有几件没办完", C("open", unit="dept-urban")),
      ("本季度哪个社区新增最多", Rank("new", Q4, frozenset(COMMUNITY)))]),
    ("en", "How many tickets this month and how many are overdue?",
     [("how many tickets this month", C("new", "this_month")),
      ("how many are overdue this month", None)]),
    ("en", "how many new tickets this quarter and how many were resolved?",
     [("how many new tickets this quarter", C("new", Q4)),
      ("how many were resolved this quarter", C("resolved", Q4))]),
]
LANGUAGE = {"zh": "zh-hans", "en": "en"}


async def test_two_questions_in_one_message_get_both_answers(district) -> None:  # noqa: ANN001
    await play(district)
    oracle = await Oracle.read_from(district.sessions, district.clock())
    units = {code: await _unit(district, code) for code in ("xiguan", "wuhang", "dept-urban")}
    wrong, counted = [], 0
    for lang, text, asked in TWO:
        reply = await ask(district, COORD_CENTRE, text, LANGUAGE[lang])
        alone = [await ask(district, COORD_CENTRE, part, LANGUAGE[lang]) for part, _ in asked]
        if reply != "\n\n".join(alone):
            wrong.append((text, reply, alone))
        for answer, (part, spec) in zip(alone, asked, strict=True):
            if spec is None:
                continue
            want = expected(oracle, spec, units, district.clock())
            counted += want != (0, 0)
            if (problem := check(answer, spec, want, lang)) is not None:
                wrong.append((part, problem, answer))
    assert not wrong, "\n".join(map(repr, wrong))
    assert counted >= 5  # most figures compared are not zero


async def test_a_single_question_with_and_is_answered_once(district) -> None:  # noqa: ANN001
    await play(district)
    text = await ask(district, COORD_CENTRE, "区住房和城乡建设局还有几件没办结")
    assert text == "区住房和城乡建设局 · 目前 · 未办结工单（按责任单位）：0", text
    text = await ask(district, COORD_CENTRE, "城管局和住建局有几件超时")  # which one? asked back
    assert text.startswith("没能确定您说的是哪个街道、社区或部门，请写全称。\n"), text
    assert "\n\n" not in text
    text = await ask(district, COORD_CENTRE, "how many open tickets in Xiguan and Dongguan", "en")
    assert text.startswith("I could not tell which street, community or department you mean"), text
    assert "\n\n" not in text
    text = await ask(district, COORD_CENTRE, "open tickets in the Housing and Construction Bureau",
                     "en")
    assert "\n" not in text, text
    assert text.endswith(": 0"), text


async def test_a_list_among_two_questions_pages_alone(district) -> None:  # noqa: ANN001
    s = await play(district)
    for n in range(8):
        await s.report(f"N{n}", RESIDENT, "dongguan", Category.SANITATION, f"锦绣华庭垃圾 {n}")
    rate = await ask(district, COORD_CENTRE, "本季度满意率多少")
    centre = district.chat(COORD_CENTRE)
    await centre.send("列出还没办结的工单，本季度满意率多少")
    first = await centre.wait_for(answer_like)
    listed, said_rate = first["text"].split("\n\n")
    assert listed.splitlines()[0] == "全区 · 目前 · 未办结工单：11"  # E, C, G and the eight
    assert listed.splitlines()[-1] == "……另有 1 件未列出"
    assert said_rate == rate
    numbers = [b["text"] for row in first["buttons"] for b in row]
    assert numbers[-1] == "下一页 ›"
    assert len(numbers[:-1]) == 10
    await centre.press(first["message_id"], first["buttons"][-1][0]["data"])
    second = await centre.wait_for(answer_like)  # the list's next page, not the rate again
    assert second["text"].splitlines()[0] == "全区 · 目前 · 未办结工单：11"
    assert "满意率" not in second["text"]
    rest = [b["text"] for row in second["buttons"] for b in row]
    assert len(rest) == 1
    assert rest[0] not in numbers
