"""The `shaosheng` command line: the composition root for every entry point."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from dispatch.core.enums import Role
from dispatch.core.errors import ShaoshengError
from shaosheng.settings import ConfigError, Settings, load_settings

T = TypeVar("T")


def cli_language() -> str:
    return "zh" if os.environ.get("LANG", "").lower().startswith("zh") else "en"


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run one use case; domain errors become one readable line and exit code 1."""
    try:
        return asyncio.run(make())  # type: ignore[arg-type]
    except ShaoshengError as exc:
        click.echo(exc.message(cli_language()), err=True)
        sys.exit(1)


@click.group()
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
              help="config file (default: $SHAOSHENG_CONFIG or ./config.yml)")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """Shaosheng (哨声): community whistles, departments report."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    try:  # subcommands that live beside their package (nlu) read their section from here
        ctx.obj["nlu"] = load_settings(config_path).nlu
    except ConfigError:
        ctx.obj["nlu"] = None  # commands that need the config report the error themselves


def settings_from(ctx: click.Context) -> Settings:
    try:
        return load_settings(ctx.obj.get("config_path"))
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply every Alembic migration (creates the SQLite file when needed)."""
    from shaosheng.app import open_engine

    settings = settings_from(ctx)

    async def go() -> None:
        from dispatch.store.migrate import upgrade

        engine = open_engine(settings)
        await upgrade(engine)
        await engine.dispose()

    run_async(go)
    click.echo("database is up to date")


@main.group()
def org() -> None:
    """The organisation tree."""


@org.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def org_load(ctx: click.Context, file: Path) -> None:
    """Load or update the tree from FILE (idempotent; a broken file loads nothing)."""
    from shaosheng.app import load_org_file

    settings = settings_from(ctx)
    counts = run_async(lambda: load_org_file(settings, file))
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


@org.command("list")
@click.option("--json", "as_json", is_flag=True, help="one JSON list of units")
@click.pass_context
def org_list(ctx: click.Context, as_json: bool) -> None:
    """List the units: code, name, kind, parent."""
    from shaosheng.app import list_org

    settings = settings_from(ctx)
    units = run_async(lambda: list_org(settings))
    if as_json:
        click.echo(json.dumps(units, ensure_ascii=False, indent=1))
        return
    for unit in units:
        click.echo(f"{unit['code']:<24} {unit['kind']:<11} {unit['parent'] or '-':<12} "
                   f"{unit['name']}")


_DURATION = re.compile(r"^(\d+)([dhm])$")


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    if match is None:
        raise click.BadParameter("use a number with d, h or m, e.g. 7d")
    n, unit = int(match[1]), match[2]
    return {"d": timedelta(days=n), "h": timedelta(hours=n), "m": timedelta(minutes=n)}[unit]


@main.command()
@click.option("--role", type=click.Choice([r.value for r in Role if r is not Role.RESIDENT]),
              required=True)
@click.option("--unit", "unit_code", required=True, help="unit code (see `org list`)")
@click.option("--expires", default="7d", show_default=True, help="e.g. 7d, 12h")
@click.pass_context
def invite(ctx: click.Context, role: str, unit_code: str, expires: str) -> None:
    """Print a one-time invitation code for ROLE in UNIT."""
    from shaosheng.app import issue_invitation

    settings = settings_from(ctx)
    ttl = parse_duration(expires)
    code = run_async(lambda: issue_invitation(settings, Role(role), unit_code, ttl))
    click.echo(code)
    click.echo(f"https://t.me/{settings.telegram.bot_username}?start={code}")


@main.command("export-corrections")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def export_corrections(ctx: click.Context, out: Path) -> None:
    """Write coordinators' category corrections as a TSV for `nlu train --include-corrections`."""
    from dispatch.store.db import session_factory
    from dispatch.tickets.staffing import corrections
    from shaosheng.app import open_engine

    settings = settings_from(ctx)

    async def go() -> list[tuple[str, str, str, str]]:
        engine = open_engine(settings)
        try:
            async with session_factory(engine)() as session:
                return await corrections(session=session)
        finally:
            await engine.dispose()

    rows = run_async(go)
    lines = ["intent\tcategory\turgency\ttext", *("\t".join(r) for r in rows)]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    click.echo(f"{len(rows)} corrections written to {out}")


def _event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop for the long-running processes (SHAOSHENG_EVENT_LOOP=asyncio turns it off).

    Every update crosses PostgreSQL, Redis and the Bot API about eleven times; libuv's loop
    and sockets cost less CPU per round trip than asyncio's selector loop (README: benchmarks).
    """
    if os.environ.get("SHAOSHENG_EVENT_LOOP", "uvloop") == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:  # a platform without its wheel: asyncio's own loop works the same
        return None
    return uvloop.new_event_loop


def _serve(ctx: click.Context, start: Callable[[Settings], Awaitable[None]]) -> None:
    """A long-running production process: JSON logs; a config problem exits 2."""
    from shaosheng.observability import configure_json_logs

    configure_json_logs()
    settings = settings_from(ctx)
    try:
        with asyncio.Runner(loop_factory=_event_loop_factory()) as runner:
            runner.run(start(settings))  # type: ignore[arg-type]
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


@main.command("run")
@click.option("--workers", type=click.IntRange(1, 32), default=1, show_default=True,
              help="processes: this one receives updates, the others run delivery and deadlines")
@click.option("--web-port", type=int, default=8080, show_default=True,
              help="127.0.0.1 port for /healthz, /metrics and the public board")
@click.pass_context
def run_command(ctx: click.Context, workers: int, web_port: int) -> None:
    """Production: PostgreSQL + Redis from config.yml and the environment."""
    from shaosheng.production import run

    _serve(ctx, lambda settings: run(settings, workers=workers, web_port=web_port))


@main.command("worker")
@click.pass_context
def worker_command(ctx: click.Context) -> None:
    """A background worker: outbox relay, push delivery, deadlines, digests (needs Redis)."""
    from shaosheng.production import worker

    _serve(ctx, worker)


@main.command("doctor")
@click.pass_context
def doctor_command(ctx: click.Context) -> None:
    """Check config, database, migrations, Redis, the bot token and the Bot API server."""
    from shaosheng.doctor import run_checks

    settings = settings_from(ctx)
    results = asyncio.run(run_checks(settings))
    for name, ok, detail in results:
        click.echo(f"{'ok ' if ok else 'FAIL'}  {name:<12} {detail}")
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)


def _register_optional(group: click.Group, module: str, attribute: str) -> None:
    """Subcommands that live beside their package (nlu, stand-in)."""
    import importlib

    try:
        command: Any = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError):
        return
    group.add_command(command)


_register_optional(main, "nlu.cli", "nlu_group")
_register_optional(main, "standin.cli", "standin_command")
_register_optional(main, "shaosheng.report_cli", "report_command")
_register_optional(main, "shaosheng.people_cli", "people_group")
_register_optional(main, "shaosheng.people_cli", "privacy_group")


@main.command()
@click.option("--user-id", default="1001", show_default=True,
              help="who types: a demo persona's id (1001 resident, 2001 grid worker, ...) or new")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="their language")
@click.pass_context
def console(ctx: click.Context, user_id: str, lang: str | None) -> None:
    """Talk to the bot in the terminal (embedded default; /press N presses button N)."""
    from shaosheng.console import run_console

    settings = settings_from(ctx)
    run_async(lambda: run_console(settings, user_id=user_id, language=lang))


@main.command()
@click.option("--port", type=int, default=None, help="stand-in and web chat port (default 8088)")
@click.option("--no-browser", is_flag=True, help="do not open a browser")
@click.pass_context
def demo(ctx: click.Context, port: int | None, no_browser: bool) -> None:
    """The whole system in one process with the web chat on 127.0.0.1."""
    import logging

    from shaosheng.demo import run_demo
    from shaosheng.observability import MaskedFormatter

    logging.basicConfig(level=logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(MaskedFormatter("%(levelname)s %(name)s: %(message)s"))
    settings = settings_from(ctx)
    run_async(lambda: run_demo(settings, port=port or settings.demo.port,
                               open_browser=not no_browser))
