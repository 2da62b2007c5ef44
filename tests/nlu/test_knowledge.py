"""The FAQ: its data in both languages, and the confidence floor of the lookup."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from nlu.knowledge import EMBED_CHUNK, FAQ_FILE, Entry, Knowledge, load_knowledge


def _knowledge(*pairs: tuple[str, list[str]]) -> Knowledge:
    entries = [Entry(id_, "other", {"zh": f"answer {id_}"}, {"zh": qs[0]}) for id_, qs in pairs]
    questions = [(q, i) for i, (_, qs) in enumerate(pairs) for q in qs]
    return Knowledge(entries, questions, embed=None)


def test_every_entry_is_asked_and_answered_in_both_languages() -> None:
    entries = yaml.safe_load(FAQ_FILE.read_text(encoding="utf-8"))["entries"]
    assert len(entries) >= 81
    assert len({e["id"] for e in entries}) == len(entries)
    for entry in entries:
        assert set(entry["questions"]) == set(entry["answer"]) == {"zh", "en"}, entry["id"]
        assert all(entry["questions"][lang] for lang in ("zh", "en")), entry["id"]
    titles = {e.id: e.title for e in load_knowledge(use_embedding=False).entries}
    assert titles["health_centre_hours"] == {
        "zh": "社区卫生服务中心周末开门吗",
        "en": "Is the community health centre open at weekends?"}


def test_a_clear_match_is_answered() -> None:
    k = _knowledge(("permit", ["居住证怎么办理"]), ("fee", ["物业费怎么交"]))
    found = k.lookup("居住证怎么办理")
    assert found.answer is not None
    assert found.answer.entry.id == "permit"
    assert found.choices == ()


def test_two_entries_too_close_to_tell_apart_are_offered_not_answered() -> None:
    k = _knowledge(("child", ["宝宝打疫苗在哪里"]), ("adult", ["大人打疫苗在哪里"]),
                   ("fee", ["物业费怎么交"]))
    found = k.lookup("打疫苗在哪里")
    assert found.answer is None  # though both are above the answering threshold
    assert min(m.score for m in found.choices) >= k.ngram_threshold
    assert {m.entry.id for m in found.choices} == {"child", "adult"}


def test_below_the_threshold_the_closest_are_offered_at_most_three() -> None:
    k = _knowledge(*[(f"e{i}", [f"社区服务站{i}号窗口办事时间"]) for i in range(5)])
    found = k.lookup("服务站")
    assert found.answer is None
    assert len(found.choices) == 3


def test_nothing_close_is_neither_answered_nor_offered() -> None:
    k = _knowledge(("permit", ["居住证怎么办理"]), ("fee", ["物业费怎么交"]))
    assert k.lookup("今天天气不错") == k.lookup("") == k.lookup("   ")
    assert k.lookup("今天天气不错").choices == ()


def _bigrams(text: str) -> np.ndarray:
    """A stand-in sentence vector: the text's character bigrams, hashed, L2-normalised."""
    row = np.zeros(512, dtype=np.float32)
    for a, b in zip(text, text[1:], strict=False):
        row[(ord(a) * 31 + ord(b)) % 512] += 1.0
    return row / np.linalg.norm(row)


def test_the_questions_are_embedded_a_few_at_a_time_and_answer_the_same(tmp_path: Path) -> None:
    """All ~900 FAQ questions at once, the embedding engine's buffers took ~250 MB of a bot
    process for a moment (bench/memory.py); a few at a time, the same vectors."""
    batches: list[int] = []

    def embed(texts: str | list[str]) -> np.ndarray:
        if isinstance(texts, str):
            return _bigrams(texts)
        batches.append(len(texts))
        return np.stack([_bigrams(t) for t in texts])

    pairs = [(f"q{i}", [f"第{i}号楼的问题怎么办"]) for i in range(70)]
    entries = [Entry(id_, "other", {"zh": f"answer {id_}"}, {"zh": qs[0]}) for id_, qs in pairs]
    questions = [(qs[0], i) for i, (_, qs) in enumerate(pairs)]
    knowledge = Knowledge(entries, questions, embed=embed, cache_dir=tmp_path)
    assert sum(batches) == 70
    assert max(batches) <= EMBED_CHUNK < 70
    found = knowledge.lookup("第41号楼的问题怎么办")
    assert found.answer is not None
    assert found.answer.entry.id == "q41"
    # Read back from the cache by the next process: the same answer, nothing embedded again.
    batches.clear()
    again = Knowledge(entries, questions, embed=embed, cache_dir=tmp_path)
    assert batches == []
    found = again.lookup("第41号楼的问题怎么办")
    assert found.answer is not None
    assert found.answer.entry.id == "q41"
