"""Key situations and the one label each carries in the training data (checked by
`datacheck.situation_breaks`, run as a test).

Near-identical lines are caught by their edit distance; these are the situations that come back
in many different words, in several files, and were once labelled two ways (a blocked fire lane
fire_safety/high in one file, construction or traffic/normal in another; a hornets' nest
greenery in one, sanitation in another; 「元宵节快乐」 a greeting here and out_of_scope there).
The labels follow DESIGN.md §5: a blocked fire lane is `high`; pests are environmental
hygiene (sanitation), as rats and cockroaches are; a leaking hydrant is lost water (utilities),
any other hydrant fault is fire_safety; a festival or time-of-day wish is a greeting.
Patterns see `normalize(text)` (simplified, lower-case, half-width).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FIRE_ROUTE_ZH = r"(?:消防通道|消防车道|安全出口|疏散通道|逃生通道|安全通道|消防门|防火门)"
# Beside the route, or its markings, signs and lights, is another matter.
_NOT_ON_ROUTE = r"(?!旁|边|附近|两侧|外面|口?的?(?:黄线|标线|标识|标志|指示|灯|牌))"
_FIRE_ROUTE_EN = r"(?:fire|emergency)\s+(?:lanes?|exits?|escapes?|doors?|routes?|access)\b"
_BLOCKING_EN = r"(?:block\w*|lock\w*|chain\w*|padlock\w*|obstruct\w*|park\w*)"
_HYDRANT = r"(?:消防栓|hydrant)"
_LEAK = r"(?:漏水|喷水|冒水|往外冒水|\bleak\w*|\bspray\w*|\bgush\w*|\bdripp\w*)"


@dataclass(frozen=True, slots=True)
class Situation:
    """Every training line of `intents` whose text matches `pattern` (and not `unless`)
    carries the labels given here (None: any)."""

    name: str
    pattern: re.Pattern[str]
    intents: frozenset[str]
    intent: str | None = None
    category: str | None = None
    urgency: str | None = None
    unless: re.Pattern[str] | None = None

    def covers(self, intent: str, normalized: str) -> bool:
        return (intent in self.intents and self.pattern.search(normalized) is not None
                and not (self.unless and self.unless.search(normalized)))

    def agrees(self, intent: str, category: str | None, urgency: str | None) -> bool:
        return all(want is None or want == got for want, got in
                   ((self.intent, intent), (self.category, category), (self.urgency, urgency)))

    def labels(self) -> str:
        return f"{self.intent or '*'}/{self.category or '*'}/{self.urgency or '*'}"


_REPORTS = frozenset({"report"})
_CHAT = frozenset({"greeting", "out_of_scope"})

SITUATIONS: tuple[Situation, ...] = (
    # DESIGN.md §5 names "blocked fire lane" as high; a shed built on it is still a blocked lane.
    Situation("blocked fire lane or exit", re.compile(
        rf"{_FIRE_ROUTE_ZH}{_NOT_ON_ROUTE}[^,，。!?！？]{{0,12}}"
        r"(?:堵|锁|占|挡|停满|停着|堆|放满|摆满|扔|盖了|搭|装了|租给)"
        rf"|(?:堵|锁|占|挡|停|堆|放|扔|搭|盖)[^,，。!?！？]{{0,4}}在?{_FIRE_ROUTE_ZH}{_NOT_ON_ROUTE}"
        rf"|{_FIRE_ROUTE_EN}(?!\s+(?:sign|light|paint|marking))[^.!?]{{0,40}}?\b{_BLOCKING_EN}"
        rf"|\b{_BLOCKING_EN}\b[^.!?]{{0,30}}\b(?:in|on|across|of)\s+(?:the\s+)?{_FIRE_ROUTE_EN}"),
        _REPORTS, category="fire_safety", urgency="high"),
    Situation("leaking hydrant", re.compile(rf"{_HYDRANT}[^。！？!?]{{0,32}}{_LEAK}"),
              _REPORTS, category="utilities"),
    Situation("hydrant fault", re.compile(_HYDRANT), _REPORTS, category="fire_safety",
              unless=re.compile(rf"{_HYDRANT}[^。！？!?]{{0,32}}{_LEAK}")),
    # Fire engines that cannot reach or find the hydrant: as a blocked fire lane.
    Situation("blocked or hidden hydrant", re.compile(
        rf"{_HYDRANT}[^。！？!?]{{0,16}}(?:挡住|挡着|堵|遮住|埋|盖住|\bblocked|\bhidden|\bcovered"
        rf"|\bburied|\bobstruct\w*)|(?:\bpark\w*|挡|堵)[^.!?。]{{0,20}}{_HYDRANT}"),
        _REPORTS, category="fire_safety", urgency="high"),
    Situation("wasps, hornets, bees", re.compile(
        r"马蜂|胡蜂|黄蜂|野蜂|蜜蜂|蜂窝(?!煤)|蜂巢|\bwasps?\b|\bhornets?\b|\bbees?\b|beehive"),
        _REPORTS, category="sanitation"),
    Situation("a festival or time-of-day wish", re.compile(
        r"(?:新年|新春|元旦|元宵节?|中秋节?|端午节?|春节|国庆节?|圣诞节?|节日|佳节|过年|冬至)"
        r"(?:快乐|好|安康)|拜(?:个)?早?年|早上好|上午好|下午好|晚上好|早安"
        r"|\bhappy\s+(?:new year|mid-autumn|spring festival|lantern festival|dragon boat"
        r"|national day|holidays?|christmas)|\bgood\s+(?:morning|afternoon|evening)\b"
        r"|\bjust say(?:ing)? hi\b"), _CHAT, intent="greeting"),
    Situation("thanks", re.compile(r"谢谢|感谢|多谢|\bthanks?\b|\bgrateful\b|\bappreciate"),
              frozenset({"out_of_scope"}), intent="thanks",
              unless=re.compile(r"translate|翻译|怎么说")),
)
