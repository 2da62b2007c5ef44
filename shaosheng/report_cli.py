"""`shaosheng report`: the quarterly scorecard as CSV, XLSX and PNG files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from dispatch.reporting.scorecards import Quarter
    from shaosheng.settings import Settings


@click.command("report")
@click.option("--quarter", "quarter_text", default=None,
              help="e.g. 2026Q3 (default: the current quarter, local time)")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="directory for the files")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="labels of the chart")
@click.pass_context
def report_command(ctx: click.Context, quarter_text: str | None, out_dir: Path,
                   lang: str) -> None:
    """Write scorecard.csv, scorecard.xlsx and scorecard.png for one quarter into OUT."""
    from dispatch.reporting.scorecards import Quarter
    from shaosheng.cli import run_async, settings_from
    from shaosheng.clock import utc_now

    settings = settings_from(ctx)
    timezone = settings.app.timezone
    try:
        quarter = (Quarter.parse(quarter_text, timezone) if quarter_text
                   else Quarter.containing(utc_now(), timezone))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--quarter") from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in run_async(lambda: write_report(settings, quarter, out_dir, lang)):
        click.echo(str(path))


async def write_report(settings: Settings, quarter: Quarter, out_dir: Path,
                       lang: str) -> list[Path]:
    """Build the scorecard from the database and write the three files."""
    from dispatch.reporting import scorecard_files
    from dispatch.reporting.scorecards import build_scorecard
    from dispatch.store.db import session_factory
    from shaosheng.app import open_engine

    engine = open_engine(settings)
    try:
        async with session_factory(engine)() as session:
            card = await build_scorecard(session=session, quarter=quarter)
    finally:
        await engine.dispose()
    return [scorecard_files.write_csv(card, out_dir / "scorecard.csv"),
            scorecard_files.write_xlsx(card, out_dir / "scorecard.xlsx"),
            scorecard_files.render_png(card, out_dir / "scorecard.png", lang)]
