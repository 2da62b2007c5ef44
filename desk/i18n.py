"""The desk's words (desk/locales/*.yml), falling back to the domain's catalogues."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dispatch.core.i18n import fill, normalise_language
from dispatch.core.i18n import translate as domain_translate

_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("zh", "en")


@cache
def _catalogue(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted(_DIR.glob(f"*.{language}.yml")):
        merged.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return merged


def t(key: str, language: str, **params: Any) -> str:
    language = normalise_language(language)
    text = _catalogue(language).get(key)
    if text is None:
        return domain_translate(key, language, **params)
    return fill(key, text, params)


def keys(language: str) -> set[str]:
    return set(_catalogue(normalise_language(language)))
