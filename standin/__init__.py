"""A local Telegram Bot API stand-in with a web chat, for tests and the offline demo."""

from standin.config import StandInConfig
from standin.server import StandIn, create_app, run_standin

__all__ = ["StandIn", "StandInConfig", "create_app", "run_standin"]
