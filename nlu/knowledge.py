"""The consult knowledge base: question/answer pairs kept as data, matched by meaning."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from nlu.features import Embedder

log = logging.getLogger(__name__)
FAQ_FILE = Path(__file__).parent / "faq" / "faq.yml"


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    answer: dict[str, str]
    title: dict[str, str] = field(default_factory=dict)  # its first question per language


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float
    question: str


@dataclass(frozen=True)
class Lookup:
    """A confident answer, or else up to three close entries to offer as "did you mean"."""

    answer: Match | None
    choices: tuple[Match, ...] = ()


class Knowledge:
    """Nearest stored question by sentence embedding, with character n-grams beside it."""

    def __init__(self, entries: list[Entry], questions: list[tuple[str, int]], embed: Any | None,
                 threshold: float = 0.93, ngram_threshold: float = 0.45,
                 cache_dir: Path | None = None, floor: float = 0.915, ngram_floor: float = 0.3,
                 margin: float = 0.01, ngram_margin: float = 0.05) -> None:
        self.entries = entries
        self._questions = [q for q, _ in questions]
        self._owner = np.array([i for _, i in questions])
        self._embed = embed
        self.threshold = threshold
        self.ngram_threshold = ngram_threshold
        self.floor = floor  # below it an entry is not even offered as a choice
        self.ngram_floor = ngram_floor
        # Two different entries this close are a coin toss: offer both rather than pick one.
        self.margin = margin
        self.ngram_margin = ngram_margin
        self._ngrams: tuple[Any, Any] | None = None  # built on first use (no embedding)
        self._vectors = _vectors(self._questions, embed, cache_dir) if embed is not None else None

    def match(self, text: str) -> Match | None:
        return self.lookup(text).answer

    def lookup(self, text: str, choices: int = 3) -> Lookup:
        text = text.strip()[:500]
        if not text:
            return Lookup(None)
        if self._vectors is not None and self._embed is not None:
            # e5 similarities crowd into 0.85-1.0, so the bar is high; ranking by meaning alone
            # beat a blend with n-grams on trial questions (n-grams pull in shared filler words).
            scores = self._vectors @ np.asarray(self._embed(text)).ravel()
            threshold, floor, margin = self.threshold, self.floor, self.margin
        else:
            tfidf, matrix = self._ngram_index()
            scores = (matrix @ tfidf.transform([text]).T).toarray().ravel()
            threshold, floor = self.ngram_threshold, self.ngram_floor
            margin = self.ngram_margin
        best: list[Match] = []  # each entry once, by its closest question
        for index in np.argsort(-scores):
            value = float(scores[index])
            if value < floor or len(best) == choices:
                break
            entry = self.entries[self._owner[index]]
            if all(m.entry.id != entry.id for m in best):
                best.append(Match(entry, value, self._questions[index]))
        if not best:
            return Lookup(None)
        top = best[0]
        contested = len(best) > 1 and top.score - best[1].score < margin
        if top.score >= threshold and not contested:
            return Lookup(top)
        return Lookup(None, tuple(best))

    def _ngram_index(self) -> tuple[Any, Any]:
        """The questions' character n-grams: only without the embedding, so a process that
        embeds never loads scikit-learn for them (bench/memory.py)."""
        if self._ngrams is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
            self._ngrams = (tfidf, tfidf.fit_transform(self._questions))
        return self._ngrams

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)


# Questions embedded at a time. The engine's buffers grow with the batch: all ~900 FAQ questions
# at once took a process ~250 MB above its size for a moment (436 MB peak RSS for `shaosheng run`
# on a first start), 32 at a time ~40 MB, with the same vectors to the bit (bench/memory.py).
EMBED_CHUNK = 32


def _embedded(questions: list[str], embed: Any) -> np.ndarray:
    if not questions:
        return np.asarray(embed(questions), dtype=np.float32)
    return np.concatenate([np.asarray(embed(questions[i:i + EMBED_CHUNK]), dtype=np.float32)
                           for i in range(0, len(questions), EMBED_CHUNK)])


def _vectors(questions: list[str], embed: Any, cache_dir: Path | None) -> np.ndarray:
    """The questions' embeddings, kept on disk: every process would spend ~20 s on them."""
    if cache_dir is None:
        return _embedded(questions, embed)
    digest = hashlib.sha256("\n".join(questions).encode()).hexdigest()[:16]
    path = cache_dir / f"faq-vectors-{digest}.npy"
    with contextlib.suppress(OSError, ValueError):
        cached = np.load(path)
        if cached.shape[0] == len(questions):
            return cached
    vectors = _embedded(questions, embed)
    with contextlib.suppress(OSError):  # a read-only directory only costs the next start
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(partial, vectors)
        partial.replace(path)  # atomic: a process starting beside us never reads half a file
    return vectors


def load_knowledge(path: Path = FAQ_FILE, *, use_embedding: bool = True,
                   cache_dir: Path | None = None, embedder: Embedder | None = None) -> Knowledge:
    """The knowledge base; ``embedder`` is the parser's (``shared_embedder``), so one process
    holds one copy of the model. Without one, its own is loaded (tools, tests)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries: list[Entry] = []
    questions: list[tuple[str, int]] = []
    for raw in data["entries"]:
        title = {lang: qs[0] for lang, qs in raw["questions"].items() if qs}
        entries.append(Entry(raw["id"], raw["category"], dict(raw["answer"]), title))
        for language_questions in raw["questions"].values():
            questions += [(q, len(entries) - 1) for q in language_questions]
    if use_embedding and embedder is None:
        embedder = Embedder(enabled=True)
    embed = _embed_with(embedder) if use_embedding and embedder is not None \
        and embedder.available else None
    if use_embedding and embed is None:
        log.warning("sentence embedding unavailable; FAQ matching uses n-grams only")
    return Knowledge(entries, questions, embed, cache_dir=cache_dir)


def shared_embedder(parser: object) -> Embedder | None:
    """The embedder a parser already holds (a Rasa parser's is its fallback's), if any."""
    for holder in (parser, getattr(parser, "_fallback", None)):
        embedder = getattr(holder, "embedder", None)
        if isinstance(embedder, Embedder) and embedder.available:
            return embedder
    return None


def _embed_with(embedder: Embedder) -> Callable[[str | list[str]], np.ndarray]:
    """One text gives one row, a list a matrix; the embedder's lock makes it thread-safe, so
    lookups may run off the event loop."""
    def embed(texts: str | list[str]) -> np.ndarray:
        if isinstance(texts, str):
            return embedder.embed([texts])[0]
        return embedder.embed(texts)
    return embed
