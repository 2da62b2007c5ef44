"""A fragment's place and its other words, and a place given in pieces."""

from __future__ import annotations

import pytest

from bot.conversation.resident.reading import join_place, split_place
from nlu.entities import EntityExtractor
from nlu.schema import Label, Parse


def _parse(text: str, intent: str = "out_of_scope", confidence: float = 0.9) -> Parse:
    label = Label(intent, confidence)
    return Parse(text=text, intent=label, intent_ranking=[label],
                 entities=EntityExtractor().extract(text))


@pytest.mark.parametrize(("text", "place", "detail"), [
    ("漏到我家了 2栋502", "2栋502", "漏到我家了"),
    ("楼上漏水 3号楼201", "3号楼201", "楼上漏水"),
    ("2栋502", "2栋502", ""),
    ("在 幸福小区5栋 门口", "幸福小区5栋门口", ""),
    ("2栋楼下", "2栋楼下", ""),
    ("502", "502", ""),
    ("Building 5, room 502", "Building 5, room 502", ""),
    ("into my kitchen, building 2 room 502", "building 2 room 502", "into my kitchen"),
    ("actually its block 8", "block 8", ""),
    ("不对，是8栋", "8栋", ""),
])
def test_a_fragment_s_place_and_what_else_it_says(text: str, place: str, detail: str) -> None:
    assert split_place(text, _parse(text)) == (place, detail)


def test_a_fragment_without_an_address_that_reads_as_a_report_is_all_detail() -> None:
    assert split_place("路灯不亮", _parse("路灯不亮", "report", 0.9)) == ("", "路灯不亮")


@pytest.mark.parametrize(("known", "fragment", "joined"), [
    (None, "2栋502", "2栋502"),
    ("西湖新村2栋", "502", "西湖新村2栋502"),
    ("2栋502", "西湖新村", "西湖新村2栋502"),
    ("西湖新村2栋502", "2栋502", "西湖新村2栋502"),
    ("2栋", "西湖新村2栋", "西湖新村2栋"),
    ("西湖新村", "东门", "西湖新村，东门"),
    ("Building 5", "room 502", "Building 5, room 502"),
    ("block 7", "block 8", "block 8"),
    ("西湖新村7栋", "8栋", "西湖新村8栋"),
    ("西湖新村2栋502", "503", "西湖新村2栋503"),
])
def test_a_place_given_in_pieces(known: str | None, fragment: str, joined: str) -> None:
    assert join_place(known, fragment) == joined
