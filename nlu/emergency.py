"""Life-safety patterns: a hit makes the urgency critical whatever the model says.

Patterns run on `normalize(text)` (simplified, lower-case), so traditional characters and
capitals need no patterns of their own. The list is broad on purpose: a missed emergency is the
worst error the bot can make, a false alarm only costs a responder a look. Negation is checked
cheaply around the hit ("没有煤气味了", "no smell of gas anymore", "火已经灭了").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlu.hazard_patterns import EN, ZH
from nlu.text import normalize


@dataclass(frozen=True, slots=True)
class Hazard:
    kind: str  # one of schema.EMERGENCY_KINDS
    start: int
    end: int


# Before the hit, in its clause: negation ("没有煤气味"), a hypothetical ("万一着火", "怕哪天
#着火"), the past ("上次电梯困人"), or an animal rather than a person ("狗走丢了").
_NEG_BEFORE_ZH = re.compile(
    r"(?:(?:没有|没|不是|并非|无|未|不再|不会|防止|预防|以防|防|万一|如果|要是|假如|一旦|怕|容易"
    r"|会不会|担心|害怕|以免|差点|差一点|上次|之前|以前|去年|上个月|曾经|随时|可能)(?!人)\S{0,3}"
    r"|没人\S?|(?:狗|猫|宠物|鸟|鹦鹉)\S{0,4})$"
)
# A past event in the same clause: "去年这里发生过一次车祸", "上个月着过一次火" (not
# "从上周开始一直有煤气味", which is still going on).
_PAST_ZH = re.compile(r"(?:去年|前年|上个月|上次|上周|上回|曾经|前天|前几天|昨晚|昨天晚上)"
                      r"(?![^,，。]*(?:开始|起|以来|到现在|一直|还|又|现在))[^,，。]*$"
                      r"|(?:发生过|出过|有过|着过|闹过)[^,，。]{0,4}$")
_PAST_EN = re.compile(r"^\s*(?:\w+\s+){0,2}(?:last (?:month|year|week|summer|winter)|"
                      r"(?:\w+\s+)?(?:weeks|months|years) ago)")
# After the hit: it is over ("没了", "扑灭"), or it is a topic, not an event ("隐患", "演练").
_NEG_AFTER_ZH = re.compile(r"^(?:过(?!来|去|马路|来了)|\S{0,4}(?:没了|没有了|消失了|散了|已经好了"
                           r"|灭了|扑灭|修好了|解决了|处理好了)|(?:的|应急|安全|防范|事故)?(?:隐患|风险|演练|演习"
                           r"|预案|知识|常识|培训|宣传)|了?(?:以后|之后|的话|的时候|怎么跑|往哪跑))")
# "..., 已经散了" / "..., 没事了" in the next clause also means it is over.
_OVER_ZH = re.compile(r"^.{0,14}(?:已经散了|已经没事|没事了|已经灭了|已经扑灭|已经处理好"
                      r"|已经回家了|已经走了|已经离开了)")
_NEG_BEFORE_EN = re.compile(r"\b(?:no|not|never|isn't|wasn't|aren't|don't|doesn't|no longer|"
                            r"without|prevent|if|in case|risk of|afraid|could|might|may)\b"
                            r"(?:\s+\w+){0,2}\s*$"
                            r"|\b(?:possum|cat|dog|bird|raccoon|squirrel|kitten|puppy|bat|snake"
                            r"|animal|fox)s?\s+(?:is\s+|are\s+|got\s+)?$")
# "Last week a man fainted": a past event told before the hit (not "since last night").
_PAST_BEFORE_EN = re.compile(r"(?<!since )\b(?:last (?:week|month|year|summer|winter)|"
                             r"(?:weeks|months|years) ago)\b")
_ALMOST_EN = re.compile(r"\b(?:almost|nearly)\b(?:\s+\w+){0,2}\s*$")
_NEG_AFTER_EN = re.compile(r"^\s*(?:is|was|has been)?\s*(?:gone|over|out now"
                           r"|(?<=is )out\b(?!\s+of)|put out|fixed|resolved|hazard|risk|drill"
                           r"|safety|training)")
_CLAUSE_BREAK = re.compile(r"[,.;!?，。；！？、\n]")
_SENTENCE_BREAK = re.compile(r"[.;!?。；！？\n]")

# Inside the matched span itself: a pattern's `.{0,12}` must not run over a denial ("电梯里没有人
# 被困", "差点撞到孩子", "no one is trapped in the lift").
_NEG_INSIDE = re.compile(
    r"(?<!是)不是|并非|并没|没有人|没有?(?:砸|压)(?:到|着|伤|中)|没人(?![应接开管理])|没有被|没被|差点|差一点|已经没|上个月|上周|上次|去年"
    r"|演练|演习|如果|万一|假如|要是|容易|\bnot\b|\bno one\b|\bnobody\b|\bnever\b|n't\b|\bdrill"
    r"|\balmost\b|\bnearly\b")
# Phrases whose own negation is the danger ("没有呼吸", "敲门没人应", "not breathing", "烟不是做饭
# 的"): taken out of the span before _NEG_INSIDE looks at it.
_DANGER_NEGATIVES = re.compile(
    r"没有?了?(?:呼吸|意识|心跳|反应|动静|回应)|没(?:人)?(?:应|接|开门)|没(?:回|到)(?:家|来)|还没回"
    r"|没(?:出门|见|露面|下楼|拿|收|大人)|不见了?|叫不醒|喊不醒|不省人事|不清醒|不动|动不了|起不来"
    r"|出不来|出不去|打不开|不接|不应|联系不上|找不到|打不通|不开|不(?:是|像)(?:做饭|炒菜|烧饭|厨房"
    r"|油烟|饭菜|烧烤)|not (?:breathing|moving|responding|answering|answer|back|home|waking|"
    r"conscious|picking up|from cooking|cooking)|(?:can|won|didn|hasn|haven|isn|doesn)'?t (?:wake|"
    r"breathe|get up|find|answer|come home|been seen|seen|reach)|not (?:been )?seen|no answer|"
    r"never came? home|have not|has not|did not come|hasn'?t (?:picked up|collected|taken in)"
    r"|(?:won|doesn|isn|can)'?t respond\w*|not respond\w*"
    r"|cannot (?:find|wake|breathe|get up|get out|come out|reach)"
    r"|not (?:come|came|coming) (?:home|back|out)|not see (?:her|him|them)"
    r"|nobody answer")
# A habit, not an event now ("工厂烟囱天天冒黑烟", "电梯门老是夹人", "they fight all the time"),
# unless the sentence also says it is happening now; gas, power and water into homes stay.
_HABIT = re.compile(r"每天|每晚|天天|经常|老是|总是|常常|一到晚上|烟囱|这段时间|这两天|这几天|最近"
                    r"|every (?:night|day|evening|"
                    r"morning|week)|all the time|chimney|at night")
_NOW = re.compile(r"现在|正在|刚才|刚刚|又在|right now|\bnow\b|at the moment")
_HABIT_KINDS = frozenset({"fire", "police", "rescue", "medical"})
# An office that does not answer ("management not answer the phone", "物业电话没人接") is a
# complaint about a service, not a person who may be lying hurt behind a door: the office must
# stand in the hit's own clause, before it.
_OFFICE = re.compile(r"\b(?:management|property (?:office|company)|hotline|customer service)\b"
                     r"|物业|客服|热线")
# Anywhere in the sentence: a drill or a hypothetical is not an event.
_TOPIC_ZH = re.compile(r"演练|演习|模拟|培训|讲座|宣传|知识|怎么预防|如何预防|怎么防范|如何防范"
                       r"|怎么识别")
_TOPIC_EN = re.compile(r"\bdrill|\bexercise\b|training|workshop|what (?:should|do) (?:i|we) do if"
                       r"|\bin case\b|\bhow to (?:prevent|avoid|spot)")
_HYPOTHETICAL = re.compile(r"(?:如果|万一|假如|要是|一旦|假设|\bif\b)[^,.;!?，。；！？]{0,20}$")
# An explicit denial of a kind anywhere in the message removes every hit of that kind: "臭得像
# 煤气一样，不过不是漏气", "电梯停了，里面没有人", "差点撞到孩子，人没事".
_DENIALS: dict[str, re.Pattern[str]] = {kind: re.compile(pattern) for kind, pattern in {
    "gas": r"(?<!是)不是(?:煤气|燃气|天然气|漏气|气味|燃气泄漏)"
           r"|没(?:有)?(?:漏气|煤气味|燃气味|天然气味|气味了?|什么味)"
           r"|(?:测|查|检查)过(?:了)?没(?:有)?问题|(?:燃气|煤气)公司[^。]{0,8}没(?:有)?问题"
           r"|像(?:煤气|燃气|天然气)(?:味)?(?:一样)?[^。]{0,4}(?:但|不过|其实|可是)"
           r"|(?:煤气|燃气|天然气)(?:没|不)(?:漏|是)|not (?:a )?gas|no gas|isn'?t gas|not leaking",
    "rescue": r"没有?人被困|没有?被困|没有?(?:困|关|夹)(?:到|住)?人|没人在里面|里面没(?:有)?人"
              r"|人都出来了|已经救出"
              r"|(?:no ?one|nobody)(?:'s| is| was| got)? (?:trapped|stuck|inside|in it)",
    "fire": r"(?<!是)不是(?:着火|失火|火灾|起火)|没(?:有)?(?:着火|起火|失火|烧起来)|火已经灭"
            r"|no fire|not (?:a |on )?fire|\b(?:was|were|been|got) put out\b",
    "medical": r"没(?:有)?(?:人)?受伤|起得来|没(?:有)?伤(?:到|着)|没(?:有)?撞(?:到|上)|没出人命"
               r"|(?:人|孙子|儿子|女儿|孩子|他|她)没事"
               r"|(?:no ?one|nobody) (?:was |is |got )?(?:hurt|injured)",
    "police": r"(?:警察|民警|派出所)已经(?:来)?处理(?:了|过|好)"
              r"|没(?:有)?打起来|没(?:有)?动手|(?:猫|狗)[^。]{0,10}打架|说和|出面调解|调解一下",
    "flood": r"没(?:有)?(?:进|淹)(?:到)?(?:屋|家|门|房|室内)|还没进(?:屋|家)|渗水|渗进|滴水"
             r"|\bseep\w*|\bdrip\w*",
    "fraud": r"没(?:有)?(?:转|汇|给)(?:账|款|钱)?(?:给)?|挂了电话|识破|没上当|没被骗"
             r"|(?:孙子|儿子|女儿|孩子|他|她)没事|是骗子吧"
             r"|didn'?t (?:transfer|send|pay)|hung up",
    "missing": r"(?:已经)?找到了|已经回(?:来|家)了|平安回|found (?:him|her|them)|(?:is|came) back",
    "welfare": r"去[^。，,]{0,5}家住|没事\s*$"
               r"|开门了|联系上了|人没事|(?:she|he) answered|(?:she|he)'?s (?:fine|ok)",
}.items()}


# Smoke that names an everyday source (cooking fumes, a barbecue, a restaurant's exhaust, steam,
# incense, a site's dust) is a nuisance, not a fire ("楼下烧烤油烟太大", "steam from the kitchen
# fan"), unless the message names the fire itself or says the smoke is not from cooking.
_EVERYDAY_SMOKE = re.compile(
    r"油烟|烧烤|烤串|烤肉|烤鱼|烤红薯|炭火|排风|排烟口|排气口|抽风机|蒸汽|水蒸气|热气|白汽|烧香|点香"
    r"|上香|香火|粉尘|扬尘|灰尘|炒菜|做饭|烧饭|\bbbq\b|barbecue|\bgrill|exhaust|\bsteam|incense"
    r"|cooking|\bdust\b")
_FIRE_ITSELF = re.compile(
    r"着火|起火|失火|火灾|火苗|火光|明火|火焰|烧起来|烧着|点着|引燃|爆炸|火越来越|火很大|大火|火势"
    r"|\bfire\b|flames?\b|explo|不(?:是|像)(?:做饭|炒菜|烧饭|厨房|油烟|饭菜|烧烤)"
    r"|not (?:from )?(?:cooking|the kitchen|a bbq|a barbecue)")

_SMOKE_WORD = re.compile(r"烟(?!花|头|酒|草|囱)|smoke|fumes")

# A cable TV, network or phone line carries no dangerous current: one hanging down or broken
# ("有线电视线掉下来了", "网线垂下来", "the phone wires are down") is a repair, unless its
# sentence also names a power line or a sign of current (sparks, buzzing, 带电).
_TELECOM = re.compile(
    r"有线电视|电视线|网线|宽带|光纤|光缆|电话线|(?<!交)通信|通讯|弱电|监控线"
    r"|cable ?tv|\btv (?:cable|line|wire)|internet|broadband|\bfib(?:er|re)"
    r"|\b(?:tele)?phone (?:line|wire|cable)|telecom|\bcoax")
_POWER = re.compile(
    r"电线(?!杆)|(?<!信)(?<!讯)(?<!视)电缆|高压|变压器|电箱|配电|电闸|带电|漏电|火花|冒火|打火|电到|触电"
    r"|\bpower\b|electric|\blive (?:wire|cable|line)|high[- ]voltage|spark|buzz|crackl|\bshock\b")
_TELECOM_DOWN = re.compile(
    rf"(?:{_TELECOM.pattern})[^。！？.!?]{{0,30}}(?:掉|垂|断|落|挂|耷拉|拖|hang|down\b|fell|fallen"
    r"|sag|snapped|broke|low\b|on the (?:ground|road|street))"
    rf"|(?:downed|fallen|broken|hanging|dangling|掉下来的|垂下来的|断了的)\s*(?:{_TELECOM.pattern})")


def _compile(table: dict[str, list[str]]) -> list[tuple[str, re.Pattern[str]]]:
    return [(kind, re.compile("|".join(f"(?:{p})" for p in pats))) for kind, pats in table.items()]


_PATTERNS = _compile(ZH) + _compile(EN)


# Words of alarm with no danger named ("急死了", "快点来人"): never an emergency on their own, but
# worth the one question "is someone in danger now?" (nlu/decision.py).
# "help me" is a cry only when it stands alone ("help me!!", "somebody help me please"), not
# the start of a request ("can someone help me carry groceries tomorrow?").
_ALARM_WORDS = re.compile(r"急死(?:了|人了)|快(?:点)?来人|赶紧来人|救救我|出大事了|不得了了"
                          r"|help me(?=\s*(?:please|now|quick\w*|someone|somebody)?"
                          r"\s*(?:[!.,;?！。，]|$))"
                          r"|please hurry|hurry up|come quickly")


def alarm_words(text: str) -> bool:
    return bool(_ALARM_WORDS.search(normalize(text)))


def find_hazards(text: str) -> list[Hazard]:
    """Every non-negated life-safety hit, in text order."""
    return scan_hazards(text)[0]


def scan_hazards(text: str) -> tuple[list[Hazard], bool]:
    """The non-negated hits, and whether a danger was named only to be denied or put in the
    past ("不是漏气", "no fire", "上个月着过火"): then the model's own leaning towards critical
    comes from those words and says nothing about a danger now (nlu/decision.py)."""
    norm = normalize(text)
    denied = {kind for kind, denial in _DENIALS.items() if denial.search(norm)}
    hits, dismissed = [], False
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(norm):
            if (kind in denied or _negated(norm, m.start(), m.end())
                    or (kind in _HABIT_KINDS and _habitual(norm, m.start(), m.end()))
                    or (kind == "welfare" and _office(norm, m.start()))):
                dismissed = True
            else:
                hits.append(Hazard(kind, m.start(), m.end()))
    everyday = _telecom_dropped(norm, _everyday_smoke_dropped(norm, hits))
    dismissed = dismissed or len(everyday) < len(hits) or (
        not hits and (_everyday_smoke(norm) or bool(_FIRE_OUT.search(norm)))) or (
        _TELECOM_DOWN.search(norm) is not None and not _POWER.search(norm))
    kept = sorted(_scam_story(_equipment_first(everyday)), key=lambda hit: hit.start)
    return kept, dismissed and not kept


# A burning already out ("在垃圾桶里烧纸，已经灭了", "the fire was put out"): the model's leaning
# towards critical comes from the fire words, and a fire that is over is not a danger now. The
# 火/烧 keeps 「红绿灯全灭了」 and 「灯都灭了」 out.
_FIRE_OUT = re.compile(
    r"(?:火|烧)[^。！？!?没未不]{0,16}(?:已经|早就|早|都|全)?(?:灭了|灭掉了|熄灭了?|扑灭了?|浇灭了?|踩灭了?"
    r"|弄灭了?|烧完了|烧光了)"
    r"|(?:fire|flames?|burning)\b(?:(?!\bnot\b|n't|\bnever\b|\byet\b)[^.!?]){0,30}"
    r"\b(?:is |was |were |been )?(?:out now|put out|gone out|extinguished|burnt out|burned out)")


def _office(norm: str, start: int) -> bool:
    return bool(_OFFICE.search(_CLAUSE_BREAK.split(norm[max(0, start - 30):start])[-1]))


def _everyday_smoke(norm: str) -> bool:
    """Smoke named with its everyday source and no fire ("楼道里有人烧香，烟很大"): the model's
    leaning towards critical comes from the word smoke (steam and heat alone do not count)."""
    return bool(_SMOKE_WORD.search(norm) and _EVERYDAY_SMOKE.search(norm)
                and not _FIRE_ITSELF.search(norm))


def _everyday_smoke_dropped(norm: str, hits: list[Hazard]) -> list[Hazard]:
    """Fire hits (smoke, a smell) whose sentence names an everyday source of smoke are dropped
    when the message never names the fire itself (_EVERYDAY_SMOKE)."""
    if _FIRE_ITSELF.search(norm):
        return hits
    return [hit for hit in hits if hit.kind != "fire"
            or not _EVERYDAY_SMOKE.search(_sentence(norm, hit.start, hit.end))]


def _telecom_dropped(norm: str, hits: list[Hazard]) -> list[Hazard]:
    """The hits less the electric ones whose sentence is about a telecom line and names no
    power line or current (_TELECOM, _POWER)."""
    return [hit for hit in hits if hit.kind != "electric" or not _TELECOM.search(
        sentence := _sentence(norm, hit.start, hit.end)) or _POWER.search(sentence)]


def _equipment_first(hits: list[Hazard]) -> list[Hazard]:
    """A sparking, smoking transformer or distribution box is a power emergency (utilities,
    electric advice), not a plain fire: a fire hit within or just after an electric hit (its
    smoke, "还冒烟") is dropped."""
    electric = [hit for hit in hits if hit.kind == "electric"]
    return [hit for hit in hits if hit.kind != "fire" or not any(
        e.start <= hit.start and hit.end <= e.end + 16 for e in electric)]


def _scam_story(hits: list[Hazard]) -> list[Hazard]:
    """In a scam the accident or arrest is the caller's story: "说我儿子出车祸了，让我马上转账"
    needs anti-fraud advice, not an ambulance."""
    if not any(hit.kind == "fraud" for hit in hits):
        return hits
    return [hit for hit in hits if hit.kind not in ("medical", "police")]


# Which hazard decides when a message names several (a quarrel that ended in a stabbing, a gas
# smell next door with the neighbour not answering): the one whose advice matters first.
KIND_PRIORITY = ("fire", "gas", "electric", "police", "rescue", "medical", "flood", "missing",
                 "welfare", "fraud")


def most_urgent(hazards: Sequence[Hazard]) -> Hazard | None:
    """The hit whose kind comes first in KIND_PRIORITY (text order breaks ties)."""
    if not hazards:
        return None
    return min(hazards, key=lambda hit: (KIND_PRIORITY.index(hit.kind), hit.start))


def emergency_kind(text: str) -> str | None:
    """The kind of the most urgent life-safety hit, or None."""
    hit = most_urgent(find_hazards(text))
    return hit.kind if hit else None


def _sentence(norm: str, start: int, end: int) -> str:
    return (_SENTENCE_BREAK.split(norm[max(0, start - 40):start])[-1] + norm[start:end]
            + _SENTENCE_BREAK.split(norm[end:end + 40])[0])


def _habitual(norm: str, start: int, end: int) -> bool:
    sentence = _sentence(norm, start, end)
    return bool(_HABIT.search(sentence)) and not _NOW.search(sentence)


def _negated(norm: str, start: int, end: int) -> bool:
    span = _DANGER_NEGATIVES.sub(" ", norm[start:end])
    before = _CLAUSE_BREAK.split(norm[max(0, start - 12):start])[-1]
    # English words are longer: "we almost had a fire" needs more than 12 characters.
    before_en = _CLAUSE_BREAK.split(norm[max(0, start - 30):start])[-1]
    after = _CLAUSE_BREAK.split(norm[end:end + 12])[0]
    sentence = _sentence(norm, start, end)
    return bool(_NEG_INSIDE.search(span)
                or _NEG_BEFORE_ZH.search(_DANGER_NEGATIVES.sub(" ", before))
                or _NEG_AFTER_ZH.search(after)
                or _OVER_ZH.search(norm[end:end + 20])
                or _NEG_BEFORE_EN.search(before_en) or _ALMOST_EN.search(before_en)
                or _PAST_BEFORE_EN.search(before_en)
                or _NEG_AFTER_EN.search(after)
                or _PAST_ZH.search(before) or _PAST_EN.search(after)
                or _HYPOTHETICAL.search(norm[max(0, start - 24):start])
                or _TOPIC_ZH.search(sentence) or _TOPIC_EN.search(sentence))
