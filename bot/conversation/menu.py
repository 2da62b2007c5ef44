"""The menus shown wherever a conversation ends: what a person can do next."""

from __future__ import annotations

from bot.conversation.callbacks import Menu, PickLanguage
from bot.core.messages import Button
from bot.core.turn import Turn


def main_menu(turn: Turn) -> list[list[Button]]:
    return [
        [turn.button("menu.report", Menu("report")), turn.button("menu.help", Menu("help"))],
        [turn.button("menu.ask", Menu("ask")), turn.button("menu.my", Menu("my"))],
    ]


def language_buttons() -> list[list[Button]]:
    """Each language named in itself."""
    return [[Button("中文", PickLanguage("zh").pack()),
             Button("English", PickLanguage("en").pack())]]
