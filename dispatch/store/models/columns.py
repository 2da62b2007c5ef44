"""Column types the models share."""

from __future__ import annotations

from sqlalchemy import String

# Enum values are stored as short strings: portable across SQLite and PostgreSQL and cheap to
# extend without an ALTER TYPE migration.
Code = String(64)
EnumStr = String(32)
