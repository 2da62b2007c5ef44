"""The masking function against the adversarial corpus (tests/privacy/mask_corpus.tsv): every
line loses every listed datum, however it was written; places and ordinary figures stay."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dispatch.privacy.mask import MASK, mask

CORPUS = Path(__file__).with_name("mask_corpus.tsv")
# Read independently of the masker: what a reader could still piece together from the output.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_DIGITS = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                         **dict(zip("〇零洞一幺壹二贰三叁四肆五伍六陆七柒八捌九玖",
                                    "0001112233445566778899", strict=True))})
_BETWEEN_DIGITS = re.compile(r"(?<=\d)[\s.\-_/·•,，、。~～*－．　]+(?=\d)")


def readable(text: str) -> str:
    """Folded the way a person reading it would: digits are digits, separators nothing."""
    folded = _INVISIBLE.sub("", text).translate(_DIGITS)
    folded = "".join(chr(ord(c) - 0xFEE0) if "Ａ" <= c <= "ｚ" else c for c in folded)
    return _BETWEEN_DIGITS.sub("", folded)


def corpus() -> list[tuple[str, list[str]]]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    return [(text, gone.split("|")) for text, gone in rows]


def test_the_corpus_is_adversarial_enough() -> None:
    texts = [text for text, _ in corpus()]
    assert len(texts) >= 100
    assert sum(bool(_INVISIBLE.search(t)) for t in texts) >= 5  # zero-width and bidi inside
    assert sum(any("一" <= c <= "九" or c in "〇零幺壹" for c in t) for t in texts) >= 5
    assert sum(any("０" <= c <= "９" for c in t) for t in texts) >= 5


@pytest.mark.parametrize(("text", "gone"), corpus())
def test_every_corpus_line_is_masked(text: str, gone: list[str]) -> None:
    masked = mask(text)
    assert MASK in masked
    for datum in gone:
        assert readable(datum) not in readable(masked), (datum, masked)


@pytest.mark.parametrize("text", [
    "阳光花园3号楼门口路灯坏了", "西湖新村5栋", "郑和路人行道塌陷", "12号楼 5号线",
    "预计2026-09-30完成", "3-5天内处理", "三五天内处理", "5楼楼道灯坏了", "CL-2026-000123 已办结",
    "2026-12-06 14:30 停水", "第一次反映", "一二楼之间的灯", "住户反映楼道灯坏了",
    "我是这里的居民", "老百姓的事", "The street light at No.5 Road is out",
])
def test_places_dates_and_ticket_numbers_stay(text: str) -> None:
    assert mask(text) == text
