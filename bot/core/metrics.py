"""Process-local counters the chat layer bumps; /metrics reads them."""

from collections import Counter

COUNTERS: Counter[str] = Counter()


def count(name: str, by: int = 1) -> None:
    COUNTERS[name] += by
