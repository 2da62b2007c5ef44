"""Training, saving and loading the versioned model artifact (`model-<hash>.pkl` + latest.json)."""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from nlu.arrays import ArrayModel, arrays_path, export_arrays, load_arrays
from nlu.features import Embedder, NgramFeaturizer, cut_to_tokens, without_places
from nlu.model import MODEL_CODE_VERSION, WORD_HEADS, BuiltinModel, train_head
from nlu.settings import NluSettings
from nlu.text import model_text
from nlu.trainingdata import DATA_DIR, Example, data_files, data_fingerprint, load_training_data

log = logging.getLogger(__name__)
LATEST = "latest.json"
_BATCH = 64
# Examples of one (intent, category, urgency) block the embedding model sees: every one today
# (the largest block has ~200); the cap only guards training time if the data grows a lot.
EMBED_PER_BLOCK = 1000
_CACHE = "embedding-cache.pkl"


@dataclass(frozen=True, slots=True)
class TrainResult:
    path: Path
    fingerprint: str
    n_examples: int
    seconds: float
    trained: bool  # False when `ensure` found a fresh artifact


def data_dir_of(settings: NluSettings) -> Path:
    return settings.data_dir or DATA_DIR


def fingerprint_of(settings: NluSettings) -> str:
    paths = data_files(data_dir_of(settings))
    if settings.include_corrections and settings.include_corrections.exists():
        paths.append(settings.include_corrections)
    embedding = f"emb{EMBED_PER_BLOCK}" if settings.embedding else "ngram"
    flavour = f"{MODEL_CODE_VERSION}+{embedding}"
    return data_fingerprint(paths, flavour)


def train(settings: NluSettings, embedder: Embedder | None = None,
          progress: bool = False) -> TrainResult:
    """Train on the data directory and write the artifact; returns where it went."""
    started = time.perf_counter()
    data = load_training_data(data_dir_of(settings), settings.include_corrections)
    if not data.examples:
        raise ValueError(f"no training examples in {data_dir_of(settings)}")
    if embedder is None and settings.embedding:
        embedder = Embedder(enabled=True)
    model = fit_model(data.examples, embedder, progress, cache_dir=settings.model_dir)
    model.place_lookup = sorted(set(data.lookups.get("place", [])))
    model.fingerprint = fingerprint_of(settings)
    path = save_model(model, settings.model_dir)
    seconds = time.perf_counter() - started
    _write_latest(settings.model_dir, path, model, seconds)
    return TrainResult(path, model.fingerprint, len(data.examples), seconds, trained=True)


def fit_model(examples: list[Example], embedder: Embedder | None, progress: bool = False,
              cache_dir: Path | None = None) -> BuiltinModel:
    texts = [model_text(example.text) for example in examples]
    featurizer = NgramFeaturizer().fit(texts)
    ngram_x = featurizer.transform(texts)
    sample = embedding_sample(examples)
    embed_x = _embed_all([without_places(texts[i]) for i in sample], embedder, progress,
                         cache_dir)
    model = BuiltinModel(featurizer, uses_embedding=embed_x is not None,
                         n_examples=len(examples))
    # One BLAS thread: on 2 shared cores OpenBLAS's own threads made each embedding head's fit
    # 15-20x slower (20 s instead of 1 s); the embedder above keeps its OpenMP threads.
    with threadpool_limits(limits=1, user_api="blas"):
        _fit_heads(model, examples, ngram_x, sample, embed_x)
    return model


def _fit_heads(model: BuiltinModel, examples: list[Example], ngram_x: object,
               sample: list[int], embed_x: np.ndarray | None) -> None:
    for name in ("intent", "category", "urgency"):
        labels = [getattr(example, name) for example in examples]
        rows = [i for i, label in enumerate(labels) if label is not None]
        embedded = [(pos, i) for pos, i in enumerate(sample) if labels[i] is not None]
        x = ngram_x if name in WORD_HEADS else _without_words(model, ngram_x)
        model.heads[name] = train_head(
            [str(labels[i]) for i in rows], x[rows],  # type: ignore[index]
            [str(labels[i]) for _, i in embedded],
            embed_x[[pos for pos, _ in embedded]] if embed_x is not None else None,
        )


def _without_words(model: BuiltinModel, ngram_x: Any) -> Any:
    """The matrix with the Chinese word columns dropped to nothing: a head fitted on it has
    zero weights there, so it answers exactly as without the word table."""
    width = ngram_x.shape[1] - len(model.featurizer.zh_words.vocabulary_)
    kept = ngram_x.multiply(np.arange(ngram_x.shape[1]) < width).tocsr()
    kept.eliminate_zeros()
    return kept


def embedding_sample(examples: list[Example]) -> list[int]:
    """At most EMBED_PER_BLOCK examples of each (intent, category, urgency), picked by text
    hash so the choice is stable as data grows. Embedding costs ~3 ms an example (nlu/e5x.py)
    and is the bulk of a cold `nlu train`; with every example embedded (not 60 a block as
    before) cross-validated category accuracy rose ~0.01 and intent ~0.01."""
    blocks: dict[tuple[str, str | None, str | None], list[tuple[str, int]]] = defaultdict(list)
    for i, example in enumerate(examples):
        key = hashlib.sha1(example.text.encode()).hexdigest()
        blocks[(example.intent, example.category, example.urgency)].append((key, i))
    return sorted(i for block in blocks.values() for _, i in sorted(block)[:EMBED_PER_BLOCK])


def _embed_all(texts: list[str], embedder: Embedder | None, progress: bool,
               cache_dir: Path | None = None) -> np.ndarray | None:
    """Embeddings of all texts; a cache in the model dir makes retraining embed only new text."""
    if embedder is None or not embedder.available:
        return None
    cache = _read_cache(cache_dir)
    keys = [cache_key(embedder.engine, text) for text in texts]
    missing = sorted({key: text for key, text in zip(keys, texts, strict=True)
                      if key not in cache}.items())
    from tqdm import tqdm  # here: a bot process loads a model, it does not train one (4.5 MB)

    batches = range(0, len(missing), _BATCH)
    for i in tqdm(batches, desc="embedding", unit="batch", disable=not progress):
        chunk = missing[i:i + _BATCH]
        vectors = embedder.embed([text for _, text in chunk])
        cache.update({key: vector for (key, _), vector in zip(chunk, vectors, strict=True)})
    if missing and cache_dir is not None:
        _write_cache(cache_dir, {key: cache[key] for key in keys})
    return np.vstack([cache[key] for key in keys])


def cache_key(engine: str, text: str) -> str:
    """Keyed by what the embedder really reads and which build embeds it, so a change of the
    cut or of the engine (nlu/e5x.py) invalidates entries."""
    return hashlib.sha1(f"{engine}\0{cut_to_tokens(text)}".encode()).hexdigest()


def _read_cache(cache_dir: Path | None) -> dict[str, np.ndarray]:
    path = (cache_dir or Path("/nonexistent")) / _CACHE
    try:
        loaded = pickle.loads(path.read_bytes())  # noqa: S301 - our own file
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _write_cache(cache_dir: Path, cache: dict[str, np.ndarray]) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / (_CACHE + ".tmp")
    tmp.write_bytes(pickle.dumps(cache, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(cache_dir / _CACHE)


def save_model(model: BuiltinModel, model_dir: Path) -> Path:
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / f"model-{model.fingerprint}.pkl"
    tmp = path.with_suffix(".tmp")
    # Written aside and renamed, so a parser loading concurrently never reads half a file.
    tmp.write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)
    export_arrays(model, arrays_path(path))  # what bot processes load (nlu/arrays.py)
    for old in model_dir.glob("model-*.pkl"):
        if old != path:  # superseded artifacts are ~20 MB each; the hash names the live one
            old.unlink(missing_ok=True)
            shutil.rmtree(arrays_path(old), ignore_errors=True)
    return path


def _write_latest(model_dir: Path, path: Path, model: BuiltinModel, seconds: float) -> None:
    latest = {
        "model": path.name, "fingerprint": model.fingerprint, "code_version": model.code_version,
        "n_examples": model.n_examples, "uses_embedding": model.uses_embedding,
        "train_seconds": round(seconds, 2), "trained_at": datetime.now(UTC).isoformat(),
    }
    tmp = model_dir / (LATEST + ".tmp")
    tmp.write_text(json.dumps(latest, indent=2), encoding="utf-8")
    tmp.replace(model_dir / LATEST)


def latest_path(model_dir: Path) -> Path | None:
    """The artifact latest.json points at, when both exist."""
    try:
        latest = json.loads((model_dir / LATEST).read_text(encoding="utf-8"))
        path = model_dir / str(latest["model"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return path if path.exists() else None


def is_stale(settings: NluSettings) -> bool:
    path = latest_path(settings.model_dir)
    return path is None or path.name != f"model-{fingerprint_of(settings)}.pkl"


def ensure(settings: NluSettings, progress: bool = False,
           embedder: Embedder | None = None) -> TrainResult:
    """Train only when the artifact is missing or older than the data and code."""
    path = latest_path(settings.model_dir)
    if path is not None and not is_stale(settings):
        return TrainResult(path, fingerprint_of(settings), 0, 0.0, trained=False)
    return train(settings, embedder=embedder, progress=progress)


def load_model(path: Path) -> BuiltinModel:
    # The artifact is written by `nlu train` on this machine; it is trusted like code.
    model = pickle.loads(path.read_bytes())  # noqa: S301
    if not isinstance(model, BuiltinModel):
        raise TypeError(f"{path} is not a Shaosheng NLU model")
    if getattr(model, "code_version", None) != MODEL_CODE_VERSION:
        # Written by other model code: its attributes may not match this code's.
        raise TypeError(f"{path} was trained by model code {model.code_version}")
    return model


def load_runtime_model(path: Path) -> ArrayModel | BuiltinModel:
    """The arrays of the artifact at `path`, memory-mapped: no scikit-learn in this process.
    An artifact trained before the arrays existed is exported once (which reads the pickle);
    where they cannot be written (a read-only directory) the pickled model serves."""
    directory = arrays_path(path)
    try:
        model = load_arrays(directory)
        if model.code_version == MODEL_CODE_VERSION and path.name == \
                f"model-{model.fingerprint}.pkl":
            return model
    except (OSError, ValueError, KeyError):
        pass  # missing, half-written or of another format: export again
    pickled = load_model(path)
    try:
        return load_arrays(export_arrays(pickled, directory))
    except OSError as exc:
        log.warning("cannot write the model's arrays to %s (%s); using the pickle", directory,
                    exc)
        return pickled
