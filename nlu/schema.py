"""The result types of the NLU (the public contract the bot relies on)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Language = Literal["zh", "en"]

INTENTS = (
    "report", "help_request", "consult", "status", "greeting", "thanks", "cancel", "out_of_scope",
)
# Intents whose messages carry a category and an urgency.
TICKET_INTENTS = frozenset({"report", "help_request", "consult"})
CATEGORIES = (
    "sanitation", "municipal", "utilities", "property", "noise", "dispute", "security",
    "fire_safety", "traffic", "construction", "greenery", "social_services", "neighbor_help",
    "other",
)
URGENCIES = ("critical", "high", "normal", "low")
# Kinds of life-safety message; each has its own advice in the bot (police = violence or crime,
# fraud = a scam in progress, welfare = a vulnerable person alone and unreachable, missing = a
# missing child or vulnerable adult).
EMERGENCY_KINDS = ("fire", "gas", "electric", "medical", "police", "flood", "rescue", "fraud",
                   "welfare", "missing")
# "certain": an emergency now (a life-safety pattern hit, or the model is confident);
# "ask": the model leans critical without a pattern, so the bot asks one yes/no question.
Alarm = Literal["certain", "ask"]


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "confidence": round(float(self.confidence), 4)}


@dataclass(frozen=True, slots=True)
class Entity:
    entity: str  # "place" | "phone" | "time"
    start: int
    end: int
    value: str

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "start": self.start, "end": self.end, "value": self.value}


@dataclass(frozen=True, slots=True)
class Parse:
    text: str
    intent: Label
    intent_ranking: list[Label]
    category: Label | None = None
    category_ranking: list[Label] = field(default_factory=list)
    urgency: Label | None = None
    entities: list[Entity] = field(default_factory=list)
    emergency: str | None = None
    language: Language = "zh"
    # The life-safety contract (nlu/README.md): "certain" -> urgency is critical and emergency
    # is a kind; "ask" -> urgency is the model's best label (critical when it leans critical),
    # emergency the kind to use if the person confirms a danger now, calm_urgency the label to
    # use if they say no; None -> urgency is never critical.
    alarm: Alarm | None = None
    # The best label other than critical (ticket intents): what a report is when nobody is in
    # danger now.
    calm_urgency: Label | None = None
    # Calibrated by cross-validation: sure answers are right ~95% of the time on held-out text.
    # Unsure category -> the bot offers the top of category_ranking; unsure intent -> it asks.
    category_sure: bool = True
    intent_sure: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `nlu parse` (a superset of Rasa's /model/parse answer)."""
        return {
            "text": self.text,
            "intent": self.intent.to_dict(),
            "intent_ranking": [label.to_dict() for label in self.intent_ranking],
            "entities": [entity.to_dict() for entity in self.entities],
            "category": self.category.to_dict() if self.category else None,
            "category_ranking": [label.to_dict() for label in self.category_ranking],
            "urgency": self.urgency.to_dict() if self.urgency else None,
            "language": self.language,
            "emergency": self.emergency,
            "alarm": self.alarm,
            "calm_urgency": self.calm_urgency.to_dict() if self.calm_urgency else None,
            "category_sure": self.category_sure,
            "intent_sure": self.intent_sure,
        }


def fallback_parse(text: str, language: Language = "zh") -> Parse:
    """What any parser answers when it cannot do better: out of scope, no confidence."""
    label = Label("out_of_scope", 0.0)
    return Parse(text=text, intent=label, intent_ranking=[label], language=language,
                 intent_sure=False)
