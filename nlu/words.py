"""Chinese words for the word n-gram table: jieba's dictionary segmentation, HMM off.

Training reads jieba's dictionary (~500,000 entries, ~70 MB once loaded) and keeps only the
words that occur somewhere in the training texts (a few thousand); the model carries that small
dictionary and the bot segments with it by `Segmenter`, which is jieba's own no-HMM algorithm
(`jieba.Tokenizer.cut(text, HMM=False)`: a DAG of dictionary words, the route of the largest
product of word frequencies, runs of single Latin letters and digits joined) written out, so a
bot process never imports jieba. A training text is segmented exactly as jieba segments it with
its full dictionary (each of its substrings that is a word is kept, and jieba's total frequency
is kept too); an unseen text differs from full jieba only where it has a word no training text
has, which the word table could not use anyway.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

# jieba 0.42.1's block patterns (`re_han_default`, `re_skip_default`, `re_eng`).
_HAN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-]+)")
_SKIP = re.compile("(\r\n|\\s)")
_ENG = re.compile("[a-zA-Z0-9]")
# Tokens the word table reads: those with a Chinese character (English has the char_wb table).
_CJK = re.compile("[\u4e00-\u9fd5]")


class Segmenter:
    """jieba's `cut(text, HMM=False)` over a dictionary of word -> frequency."""

    def __init__(self, frequencies: dict[str, int], total: int) -> None:
        self.total = total
        self._log_total = math.log(total) if total > 0 else 0.0
        prefixes: dict[str, int] = {}
        for word, freq in frequencies.items():
            prefixes[word] = freq
            for end in range(1, len(word)):
                prefixes.setdefault(word[:end], 0)
        self._freq = prefixes
        self.words = {word: freq for word, freq in frequencies.items() if freq}

    def cut(self, text: str) -> list[str]:
        out: list[str] = []
        for block in _HAN.split(text):
            if not block:
                continue
            if _HAN.match(block):
                out.extend(self._cut_block(block))
            else:
                for part in _SKIP.split(block):
                    if _SKIP.match(part):
                        out.append(part)
                    else:
                        out.extend(part)
        return out

    def _dag(self, block: str) -> list[list[int]]:
        freq, n, dag = self._freq, len(block), []
        for k in range(n):
            ends, i, fragment = [], k, block[k]
            while i < n and fragment in freq:
                if freq[fragment]:
                    ends.append(i)
                i += 1
                fragment = block[k:i + 1]
            dag.append(ends or [k])
        return dag

    def _cut_block(self, block: str) -> Iterable[str]:
        dag, n, freq = self._dag(block), len(block), self._freq
        route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        for idx in range(n - 1, -1, -1):
            route[idx] = max((math.log(freq.get(block[idx:x + 1]) or 1) - self._log_total
                              + route[x + 1][0], x) for x in dag[idx])
        x, buf = 0, ""
        while x < n:
            y = route[x][1] + 1
            word = block[x:y]
            if len(word) == 1 and _ENG.match(word):
                buf += word
            else:
                if buf:
                    yield buf
                    buf = ""
                yield word
            x = y
        if buf:
            yield buf

    def restricted_to(self, texts: Iterable[str]) -> Segmenter:
        """The dictionary words that occur in `texts`, with this total: it cuts those texts as
        this segmenter does (the DAG of a text holds only its own substrings)."""
        kept: dict[str, int] = {}
        freq = self._freq
        for text in texts:
            n = len(text)
            for k in range(n):
                i, fragment = k, text[k]
                while i < n and fragment in freq:
                    if freq[fragment]:
                        kept[fragment] = freq[fragment]
                    i += 1
                    fragment = text[k:i + 1]
        return Segmenter(kept, self.total)


def word_grams(segmenter: Segmenter, text: str) -> list[str]:
    """The Chinese words of `text` (tokens with a Chinese character), in order. Word bigrams
    were tried too and cross-validated lower (README, NLU)."""
    return [token for token in segmenter.cut(text) if _CJK.search(token)]


def jieba_segmenter() -> Segmenter:
    """jieba's full dictionary (training only: `jieba` is imported for its file alone)."""
    import jieba

    path = Path(jieba.__file__).with_name("dict.txt")
    frequencies: dict[str, int] = {}
    total = 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, freq = line.split(" ")[:2]
            frequencies[word] = int(freq)
            total += int(freq)
    return Segmenter(frequencies, total)


class WordAnalyzer:
    """A picklable TfidfVectorizer analyzer: the word grams under one segmenter."""

    def __init__(self, segmenter: Segmenter) -> None:
        self.segmenter = segmenter

    def __call__(self, text: str) -> list[str]:
        return word_grams(self.segmenter, text)


def fit_segmenter(texts: Sequence[str]) -> Segmenter:
    return jieba_segmenter().restricted_to(texts)
