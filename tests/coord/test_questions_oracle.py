"""Property: for random histories, every question form's answer equals the oracle's figure.

Histories are played through the real services (tests/coord/oracle.py); the oracle computes each
figure from the raw rows in plain Python. A fixed seed in CI (`derandomize`); a bigger run:
`python bench/questions_oracle.py --examples 200`.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.reporting.questions import Figure, Result
from dispatch.reporting.questions.render import hours as render_hours
from tests.coord.oracle import History, Oracle, period, prepare

STREET_KINDS = {"street", "town", "township"}
DEPT_KINDS = {"department"}
COMMUNITY_KINDS = {"community", "village"}
PERIODS = {"今天": "today", "本周": "this_week", "上周": "last_week", "本月": "this_month",
           "上个月": "last_month", "本季度": "this_quarter", "今年": "this_year"}
UNITS = {"吴航街道": "wuhang", "航城": "hangcheng", "首占镇": "shouzhan", "城管局": "dept-urban",
         "住建局": "dept-housing", "西关社区": "xiguan", "琴江": "qinjiang"}
# (question template, metric, flow?) — {p} a period, {u} a unit
FORMS = [
    ("{u}{p}新增多少件", "new", True), ("{u}{p}办结了多少件", "resolved", True),
    ("{u}{p}满意率是多少", "satisfaction", True),
    ("{u}{p}不满意率是多少", "dissatisfaction", True),
    ("{u}{p}不满意的有几件", "unsatisfied", True), ("{u}{p}升级了几件", "escalated", True),
    ("{u}{p}吹哨了几件", "whistled", True), ("{u}还有几件没办结", "open", False),
    ("{u}有几件超时", "overdue", False), ("{u}有几件未接单", "unclaimed", False),
    ("{u}超时未接单的有几件", "overdue_unclaimed", False),
    ("{u}{p}平均接单时长是多少", "claim_time", True),
    ("{u}{p}平均办结时长", "resolve_time", True),
]
EN_FORMS = [("how many new tickets {p}", "new"), ("satisfaction rate {p}", "satisfaction"),
            ("what percentage of ratings were unhappy {p}", "dissatisfaction"),
            ("how many tickets were resolved {p}", "resolved"),
            ("average time to claim {p}", "claim_time"),
            ("what is the average time to resolve {p}", "resolve_time")]
EN_PERIODS = {"today": "today", "this week": "this_week", "last week": "last_week",
              "this month": "this_month", "this quarter": "this_quarter"}
RANKINGS = [("哪个街道{p}满意率最低", "satisfaction", STREET_KINDS, True),
            ("哪个部门超时最多", "overdue", DEPT_KINDS, False),
            ("哪个街道还有几件没办结最多", "open", STREET_KINDS, False),
            ("哪个社区{p}新增最多", "new", COMMUNITY_KINDS, True),
            ("哪个部门{p}办结最多", "resolved", DEPT_KINDS, True),
            ("哪个街道{p}平均接单时长最长", "claim_time", STREET_KINDS, True),
            ("哪个部门{p}平均办结时长最短", "resolve_time", DEPT_KINDS, True)]
DURATIONS = ("claim_time", "resolve_time")
# Two questions in one message, the unit ({u}) and period ({p}) said once, in the first.
PAIRS = [("{u}{p}新增多少件，办结了多少件", ("new", "resolved")),
         ("{u}{p}满意率是多少？不满意的有几件", ("satisfaction", "unsatisfied")),
         ("{u}{p}升级了几件和吹哨了几件", ("escalated", "whistled")),
         ("{u}还有几件没办结？有几件未接单", ("open", "unclaimed"))]
PAIR_PERIODS = {"本周": "this_week", "本月": "this_month", "本季度": "this_quarter"}
PAIR_UNITS = [None, "吴航街道", "城管局", "西关社区"]
STEPS = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 30), st.integers(0, 200)),
                 min_size=5, max_size=45)


def _pair(fig: Figure, metric: str) -> tuple[int, object]:
    if metric in DURATIONS:  # the mean as the answer shows it
        return fig.count, render_hours(fig.mean) if fig.mean is not None else None
    return fig.count, fig.part if metric in ("satisfaction", "dissatisfaction") else 0


def _got(result: Result, metric: str) -> tuple[int, object]:
    return _pair(result.figure, metric)


async def check(template: Path, db: Path, steps: list[tuple[int, int, int]]) -> int:
    """Play `steps`, ask every form, compare; returns how many answers were compared."""
    history = History(template, db)
    await history.open()
    try:
        for step in steps:
            await history.step(*step)
        oracle = await Oracle.read(history)
        # Each claim and done carries its clock as the trail has it (the average times read it).
        assert not oracle.clock_mismatches(), oracle.clock_mismatches()[:5]
        # Each claim and done says whether it missed the deadline in force as it was made, and
        # each move names the unit it left (deadline keeping and escalations read them).
        assert not oracle.late_mismatches(history.in_force), \
            oracle.late_mismatches(history.in_force)[:5]
        assert not oracle.source_mismatches(), oracle.source_mismatches()[:5]
        # Each rating names the done it answers (the register's 5-working-day check).
        assert not oracle.done_mismatches(), oracle.done_mismatches()[:5]
        unit_ids = {word: history.units[code] for word, code in UNITS.items()}
        asked, wrong = 0, []

        async def compare(text: str, want: object, got_of) -> None:  # noqa: ANN001
            nonlocal asked
            got = await history.ask("coord:centre", text)
            asked += 1
            value = got_of(got) if isinstance(got, Result) else got
            if value != want:
                wrong.append((text, want, value))

        for (template_text, metric, flow), unit in itertools.product(FORMS, [None, *UNITS]):
            periods = PERIODS.items() if flow else [("", None)]
            for word, name in periods:
                span = period(name, history.clock()) if name else None
                base = metric.removesuffix("_unclaimed")
                rows = oracle.rows(base, span, unclaimed=metric.endswith("_unclaimed"))
                want = oracle.figure(rows, base, unit_ids[unit] if unit else None)
                text = template_text.format(u=unit or "", p=word)
                await compare(text, want, lambda r, m=base: _got(r, m))
        for template_text, metric in EN_FORMS:
            for word, name in EN_PERIODS.items():
                rows = oracle.rows(metric, period(name, history.clock()))
                await compare(template_text.format(p=word), oracle.figure(rows, metric),
                              lambda r, m=metric: _got(r, m))
        for list_word, list_type in (("即办", "immediate"), ("阶段性", "phased"),
                                     ("谅解清单", "understanding")):
            want = oracle.figure(oracle.rows("listed", list_type=list_type), "listed")
            await compare(f"{list_word}有几件", want, lambda r: _got(r, "listed"))
        for (template_text, metrics), unit in itertools.product(PAIRS, PAIR_UNITS):
            flow = "{p}" in template_text
            for word, name in (PAIR_PERIODS.items() if flow else [("", None)]):
                span = period(name, history.clock()) if name else None
                text = template_text.format(u=unit or "", p=word)
                want_each = [oracle.figure(oracle.rows(m, span), m,
                                           unit_ids[unit] if unit else None) for m in metrics]
                got_each = await history.ask_each("coord:centre", text)
                asked += 1
                value = [_got(r, m) if isinstance(r, Result) else r
                         for r, m in zip(got_each, metrics, strict=False)]
                if value != want_each:
                    wrong.append((text, want_each, value))
        for template_text, metric, kinds, flow in RANKINGS:
            for word, name in (PERIODS.items() if flow else [("", None)]):
                span = period(name, history.clock()) if name else None
                want = oracle.ranking(oracle.rows(metric, span), metric, kinds)
                await compare(template_text.format(p=word), want, lambda r, m=metric: {
                    unit["zh"]: _pair(fig, m) for unit, fig in r.ranking})
        assert not wrong, "\n".join(map(repr, wrong[:20]))
        return asked
    finally:
        await history.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("oracle") / "template.db"
    asyncio.run(prepare(path))
    return path


@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=STEPS)
def test_every_question_form_agrees_with_the_oracle(template: Path, tmp_path: Path,
                                                    steps: list[tuple[int, int, int]]) -> None:
    asked = asyncio.run(check(template, tmp_path / "history.db", steps))
    assert asked > 300
