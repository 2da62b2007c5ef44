"""The trained model as plain numpy arrays, read without scikit-learn or scipy.

`nlu train` writes, beside `model-<hash>.pkl` (the fitted scikit-learn objects, kept for
training, evaluation and the tools), a directory `model-<hash>.arrays/` of `.npy` files and one
`meta.json`: each n-gram table's vocabulary (sorted, as a fixed-width unicode array, with the
column of each gram), its idf, and each head's classes, weights and biases. A bot process loads
only these, memory-mapped (`mmap_mode="r"`), so processes on one host share their pages and a
page no message touches is never read; scikit-learn and scipy (~95 MB a process) never load.

The analyzers below are scikit-learn's `char` and `char_wb` analyzers written out (1.x: runs
of two or more whitespace characters become one space; `char` lowercases; a custom
preprocessor replaces lowercasing), and the arithmetic is `nlu.features._Table.row`'s and
`nlu.inference.Linear.proba`'s, so the probabilities are those of the pickled model
(tests/nlu/test_arrays.py: every training and eval line within 1e-9).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlu.text import latin_only
from nlu.words import Segmenter, WordAnalyzer, word_grams

FORMAT = 1
_WHITE_SPACES = re.compile(r"\s\s+")


@dataclass(frozen=True, slots=True)
class Rows:
    """Sparse rows in CSR form (what scipy's csr_matrix holds), multiplied by dense weights."""

    indptr: np.ndarray
    indices: np.ndarray
    values: np.ndarray
    shape: tuple[int, int]

    def __matmul__(self, weights: np.ndarray) -> np.ndarray:
        """`csr_matrix @ weights` as scipy computes it, to the bit: in the common dtype, one
        nonzero after the other. A sum over axis 0 of a C-ordered block adds its rows in
        order (numpy's pairwise summation is along the contiguous axis only); BLAS would
        reorder the additions."""
        dtype = np.result_type(self.values, weights)
        out = np.zeros((self.shape[0], weights.shape[1]), dtype=dtype)
        for row in range(self.shape[0]):
            start, end = self.indptr[row], self.indptr[row + 1]
            if end > start:
                terms = self.values[start:end, None].astype(dtype) * weights[
                    self.indices[start:end]]
                out[row] = terms.sum(axis=0)
        return out


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's `char` analyzer after preprocessing."""
    text = _WHITE_SPACES.sub(" ", text)
    grams = list(text) if low == 1 else []
    for n in range(low + 1 if low == 1 else low, min(high + 1, len(text) + 1)):
        grams += [text[i:i + n] for i in range(len(text) - n + 1)]
    return grams


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's `char_wb` analyzer after preprocessing: grams inside padded words."""
    grams = []
    for word in _WHITE_SPACES.sub(" ", text).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[:n])
            while offset + n < len(padded):
                offset += 1
                grams.append(padded[offset:offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return grams


def tfidf_row(counts: dict[int, int], idf: np.ndarray,
              offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted columns and L2-normalised sublinear tf-idf values (float32) of one text."""
    columns = np.fromiter(counts, dtype=np.int32, count=len(counts))
    order = np.argsort(columns)
    columns = columns[order]
    tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))[order]
    weights = (np.log(tf) + np.float32(1)) * idf[columns]
    norm = np.sqrt(np.dot(weights.astype(np.float64), weights))
    if norm > 0:
        weights /= np.float32(norm)
    return columns + offset, weights


class Table:
    """One n-gram table: analyzer, vocabulary as a sorted array, idf, column offset. Kind
    "words" is the Chinese word table: its analyzer is the segmenter saved with it."""

    def __init__(self, *, kind: str, ngram_range: tuple[int, int], preprocess: str,
                 grams: np.ndarray, columns: np.ndarray, idf: np.ndarray, offset: int,
                 segmenter: Segmenter | None = None) -> None:
        if kind == "words":
            assert segmenter is not None
            self.ngrams: Callable[[str, int, int], list[str]] = \
                lambda text, _low, _high: word_grams(segmenter, text)
        else:
            self.ngrams = char_ngrams if kind == "char" else char_wb_ngrams
        self.low, self.high = ngram_range
        self.preprocess = _preprocessor(preprocess)
        self.grams, self.columns, self.idf, self.offset = grams, columns, idf, offset

    @property
    def width(self) -> int:
        return len(self.grams)

    def counts(self, text: str) -> dict[int, int]:
        """Column → count of the text's grams in the vocabulary, in order of first sight."""
        seen = Counter(self.ngrams(self.preprocess(text), self.low, self.high))
        if not seen:
            return {}
        grams = list(seen)
        at = np.searchsorted(self.grams, grams)
        at[at == len(self.grams)] = 0
        found = (self.grams[at] == np.asarray(grams, dtype=self.grams.dtype)) & np.asarray(
            ["\0" not in gram and len(gram) <= self.grams.dtype.itemsize // 4
             for gram in grams])
        return {int(self.columns[i]): seen[gram]
                for gram, i, hit in zip(grams, at, found, strict=True) if hit}

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        return tfidf_row(self.counts(text), self.idf, self.offset)


def _preprocessor(name: str) -> Callable[[str], str]:
    if name == "none":
        return _same
    return str.lower if name == "lower" else latin_only


def _same(text: str) -> str:
    return text


class ArrayFeaturizer:
    """`NgramFeaturizer.transform` over the arrays: the same rows, as `Rows`."""

    def __init__(self, tables: list[Table]) -> None:
        self.tables = tables

    def transform(self, texts: Sequence[str]) -> Rows:
        indices: list[np.ndarray] = []
        values: list[np.ndarray] = []
        indptr = [0]
        for text in texts:
            for table in self.tables:
                columns, weights = table.row(text)
                indices.append(columns)
                values.append(weights)
            indptr.append(indptr[-1] + sum(len(p) for p in indices[-len(self.tables):]))
        width = sum(table.width for table in self.tables)
        return Rows(np.asarray(indptr), _concat(indices, np.int32), _concat(values, np.float32),
                    (len(texts), width))


def _concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype)


@dataclass(frozen=True)
class ArrayHead:
    classes: list[str]
    ngram: tuple[np.ndarray, np.ndarray] | None  # weights (features, scores), bias
    embed: tuple[np.ndarray, np.ndarray] | None


@dataclass
class ArrayModel:
    """What the parser reads of a model; the same fields as `BuiltinModel` uses."""

    featurizer: ArrayFeaturizer
    heads: dict[str, ArrayHead]
    uses_embedding: bool
    fingerprint: str
    code_version: str
    n_examples: int
    place_lookup: list[str]


# -- export (training side: the fitted scikit-learn objects are at hand) -----------------------


def arrays_path(model_path: Path) -> Path:
    return model_path.with_suffix(".arrays")


def export_arrays(model: Any, directory: Path) -> Path:
    """Write `model` (a BuiltinModel) as arrays into `directory`, atomically."""
    tmp = directory.with_name(directory.name + f".{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    featurizer = model.featurizer
    tables, offset = [], 0
    for name, vectorizer in featurizer.vectorizers:
        tables.append(_export_table(tmp, name, vectorizer, offset))
        offset += len(vectorizer.vocabulary_)
    heads = {name: _export_head(tmp, name, head) for name, head in model.heads.items()}
    meta = {"format": FORMAT, "tables": tables, "heads": heads,
            "uses_embedding": model.uses_embedding, "fingerprint": model.fingerprint,
            "code_version": model.code_version, "n_examples": model.n_examples,
            "place_lookup": list(model.place_lookup)}
    (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(directory, ignore_errors=True)
    os.replace(tmp, directory)
    return directory


def _export_table(out: Path, name: str, vectorizer: Any, offset: int) -> dict[str, Any]:
    if isinstance(vectorizer.analyzer, WordAnalyzer):
        return _export_words(out, name, vectorizer, offset)
    preprocess = "latin_only" if vectorizer.preprocessor is latin_only else "lower"
    if (vectorizer.analyzer not in ("char", "char_wb") or vectorizer.strip_accents
            or (vectorizer.preprocessor is None and not vectorizer.lowercase)
            or vectorizer.preprocessor not in (None, latin_only)):
        raise ValueError(f"n-gram table {name}: settings the array analyzer does not reproduce")
    _save_vocabulary(out, name, vectorizer)
    return {"name": name, "kind": vectorizer.analyzer, "preprocess": preprocess,
            "ngram_range": list(vectorizer.ngram_range), "offset": offset}


def _export_words(out: Path, name: str, vectorizer: Any, offset: int) -> dict[str, Any]:
    """The word table and its segmenter's dictionary (words and frequencies, sorted)."""
    _save_vocabulary(out, name, vectorizer)
    segmenter: Segmenter = vectorizer.analyzer.segmenter
    words = sorted(segmenter.words)
    np.save(out / f"{name}.dictionary.npy", np.asarray(words, dtype=str))
    np.save(out / f"{name}.frequencies.npy",
            np.asarray([segmenter.words[word] for word in words], dtype=np.int64))
    return {"name": name, "kind": "words", "preprocess": "none",
            "ngram_range": [1, 1], "offset": offset, "total": segmenter.total}


def _save_vocabulary(out: Path, name: str, vectorizer: Any) -> None:
    vocabulary: dict[str, int] = vectorizer.vocabulary_
    if any("\0" in gram for gram in vocabulary):
        raise ValueError(f"n-gram table {name}: a gram with a NUL character")
    ordered = sorted(vocabulary)
    np.save(out / f"{name}.grams.npy", np.asarray(ordered, dtype=str))
    np.save(out / f"{name}.columns.npy",
            np.asarray([vocabulary[g] for g in ordered], dtype=np.int32))
    np.save(out / f"{name}.idf.npy", np.asarray(vectorizer.idf_, dtype=np.float32))


def _export_head(out: Path, name: str, head: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"classes": head.classes, "ngram": False, "embed": False}
    for part in ("ngram", "embed"):
        classifier = getattr(head, part)
        if classifier is None or len(head.classes) == 1:
            continue
        np.save(out / f"{name}.{part}.weights.npy",
                np.ascontiguousarray(np.asarray(classifier.coef_).T))
        np.save(out / f"{name}.{part}.bias.npy",
                np.asarray(classifier.intercept_, dtype=np.float64))
        entry[part] = True
    return entry


# -- load (bot side) ---------------------------------------------------------------------------


def _segmenter(directory: Path, table: dict[str, Any]) -> Segmenter | None:
    if table["kind"] != "words":
        return None
    name = table["name"]
    words = np.load(directory / f"{name}.dictionary.npy").tolist()
    frequencies = np.load(directory / f"{name}.frequencies.npy").tolist()
    return Segmenter(dict(zip(words, frequencies, strict=True)), int(table["total"]))


def load_arrays(directory: Path) -> ArrayModel:
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"{directory}: array format {meta.get('format')}, expected {FORMAT}")
    def load(name: str) -> np.ndarray:
        # A plain ndarray over the mapped pages: np.memmap's subclass hooks cost ~µs an index.
        return np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r"))

    tables = [Table(kind=t["kind"], ngram_range=tuple(t["ngram_range"]),
                    preprocess=t["preprocess"], grams=load(f"{t['name']}.grams"),
                    columns=load(f"{t['name']}.columns"), idf=load(f"{t['name']}.idf"),
                    offset=t["offset"], segmenter=_segmenter(directory, t))
              for t in meta["tables"]]
    heads = {}
    for name, entry in meta["heads"].items():
        parts = {part: (load(f"{name}.{part}.weights"), load(f"{name}.{part}.bias"))
                 if entry[part] else None for part in ("ngram", "embed")}
        heads[name] = ArrayHead(list(entry["classes"]), parts["ngram"], parts["embed"])
    return ArrayModel(ArrayFeaturizer(tables), heads, meta["uses_embedding"],
                      meta["fingerprint"], meta["code_version"], meta["n_examples"],
                      list(meta["place_lookup"]))
