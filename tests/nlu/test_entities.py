from __future__ import annotations

import pytest

from nlu.entities import EntityExtractor
from nlu.schema import Entity
from tests.nlu.conftest import GAZETTEER


def values(text: str, kind: str, gazetteer: list[str] | None = None) -> list[str]:
    found = EntityExtractor(GAZETTEER if gazetteer is None else gazetteer).extract(text)
    return [e.value for e in found if e.entity == kind]


def spans(text: str, kind: str) -> list[str]:
    return [text[e.start:e.end] for e in EntityExtractor(GAZETTEER).extract(text)
            if e.entity == kind]


@pytest.mark.parametrize(("text", "expected"), [
    ("我的电话13812345678", ["13812345678"]),
    ("电话：１３９ １２３４ ５６７８，谢谢", ["13912345678"]),
    ("call me on +86 158-1234-5678", ["15812345678"]),
    ("座机0591-87654321", ["0591-87654321"]),
    ("打(0591)87654321找我", ["0591-87654321"]),
    ("本地号码87654321", ["87654321"]),
    ("两个号码 13812345678 和 0591-22223333", ["13812345678", "0591-22223333"]),
])
def test_phone_numbers_are_found_and_normalised(text: str, expected: list[str]) -> None:
    assert sorted(values(text, "phone")) == sorted(expected)


def test_phone_offsets_point_into_the_original_text() -> None:
    text = "手机：１３９ １２３４ ５６７８"
    [phone] = [e for e in EntityExtractor().extract(text) if e.entity == "phone"]
    assert text[phone.start:phone.end] == "１３９ １２３４ ５６７８"


@pytest.mark.parametrize("text", ["订单号123456789012", "2026年3月5日", "证件350182199001011234"])
def test_numbers_that_are_not_phones_are_ignored(text: str) -> None:
    assert values(text, "phone") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("阳光花园3号楼2单元501室漏水", ["阳光花园3号楼2单元501室"]),
    ("楼道里好大一股煤气味，6栋三楼", ["6栋三楼"]),
    ("西关社区郑和路88号路灯不亮", ["西关社区郑和路88号"]),
    ("在会堂路上摔了一跤", ["会堂路"]),
    ("The street light on Main Street is out", ["Main Street"]),
    ("water leaking in Building 3", ["Building 3"]),
    ("pothole outside No. 12 Zhenghe Road", ["No. 12 Zhenghe Road"]),
    ("trash at 123 Main St again", ["123 Main St"]),
    ("漏到我家了 2栋502", ["2栋502"]),
    ("楼上漏水 3号楼201", ["3号楼201"]),
    ("5栋-1203卫生间漏水", ["5栋-1203"]),
    ("3号楼10点又停电了", ["3号楼"]),
    ("5栋12个人被困", ["5栋"]),
    ("the bins at block 3 of Xihu Xincun are overflowing again", ["block 3 of Xihu Xincun"]),
    ("light out at building 2 in the Sunshine Garden since Monday",
     ["building 2 in the Sunshine Garden"]),
    ("the lift in block 4 is broken since Monday", ["block 4"]),
    # a name in capitals with its suffix typed in lower case, and a house number after it
    ("the street light at Zhenghe road near number 12 not working",
     ["Zhenghe road near number 12"]),
    ("pothole on Shengli rd, no. 5", ["Shengli rd, no. 5"]),
    # the estate named first, then the building; words that only start a sentence are left out
    ("we live in Xihu Xincun block 2, no water", ["Xihu Xincun block 2"]),
    ("Hello Sunshine Garden Building 3 has no water", ["Sunshine Garden Building 3"]),
    ("The block 3 lift is broken", ["block 3"]),
    # an estate by its pinyin, with no building: the suffix (xincun, huayuan…) names it
    ("a big crack in the wall of the bike shed at Xihu Xincun, bricks fell off",
     ["Xihu Xincun"]),
    ("rubbish piled up at Yangguang huayuan gate", ["Yangguang huayuan"]),
])
def test_places_from_patterns(text: str, expected: list[str]) -> None:
    assert spans(text, "place") == expected


def test_an_english_building_keeps_its_estate_and_small_words() -> None:
    places = [e.value for e in EntityExtractor().extract("bins at block 3 of Xihu Xincun are full")
              if e.entity == "place"]
    assert places == ["Block 3 of Xihu Xincun"]


def test_a_lower_case_suffix_reads_the_name_and_the_number_as_people_would_write_them() -> None:
    places = [e.value for e in EntityExtractor().extract(
        "hello, the street light at Zhenghe road near number 12 not working since 3 days")
        if e.entity == "place"]
    assert places == ["Zhenghe Road near number 12"]


@pytest.mark.parametrize(("text", "expected"), [
    # the estate after the building, by its pinyin in lower case, as residents type it
    ("street light broken near building 2 xihu xincun, very dark at nite",
     ("building 2 xihu xincun", "Building 2 Xihu Xincun")),
    ("outside building 5 of xihu xincun the bins are full",
     ("building 5 of xihu xincun", "Building 5 of Xihu Xincun")),
    ("water coming through the ceiling at block 2 unit 3 xihu xincun",
     ("block 2 unit 3 xihu xincun", "Block 2 Unit 3 Xihu Xincun")),
    ("no light near building 2, xihu xincun",
     ("building 2, xihu xincun", "Building 2, Xihu Xincun")),
    # the estate before the building, with or without capitals and a comma
    ("lamp out near xihu xincun bldg 2 since friday",
     ("xihu xincun bldg 2", "Xihu Xincun Bldg 2")),
    ("at Xihu Xincun, building 3 unit 2 the lift is stuck",
     ("Xihu Xincun, building 3 unit 2", "Xihu Xincun, Building 3 Unit 2")),
    ("rubbish beside yangguang huayuan block 7",
     ("yangguang huayuan block 7", "Yangguang Huayuan Block 7")),
    ("Sunshine Garden, building 3 has no water",
     ("Sunshine Garden, building 3", "Sunshine Garden, Building 3")),
])
def test_an_english_building_keeps_the_estate_named_next_to_it(
        text: str, expected: tuple[str, str]) -> None:
    found = [e for e in EntityExtractor(GAZETTEER).extract(text) if e.entity == "place"]
    assert [(text[e.start:e.end], e.value) for e in found] == [expected]


def test_an_estate_of_the_org_tree_joins_the_building_in_english() -> None:
    text = "the lift at building 2, xihu new village is stuck"
    assert values(text, "place", gazetteer=["Xihu New Village"]) == [
        "Building 2, Xihu New Village"]
    assert values(text, "place", gazetteer=[]) == ["Building 2"]


@pytest.mark.parametrize(("text", "expected"), [
    # no estate: the building alone, and what follows it stays out of the place
    ("street light broken near building 2, very dark at nite", ["building 2"]),
    ("street light broken near building 2 very dark at nite", ["building 2"]),
    ("the lights in block 3, block 4 are out", ["block 3", "block 4"]),
    # English words before a pinyin estate are not part of its name
    ("please go to xihu xincun and look", ["xihu xincun"]),
    ("it is dark beside xihu xincun", ["xihu xincun"]),
    # a suffix without a name before it is no estate
    ("the xincun gate is broken", []),
    ("we live in a xiaoqu with no lights", []),
])
def test_nothing_but_an_estate_joins_an_english_building(text: str, expected: list[str]) -> None:
    assert spans(text, "place") == expected


@pytest.mark.parametrize("text", ["The road is broken near my home", "This street is dirty",
                                  "My road has a hole again", "Hello street cleaners"])
def test_words_that_start_a_sentence_are_not_road_names(text: str) -> None:
    assert values(text, "place") == []


def test_gazetteer_names_are_places_even_without_a_suffix() -> None:
    assert values("航城那边停电了", "place", gazetteer=["航城"]) == ["航城"]
    assert values("航城那边停电了", "place", gazetteer=[]) == []


def test_gazetteer_matches_traditional_spelling_and_returns_the_canonical_name() -> None:
    assert values("鄭和路口有個坑", "place", gazetteer=["郑和路"]) == ["郑和路"]


@pytest.mark.parametrize("text", ["我们小区的路灯坏了", "马路上有个坑", "这条路太堵", "电路老化"])
def test_common_words_are_not_places(text: str) -> None:
    assert values(text, "place") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("昨晚楼上一直吵", ["yesterday_night"]),
    ("今天早上就没水了", ["today_morning"]),
    ("漏水三天了", ["P3D"]),
    ("从上周一开始就这样", ["since:last_monday"]),
    ("半个月了还没人管", ["P15D"]),
    ("停水一整天了", ["P1D"]),
    ("每天晚上都在跳广场舞", ["every_night"]),
    ("no water since Monday", ["since:monday"]),
    ("the light has been out for two weeks", ["P2W"]),
    ("loud music last night", ["last_night"]),
    # when help is wanted, in English (a help request's time)
    ("can someone help me carry groceries tomorrow? I am 80", ["tomorrow"]),
    ("need help on Saturday afternoon", ["saturday_afternoon"]),
    ("could someone walk my dog next Monday", ["next_monday"]),
    ("a lift to the clinic the day after tomorrow", ["day_after_tomorrow"]),
    ("any time this weekend", ["this_weekend"]),
])
def test_time_expressions_are_normalised(text: str, expected: list[str]) -> None:
    assert values(text, "time") == expected


def test_entities_are_sorted_and_do_not_overlap() -> None:
    text = "阳光花园6栋从昨晚开始停电，电话13812345678"
    found = EntityExtractor(GAZETTEER).extract(text)
    assert [e.entity for e in found] == ["place", "time", "phone"]
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    assert found[0] == Entity("place", 0, 6, "阳光花园6栋")
