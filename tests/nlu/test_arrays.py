"""The model as plain arrays answers what the pickled scikit-learn model answers, to 1e-9,
and a process that parses with it loads neither scikit-learn nor scipy."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nlu.arrays import (
    ArrayModel,
    arrays_path,
    char_ngrams,
    char_wb_ngrams,
    export_arrays,
    load_arrays,
)
from nlu.datacheck import eval_dir, eval_examples
from nlu.inference import Scorer
from nlu.model import WORD_HEADS, BuiltinModel
from nlu.settings import NluSettings
from nlu.text import clean_input, latin_only, model_text
from nlu.training import fit_model, latest_path, load_model, load_runtime_model
from nlu.trainingdata import DATA_DIR, load_training_data
from tests.nlu.test_inference import FakeEmbedder

ROOT = Path(__file__).parent.parent.parent
TOLERANCE = 1e-9


def _lines() -> list[str]:
    """Every training line and every line of both eval files (when the folder is there)."""
    texts = [example.text for example in load_training_data(DATA_DIR).examples]
    folder = eval_dir(ROOT)
    if folder is not None:
        texts += [example.text for example in eval_examples(folder)]
    # Whitespace runs, tabs, upper-case Latin, a long word, nothing at all.
    texts += ["", "  ", "A\tB  c\n\nD", "GAS LEAK at Block 3!!", "x" * 40, "楼道  灯 坏了"]
    return [model_text(clean_input(text)) for text in texts]


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return _lines()


@pytest.fixture(scope="module")
def pickled(model_settings: NluSettings) -> tuple[BuiltinModel, ArrayModel]:
    path = latest_path(model_settings.model_dir)
    assert path is not None
    return load_model(path), load_arrays(arrays_path(path))


def test_the_analyzers_are_scikit_learns(pickled: tuple[BuiltinModel, ArrayModel],
                                         lines: list[str]) -> None:
    chars = pickled[0].featurizer.chars.build_analyzer()
    words = pickled[0].featurizer.words.build_analyzer()
    assert len(lines) > 6000
    assert [chars(t) for t in lines] == [char_ngrams(t.lower(), 1, 4) for t in lines]
    assert [words(t) for t in lines] == [char_wb_ngrams(latin_only(t), 2, 5) for t in lines]
    zh_words = pickled[0].featurizer.zh_words.build_analyzer()
    table = pickled[1].featurizer.tables[2]
    assert [zh_words(t) for t in lines] == [table.ngrams(table.preprocess(t), 1, 1)
                                            for t in lines]


def test_only_the_word_heads_read_the_chinese_words(
        pickled: tuple[BuiltinModel, ArrayModel]) -> None:
    arrays = pickled[1]
    width = arrays.featurizer.tables[2].width
    assert width > 1000
    for name, head in arrays.heads.items():
        assert head.ngram is not None
        used = bool(np.any(head.ngram[0][-width:]))
        assert used == (name in WORD_HEADS), name


def test_every_line_gets_the_pickled_models_probabilities(
        pickled: tuple[BuiltinModel, ArrayModel], lines: list[str]) -> None:
    model, arrays = pickled
    expected = Scorer(model).ngram_proba(model.featurizer.transform(lines))
    got = Scorer(arrays).ngram_proba(arrays.featurizer.transform(lines))
    for name in ("intent", "category", "urgency"):
        assert got[name].shape == expected[name].shape
        assert np.max(np.abs(got[name] - expected[name])) < TOLERANCE, name
    # scikit-learn's own predict_proba computes these heads in float32 (the SGD weights'
    # dtype): the same to float32's precision.
    rows = model.featurizer.transform(lines)
    for name, head in model.heads.items():
        assert head.ngram is not None
        assert np.max(np.abs(got[name] - head.ngram.predict_proba(rows))) < 1e-6, name


def test_the_embedding_heads_blend_as_the_pickled_ones(tmp_path: Path, lines: list[str]) -> None:
    examples = random.Random(5).sample(load_training_data(DATA_DIR).examples, 300)
    model = fit_model(examples, FakeEmbedder())  # type: ignore[arg-type]
    model.fingerprint = "test"
    arrays = load_arrays(export_arrays(model, tmp_path / "model-test.arrays"))
    embed_x = FakeEmbedder().embed(lines)
    rows = model.featurizer.transform(lines)
    expected = Scorer(model).proba(rows, embed_x)
    got = Scorer(arrays).proba(arrays.featurizer.transform(lines), embed_x)
    for name, head in model.heads.items():
        assert head.embed is not None
        assert np.max(np.abs(got[name] - expected[name])) < TOLERANCE, name
        assert np.max(np.abs(got[name] - head.proba(rows, embed_x))) < 1e-6, name


def test_the_arrays_are_memory_mapped(pickled: tuple[BuiltinModel, ArrayModel]) -> None:
    """Views over the file's mapped pages, shared by every process that loads them."""
    arrays = pickled[1]
    table = arrays.featurizer.tables[0]
    weights, _ = arrays.heads["category"].ngram  # type: ignore[misc]
    for array in (table.grams, table.columns, table.idf, weights):
        assert isinstance(array.base, np.memmap)
        assert not array.flags.writeable
        assert not array.flags.owndata


def test_a_model_without_arrays_gets_them_at_load(model_settings: NluSettings,
                                                  tmp_path: Path) -> None:
    path = latest_path(model_settings.model_dir)
    assert path is not None
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    model = load_runtime_model(copy)
    assert arrays_path(copy).is_dir()
    assert model.fingerprint == load_model(copy).fingerprint


def test_a_parsing_process_loads_neither_scikit_learn_nor_scipy(
        model_settings: NluSettings) -> None:
    script = (
        "import json, sys\n"
        "from nlu.loader import load_builtin\n"
        "from nlu.settings import NluSettings\n"
        f"settings = NluSettings(model_dir={str(model_settings.model_dir)!r}, embedding=False)\n"
        "parse = load_builtin(settings).parse('西关社区3号楼的路灯坏了好几天')\n"
        "print(json.dumps({'category': parse.category.name, 'intent': parse.intent.name,\n"
        "                  'heavy': sorted({'sklearn', 'scipy'} & set(sys.modules))}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    out = json.loads(done.stdout)
    assert out["heavy"] == []
    assert (out["intent"], out["category"]) == ("report", "municipal")
