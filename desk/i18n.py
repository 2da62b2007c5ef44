"""The desk's words (desk/locales/*.yml), falling back to the domain's catalogues."""

from __future__ import annotations

from pathlib import Path

from dispatch.core.i18n import DOMAIN, Catalogue

DESK = Catalogue(Path(__file__).parent / "locales", fallback=DOMAIN)

t = DESK.t
keys = DESK.keys
