"""Channel adapters: Telegram (aiogram or python-telegram-bot) and a developer console."""

from __future__ import annotations

from typing import Any, Literal

from bot.channels.base import TelegramRuntime, WebhookConfig

__all__ = ["TelegramRuntime", "WebhookConfig", "build_telegram"]


def build_telegram(runtime: Literal["aiogram", "ptb"], **kw: Any) -> TelegramRuntime:
    """The configured runtime; ``kw`` as for either module's ``build_runtime``."""
    # Imported here so a deployment on one runtime never loads the other framework.
    if runtime == "aiogram":
        from bot.channels import aiogram_runtime

        return aiogram_runtime.build_runtime(**kw)
    if runtime == "ptb":
        from bot.channels import ptb_runtime

        return ptb_runtime.build_runtime(**kw)
    raise ValueError(f"unknown telegram runtime {runtime!r}: aiogram or ptb")
