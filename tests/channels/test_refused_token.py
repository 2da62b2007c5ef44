"""A bot token the Bot API refuses (401) is reported as refused, on both runtimes and by
`shaosheng doctor`, and no word of it reaches an error message, a traceback or the logs."""

from __future__ import annotations

import io
import logging
import traceback

import pytest

from bot.channels import build_telegram
from bot.channels.base import WebhookConfig
from bot.core.messages import Answer, Incoming
from bot.intake.receiver import BotApi, Receiver
from dispatch.core.errors import TokenRefused
from shaosheng.doctor import run_checks
from shaosheng.observability import JsonFormatter
from shaosheng.settings import Settings
from standin.server import run_standin

pytestmark = pytest.mark.e2e

REFUSED = "7000000009:AAHrefusedTOKENsecretPART_0123456789ab"
SECRET_PART = "AAHrefusedTOKENsecretPART"


async def nothing(incoming: Incoming) -> Answer:
    return Answer()


@pytest.mark.parametrize("kind", ["aiogram", "ptb"])
@pytest.mark.parametrize("mode", ["polling", "webhook", "none"])
async def test_a_refused_token_is_said_so_and_never_printed(
    kind: str, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The libraries log the URL, token and all, at DEBUG and INFO: our log formats mask it.
    caplog.set_level(logging.DEBUG)
    written = io.StringIO()
    json_logs = logging.StreamHandler(written)
    json_logs.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(json_logs)
    async with run_standin(refused_tokens=frozenset({REFUSED})) as standin:
        runtime = build_telegram(
            kind,  # type: ignore[arg-type]
            token=REFUSED, api_base=standin.base_url, mode=mode, handler=nothing,
            commands={"zh": [("start", "开始")]},
            webhook=WebhookConfig(secret="s3cret", listen_port=0) if mode == "webhook" else None,
        )
        with pytest.raises(TokenRefused) as raised:
            await runtime.start()
        await runtime.stop()
    logging.getLogger().removeHandler(json_logs)
    printed = "".join(traceback.format_exception(raised.value))
    assert "refused the bot token (401 Unauthorized)" in printed
    assert SECRET_PART not in printed
    assert SECRET_PART not in written.getvalue()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [line for line in warnings if SECRET_PART in line]


async def test_doctor_fails_the_token_and_the_api_on_a_401() -> None:
    async with run_standin(refused_tokens=frozenset({REFUSED})) as standin:
        settings = Settings(telegram={"token": REFUSED, "api_base": standin.base_url},
                            redis={"url": None}, nlu={"embedding": False})
        checks = {name: (ok, detail) for name, ok, detail in await run_checks(settings)}
    assert checks["bot token"] == (False, "refused by the Bot API: 401 Unauthorized")
    assert checks["bot api"][0] is False
    assert SECRET_PART not in repr(checks)


async def test_the_production_receiver_says_refused_without_the_token() -> None:
    async with run_standin(refused_tokens=frozenset({REFUSED})) as standin:
        receiver = Receiver(inbox=None, api=BotApi(REFUSED, standin.base_url),  # type: ignore[arg-type]
                            mode="polling")
        with pytest.raises(TokenRefused) as raised:
            await receiver.start()
        await receiver.stop()
    assert SECRET_PART not in "".join(traceback.format_exception(raised.value))
