"""Reading a draft as a whole: the place a fragment names, what else it says, and what all
the fragments together are about."""

from __future__ import annotations

import re

from bot.conversation.ids import ticket_ref
from bot.conversation.resident.draft import Draft
from bot.core.render import preview
from bot.core.turn import Turn
from dispatch.core.enums import Category, TicketKind, Urgency
from nlu import Parse
from nlu.emergency import emergency_kind

# What may stand around a place and still be part of it: 「在」, spaces and commas, and words of
# position (「2栋楼下」, 「幸福小区5栋 门口」).
_LEAD = r"^(?:就在|在|是|位于|地址是?|(?:at|in|near)\b)"
_FILLER = re.compile(rf"{_LEAD}|[\s,，。.、:：;；!！]+", re.IGNORECASE)
_POSITION = re.compile(r"(?:门口|门前|路口|对面|附近|旁边|楼下|楼上|楼道|这边|那边|这里|那里"
                       r"|里面|外面|前面|后面|东|西|南|北|侧|边|旁|里|外|前|后"
                       r"|outside|inside|near|opposite|next\s*to|in\s*front\s*of|behind|by"
                       r"|the|gate|entrance)+", re.IGNORECASE)
# Words that correct an earlier piece rather than add to it: 「不对，是8栋」, "actually it's
# block 8" say nothing else.
_CORRECTION = re.compile(r"不对|不是|应该是|说错了|搞错了|我是说|哦|是|actually|sorry|i\s*mean"
                         r"|it'?s|it\s*is|no", re.IGNORECASE)
_NUMBER = re.compile(r"[0-9０-９]+|[一二三四五六七八九十]+")
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")
_ROOM_PART = re.compile(r"^[0-9０-９]|^(?:room|flat|apt|unit|floor)\b", re.IGNORECASE)
_LATIN = re.compile(r"[A-Za-z]")
# What is left of "building 3 of Xihu Xincun" around the place the model marked: more of the
# address (prepositions, names written with capitals, numbers), not a detail.
_MORE_ADDRESS = re.compile(r"(?:\b(?:of|in|at|on|near|the|and)\b\s*|[A-Z][\w'-]*\s*|\d+\s*|,\s*)+")


def split_place(text: str, parse: Parse) -> tuple[str, str]:
    """The place a short fragment names and what else it says: 「漏到我家了 2栋502」 is
    (「2栋502」, 「漏到我家了」). A fragment with no address in it is all place (「502」,
    「东门」) unless the model reads a report in it (「路灯不亮」): then it is all detail."""
    spans = [(e.start, e.end) for e in parse.entities if e.entity == "place"]
    text = text.strip()
    if not spans:
        if parse.intent.name in ("report", "help_request") and parse.intent.confidence >= 0.6:
            return "", text
        return _tidy(text), ""
    rest, start = [], 0
    for begin, end in spans:
        rest.append(text[start:begin])
        start = end
    rest.append(text[start:])
    left = _FILLER.sub("", "".join(rest))
    if not _POSITION.sub("", left) or _MORE_ADDRESS.fullmatch(" ".join(rest).strip(" ,")):
        # nothing but 「在」 and 「门口」, or more of an English address: the whole is the place
        return _tidy(text), ""
    places = "，".join(dict.fromkeys(_tidy(text[b:e]) for b, e in spans))
    if not _CORRECTION.sub("", _POSITION.sub("", left)):  # 「不对，是8栋」: the place alone
        return places, ""
    detail = " ".join(" ".join(rest).split()).strip(" ,，。.、")
    return places, detail


def _tidy(place: str) -> str:
    """「在 幸福小区5栋 门口」 → 「幸福小区5栋 门口」: the words that lead into a place go."""
    place = re.sub(r"^(?:就在|在|位于|地址是?)\s*", "", place.strip())
    return _CJK_GAP.sub("", " ".join(place.split()))


def join_place(known: str | None, fragment: str) -> str:
    """A place given in pieces, put together as an address reads: 「西湖新村2栋」 and
    「502」, or 「2栋502」 and 「西湖新村」, make 「西湖新村2栋502」; other pieces stand side
    by side."""
    if not known or known in fragment:
        return preview(fragment, 200)
    if not fragment or fragment in known:
        return known
    if (corrected := _corrected(known, fragment)) is not None:
        return preview(corrected, 200)
    latin = bool(_LATIN.search(known + fragment))
    if _ROOM_PART.match(fragment) and not _ROOM_PART.match(known):
        joined = f"{known}, {fragment}" if latin else f"{known}{fragment}"
    elif _ROOM_PART.match(known) and not _ROOM_PART.match(fragment):
        joined = f"{fragment}, {known}" if latin else f"{fragment}{known}"
    else:
        joined = f"{known}, {fragment}" if latin else f"{known}，{fragment}"
    return preview(joined, 200)


def kind_of(parse: Parse) -> TicketKind:
    return TicketKind.HELP_REQUEST if parse.intent.name == "help_request" else TicketKind.REPORT


def starts_another(draft: Draft, text: str, parse: Parse) -> bool:
    """A full message of another kind starts afresh; short follow-ups ("周六上午") join."""
    return (parse.intent.name in ("report", "help_request") and kind_of(parse) != draft.kind
            and len(text) >= 12 and parse.intent.confidence >= 0.8)


def _corrected(known: str, fragment: str) -> str | None:
    """A piece shaped like the end of the known place replaces that end: 「西湖新村7栋」 then
    「8栋」 is 「西湖新村8栋」, "block 7" then "block 8" is "block 8"."""
    shape = _shape(fragment)
    for cut in range(len(known)):
        if _shape(known[cut:]) == shape and (cut == 0 or not known[cut - 1].isdigit()):
            return known[:cut] + fragment
    return None


def _shape(place: str) -> str:
    """A place with its numbers blanked: 「7栋」 and 「8栋」, "block 7" and "Block 8" match."""
    return _NUMBER.sub("#", place).casefold()


async def read_again(turn: Turn, draft: Draft) -> bool:
    """Fragments (「我家」, 「漏水了」, 「楼上漏到我家了」): what the whole draft says now decides
    its kind and category, not the first scrap alone; a category the person chose stays."""
    if draft.corrected:
        return False
    whole = "，".join(draft.texts)[: turn.ctx.max_text_chars]
    parse = await turn.read(whole)
    if parse.intent.name not in ("report", "help_request") or parse.intent.confidence < 0.6:
        return False
    kind = kind_of(parse)
    if kind is not draft.kind:
        draft.kind = kind
        draft.category = Draft.new(kind, None).category
    urgency = draft.urgency
    draft.apply(parse)
    draft.urgency = min(urgency, draft.urgency, key=list(Urgency).index)  # never calmer
    return True


# Words that turn to another matter: 「…垃圾满了，还有路灯也不亮」, "… and also the lift is out".
_ANOTHER = re.compile(r"还有就是|还有|另外|再就是|再有|此外|顺便说一下|顺便|"
                      r"\b(?:and also|also|another thing is|besides|plus)\b", re.IGNORECASE)


async def other_problem(turn: Turn, draft: Draft, text: str) -> tuple[str, Category] | None:
    """A second problem in a report's first message: the words after 「还有」/"also", when the
    model reads them alone as a report of another category and is sure of it. One ticket
    cannot go to two units: the card offers to report it apart."""
    if draft.kind is not TicketKind.REPORT:
        return None
    for turn_word in _ANOTHER.finditer(text):
        part = text[turn_word.end():].strip(" ,，。.:：;；、!！")
        if len(part) < (15 if _LATIN.search(part) else 6):
            continue
        parse = await turn.read(part)
        if (parse.intent.name == "report" and parse.intent.confidence >= 0.8
                and parse.category is not None and parse.category_sure
                and parse.category.name not in (draft.category, Category.OTHER,
                                                Category.NEIGHBOR_HELP)):
            return part, Category(parse.category.name)
    return None


# What makes a short follow-up a place (「502」, 「2栋502」, "Building 5") rather than a detail
# (「漏到我家了」): numbers, building and street words.
_PLACE_WORDS = re.compile(
    r"栋|幢|座|楼|号|单元|室|层|路|街|巷|弄|村|小区|社区|花园|公寓|大厦|广场|公园|市场|学校|医院"
    r"|门口|门前|路口|对面|附近|旁边"
    r"|\b(?:building|bldg|block|road|rd|street|st|avenue|ave|lane|floor|room|gate|park|near"
    r"|opposite|corner|estate)\b", re.IGNORECASE)


_DIGIT = re.compile(r"[0-9０-９]")


_TIME_WORDS = re.compile(r"天|小时|分钟|周|星期|月|年|点钟|上午|下午|晚上|早上|昨|今|明"
                         r"|\b(?:days?|hours?|weeks?|minutes?|am|pm|today|tomorrow)\b",
                         re.IGNORECASE)


PLACE_FRAGMENT_CHARS = 30  # English takes about twice the characters to say as much
_RELATIVE = re.compile(r"楼上|楼下")
_CJK = re.compile(r"[\u3400-\u9fff]")


def looks_like_place(text: str) -> bool:
    """A short text that names a place, and is neither a ticket number nor an emergency."""
    text = text.strip()
    limit = PLACE_FRAGMENT_CHARS if _CJK.search(text) else 2 * PLACE_FRAGMENT_CHARS
    if not text or len(text) > limit or ticket_ref(text) is not None \
            or emergency_kind(text):
        return False
    # 「楼上」「楼下」 point at a neighbour, not a place: 「楼上漏到我家了」 is a detail.
    if _PLACE_WORDS.search(_RELATIVE.sub("", text)):
        return True
    return bool(_DIGIT.search(text)) and not _TIME_WORDS.search(text)
