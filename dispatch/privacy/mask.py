"""Removing personal data from free text before it is shown in public (公示).

Kept: estates, roads, buildings (阳光花园3号楼). Masked with ***: phone numbers, ID-card numbers,
e-mails, room and door numbers, given person names and "王先生"-style references. Over-masking a
harmless number is the cheap mistake here; publishing a phone number is the expensive one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

MASK = "***"
# Full-width digits, letters and separators are folded first, so "１３８－..." is caught like
# "138-..."; invisible characters (zero-width, bidi controls, soft hyphen) are dropped, so a
# number split by them is one number again.
_FOLD = str.maketrans({
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
    **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
    **dict.fromkeys(map(chr, [0x00AD, 0x034F, 0x061C, 0x180E, *range(0x200B, 0x2010),
                              *range(0x202A, 0x202F), *range(0x2060, 0x2070), 0xFEFF])),
    "－": "-", "—": "-", "　": " ", "＋": "+", "（": "(", "）": ")", "．": ".", "＿": "_",
    "／": "/", "：": ":", "＃": "#", "＠": "@"})
# Digits written as Chinese numerals ("一三八…", "幺三八…", "壹叁捌…").
_HAN_DIGITS = {**dict(zip("〇零一二三四五六七八九", "00123456789", strict=True)),
               **dict(zip("幺壹贰叁肆伍陆柒捌玖", "1123456789", strict=True)), "洞": "0"}
_SEP = r"[\s.\-_/·•,，、。~～*]"
_DIGIT = "[0-9" + "".join(_HAN_DIGITS) + "]"
# A run of digits (ASCII or Chinese) with at most two separators between any two of them.
# Not the year or sequence of a ticket number (CL-2026-000123).
_RUN = re.compile(rf"(?<![0-9])(?<![A-Za-z]-)(?<![A-Za-z]-\d{{4}}-)"
                  rf"{_DIGIT}(?:{_SEP}{{0,2}}{_DIGIT})+")
_ROOM_AFTER = re.compile(r"\s*号?\s*(?:室|房)")
_DATE = re.compile(r"(?:19|20)\d{2}([-./])(?:0?[1-9]|1[0-2])(?:\1(?:0?[1-9]|[12]\d|3[01]))?(?!\d)")
# A Telegram bot token (digits:secret), masked whole before its digits could be taken for a number.
_TOKEN = re.compile(r"\d{5,12}:[A-Za-z0-9_-]{20,}")
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
            "于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付傅方邹熊白孟秦邱侯江尹薛闫段"
            "雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文施洪翁游")
TITLES = "先生|女士|小姐|阿姨|大爷|大妈|大叔|大姐|师傅|老师|叔叔|奶奶|爷爷|阿婆|伯伯|婆婆|老板"
_N = r"(?<![0-9A-Za-z])"  # not glued to a longer number or word
_E = r"(?![0-9A-Za-z])"

Replacement = str | Callable[[re.Match[str]], str]
_PATTERNS: list[tuple[re.Pattern[str], Replacement]] = [
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), MASK),
    # Chat ids: 微信chenlh1988, WeChat: wx_88, QQ 12345678, vx号abc123 — the label stays.
    (re.compile(r"(?i)(微信号?|威信|v信|薇信|wechat(?:\s*id)?|weixin|vx|wx|qq号?|扣扣|企鹅号?)"
                r"([\s:：=#]*(?:号码|号|是|为|id)?[\s:：=#]*)[A-Za-z0-9][A-Za-z0-9_.\-]{3,24}"),
     lambda m: m[1] + m[2] + MASK),
    # Licence plates: 闽A12345, 闽A·D12345 (new energy), 粤B 8K88X.
    (re.compile(rf"[{PROVINCES}]\s*[A-Za-z]\s*[·•.\-\s]?\s*[A-Za-z0-9]{{5,6}}(?![A-Za-z0-9])"),
     MASK),
    # ID cards: 18 digits (last may be X) or the old 15-digit form.
    (re.compile(_N + r"\d{17}[\dXx]" + _E + "|" + _N + r"\d{15}" + _E), MASK),
    # Mobiles, optionally +86, written 3-4-4 with spaces or dashes or in one run.
    (re.compile(_N + r"(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}" + _E), MASK),
    # Landlines with an area code: 0591-28881234, (0591) 2888 1234.
    (re.compile(_N + r"\(?0\d{2,3}\)?[\s-]?\d{3,4}[\s-]?\d{4}" + _E), MASK),
    # Any other run of seven or more digits: local numbers, QQ, bank cards.
    (re.compile(r"(?<![0-9])\d{7,}(?![0-9])"), MASK),
    # Rooms: 502室, 502房(间), 1203号房, 3号楼502, 3栋502, 3单元502, 5-302, 3-2-502, 住在1203.
    (re.compile(r"\d{1,5}(?=\s*号?\s*(?:室|房间|房|户)(?!东|主|子|屋))"), MASK),
    (re.compile(r"(?<=住在|家住|住址|地址|家在|住的|门牌)([是:：\s]*)[A-Za-z]?\d{2,5}(?![0-9号楼栋幢])"),
     r"\1" + MASK),
    (re.compile(r"(?<=住)(\s*)\d{3,5}(?![0-9号楼栋幢])"), r"\1" + MASK),
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
    # "我是王秀英", "住户陈丽华", "业主张建国": a person named by surname and given name.
    (re.compile(rf"(?:(?<=我是)|(?<=住户|业主|居民|本人|报人|户主|租户|房东)|(?<=联系人))"
                rf"([:：\s]*)[{SURNAMES}][\u4e00-\u9fff]{{1,2}}(?=[，,。.、；;:：!！?？\s]|电话|手机"
                rf"|反映|投诉|说|家|住|的|联系|$)"), r"\1" + MASK),
    (re.compile(r"(?:(?<=我叫|姓名|名叫|名字)|(?<=联系人)|(?<=名字是))([:：\s是]*)[\u4e00-\u9fff]{2,3}"),
     r"\1" + MASK),
    # "免贵姓王", "我姓陈": the surname alone.
    (re.compile(rf"(?<![百])(?<=姓)([:：\s是]*)[{SURNAMES}]"), r"\1" + MASK),
    # A full name right before a phone or "说/反映": 张建国13800…, 陈丽华反映.
    (re.compile(rf"(?<![\u4e00-\u9fff])[{SURNAMES}][\u4e00-\u9fff]{{1,2}}(?=电话|手机|反映|投诉)"),
     MASK),
    (re.compile(r"\b(Mr|Mrs|Ms|Miss|Dr|MR|MRS|MS)(\.?\s+)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"),
     lambda m: m[1] + m[2] + MASK),
    (re.compile(r"(?i)(?<=my name is )[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"), MASK),
    (re.compile(r"(?:(?<=I am )|(?<=I'm ))[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"), MASK),
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


def _digits(run: str) -> str:
    return "".join(_HAN_DIGITS.get(c, c) for c in run if c.isdigit() or c in _HAN_DIGITS)


def _run(match: re.Match[str]) -> str:
    """A long run of digits is a number someone can be reached or found by; a date is not."""
    run = match[0]
    digits = _digits(run)
    if len(digits) < 7:
        # Chinese numerals short enough to be a room: 一二〇三室 → 1203室, masked below.
        han = any(c in _HAN_DIGITS for c in run)
        room = han and len(digits) >= 3 and _ROOM_AFTER.match(match.string, match.end())
        return digits if room else run
    date = _DATE.match(run)
    if date and not any(c in _HAN_DIGITS for c in run) and len(_digits(run[date.end():])) < 7:
        return run
    return MASK


def mask(text: str, names: Iterable[str] = ()) -> str:
    """The text with personal data replaced by ***; estate and road names stay."""
    if not text:
        return text
    text = _RUN.sub(_run, _TOKEN.sub(MASK, text.translate(_FOLD)))
    given = _name_pattern(names)
    if given is not None:
        text = given.sub(MASK, text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
