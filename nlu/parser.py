"""The built-in parser: classifiers + life-safety patterns + entity extraction."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from nlu.arrays import ArrayModel
from nlu.cascade import Cascade
from nlu.decision import THRESHOLDS, Thresholds, decide, is_sure
from nlu.emergency import alarm_words, find_hazards, most_urgent, scan_hazards
from nlu.entities import EntityExtractor
from nlu.features import Embedder, without_places
from nlu.inference import Scorer
from nlu.model import BuiltinModel, embed_or_none, rank
from nlu.schema import TICKET_INTENTS, Entity, Label, Parse, fallback_parse
from nlu.text import clean_input, detect_language, has_content, looks_like_junk, model_text

log = logging.getLogger(__name__)

# Entities are searched in this many characters at most (a 20k-character paste is junk).
ENTITY_MAX_CHARS = 2000
# Intents a life-safety hit overrides: a "救命！" must never be taken for chit-chat. A status
# question or a cancellation keeps its intent (it is about an earlier report) but still carries
# the emergency kind, so the bot can repeat whom to call.
OVERRIDABLE = frozenset({"greeting", "thanks", "out_of_scope"})
# Intents whose model-only critical label may raise the alarm (a consult question never does:
# only a life-safety pattern makes a question an emergency).
MODEL_ALARM = frozenset({"report", "help_request"})
# The n-gram model's own urgency probabilities, kept beside the blended ones (decide's ask).
NGRAM_URGENCY = "urgency_ngram"


class Parser(Protocol):
    def parse(self, text: str) -> Parse: ...


class BuiltinParser:
    """Thread-safe: the model and scorer are read-only after loading and the embedder holds
    its own lock. The embedding runs only on messages the n-grams are unsure of (`cascade`)."""

    def __init__(self, model: BuiltinModel | ArrayModel, embedder: Embedder | None,
                 gazetteer: Iterable[str] = (), cascade: Cascade | None = None,
                 thresholds: Thresholds = THRESHOLDS) -> None:
        self.model = model
        self.thresholds = thresholds
        self.scorer = Scorer(model)
        self.embedder = embedder if model.uses_embedding and self.scorer.has_embedding else None
        self.cascade = cascade or Cascade()
        self._intents = model.heads["intent"].classes
        self.extractor = EntityExtractor([*gazetteer, *model.place_lookup])

    def parse(self, text: str) -> Parse:
        """Never raises: on any internal error the answer is out_of_scope with confidence 0."""
        clean = clean_input(text)
        try:
            return self._parse(clean)
        except Exception:
            log.exception("NLU failed on a message of %d characters", len(clean))
            return fallback_parse(clean)

    def parse_batch(self, texts: Sequence[str]) -> list[Parse]:
        """Many messages at once: the same answers as `parse`, one featurizer call for all."""
        cleaned = [clean_input(text) for text in texts]
        try:
            content = [i for i, text in enumerate(cleaned) if _meaningful(text)]
            probs = self._probabilities([model_text(cleaned[i]) for i in content])
            results = [self._empty(text) for text in cleaned]
            for row, i in enumerate(content):
                results[i] = self._assemble(cleaned[i], {k: v[row] for k, v in probs.items()})
        except Exception:
            log.exception("NLU batch failed; parsing one by one")
            return [self.parse(text) for text in cleaned]
        return results

    def _parse(self, text: str) -> Parse:
        if not _meaningful(text):
            return self._empty(text)
        probs = self._probabilities([model_text(text)])
        return self._assemble(text, {name: rows[0] for name, rows in probs.items()})

    def _empty(self, text: str) -> Parse:
        # Emoji, punctuation, whitespace or one repeated character: nothing to act on.
        label = Label("out_of_scope", 1.0)
        return Parse(text=text, intent=label, intent_ranking=[label],
                     language=detect_language(text))

    def _probabilities(self, texts: list[str]) -> dict[str, np.ndarray]:
        if not texts:
            return {}
        probs = self.scorer.ngram_proba(self.model.featurizer.transform(texts))
        if self.embedder is None:
            return probs
        unsure = [row for row in range(len(texts)) if self.cascade.unsure(
            self._intents[int(np.argmax(probs["intent"][row]))],
            {name: rows[row] for name, rows in probs.items()})]
        embed_x = embed_or_none(self.embedder, [without_places(texts[row]) for row in unsure]) \
            if unsure else None
        if embed_x is None:
            return probs
        blended = self.scorer.blend(probs, unsure, embed_x)
        blended[NGRAM_URGENCY] = probs["urgency"]  # the question the n-grams would ask (decide)
        return blended

    def _assemble(self, text: str, probs: dict[str, np.ndarray]) -> Parse:
        intents = [Label(n, c) for n, c in rank(self.model.heads["intent"], probs["intent"])]
        hazards, dismissed = scan_hazards(text[:ENTITY_MAX_CHARS])
        alarmed = not hazards and alarm_words(text[:ENTITY_MAX_CHARS])
        if (hazards or alarmed) and must_report(intents[0].name, text):
            intents = promote(intents, "report")
        intent = intents[0]
        hit = most_urgent(hazards)
        base = Parse(text=text, intent=intent, intent_ranking=intents,
                     entities=self._entities(text), language=detect_language(text),
                     intent_sure=is_sure(intents, self.thresholds.intent_top,
                                         self.thresholds.intent_margin),
                     emergency=hit.kind if hit else None)
        if intent.name not in TICKET_INTENTS:
            # A status question or a cancellation keeps its intent and only carries the kind,
            # so the bot can repeat whom to call; it raises no alarm of its own.
            return base
        verdict = decide(
            hazards=hazards,
            urgencies=[Label(n, c) for n, c in rank(self.model.heads["urgency"],
                                                   probs["urgency"])],
            categories=self._categories(intent.name, probs["category"]),
            model_alarm=intent.name in MODEL_ALARM, alarm_words=alarmed, dismissed=dismissed,
            thresholds=self.thresholds, ngram_critical=self._ngram_critical(probs))
        return replace(base, category=verdict.categories[0],
                       category_ranking=verdict.categories, urgency=verdict.urgency,
                       emergency=verdict.emergency, alarm=verdict.alarm,
                       calm_urgency=verdict.calm,
                       category_sure=verdict.category_sure or intent.name == "help_request")

    def _ngram_critical(self, probs: dict[str, np.ndarray]) -> float:
        row = probs.get(NGRAM_URGENCY)
        classes = self.model.heads["urgency"].classes
        return float(row[classes.index("critical")]) if row is not None and \
            "critical" in classes else 0.0

    def _categories(self, intent: str, probs: np.ndarray) -> list[Label]:
        ranked = [Label(n, c) for n, c in rank(self.model.heads["category"], probs)]
        if intent == "help_request":  # by definition; the model only ranks the others
            return promote(ranked, "neighbor_help")
        if ranked[0].name == "neighbor_help" and len(ranked) > 1:
            # neighbor_help belongs to help requests only: a report takes the next category.
            return ranked[1:] + ranked[:1]
        return ranked

    def _entities(self, text: str) -> list[Entity]:
        return self.extractor.extract(text[:ENTITY_MAX_CHARS])


def _meaningful(text: str) -> bool:
    head = text[:ENTITY_MAX_CHARS]
    # A cry for help buried in junk is still a cry for help.
    return has_content(head) and (not looks_like_junk(head) or bool(find_hazards(head)))


# A status question or a cancellation names an earlier ticket; without such a reference a
# message with a danger in it is a new report ("我想反映一下…楼道里一股臭鸡蛋味" is no status).
_TICKET_REFERENCE = re.compile(r"[a-z]{2}-\d{4}-\d+|单子|工单|单号|进度|处理到|处理得怎么样|报的"
                               r"|报过|反映过|提交的|撤销|撤回|取消|ticket|my report|case number",
                               re.IGNORECASE)


def must_report(intent: str, text: str) -> bool:
    """Whether a message with a danger (or words of alarm) is taken as a new report."""
    if intent in OVERRIDABLE:
        return True
    return intent in ("status", "cancel") and not _TICKET_REFERENCE.search(text)


def promote(ranking: list[Label], name: str) -> list[Label]:
    """Put `name` first, its confidence at least the old top's, keeping the rest in order."""
    top = ranking[0].confidence
    chosen = next((label for label in ranking if label.name == name), Label(name, 0.0))
    rest = [label for label in ranking if label.name != name]
    return [Label(name, max(chosen.confidence, top))] + rest

