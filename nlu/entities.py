"""Entity extraction: phone numbers, places (gazetteer + patterns) and time expressions.

All matching runs on `normalize(text)`, which keeps offsets, so spans point into the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nlu.schema import Entity
from nlu.text import normalize
from nlu.timex import find_times

_MOBILE = re.compile(r"(?<![\d])(?:\+?86[- ]?)?(1[3-9]\d(?:[- ]?\d){8})(?!\d)")
_LANDLINE = re.compile(r"(?<![\d-])(?:\((0\d{2,3})\)|(0\d{2,3}))[- ]?(\d{7,8})(?!\d)")
_LOCAL = re.compile(r"(?<![\d-])([2-8]\d{3})[- ]?(\d{4})(?!\d)")

# Characters that end a Chinese place name on the left: function words and pronouns, so that
# "我们小区" or "这条路" are not taken for names.
_STOP = "的了在我你他她它们这那哪个是跟从到住有里就都也还又把被给对向往说要去来上下条段些每"
_NAME = rf"[^\W\d_a-z{_STOP}]"
_NUM = r"[0-9一二三四五六七八九十百零两]+"
# A bare room number after a building or unit (「2栋502」, 「3号楼201」, 「5栋-1203」) is part of
# the address; a count or a time after one is not (「3号楼10点」, 「5栋12个」).
_ROOM = r"(?:(?<=[栋幢座楼元层])[ -]?[0-9]{3,4}(?![0-9点个天次年月日号时分岁元块米斤人户楼栋]))"
_ZH_PLACE = re.compile(
    rf"(?:{_NAME}{{2,8}}(?:小区|花园|家园|新村|公寓|大厦|广场|社区|街道|公园|山庄|村|镇|苑))?"
    rf"(?:{_NAME}{{2,6}}(?:大道|路(?![面灯况线由费])|街(?![坊道])|巷|弄)(?:{_NUM}号)?)?"
    rf"(?:{_NUM}(?:号楼|栋|幢|座|单元|层|楼|室|户|号院))*"
    rf"{_ROOM}?"
)
# Words that look like "<name>路" but are not roads.
_NOT_PLACES = frozenset({
    "马路", "公路", "道路", "修路", "走路", "小路", "大路", "电路", "线路", "网路", "思路",
    "门路", "过马路", "一楼", "二楼", "楼里", "城里", "村里", "家里", "夜里", "心里",
})
_EN_SUFFIX = r"(?:road|rd|street|st|avenue|ave|lane|ln|boulevard|blvd|drive|dr|way|court|ct)\b\.?"
# One building, unit or room as English writes it (matched on the lower-cased text).
_EN_UNIT = (r"(?:building|bldg\.?|block|blk|tower|unit|apt\.?|apartment|flat|room)\s*#?\s*"
            r"[a-z]?\d+[a-z]?\b")
_EN_PLACE = re.compile(
    rf"\b{_EN_UNIT}"
    rf"|\bno\.?\s*\d+[a-z]?,?\s+(?:[a-z]+\s+){{1,3}}{_EN_SUFFIX}"
    rf"|\b\d{{1,5}}\s+(?:[a-z]+\s+){{1,3}}{_EN_SUFFIX}"
)
# Estates as their pinyin reads: "Xihu Xincun", "Yangguang Huayuan", "Jinxiu Xiaoqu".
_PINYIN_ESTATES = ("xincun", "huayuan", "xiaoqu", "jiayuan", "shequ", "gongyu", "huating",
                   "mingyuan")
_PINYIN_ESTATE = "|".join(_PINYIN_ESTATES)
_EN_NAMED = re.compile(
    r"\b(?:[A-Z][a-zA-Z]+\s+){1,3}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Boulevard|Blvd|Drive|"
    r"Estate|Gardens?|Community|Court|Plaza|Park|Village|"
    rf"(?i:{_PINYIN_ESTATE}|dadao))\b\.?"
)
# The last words of an English name that make it an estate (its buildings may stand beside it).
_ESTATE_WORDS = frozenset({"estate", "garden", "gardens", "community", "court", "village",
                           *_PINYIN_ESTATES})
# "xihu xincun" typed without capitals: one or two words before the suffix are its name, as long
# as they read as pinyin ("near xihu xincun" is "xihu xincun"; matched on the lower-cased text).
_PINYIN_NAMED = re.compile(rf"\b(?:([a-z']+) +)?([a-z']+) +(?:{_PINYIN_ESTATE})\b")
_SYLLABLE = (
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcs])"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo"
    r"|ue|ui|a|e|i|o|u|v)"
    r"|y(?:uan|ang|ing|ong|ao|an|in|ou|ue|un|a|e|i|o|u)|w(?:ang|eng|ai|an|ei|en|a|o|u)"
    r"|ang|eng|ai|ao|an|ei|en|er|ou|a|e|o)"
)
_PINYIN_WORD = re.compile(rf"{_SYLLABLE}(?:'?{_SYLLABLE})*")
# English words that also read as pinyin and stand before a place ("go to", "beside", "a").
_NOT_PINYIN = frozenset({"a", "an", "to", "go", "so", "do", "no", "he", "she", "me", "beside",
                         "home", "gate", "side", "house"})
# Buildings, units and rooms in a row ("building 3 unit 2"); then what may stand between them
# and their estate after ("building 2 xihu xincun", "block 5 of Xihu Xincun") or before
# ("Xihu Xincun, building 3 unit 2").
_EN_UNITS = re.compile(rf"\b{_EN_UNIT}(?:[\s,]+{_EN_UNIT})*")
_UNITS_THEN_ESTATE = re.compile(r"\s*,?\s*(?:(?:of|in|at)\s+(?:the\s+)?)?")
_ESTATE_THEN_UNITS = re.compile(r"\s*,?\s*")
# "Zhenghe road", "at Shengli rd near number 12": a name in capitals and a suffix in lower case,
# as people type it; words that start a sentence ("The road", "This street") are not names.
_EN_NAMED_LOWER = re.compile(
    r"\b((?:[A-Z][a-z]+\s+){1,2})(?:road|rd|street|st|avenue|ave|lane|boulevard|blvd)\b\.?"
    r"(?:,?\s*(?:near\s+|next\s+to\s+|opposite\s+)?(?:no\.|number|#)\s*\d{1,5}[a-z]?\b)?"
)
_NOT_NAMES = frozenset({
    "The", "This", "That", "These", "Those", "Our", "My", "Your", "Their", "His", "Her", "Its",
    "A", "An", "Every", "Each", "Any", "Some", "No", "Which", "What", "Whole", "Same", "Next",
    "One", "Two",
    "Hello", "Hi", "Dear", "Please", "Help", "Near", "On", "At", "In", "Along", "Across",
})
# "Xihu Xincun block 2", "Sunshine Garden Building 3": the estate named first, then the building.
_EN_NAME_BUILDING = re.compile(
    r"\b((?:[A-Z][a-zA-Z'-]+\s+){1,4})(?i:building|bldg\.?|block|blk|tower)\s*#?\s*"
    r"[A-Za-z]?\d+[A-Za-z]?\b"
)
# "block 3 of Xihu Xincun", "building 2 in Sunshine Garden": a building and the estate it stands
# in, named with capitals (a pinyin name has no suffix to know it by).
_EN_BUILDING_OF = re.compile(
    r"\b(?i:building|bldg\.?|block|blk|tower|unit|apt\.?|apartment|flat|room)\s*#?\s*"
    r"[A-Za-z]?\d+[A-Za-z]?\s+(?:of|in|at)\s+(?:the\s+)?[A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+){0,3}\b"
)


def find_phones(norm: str) -> list[Entity]:
    """Mobile numbers, landlines with area code, and 8-digit local numbers."""
    found = [Entity("phone", m.start(1), m.end(), _digits(m.group(1)))
             for m in _MOBILE.finditer(norm)]
    for match in _LANDLINE.finditer(norm):
        area = match.group(1) or match.group(2)
        found.append(Entity("phone", match.start(), match.end(), f"{area}-{match.group(3)}"))
    for match in _LOCAL.finditer(norm):
        local = Entity("phone", match.start(), match.end(), match.group(1) + match.group(2))
        # A local number inside "(0591)87654321" is the same phone, already found.
        if not _overlaps(local, [(e.start, e.end) for e in found]):
            found.append(local)
    return found


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


class PlaceFinder:
    """Places: the gazetteer of org-tree names (longest first) and address patterns."""

    def __init__(self, gazetteer: Iterable[str] = ()) -> None:
        names = sorted({n.strip() for n in gazetteer if n and n.strip()}, key=len, reverse=True)
        self._names = {normalize(name): name for name in names}
        alternatives = "|".join(re.escape(norm) for norm in self._names)
        self._gazetteer = re.compile(alternatives) if alternatives else None

    def find(self, text: str, norm: str) -> list[Entity]:
        known: list[tuple[int, int, str]] = []
        if self._gazetteer is not None:
            known = [(m.start(), m.end(), self._names[m.group()])
                     for m in self._gazetteer.finditer(norm)]
        named = [span for m in _EN_NAMED.finditer(text) if (span := _trimmed(text, m))]
        # Estates an English building may be named with: a pinyin estate, an English name
        # ending in Estate, Garden…, or a Latin-letter name of the org tree.
        estates = [*_pinyin_estates(norm), *(s for s in named if _is_estate(norm, s)),
                   *(s for s in known if re.search(r"[a-z]", norm[s[0]:s[1]]))]
        spans = [*known, *named, *estates, *_with_buildings(estates, norm)]
        spans += [(m.start(), m.end(), "") for m in _ZH_PLACE.finditer(norm)
                  if m.end() - m.start() >= 2 and m.group() not in _NOT_PLACES]
        spans += [(m.start(), m.end(), "") for m in _EN_PLACE.finditer(norm)]
        spans += [(m.start(), m.end(), "") for m in _EN_NAMED_LOWER.finditer(text)
                  if not _NOT_NAMES & set(m.group(1).split())]
        spans += [(m.start(), m.end(), "") for m in _EN_BUILDING_OF.finditer(text)]
        spans += [span for m in _EN_NAME_BUILDING.finditer(text) if (span := _trimmed(text, m))]
        return [Entity("place", start, end, value or _place_value(text[start:end]))
                for start, end, value in _merge(spans, norm)]


def _pinyin_estates(norm: str) -> list[tuple[int, int, str]]:
    """Estates by their pinyin in any case: "xihu xincun", "Yangguang huayuan"."""
    spans = []
    for match in _PINYIN_NAMED.finditer(norm):
        if _is_pinyin(match.group(2)):
            start = match.start(1) if _is_pinyin(match.group(1)) else match.start(2)
            spans.append((start, match.end(), ""))
    return spans


def _is_pinyin(word: str | None) -> bool:
    return word is not None and word not in _NOT_PINYIN and bool(_PINYIN_WORD.fullmatch(word))


def _is_estate(norm: str, span: tuple[int, int, str]) -> bool:
    return norm[span[0]:span[1]].rstrip(".").split()[-1] in _ESTATE_WORDS


def _with_buildings(estates: list[tuple[int, int, str]],
                    norm: str) -> list[tuple[int, int, str]]:
    """Each estate with the buildings written next to it, as one place: "building 2 xihu
    xincun", "block 5 of Xihu Xincun", "Xihu Xincun, building 3 unit 2"."""
    units = [(m.start(), m.end()) for m in _EN_UNITS.finditer(norm)] if estates else []
    joined = []
    for start, end, _ in estates:
        for unit_start, unit_end in units:
            if unit_end <= start and _UNITS_THEN_ESTATE.fullmatch(norm, unit_end, start):
                joined.append((unit_start, end, ""))
            elif end <= unit_start and _ESTATE_THEN_UNITS.fullmatch(norm, end, unit_start):
                joined.append((start, unit_end, ""))
    return joined


def _trimmed(text: str, match: re.Match[str]) -> tuple[int, int, str] | None:
    """A named place without the words in capitals that only start the sentence ("Hello",
    "The", "My"); None when nothing but those is left before the suffix or the building."""
    start = match.start()
    for word in re.finditer(r"\S+", text[match.start():match.end()]):
        if word.group() not in _NOT_NAMES:
            break
        start = match.start() + word.end()
    rest = text[start:match.end()].lstrip()
    if len(rest.split()) < 2:
        return None
    return match.end() - len(rest), match.end(), ""


def _merge(spans: list[tuple[int, int, str]], norm: str) -> list[tuple[int, int, str]]:
    """Join overlapping or adjacent spans ("阳光花园" + "6栋"), keeping a gazetteer value
    only when it covers the whole merged span."""
    merged: list[tuple[int, int, str]] = []
    for start, end, value in sorted(spans, key=lambda s: (s[0], -s[1])):
        if merged and start <= merged[-1][1] + 1 and not norm[merged[-1][1]:start].strip(" ,"):
            last_start, last_end, last_value = merged[-1]
            if end > last_end:
                merged[-1] = (last_start, end, "")
            else:
                merged[-1] = (last_start, last_end, last_value)
            continue
        merged.append((start, end, value))
    return merged


_EN_SMALL_WORDS = frozenset({"of", "in", "at", "the", "and", "near", "number", "to", "next",
                             "opposite"})


def _place_value(raw: str) -> str:
    folded = normalize(raw).strip(" ,.")
    if re.search(r"[a-z]", folded) and not re.search(r"[\u4e00-\u9fff]", folded):
        return " ".join(word if word in _EN_SMALL_WORDS else word.capitalize()
                        for word in folded.split())
    return re.sub(r"\s+", "", raw.translate(str.maketrans(
        "０１２３４５６７８９", "0123456789"))).strip(" ,.，。")


class EntityExtractor:
    """All entities of a message, sorted by position, never overlapping across kinds."""

    def __init__(self, gazetteer: Iterable[str] = ()) -> None:
        self._places = PlaceFinder(gazetteer)

    def extract(self, text: str) -> list[Entity]:
        norm = normalize(text)
        phones = find_phones(norm)
        taken = [(e.start, e.end) for e in phones]
        others = self._places.find(text, norm) + find_times(norm)
        kept = phones + [e for e in others if not _overlaps(e, taken)]
        return sorted(kept, key=lambda e: (e.start, e.end))


def _overlaps(entity: Entity, spans: list[tuple[int, int]]) -> bool:
    return any(entity.start < end and start < entity.end for start, end in spans)
