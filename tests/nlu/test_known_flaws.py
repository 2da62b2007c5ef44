"""Issue 28's known flaws, each read the way a resident would be answered (lines written for
these tests, never taken from the eval files)."""

from __future__ import annotations

import pytest

from nlu.emergency import alarm_words, emergency_kind, scan_hazards
from nlu.parser import BuiltinParser
from nlu.schema import Label


def _name(label: Label | None) -> str | None:
    return label.name if label else None


def test_a_leak_from_upstairs_is_not_a_flood(parser: BuiltinParser) -> None:
    result = parser.parse("water leaking from upstairs into my flat")
    assert emergency_kind(result.text) is None
    assert result.alarm is None
    assert _name(result.urgency) == "normal"
    # Water pouring or flooding into homes still is.
    assert emergency_kind("the river is flooding into the ground-floor flats") == "flood"
    assert emergency_kind("the leak upstairs got worse, water is gushing into our flat") == "flood"


@pytest.mark.parametrize("text", [
    "楼上漏水了，漏到我家了", "water leaking from upstairs into my flat",
])
def test_a_leak_from_the_flat_above_goes_to_the_building(parser: BuiltinParser,
                                                         text: str) -> None:
    result = parser.parse(text)
    assert (result.intent.name, _name(result.category)) == ("report", "property")
    assert result.alarm is None


def test_a_quarrel_over_a_leak_is_still_a_dispute(parser: BuiltinParser) -> None:
    result = parser.parse("因为楼上漏水到我家的赔偿问题，两家吵了好几个月，想请社区调解")
    assert _name(result.category) == "dispute"


@pytest.mark.parametrize("text", ["好的", "ok", "收到", "好的，知道了"])
def test_a_bare_acknowledgement_is_not_a_greeting(parser: BuiltinParser, text: str) -> None:
    assert parser.parse(text).intent.name == "thanks"


@pytest.mark.parametrize("text", [
    "the bins at block 3 are overflowing again",
    "Rubbish bins by the north gate overflowing, bags on the ground",
    "3号楼的垃圾桶又满出来了",
])
def test_overflowing_bins_are_ordinary_in_both_languages(parser: BuiltinParser,
                                                         text: str) -> None:
    result = parser.parse(text)
    assert (_name(result.category), _name(result.urgency)) == ("sanitation", "normal")


def test_an_old_persons_errand_is_a_help_request_without_the_danger_question(
        parser: BuiltinParser) -> None:
    text = "can someone help me carry groceries tomorrow? I am 80"
    assert not alarm_words(text)
    result = parser.parse(text)
    assert (result.intent.name, result.alarm) == ("help_request", None)
    # A cry for help standing alone still asks.
    assert [alarm_words(cry) for cry in ("help me!!", "somebody help me please")] == [True, True]


@pytest.mark.parametrize("text", ["隔壁在垃圾桶里烧纸，已经灭了",
                                  "someone burned rubbish in the bin, the fire is out now"])
def test_a_fire_already_out_does_not_ask(parser: BuiltinParser, text: str) -> None:
    assert scan_hazards(text) == ([], True)
    assert parser.parse(text).alarm is None


@pytest.mark.parametrize("text", [
    "火还没有扑灭，烟越来越大", "the fire is not out yet, flames again",
    "路口红绿灯全灭了，车很乱",
])
def test_a_fire_not_yet_out_or_lights_out_is_not_read_as_over(text: str) -> None:
    assert not scan_hazards(text)[1]


def test_an_office_not_answering_is_a_complaint_not_a_welfare_alarm() -> None:
    assert emergency_kind("management not answer the phone, the water pump is noisy") is None
    assert emergency_kind("I'm at work, my mum lives alone and is not answering the phone "
                          "since yesterday") == "welfare"

