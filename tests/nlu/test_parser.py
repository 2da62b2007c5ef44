from __future__ import annotations

import json
import threading

import pytest

from nlu.parser import BuiltinParser
from nlu.schema import CATEGORIES, INTENTS, URGENCIES


@pytest.mark.parametrize(("text", "intent", "category"), [
    ("小区门口的垃圾桶满了好几天没人清，臭死了", "report", "sanitation"),
    ("楼下路灯坏了一个星期，晚上黑漆漆的", "report", "municipal"),
    ("楼上每天半夜装修，电钻声吵得睡不着", "report", "noise"),
    ("有车天天停在消防通道上", "report", "fire_safety"),
    ("垃圾分类里，用过的纸巾算什么垃圾？", "consult", "sanitation"),
    ("有没有邻居能帮我把米扛上五楼？", "help_request", "neighbor_help"),
    ("the garbage truck skipped our street again", "report", "sanitation"),
])
def test_obvious_messages_are_classified(parser: BuiltinParser, text: str, intent: str,
                                         category: str) -> None:
    result = parser.parse(text)
    assert (result.intent.name, result.category and result.category.name) == (intent, category)


@pytest.mark.parametrize(("text", "intent"), [
    ("你好", "greeting"), ("谢谢你们，辛苦了", "thanks"),
    ("我上周报的问题处理得怎么样了？", "status"),
    ("算了，不用来了，取消吧", "cancel"), ("帮我写一首关于春天的诗", "out_of_scope"),
])
def test_chat_intents_have_no_category_or_urgency(parser: BuiltinParser, text: str,
                                                  intent: str) -> None:
    result = parser.parse(text)
    assert result.intent.name == intent
    assert result.category is None
    assert result.urgency is None


def test_life_safety_pattern_forces_critical_and_names_the_emergency(
        parser: BuiltinParser) -> None:
    result = parser.parse("樓道裡好大一股煤氣味，6栋三楼")
    assert result.intent.name == "report"
    assert result.urgency is not None
    assert result.urgency.name == "critical"
    assert result.emergency == "gas"
    assert result.language == "zh"


def test_a_bare_cry_for_help_is_never_chit_chat(parser: BuiltinParser) -> None:
    result = parser.parse("救命！")
    assert result.intent.name == "report"
    assert result.urgency is not None
    assert result.urgency.name == "critical"


def test_status_question_about_an_emergency_keeps_its_intent_and_kind(
        parser: BuiltinParser) -> None:
    result = parser.parse("我昨天报的煤气泄漏那件事，现在处理到哪一步了？")
    assert result.intent.name == "status"
    assert result.emergency == "gas"


def test_ranking_is_a_sorted_distribution_over_all_intents(parser: BuiltinParser) -> None:
    result = parser.parse("路灯坏了")
    confidences = [label.confidence for label in result.intent_ranking]
    assert {label.name for label in result.intent_ranking} == set(INTENTS)
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0, abs=1e-6)
    assert result.intent == result.intent_ranking[0]


def test_help_requests_are_always_neighbor_help(parser: BuiltinParser) -> None:
    result = parser.parse("谁能帮我接一下孩子放学，我今天加班")
    assert result.intent.name == "help_request"
    assert result.category is not None
    assert result.category.name == "neighbor_help"


def test_to_dict_is_the_json_contract(parser: BuiltinParser) -> None:
    payload = json.loads(json.dumps(parser.parse("阳光花园6栋停水了，电话13812345678").to_dict()))
    assert set(payload) >= {"text", "intent", "intent_ranking", "entities", "category",
                            "urgency", "language", "emergency"}
    assert set(payload["intent"]) == {"name", "confidence"}
    assert payload["category"]["name"] in CATEGORIES
    assert payload["urgency"]["name"] in URGENCIES
    assert {"entity": "phone", "start": 12, "end": 23, "value": "13812345678"} in \
        payload["entities"]


def test_english_is_detected(parser: BuiltinParser) -> None:
    assert parser.parse("the street light is out").language == "en"
    assert parser.parse("楼下的 street light 又坏了").language == "zh"


def test_parse_is_thread_safe(parser: BuiltinParser) -> None:
    texts = ["路灯坏了", "你好", "煤气味很重", "垃圾没人收"] * 5
    expected = [parser.parse(text).to_dict() for text in texts]
    results: list[dict[str, object]] = [{}] * len(texts)

    def work(i: int) -> None:
        results[i] = parser.parse(texts[i]).to_dict()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected


def test_batch_parsing_agrees_with_single_parsing(parser: BuiltinParser) -> None:
    texts = ["路灯坏了", "", "thanks!", "煤气味很重"]
    batch = parser.parse_batch(texts)
    assert [r.to_dict() for r in batch] == [parser.parse(t).to_dict() for t in texts]
