"""The plain baseline every change of the model is measured against (issue 28).

TF-IDF of character 1-3 grams + logistic regression, one per head
(intent, category, urgency), trained on exactly the training data of the model; no patterns, no
embedding, no cascade. `shaosheng nlu eval FILE --baseline` and `shaosheng nlu cv` print it
beside the model, so what the model adds over its training data is always in view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.schema import TICKET_INTENTS, Label, Parse
from nlu.text import clean_input, detect_language
from nlu.trainingdata import Example

# The inverse regularisation strength: the best of 0.25 / 2 / 8 / 32 by 5-fold cross-validation
# on the training data (category macro-F1 0.48 / 0.76 / 0.79 / 0.79, 2026-12). A stronger
# baseline is the fairer yardstick.
BASELINE_C = 32.0


@dataclass
class _BaselineHead:
    classes: list[str]
    classifier: LogisticRegression | None  # None: one class only, always answered

    def ranking(self, x: object) -> list[Label]:
        if self.classifier is None:
            return [Label(self.classes[0], 1.0)]
        row = self.classifier.predict_proba(x)[0]
        return [Label(self.classes[i], float(row[i])) for i in np.argsort(-row)]


class BaselineParser:
    """A Parser (intent, category, urgency) from the plain TF-IDF + LR heads."""

    def __init__(self, vectorizer: TfidfVectorizer, heads: dict[str, _BaselineHead]) -> None:
        self.vectorizer = vectorizer
        self.heads = heads

    def parse(self, text: str) -> Parse:
        clean = clean_input(text)
        x = self.vectorizer.transform([clean])
        rankings = {name: head.ranking(x) for name, head in self.heads.items()}
        intents = rankings["intent"]
        parse = Parse(text=clean, intent=intents[0], intent_ranking=intents,
                      language=detect_language(clean))
        if intents[0].name not in TICKET_INTENTS:
            return parse
        return Parse(text=clean, intent=intents[0], intent_ranking=intents,
                     category=rankings["category"][0], category_ranking=rankings["category"],
                     urgency=rankings["urgency"][0], language=parse.language)


def fit_baseline(examples: Sequence[Example], c: float = BASELINE_C) -> BaselineParser:
    texts = [clean_input(example.text) for example in examples]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    x = vectorizer.fit_transform(texts)
    heads = {}
    for name in ("intent", "category", "urgency"):
        rows = [i for i, example in enumerate(examples) if getattr(example, name) is not None]
        labels = [str(getattr(examples[i], name)) for i in rows]
        classes = sorted(set(labels))
        classifier = (LogisticRegression(C=c, max_iter=2000).fit(x[rows], labels)
                      if len(classes) > 1 else None)
        heads[name] = _BaselineHead(
            [str(c) for c in classifier.classes_] if classifier is not None else classes,
            classifier)
    return BaselineParser(vectorizer, heads)
