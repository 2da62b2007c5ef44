"""Benchmark of the built-in NLU: prints latency, throughput, load and training time, memory.

    .venv/bin/python bench/nlu.py [--model-dir DIR] [--messages N] [--no-train]

Without --no-train a fresh model is trained in a temporary directory (as `nlu train` does, with
an empty embedding cache), so the training time is the cold one. Messages are sampled from the
training data (never from the eval files); latency is one message at a time, after warm-up.
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
from pathlib import Path

# This file is itself named nlu.py: drop its folder from the path so `nlu` is the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from nlu.loader import load_builtin  # noqa: E402
from nlu.settings import NluSettings  # noqa: E402
from nlu.trainingdata import DATA_DIR, load_training_data  # noqa: E402


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


def _measure(settings: NluSettings, count: int) -> list[tuple[str, str]]:
    started = time.perf_counter()
    parser = load_builtin(settings)
    load_s = time.perf_counter() - started
    examples = load_training_data(DATA_DIR).examples
    texts = [e.text for e in random.Random(7).sample(examples, min(count, len(examples)))]
    for text in texts[:10]:
        parser.parse(text)
    latencies = []
    for text in texts:
        begun = time.perf_counter()
        parser.parse(text)
        latencies.append((time.perf_counter() - begun) * 1000)
    begun = time.perf_counter()
    for i in range(0, len(texts), 32):
        parser.parse_batch(texts[i:i + 32])
    batch_rate = len(texts) / (time.perf_counter() - begun)
    embedding = "on" if parser.model.uses_embedding else "off"
    return [
        ("model load time", f"{load_s:.2f} s (embedding {embedding})"),
        ("single message p50 (1 thread)", f"{statistics.median(latencies):.1f} ms"),
        ("single message p99 (1 thread)", f"{_percentile(latencies, 99):.1f} ms"),
        ("single message max", f"{max(latencies):.1f} ms"),
        ("batched throughput (32/batch)", f"{batch_rate:.0f} messages/s"),
    ]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, help="Use (and train into) this directory.")
    parser.add_argument("--messages", type=int, default=300, help="Messages to time.")
    parser.add_argument("--no-train", action="store_true", help="Skip the training timing.")
    parser.add_argument("--no-embedding", action="store_true", help="N-grams only.")
    return parser.parse_args()


if __name__ == "__main__":
    main()
