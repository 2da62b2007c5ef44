"""A quarter's scorecard as files and chat pages: the CSV, the 评单 register, the XLSX, the
PNG chart and the monospace table the chat shows (the figures themselves: `scorecards`)."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dispatch.reporting.scorecards import (
    COLUMNS,
    GROUPS,
    RATES,
    REGISTER_COLUMNS,
    Scorecard,
    label,
)

CHART_GROUPS = ("street", "department")
# The chat table: what a coordinator steers by (docs/statistics.md for each figure).
TABLE_COLUMNS = ("claim_on_time_rate", "on_time_resolution_rate", "overdue", "escalated",
                 "satisfaction_rate", "community_rating_rate", "score")
TABLE_RATES = {"claim_on_time_rate", "on_time_resolution_rate", "satisfaction_rate",
               "community_rating_rate"}
PAGE_ROWS = 25  # rows per chat message: a complete table, in pages


def write_csv(card: Scorecard, path: Path) -> Path:
    """UTF-8 with BOM so spreadsheet programs read the Chinese names; rates as fractions."""
    with Path(path).open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for group in GROUPS:
            for row in card.ranked(group):
                writer.writerow([_csv_cell(row.value(c)) for c in COLUMNS])
    return Path(path)


def write_register_csv(card: Scorecard, path: Path) -> Path:
    """The 评单 register: one line per rating made in the quarter."""
    with Path(path).open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(REGISTER_COLUMNS)
        for entry in card.register:
            writer.writerow([_csv_cell(entry.value_of(c)) for c in REGISTER_COLUMNS])
    return Path(path)


def write_xlsx(card: Scorecard, path: Path) -> Path:
    """One sheet for streets and towns, one for departments; header styled, rates in %."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for group in GROUPS:
        sheet = _sheet(book, f"stats.sheet.{group}", "stats.col", COLUMNS)
        for row in card.ranked(group):
            sheet.append([row.value(c) for c in COLUMNS])
        for n, column in enumerate(COLUMNS, 1):
            letter = sheet.cell(1, n).column_letter
            sheet.column_dimensions[letter].width = 22 if "name" in column else 12
            if column in RATES:
                for cell in sheet[letter][1:]:
                    cell.number_format = "0.0%"
        sheet.freeze_panes = "E2"
    sheet = _sheet(book, "stats.sheet.register", "stats.reg", REGISTER_COLUMNS)
    for entry in card.register:
        sheet.append([entry.value_of(c) for c in REGISTER_COLUMNS])
    book.save(path)
    return Path(path)


def _sheet(book: Any, title_key: str, column_prefix: str, columns: Sequence[str]) -> Any:
    """A new sheet whose first row is each column's zh and en name, styled as a header."""
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet = book.create_sheet(label(title_key, "zh"))
    sheet.append([f"{label(f'{column_prefix}.{c}', 'zh')}\n{label(f'{column_prefix}.{c}', 'en')}"
                  for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    return sheet


def render_png(card: Scorecard, path: Path, language: str = "zh") -> Path:
    """Bar charts of the scores; Chinese labels only when a CJK font is installed."""
    import matplotlib
    from matplotlib.figure import Figure

    font = cjk_font()
    language = language if font else "en"  # no CJK font: English names, never tofu
    groups = [(g, card.ranked(g)) for g in CHART_GROUPS]
    rows = max(len(r) for _, r in groups) or 1
    families = [font] if font else []
    with matplotlib.rc_context({"font.family": "sans-serif",
                                "font.sans-serif": [*families, "DejaVu Sans"]}):
        figure = Figure(figsize=(12, 1.5 + 0.35 * rows), layout="constrained")
        figure.suptitle(label("stats.title", language, quarter=str(card.quarter)))
        for axes, (group, ranked) in zip(figure.subplots(1, 2), groups, strict=True):
            names = [r.display_name(language) for r in reversed(ranked)]
            values = [r.score or 0.0 for r in reversed(ranked)]
            bars = axes.barh(names or ["-"], values or [0.0], color="#2e75b6")
            axes.bar_label(bars, labels=[_num(r.score) for r in reversed(ranked)] or ["-"],
                           padding=3, fontsize=8)
            axes.set_xlim(0, 110)
            axes.set_title(label(f"stats.group.{group}", language))
            axes.set_xlabel(label("stats.col.score", language))
        figure.savefig(path, dpi=110)
    return Path(path)


def table_pages(card: Scorecard, language: str = "zh") -> list[str]:
    """The complete table for the chat, every unit of every group, in pages of PAGE_ROWS:
    rank, unit, on-time claim %, on-time resolve %, overdue, escalated, satisfaction,
    community rating, score; CJK-aware padding for a monospace font."""
    heads = [label(f"stats.short.{c}", language) for c in TABLE_COLUMNS]
    title = label("stats.title", language, quarter=str(card.quarter))
    pages: list[str] = []
    for group in GROUPS:
        ranked = card.ranked(group)
        if not ranked:
            continue
        head = _pad("#", 4) + _pad(label("stats.col.name", language), 22) + "".join(
            _pad(h, 9, right=True) for h in heads)
        for start in range(0, len(ranked), PAGE_ROWS):
            lines = [title, label(f"stats.group.{group}", language), head]
            for n, row in enumerate(ranked[start:start + PAGE_ROWS], start + 1):
                cells = [_pct(row.value(c)) if c in TABLE_RATES  # type: ignore[arg-type]
                         else _num(row.score) if c == "score" else str(row.value(c))
                         for c in TABLE_COLUMNS]
                lines.append(_pad(str(n), 4) + _pad(row.display_name(language), 22)
                             + "".join(_pad(c, 9, right=True) for c in cells))
            pages.append("\n".join(lines))
    return pages or [title]


def table_text(card: Scorecard, language: str = "zh") -> str:
    return "\n\n".join(table_pages(card, language))


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    return round(value, 4) if isinstance(value, float) else value


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def width(text: str) -> int:
    """Columns a string takes in a monospace font: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, columns: int, *, right: bool = False) -> str:
    while width(text) > columns - 1:
        text = text[:-1]
    fill = " " * (columns - width(text))
    return fill + text if right else text + fill


CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC")


def cjk_font() -> str | None:
    """The first installed font that draws Chinese, if any. matplotlib keeps its list of fonts
    in a cache made the first time it ran; a font installed after that (CI installs one) is
    looked for on disk and added."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in installed), None)
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(key in path.lower() for key in ("wqy", "notosanscjk", "notosanssc",
                                                   "sourcehansans")):
                font_manager.fontManager.addfont(path)
        installed = {f.name for f in font_manager.fontManager.ttflist}
        found = next((name for name in CJK_FONTS if name in installed), None)
    return found
