"""Text normalisation that keeps character offsets, and language detection.

Every function here maps one character to one character, so an offset found in the normalised
text is the same offset in the resident's original text (entities point into the original).
"""

from __future__ import annotations

import re
import unicodedata

from nlu.schema import Language
from nlu.t2s_table import PAIRS

# Texts longer than this are cut before the model sees them: nobody writes a 20k-character
# report, and n-gram / embedding cost grows with length.
MAX_MODEL_CHARS = 600

# Traditional -> simplified, one character to one: generated from OpenCC (nlu/t2s_build.py).
_T2S: dict[int, int] = {ord(PAIRS[i]): ord(PAIRS[i + 1]) for i in range(0, len(PAIRS), 2)}
# Full-width ASCII (Ｕ+FF01..FF5E) and the ideographic space fold to plain ASCII.
_T2S.update({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)})
_T2S[0x3000] = ord(" ")

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NON_LATIN = re.compile(r"[^a-z0-9' ]+")
_LATIN = re.compile(r"[A-Za-z]")


def _fold_char(char: str) -> str:
    """Lower-case one character, or a space for control/format characters (never 2 chars)."""
    if unicodedata.category(char)[0] == "C":
        return " "
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def normalize(text: str) -> str:
    """Simplified, half-width, lower-case, control chars blanked; same length as `text`."""
    return "".join(_fold_char(char) for char in text.translate(_T2S))


def clean_input(text: object) -> str:
    """Whatever the caller passed, a str without NUL or lone surrogates (never raises)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    # Lone surrogates cannot be encoded to UTF-8, which the embedding engine needs.
    return text.encode("utf-8", errors="replace").decode("utf-8").replace("\x00", " ")


def model_text(text: str) -> str:
    """The normalised, truncated, whitespace-collapsed text the classifiers see."""
    return " ".join(normalize(text[:MAX_MODEL_CHARS]).split())


def detect_language(text: str) -> Language:
    """Chinese when CJK characters carry the message, English when Latin letters do."""
    cjk = len(_CJK.findall(text))
    latin_words = len(re.findall(r"[A-Za-z]+", text))
    if cjk == 0 and latin_words > 0:
        return "en"
    # Mixed messages ("楼下的 street light 又坏了") are Chinese unless English clearly dominates.
    return "en" if latin_words > 3 * cjk else "zh"


def has_content(text: str) -> bool:
    """True when the text has at least one letter, digit or CJK character."""
    return any(char.isalnum() for char in text)


def looks_like_junk(text: str) -> bool:
    """One or two characters repeated ("楼楼楼…", "哈哈哈哈哈哈"), or a long paste of very few
    distinct characters: nothing a classifier should score as a report."""
    compact = "".join(text.split())
    distinct = len(set(compact))
    return (len(compact) >= 6 and distinct <= 2) or (len(compact) > 200 and distinct < 12)


def latin_only(text: str) -> str:
    """What the word n-grams read: everything but lower-case Latin letters, digits, ' and
    spaces blanked (the text reaches it not lower-cased: scikit-learn skips lowercasing when
    a preprocessor is given)."""
    return _NON_LATIN.sub(" ", text)
