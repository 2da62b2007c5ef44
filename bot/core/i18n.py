"""The chat's message catalogue (bot/locales), falling back to the domain's (dispatch/locales)."""

from __future__ import annotations

from pathlib import Path

from dispatch.core.i18n import DOMAIN, Catalogue

CHAT = Catalogue(Path(__file__).parent.parent / "locales", fallback=DOMAIN)

t = CHAT.t
