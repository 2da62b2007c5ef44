"""The Rasa backend: POST {url}/model/parse and map Rasa's answer into a Parse.

Intent names carry the labels Rasa has no slot for: `report+utilities+high` is intent `report`,
category `utilities`, urgency `high` (see `nlu export-rasa`). When the server is down, errors or
is slow, the built-in parser answers and a warning is logged.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from typing import Any

import httpx

from nlu.decision import THRESHOLDS, decide, is_sure
from nlu.emergency import alarm_words, most_urgent, scan_hazards
from nlu.parser import MODEL_ALARM, Parser, must_report, promote
from nlu.schema import CATEGORIES, INTENTS, TICKET_INTENTS, URGENCIES, Entity, Label, Parse
from nlu.settings import NluSettings
from nlu.text import clean_input, detect_language

log = logging.getLogger(__name__)
SEPARATOR = "+"


class RasaParser:
    def __init__(self, settings: NluSettings, fallback: Parser,
                 client: httpx.Client | None = None) -> None:
        self._url = settings.rasa_url.rstrip("/") + "/model/parse"
        self._params = {"token": settings.rasa_token} if settings.rasa_token else {}
        self._client = client or httpx.Client(timeout=settings.rasa_timeout_s)
        self._fallback = fallback

    def parse(self, text: str) -> Parse:
        clean = clean_input(text)
        try:
            answer = self._post(clean)
            return from_rasa(clean, answer)
        except Exception as exc:  # down, slow, HTTP error or an answer of another shape
            log.warning("Rasa server unusable (%s: %s); the built-in model answers",
                        type(exc).__name__, exc)
            return self._fallback.parse(clean)

    def _post(self, text: str) -> dict[str, Any]:
        response = self._client.post(self._url, params=self._params, json={"text": text})
        response.raise_for_status()
        answer = response.json()
        if not isinstance(answer, dict):
            raise ValueError("answer is not a JSON object")
        return answer

    def close(self) -> None:
        self._client.close()


def split_name(name: object) -> tuple[str, str | None, str | None]:
    """`report+utilities+high` -> ("report", "utilities", "high"); Rasa's `nlu_fallback`, a
    null name or an intent the bot does not know is out_of_scope."""
    parts = str(name or "").split(SEPARATOR)
    parts += [""] * (3 - len(parts))
    intent = parts[0] if parts[0] in INTENTS else "out_of_scope"
    category = parts[1] if parts[1] in CATEGORIES else None
    urgency = parts[2] if parts[2] in URGENCIES else None
    return intent, category, urgency


def from_rasa(text: str, answer: dict[str, Any]) -> Parse:
    """Map Rasa's /model/parse answer; label confidences are summed over the combined names."""
    ranking = answer.get("intent_ranking") or [answer["intent"]]
    scores: dict[str, dict[str, float]] = {k: defaultdict(float) for k in ("i", "c", "u")}
    for item in ranking:
        intent, category, urgency = split_name(item.get("name"))
        confidence = float(item.get("confidence") or 0.0)
        scores["i"][intent] += confidence
        if category:
            scores["c"][category] += confidence
        if urgency:
            scores["u"][urgency] += confidence
    top_intent, top_category, top_urgency = split_name(answer["intent"].get("name"))
    intents = _ranked(scores["i"], top_intent)
    hazards, dismissed = scan_hazards(text)
    alarmed = not hazards and alarm_words(text)
    if (hazards or alarmed) and must_report(intents[0].name, text):
        intents = promote(intents, "report")
    hit = most_urgent(hazards)
    base = Parse(
        text=text, intent=intents[0], intent_ranking=intents,
        entities=[_entity(text, e) for e in answer.get("entities") or []],
        emergency=hit.kind if hit else None, language=detect_language(text),
        intent_sure=is_sure(intents, THRESHOLDS.intent_top, THRESHOLDS.intent_margin),
    )
    if intents[0].name not in TICKET_INTENTS:
        return base
    categories = _ranked(scores["c"], top_category) or [Label("other", 0.0)]
    urgencies = _ranked(scores["u"], top_urgency) or [Label("normal", 0.0)]
    verdict = decide(hazards=hazards, urgencies=urgencies, categories=categories,
                     model_alarm=intents[0].name in MODEL_ALARM, alarm_words=alarmed,
                     dismissed=dismissed)
    return replace(base, category=verdict.categories[0], category_ranking=verdict.categories,
                   urgency=verdict.urgency, emergency=verdict.emergency, alarm=verdict.alarm,
                   calm_urgency=verdict.calm,
                   category_sure=verdict.category_sure)


def _ranked(scores: dict[str, float], top: str | None) -> list[Label]:
    """Labels by summed confidence, with Rasa's own top answer first."""
    labels = sorted((Label(n, min(c, 1.0)) for n, c in scores.items()),
                    key=lambda label: -label.confidence)
    if top and labels and labels[0].name != top:
        chosen = next((label for label in labels if label.name == top), Label(top, 0.0))
        labels = [chosen] + [label for label in labels if label.name != top]
    return labels


def _entity(text: str, raw: dict[str, Any]) -> Entity:
    start, end = int(raw["start"]), int(raw["end"])
    value = raw.get("value")
    return Entity(str(raw["entity"]), start, end, text[start:end] if value is None else str(value))
