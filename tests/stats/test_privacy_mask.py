"""Masking personal data in free text: what goes, and what must stay."""

from __future__ import annotations

import pytest

from dispatch.privacy.mask import MASK, mask


@pytest.mark.parametrize(("text", "gone"), [
    ("电话13812345678", "13812345678"),
    ("手机 138 1234 5678 找我", "1234 5678"),
    ("打138-1234-5678", "1234-5678"),
    ("号码１３８１２３４５６７８", "12345678"),
    ("+86 139 8765 4321", "8765"),
    ("座机0591-28881234", "28881234"),
    ("座机(0591) 2888 1234", "2888"),
    ("身份证350182199001011234", "350182199001011234"),
    ("身份证35018219900101123X", "35018219900101123"),
    ("mail wang.jg@example.com please", "example.com"),
    ("住302室", "302"),
    ("3单元502", "502"),
    ("5-302的住户", "5-302"),
    ("3-2-1502", "1502"),
    ("Room 302 smells", "302"),
    ("Apt 4B is noisy", "4B"),
    ("门牌号12号", "12"),
    ("胜利路12号门口", "12"),
    ("王先生说", "王"),
    ("李阿姨摔倒了", "李"),
    ("老张和小李", "张"),
    ("我叫张三丰", "张三丰"),
    ("联系人：李四", "李四"),
    ("Ask Mr. Smith", "Smith"),
])
def test_personal_data_is_masked(text: str, gone: str) -> None:
    masked = mask(text)
    assert gone not in masked
    assert MASK in masked


@pytest.mark.parametrize("text", [
    "阳光花园3号楼门口路灯坏了", "西湖新村5栋", "郑和路人行道塌陷", "12号楼 5号线",
    "预计2026-09-30完成", "3-5天内处理", "小区里垃圾没人收", "5楼楼道灯坏了",
])
def test_places_and_ordinary_numbers_stay(text: str) -> None:
    assert mask(text) == text


def test_estate_kept_room_masked() -> None:
    assert mask("阳光花园3号楼502室") == "阳光花园3号楼***室"


def test_given_names_masked_in_full_and_in_part() -> None:
    masked = mask("王建国反映：建国说灯坏了; John Smith and smith agree", ["王建国", "John Smith"])
    assert "建国" not in masked
    assert "Smith" not in masked
    assert "smith" not in masked
    assert mask("x", ["", "A"]) == "x"
