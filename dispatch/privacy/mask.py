"""Removing personal data from free text before it is shown in public (公示).

Kept: estates, roads, buildings (阳光花园3号楼). Masked with ***: phone numbers, ID-card numbers,
e-mails, room and door numbers, given person names and "王先生"-style references. Over-masking a
harmless number is the cheap mistake here; publishing a phone number is the expensive one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

MASK = "***"
# Full-width digits and separators are folded first, so "１３８－..." is caught like "138-...".
_FOLD = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                       "－": "-", "—": "-", "　": " ", "＋": "+", "（": "(", "）": ")"})
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
            "于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付傅方邹熊白孟秦邱侯江尹薛闫段"
            "雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文施洪翁游")
TITLES = "先生|女士|小姐|阿姨|大爷|大妈|大叔|大姐|师傅|老师|叔叔|奶奶|爷爷|阿婆|伯伯|婆婆|老板"
_N = r"(?<![0-9A-Za-z])"  # not glued to a longer number or word
_E = r"(?![0-9A-Za-z])"

Replacement = str | Callable[[re.Match[str]], str]
_PATTERNS: list[tuple[re.Pattern[str], Replacement]] = [
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), MASK),
    # ID cards: 18 digits (last may be X) or the old 15-digit form.
    (re.compile(_N + r"\d{17}[\dXx]" + _E + "|" + _N + r"\d{15}" + _E), MASK),
    # Mobiles, optionally +86, written 3-4-4 with spaces or dashes or in one run.
    (re.compile(_N + r"(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}" + _E), MASK),
    # Landlines with an area code: 0591-28881234, (0591) 2888 1234.
    (re.compile(_N + r"\(?0\d{2,3}\)?[\s-]?\d{3,4}[\s-]?\d{4}" + _E), MASK),
    # Any other run of seven or more digits: local numbers, QQ, bank cards.
    (re.compile(_N + r"\d{7,}" + _E), MASK),
    # Rooms: 502室, 502房(间), 3号楼502, 3栋502, 3单元502, 5-302, 3-2-502.
    (re.compile(r"\d{1,5}(?=\s*(?:室|房间|房|户)(?!东|主|子|屋))"), MASK),
    (re.compile(r"(?:(?<=号楼)|(?<=[栋幢座元]))(\s*)\d{2,5}" + _E), r"\1" + MASK),
    (re.compile(r"(?<![\d-])\d{1,3}(?:-\d{1,2})?-\d{3,4}(?![\d-])"), MASK),
    (re.compile(r"(?i)\b(room|rm|apt|apartment|flat|unit|suite)(\.?\s*#?\s*)"
                r"(?:\d+[A-Za-z]?|[A-Za-z]\d+)\b"), lambda m: m[1] + m[2] + MASK),
    (re.compile(r"#\s*\d{2,5}\b"), "#" + MASK),
    # Doors: 门牌(号)12号, 胜利路12号 / 12-1号 — but not 3号楼, 5号线, 12号院 (the estate level).
    (re.compile(r"(?<=门牌)(号?\s*)\d+[-\d]*"), r"\1" + MASK),
    (re.compile(r"(?<=[路街巷弄里道])\d+(?:-\d+)?(?=号(?!楼|线|院|桥|地块|仓))"), MASK),
    # People: 王先生, 李阿姨, 老张, 小李 — keep the title, drop the surname.
    (re.compile(rf"[{SURNAMES}](?={TITLES})"), MASK),
    (re.compile(rf"(?<=[老小])[{SURNAMES}]"), MASK),
    # "我是王秀英": a self-introduction by a surname and one or two given characters.
    (re.compile(rf"(?<=我是)[{SURNAMES}][\u4e00-\u9fff]{{1,2}}(?=[，,。.\s]|电话|手机|$)"), MASK),
    (re.compile(r"(?:(?<=我叫|姓名|名叫)|(?<=联系人))([:：\s]*)[\u4e00-\u9fff]{2,3}"),
     r"\1" + MASK),
    (re.compile(r"\b(Mr|Mrs|Ms|Miss|Dr|MR|MRS|MS)(\.?\s+)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"),
     lambda m: m[1] + m[2] + MASK),
    (re.compile(r"(?i)(?<=my name is )[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"), MASK),
]


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Given names in full, and a Chinese full name's given part or an English name's words."""
    forms: set[str] = set()
    for name in (n.strip() for n in names if n):
        if len(name) < 2:
            continue  # one letter or character would mask half the text
        forms.add(name)
        if re.fullmatch(r"[\u4e00-\u9fff]{3,4}", name):
            forms.add(name[1:])
        forms.update(w for w in re.split(r"\s+", name) if len(w) >= 3)
    if not forms:
        return None
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?i)(?<![A-Za-z])(?:{alternatives})(?![A-Za-z])")


def mask(text: str, names: Iterable[str] = ()) -> str:
    """The text with personal data replaced by ***; estate and road names stay."""
    if not text:
        return text
    text = text.translate(_FOLD)
    given = _name_pattern(names)
    if given is not None:
        text = given.sub(MASK, text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
