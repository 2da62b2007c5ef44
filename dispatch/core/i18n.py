"""Message catalogues (zh, en): every sentence a person reads, looked up by key."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")
_DIR = Path(__file__).parent.parent / "locales"


@cache
def _catalogue(language: str, directory: Path = _DIR) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted(directory.glob(f"*.{language}.yml")):
        merged.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return merged


def normalise_language(code: str | None) -> str:
    """Telegram's language_code ('zh-hans', 'en-US') → one of the catalogues."""
    if code and code.lower().startswith("en"):
        return "en"
    return "zh"


def translate(key: str, language: str, **params: Any) -> str:
    language = normalise_language(language)
    text = _catalogue(language).get(key) or _catalogue("zh").get(key) or key
    return fill(key, text, params)


def fill(key: str, text: str, params: dict[str, Any]) -> str:
    """The text with its placeholders filled; a catalogue mistake is logged, never shown raw
    to the person as a crash (tests/bot/test_catalogues.py keeps the catalogues right)."""
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        log.error("catalogue entry %r does not fit its parameters %s", key, sorted(params))
        return text
