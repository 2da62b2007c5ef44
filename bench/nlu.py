"""Benchmark of the built-in NLU: prints latency, throughput, load and training time, memory.

    .venv/bin/python bench/nlu.py [--model-dir DIR] [--messages N] [--no-train] [--no-held-out]

Without --no-train a fresh model is trained in a temporary directory (as `nlu train` does, with
an empty embedding cache), so the training time is the cold one. Messages come from the training
data (never from the eval files); latency is one message at a time on one thread, after warm-up,
with the share of messages the cascade sent to the embedding. The model has seen its training
messages and is sure of nearly all of them, so new messages are timed too: a second model is
trained on 80% of the data (embeddings from the model directory's cache where it has them) and
parses the other 20%, which is what the latency of a resident's new message looks like.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

# This file is itself named nlu.py: drop its folder from the path so `nlu` is the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from nlu.features import Embedder  # noqa: E402
from nlu.loader import load_builtin  # noqa: E402
from nlu.parser import BuiltinParser  # noqa: E402
from nlu.settings import NluSettings  # noqa: E402
from nlu.training import _read_cache, cache_key, fit_model  # noqa: E402
from nlu.trainingdata import DATA_DIR, load_training_data  # noqa: E402

HELD_OUT = 0.2


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    args = _arguments()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = args.model_dir or Path(tmp)
        settings = NluSettings(model_dir=model_dir, embedding=not args.no_embedding)
        if not args.no_train:
            rows.append(("training time (cold, 2 threads)", _train_cold(settings)))
        rows += _measure(settings, args.messages)
        if not args.no_held_out:
            rows += _measure_new(settings, args.messages)
        if not args.no_embedding:
            rows += _embedding_callers(args.messages)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak RSS (whole process)", f"{peak_mb:.0f} MB"))
    width = max(len(name) for name, _ in rows)
    print(f"{'metric':<{width}}  value")
    print(f"{'-' * width}  {'-' * 24}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def _train_cold(settings: NluSettings) -> str:
    """`nlu train` in a child process: its 2 OpenMP threads must not leak into the 1-thread
    latency measurement of this process (OpenMP fixes its thread count once per process)."""
    command = [sys.executable, "-m", "nlu.cli", "train", "--out", str(settings.model_dir)]
    if not settings.embedding:
        command.append("--no-embedding")
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    return f"{time.perf_counter() - started:.1f} s ({done.stdout.strip().splitlines()[-1]})"


class _Counting:
    """Wraps the embedder to count the messages the cascade sends to it."""

    def __init__(self, embedder: Any) -> None:
        self.embedder, self.texts = embedder, 0
        self.available = embedder is not None and embedder.available

    def embed(self, texts: Sequence[str]) -> Any:
        self.texts += len(texts)
        return self.embedder.embed(texts)


def _measure(settings: NluSettings, count: int) -> list[tuple[str, str]]:
    started = time.perf_counter()
    parser = load_builtin(settings)
    load_s = time.perf_counter() - started
    examples = load_training_data(DATA_DIR).examples
    texts = [e.text for e in random.Random(7).sample(examples, min(count, len(examples)))]
    begun = time.perf_counter()
    for i in range(0, len(texts), 32):
        parser.parse_batch(texts[i:i + 32])
    batch_rate = len(texts) / (time.perf_counter() - begun)
    embedding = "on" if parser.model.uses_embedding else "off"
    return [("model load time", f"{load_s:.2f} s (embedding {embedding})"),
            *_latency(parser, texts, "seen messages (training data)"),
            ("batched throughput, seen (32/batch)", f"{batch_rate:.0f} messages/s")]


def _measure_new(settings: NluSettings, count: int) -> list[tuple[str, str]]:
    examples = load_training_data(DATA_DIR).examples
    random.Random(11).shuffle(examples)
    cut = round(len(examples) * HELD_OUT)
    embedder = Embedder(enabled=settings.embedding)
    model = fit_model(examples[cut:], _Cached(embedder, settings.model_dir))  # type: ignore[arg-type]
    parser = BuiltinParser(model, embedder)
    seen = {e.text for e in examples[cut:]}
    texts = [e.text for e in examples[:cut] if e.text not in seen][:count]
    return _latency(parser, texts, f"new messages (held-out {HELD_OUT:.0%})")


def _latency(parser: BuiltinParser, texts: list[str], label: str) -> list[tuple[str, str]]:
    for text in texts[:10]:
        parser.parse(text)
    counter = _Counting(parser.embedder)
    if parser.embedder is not None:
        parser.embedder = counter  # type: ignore[assignment]
    latencies = []
    for text in texts:
        begun = time.perf_counter()
        parser.parse(text)
        latencies.append((time.perf_counter() - begun) * 1000)
    parser.embedder = counter.embedder
    mean = statistics.mean(latencies)
    return [
        (f"{label}: n", f"{len(texts)}"),
        (f"{label}: mean / p50 / p99 / max", f"{mean:.2f} / {statistics.median(latencies):.2f} "
                                             f"/ {_percentile(latencies, 99):.1f} / "
                                             f"{max(latencies):.1f} ms (1 thread)"),
        (f"{label}: sent to the embedding", f"{counter.texts / len(texts):.1%}"),
        (f"{label}: throughput", f"{1000 / mean:.0f} messages/s (1 thread, one at a time)"),
    ]


def _embedding_callers(count: int, threads: int = 6) -> list[tuple[str, str]]:
    """CPU per embedded text, one caller at a time and ``threads`` callers at once (as the bot's
    parse threads call it under load: the callers waiting share one engine call)."""
    texts = [example.text for example in load_training_data(DATA_DIR).examples]
    random.Random(11).shuffle(texts)
    texts = texts[:count]
    embedder = Embedder()
    embedder.embed(texts[:4])

    def cpu_ms(callers: int) -> float:
        begun = time.process_time()
        with ThreadPoolExecutor(callers) as pool:
            list(pool.map(lambda text: embedder.embed([text]), texts))
        return (time.process_time() - begun) * 1000 / len(texts)

    alone, together = cpu_ms(1), cpu_ms(threads)
    return [("embedding CPU per text, 1 caller", f"{alone:.1f} ms"),
            (f"embedding CPU per text, {threads} callers at once",
             f"{together:.1f} ms ({1 - together / alone:.0%} less)")]


class _Cached:
    """The embedder, answering from the model directory's embedding cache when it can."""

    def __init__(self, embedder: Embedder, cache_dir: Path) -> None:
        self.embedder, self.available, self.engine = embedder, embedder.available, embedder.engine
        self.cache = _read_cache(cache_dir)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [cache_key(self.engine, text) for text in texts]
        missing = [(key, text) for key, text in zip(keys, texts, strict=True)
                   if key not in self.cache]
        if missing:
            vectors = self.embedder.embed([text for _, text in missing])
            self.cache.update({key: v for (key, _), v in zip(missing, vectors, strict=True)})
        return np.vstack([self.cache[key] for key in keys])


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, help="Use (and train into) this directory.")
    parser.add_argument("--messages", type=int, default=300, help="Messages to time.")
    parser.add_argument("--no-train", action="store_true", help="Skip the training timing.")
    parser.add_argument("--no-held-out", action="store_true",
                        help="Skip timing new messages (saves training a second model).")
    parser.add_argument("--no-embedding", action="store_true", help="N-grams only.")
    return parser.parse_args()


if __name__ == "__main__":
    main()
