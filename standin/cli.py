"""``shaosheng stand-in``: run the local Bot API stand-in and its web chat until Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from pathlib import Path

import click

from standin.config import StandInConfig
from standin.server import run_standin


async def _serve(host: str, port: int, config: StandInConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Handle SIGTERM too (process managers, the demo's child process), and SIGINT even when a
    # parent shell started us with it ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with run_standin(host, port, config=config) as standin:
        click.echo(f"Bot API stand-in on {standin.base_url}  (web chat: {standin.base_url}/)")
        click.echo(f"Point the bot at api_base={standin.base_url}; Ctrl-C to stop.")
        await stop.wait()
    click.echo("stand-in stopped")


def _read_personas(path: Path | None) -> list[dict[str, object]]:
    if path is None:
        return []
    data = json.loads(path.read_text("utf-8"))
    return data["personas"] if isinstance(data, dict) else data


@click.command("stand-in")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8088, show_default=True, type=int)
@click.option("--bot-username", default="shaosheng_bot", show_default=True)
@click.option(
    "--personas",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON file: a list of {user_id, name, role, unit_code}.",
)
@click.option("--no-limits", is_flag=True, help="Do not enforce Telegram's rate limits.")
@click.option("--global-rate", default=30.0, show_default=True, help="Messages/s per bot.")
@click.option("--chat-rate", default=1.0, show_default=True, help="Messages/s per private chat.")
@click.option("--chat-burst", default=3, show_default=True, help="Burst per private chat.")
@click.option("--group-per-minute", default=20.0, show_default=True)
@click.option("--fault-429", default=0.0, help="Probability of an injected 429.")
@click.option("--fault-500", default=0.0, help="Probability of an injected 500.")
@click.option("--fault-delay", default=0.0, help="Probability of a delayed answer.")
@click.option("--delay-seconds", default=2.0, show_default=True)
@click.option("--any-chat", is_flag=True, help="Let the bot write to chats it never saw.")
def standin_command(
    host: str,
    port: int,
    bot_username: str,
    personas: Path | None,
    no_limits: bool,
    global_rate: float,
    chat_rate: float,
    chat_burst: int,
    group_per_minute: float,
    fault_429: float,
    fault_500: float,
    fault_delay: float,
    delay_seconds: float,
    any_chat: bool,
) -> None:
    """Run the local Telegram Bot API stand-in with its web chat."""
    config = StandInConfig(
        bot_username=bot_username,
        personas=_read_personas(personas),
        strict_chats=not any_chat,
        limits_enabled=not no_limits,
        global_per_second=global_rate,
        global_burst=max(1, int(global_rate)),
        private_per_second=chat_rate,
        private_burst=chat_burst,
        group_per_minute=group_per_minute,
        group_burst=max(1, int(group_per_minute)),
        fault_429=fault_429,
        fault_500=fault_500,
        fault_delay=fault_delay,
        fault_delay_seconds=delay_seconds,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(host, port, config))
