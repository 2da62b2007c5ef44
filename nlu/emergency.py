"""Life-safety patterns: a hit makes the urgency critical whatever the model says.

Patterns run on `normalize(text)` (simplified, lower-case), so traditional characters and
capitals need no patterns of their own. The list is broad on purpose: a missed emergency is the
worst error the bot can make, a false alarm only costs a responder a look. Negation is checked
cheaply around the hit ("没有煤气味了", "no smell of gas anymore", "火已经灭了").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.hazard_patterns import EN, ZH
from nlu.text import normalize


@dataclass(frozen=True, slots=True)
class Hazard:
    kind: str  # fire | gas | electric | medical | police | flood | rescue
    start: int
    end: int


# Before the hit, in its clause: negation ("没有煤气味"), a hypothetical ("万一着火", "怕哪天
#着火"), the past ("上次电梯困人"), or an animal rather than a person ("狗走丢了").
_NEG_BEFORE_ZH = re.compile(
    r"(?:(?:没有|没|不是|并非|无|未|不再|不会|防止|预防|以防|防|万一|如果|要是|假如|一旦|怕|容易"
    r"|会不会|以免|差点|差一点|上次|之前|以前|去年|上个月|曾经|随时|可能)(?!人)\S{0,3}"
    r"|没人\S?|(?:狗|猫|宠物|鸟|鹦鹉)\S{0,4})$"
)
# After the hit: it is over ("没了", "扑灭"), or it is a topic, not an event ("隐患", "演练").
_NEG_AFTER_ZH = re.compile(r"^(?:\S{0,4}(?:没了|没有了|消失了|散了|已经好了|灭了|扑灭|修好了"
                           r"|解决了|处理好了)|(?:的|应急|安全|防范|事故)?(?:隐患|风险|演练|演习"
                           r"|预案|知识|常识|培训|宣传)|了?(?:以后|之后|的话|的时候|怎么跑|往哪跑))")
# "..., 已经散了" / "..., 没事了" in the next clause also means it is over.
_OVER_ZH = re.compile(r"^.{0,14}(?:已经散了|已经没事|没事了|已经灭了|已经扑灭|已经处理好)")
_NEG_BEFORE_EN = re.compile(r"\b(?:no|not|never|isn't|wasn't|aren't|don't|doesn't|no longer|"
                            r"without|prevent|if|in case|risk of|afraid)\b(?:\s+\w+){0,2}\s*$")
_NEG_AFTER_EN = re.compile(r"^\s*(?:is|was|has been)?\s*(?:gone|over|out now|put out|fixed"
                           r"|resolved|hazard|risk|drill|safety|training)")
_CLAUSE_BREAK = re.compile(r"[,.;!?，。；！？、\n]")


def _compile(table: dict[str, list[str]]) -> list[tuple[str, re.Pattern[str]]]:
    return [(kind, re.compile("|".join(f"(?:{p})" for p in pats))) for kind, pats in table.items()]


_PATTERNS = _compile(ZH) + _compile(EN)


def find_hazards(text: str) -> list[Hazard]:
    """Every non-negated life-safety hit, in text order."""
    norm = normalize(text)
    hits = [Hazard(kind, m.start(), m.end())
            for kind, pattern in _PATTERNS for m in pattern.finditer(norm)
            if not _negated(norm, m.start(), m.end())]
    return sorted(hits, key=lambda hit: hit.start)


def emergency_kind(text: str) -> str | None:
    """The kind of the first life-safety hit, or None."""
    hits = find_hazards(text)
    return hits[0].kind if hits else None


def _negated(norm: str, start: int, end: int) -> bool:
    before = _CLAUSE_BREAK.split(norm[max(0, start - 12):start])[-1]
    after = _CLAUSE_BREAK.split(norm[end:end + 12])[0]
    return bool(_NEG_BEFORE_ZH.search(before) or _NEG_AFTER_ZH.search(after)
                or _OVER_ZH.search(norm[end:end + 20])
                or _NEG_BEFORE_EN.search(before) or _NEG_AFTER_EN.search(after))
