"""Message catalogues (zh, en): every sentence a person reads, looked up by key.

One loader serves every layer: the domain's catalogue (dispatch/locales) is `DOMAIN`; the chat
(bot/locales) and the desk (desk/locales) each build a `Catalogue` of their own folder that
falls back to it, so a layer never needs to import another layer's words.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

FIRST = "zh"
# Set by the test suite: a catalogue entry that does not fit its parameters raises there,
# so the mistake is found by the test that makes it instead of being logged and missed.
STRICT_ENV = "SHAOSHENG_I18N_STRICT"


class CatalogueError(ValueError):
    """A catalogue entry does not fit the parameters it was given (strict mode only)."""


def normalise_language(code: str | None) -> str:
    """Telegram's language_code ('zh-hans', 'en-US') → one of the catalogues."""
    if code and code.lower().startswith("en"):
        return "en"
    return "zh"


class Catalogue:
    """One folder's `*.{language}.yml` files merged, falling back to another catalogue."""

    def __init__(self, directory: Path, *, fallback: Catalogue | None = None) -> None:
        self.directory = directory
        self.fallback = fallback
        self._loaded: dict[str, dict[str, str]] = {}

    def entries(self, language: str) -> dict[str, str]:
        """This folder's own entries for the language (not the fallback's)."""
        if language not in self._loaded:
            merged: dict[str, str] = {}
            for path in sorted(self.directory.glob(f"*.{language}.yml")):
                merged.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
            self._loaded[language] = merged
        return self._loaded[language]

    def keys(self, language: str) -> set[str]:
        """Every key this catalogue answers in the language, its fallback's included."""
        language = normalise_language(language)
        own = set(self.entries(language))
        return own | self.fallback.keys(language) if self.fallback else own

    def lookup(self, key: str, language: str) -> str | None:
        text = self.entries(language).get(key)
        if text is None and self.fallback is not None:
            return self.fallback.lookup(key, language)
        return text

    def t(self, key: str, language: str, **params: Any) -> str:
        """The sentence in the language (else in Chinese, else the key itself), filled in."""
        language = normalise_language(language)
        text = self.lookup(key, language) or self.lookup(key, FIRST)
        if text is None:
            log.error("catalogue has no entry %r", key)
            return key
        return fill(key, text, params)


DOMAIN = Catalogue(Path(__file__).parent.parent / "locales")


def translate(key: str, language: str, **params: Any) -> str:
    """The domain's sentence (dispatch/locales) for key."""
    return DOMAIN.t(key, language, **params)


class _Visible(dict[str, Any]):
    """Leaves a placeholder nobody filled as `{name}`, visibly, instead of failing."""

    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def fill(key: str, text: str, params: dict[str, Any]) -> str:
    """The text with its placeholders filled. A catalogue mistake raises `CatalogueError` under
    the test suite (`SHAOSHENG_I18N_STRICT=1`); at run time it is logged and the person sees
    the sentence with the unfilled blank left as `{name}`, never a crash."""
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        if os.environ.get(STRICT_ENV) == "1":
            raise CatalogueError(
                f"catalogue entry {key!r} does not fit its parameters {sorted(params)}: {exc!r}"
            ) from exc
        log.error("catalogue entry %r does not fit its parameters %s", key, sorted(params))
        try:
            return text.format_map(_Visible(params))
        except (KeyError, IndexError, ValueError, AttributeError):
            return text
