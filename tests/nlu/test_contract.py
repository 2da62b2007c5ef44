"""The life-safety contract of Parse that the bot consumes: alarm, urgency, emergency, sure flags.

- alarm "certain": urgency critical, emergency a kind;
- alarm "ask": urgency the model's best label (critical when it leans critical), emergency the
  kind to use on "yes", calm_urgency the non-critical label to use on "no";
- alarm None: urgency never critical.
"""

from __future__ import annotations

from typing import Any

import pytest

from nlu.decision import Thresholds, decide, follow_hazard
from nlu.emergency import Hazard
from nlu.parser import BuiltinParser
from nlu.rasa import from_rasa
from nlu.schema import EMERGENCY_KINDS, TICKET_INTENTS, Label, Parse

MESSAGES = [
    "楼道里好大一股煤气味，6栋三楼", "着火了快来人", "电梯困人了，里面有小孩",
    "急死了", "快点来人", "希望加装电梯", "水管爆了", "路灯坏了好几天",
    "楼下有人打架，有人头上流血了", "你好", "谢谢你们，路灯已经修好了",
    "我家老人有老年痴呆，早上出门到现在找不到", "a live wire is hanging over the sidewalk",
    "请问社区有没有法律咨询", "我上周报的那个单子处理到哪了", "取消刚才的报修",
    "the street light on my road is out", "垃圾桶满了没人清", "楼上天天半夜蹦迪",
]


def check_contract(parse: Parse) -> None:
    if parse.alarm == "certain":
        assert parse.urgency is not None
        assert parse.urgency.name == "critical"
        assert parse.emergency in EMERGENCY_KINDS
    elif parse.alarm == "ask":
        assert parse.urgency is not None
        assert parse.emergency in EMERGENCY_KINDS
        assert parse.calm_urgency is not None
        assert parse.calm_urgency.name != "critical"
    else:
        assert parse.alarm is None
        assert parse.urgency is None or parse.urgency.name != "critical"
    if parse.intent.name in TICKET_INTENTS:
        assert parse.category is not None
        assert parse.urgency is not None
    assert isinstance(parse.category_sure, bool)
    assert isinstance(parse.intent_sure, bool)


@pytest.mark.parametrize("text", MESSAGES)
def test_every_parse_keeps_the_contract(parser: BuiltinParser, text: str) -> None:
    check_contract(parser.parse(text))


def test_batch_parses_keep_the_contract(parser: BuiltinParser) -> None:
    for parse in parser.parse_batch(MESSAGES):
        check_contract(parse)


@pytest.mark.parametrize(("text", "kind"), [
    ("楼道里好大一股煤气味，6栋三楼", "gas"),
    ("着火了快来人", "fire"),
    ("电梯困人了，里面有小孩", "rescue"),
    ("a live wire is hanging over the sidewalk", "electric"),
])
def test_a_pattern_hit_is_a_certain_alarm(parser: BuiltinParser, text: str, kind: str) -> None:
    parse = parser.parse(text)
    assert (parse.alarm, parse.emergency) == ("certain", kind)
    assert parse.urgency is not None
    assert parse.urgency.name == "critical"


@pytest.mark.parametrize("text", ["急死了", "快点来人", "希望加装电梯", "水管爆了",
                                  "路灯坏了好几天", "hurry up please"])
def test_urgent_words_alone_never_raise_a_certain_alarm(parser: BuiltinParser,
                                                        text: str) -> None:
    parse = parser.parse(text)
    assert parse.alarm != "certain"
    assert parse.urgency is None or parse.urgency.name != "critical"


@pytest.mark.parametrize("text", ["急死了", "快点来人", "急死了！！", "快来人啊"])
def test_words_of_alarm_alone_ask_the_one_question(parser: BuiltinParser, text: str) -> None:
    parse = parser.parse(text)
    assert parse.intent.name == "report"
    assert parse.alarm == "ask"
    assert parse.emergency in EMERGENCY_KINDS


def test_to_dict_adds_the_contract_keys_and_keeps_the_old_ones(parser: BuiltinParser) -> None:
    answer = parser.parse("楼道里好大一股煤气味").to_dict()
    assert {"text", "intent", "intent_ranking", "entities", "category", "category_ranking",
            "urgency", "language", "emergency"} <= set(answer)
    assert answer["alarm"] == "certain"
    assert answer["urgency"]["name"] == "critical"
    assert isinstance(answer["category_sure"], bool)
    assert isinstance(answer["intent_sure"], bool)


def _labels(**probs: float) -> list[Label]:
    return sorted((Label(name, p) for name, p in probs.items()), key=lambda x: -x.confidence)


CATEGORIES = _labels(utilities=0.5, property=0.3, other=0.2)
STRICT = Thresholds(certain=0.8, ask=0.3)


def test_a_confident_model_alone_raises_a_certain_alarm_with_a_kind() -> None:
    verdict = decide(hazards=[], urgencies=_labels(critical=0.85, high=0.15),
                     categories=CATEGORIES, thresholds=STRICT)
    assert verdict.alarm == "certain"
    assert verdict.urgency == Label("critical", 0.85)
    assert verdict.emergency == "gas"  # utilities without a pattern: the gas advice


def test_a_leaning_model_reads_critical_but_asks_before_alarming() -> None:
    verdict = decide(hazards=[], urgencies=_labels(critical=0.5, high=0.4, normal=0.1),
                     categories=_labels(fire_safety=0.6, other=0.4), thresholds=STRICT)
    assert verdict.alarm == "ask"
    assert verdict.urgency == Label("critical", 0.5)
    assert verdict.calm == Label("high", 0.4)
    assert verdict.emergency == "fire"


def test_a_danger_named_only_to_be_denied_raises_nothing_from_the_model() -> None:
    verdict = decide(hazards=[], urgencies=_labels(critical=0.7, normal=0.3),
                     categories=_labels(sanitation=0.6, utilities=0.4), dismissed=True,
                     thresholds=STRICT)
    assert (verdict.alarm, verdict.urgency.name) == (None, "normal")


def test_critical_probability_above_the_ask_line_asks_even_when_not_top() -> None:
    verdict = decide(hazards=[], urgencies=_labels(normal=0.6, critical=0.35, high=0.05),
                     categories=CATEGORIES, thresholds=STRICT)
    assert (verdict.alarm, verdict.urgency.name) == ("ask", "normal")


def test_a_calm_model_raises_nothing() -> None:
    verdict = decide(hazards=[], urgencies=_labels(normal=0.8, critical=0.1, high=0.1),
                     categories=CATEGORIES, thresholds=STRICT)
    assert (verdict.alarm, verdict.emergency, verdict.urgency.name) == (None, None, "normal")


def test_a_question_never_raises_the_alarm_from_the_model_alone() -> None:
    verdict = decide(hazards=[], urgencies=_labels(critical=0.95, low=0.05),
                     categories=CATEGORIES, model_alarm=False, thresholds=STRICT)
    assert verdict.alarm is None
    assert verdict.urgency.name == "low"


def test_the_most_urgent_hazard_wins_over_the_first_named() -> None:
    hazards = [Hazard("welfare", 0, 4), Hazard("gas", 10, 13)]
    verdict = decide(hazards=hazards, urgencies=_labels(high=0.9, critical=0.1),
                     categories=_labels(dispute=0.7, utilities=0.2, other=0.1))
    assert (verdict.alarm, verdict.emergency) == ("certain", "gas")
    assert verdict.categories[0].name == "utilities"
    assert verdict.category_sure


@pytest.mark.parametrize(("kind", "ranking", "category"), [
    ("gas", _labels(dispute=0.8, utilities=0.2), "utilities"),
    ("electric", _labels(fire_safety=0.8, utilities=0.2), "utilities"),
    ("fire", _labels(utilities=0.8, fire_safety=0.2), "fire_safety"),
    ("fraud", _labels(social_services=0.8, security=0.2), "security"),
    ("missing", _labels(social_services=0.8, security=0.2), "security"),
    ("welfare", _labels(security=0.8, social_services=0.2), "social_services"),
    ("police", _labels(dispute=0.8, traffic=0.15, security=0.05), "security"),
    ("medical", _labels(traffic=0.8, social_services=0.2), "traffic"),
    ("medical", _labels(property=0.8, social_services=0.2), "social_services"),
    ("flood", _labels(property=0.6, utilities=0.3, municipal=0.1), "utilities"),
    ("rescue", _labels(property=0.8, other=0.2), "property"),
])
def test_the_category_of_a_critical_ticket_follows_the_hazard(
        kind: str, ranking: list[Label], category: str) -> None:
    assert follow_hazard(kind, ranking)[0].name == category


@pytest.mark.parametrize(("text", "intent"), [
    ("我想反映一下路灯不亮的事，还有楼道里一股臭鸡蛋味", "report"),
    ("我上周报的那个煤气味的单子处理到哪了", "status"),
])
def test_a_danger_makes_a_report_unless_an_earlier_ticket_is_named(
        parser: BuiltinParser, text: str, intent: str) -> None:
    parse = parser.parse(text)
    assert parse.intent.name == intent
    if intent == "report":
        assert parse.alarm == "certain"


def test_sure_flags_follow_top_probability_and_margin() -> None:
    sure = decide(hazards=[], urgencies=_labels(normal=0.9, low=0.1),
                  categories=_labels(sanitation=0.9, other=0.1))
    unsure = decide(hazards=[], urgencies=_labels(normal=0.9, low=0.1),
                    categories=_labels(sanitation=0.45, municipal=0.4, other=0.15))
    assert sure.category_sure
    assert not unsure.category_sure


def test_sure_parses_on_clear_messages(parser: BuiltinParser) -> None:
    parse = parser.parse("小区门口的垃圾桶满了好几天没人清运，臭气熏天")
    assert (parse.intent.name, parse.intent_sure) == ("report", True)
    assert (parse.category and parse.category.name, parse.category_sure) == ("sanitation", True)


def _rasa_answer(name: str, ranking: list[tuple[str, float]]) -> dict[str, Any]:
    return {"intent": {"name": name, "confidence": ranking[0][1]},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            "entities": []}


def test_rasa_answers_keep_the_contract() -> None:
    gas = from_rasa("楼道里煤气味很重", _rasa_answer(
        "report+dispute+high", [("report+dispute+high", 0.7), ("report+utilities+high", 0.3)]))
    assert (gas.alarm, gas.emergency, gas.category and gas.category.name) == \
        ("certain", "gas", "utilities")
    leaning = from_rasa("急死了快点", _rasa_answer(
        "report+property+critical", [("report+property+critical", 0.5),
                                     ("report+property+high", 0.3), ("greeting", 0.2)]))
    assert leaning.alarm == "ask"  # words of alarm alone: asked, read as the calm label
    assert leaning.urgency is not None
    assert leaning.urgency.name == "high"
    assert leaning.calm_urgency is not None
    assert leaning.calm_urgency.name == "high"
    calm = from_rasa("路灯坏了", _rasa_answer(
        "report+municipal+normal", [("report+municipal+normal", 0.9), ("greeting", 0.1)]))
    assert (calm.alarm, calm.emergency) == (None, None)
    for parse in (gas, leaning, calm):
        check_contract(parse)


def test_the_ngrams_leaning_critical_asks_even_when_the_ensemble_is_calm() -> None:
    """Every message is embedded (issue 28); a calmer embedding must not silence the question
    the n-grams would ask, and it never makes an alert of it."""
    calm = _labels(normal=0.9, critical=0.05, high=0.05)
    cats = [Label("security", 0.8)]
    assert decide(hazards=[], urgencies=calm, categories=cats).alarm is None
    verdict = decide(hazards=[], urgencies=calm, categories=cats, ngram_critical=0.3)
    assert (verdict.alarm, verdict.urgency.name) == ("ask", "normal")
    assert decide(hazards=[], urgencies=calm, categories=cats, ngram_critical=0.99).alarm == "ask"
