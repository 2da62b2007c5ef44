"""The conversation table is complete: every button kind has a handler."""

from __future__ import annotations

from bot.conversation.table import PRESSES
from dispatch.core.buttons import CallbackData


def test_every_button_kind_has_a_handler_and_every_handler_a_kind() -> None:
    assert set(PRESSES) == set(CallbackData.kinds())
