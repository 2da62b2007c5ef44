"""Charts drawn on the server as SVG: no chart library, no script, readable without colour."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

BAR = "#1f4e79"
SECOND = "#e07b39"


def bars(items: Sequence[tuple[str, int, int]], *, title: str, legend: tuple[str, str],
         width: int = 560) -> Markup:
    """Horizontal bars, one row per item: (label, first value, second value) side by side."""
    row, label_w, pad = 26, 150, 8
    top = max([1, *(max(a, b) for _, a, b in items)])
    plot = width - label_w - 60
    height = 30 + row * max(1, len(items)) + 24
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
             f"<title>{escape(title)}</title>"]
    for i, (label, first, second) in enumerate(items):
        y = 24 + i * row
        parts.append(f'<text x="{label_w - pad}" y="{y + 14}" text-anchor="end" '
                     f'font-size="12">{escape(label[:14])}</text>')
        for j, (value, colour) in enumerate(((first, BAR), (second, SECOND))):
            w = round(plot * value / top) if value else 0
            yy = y + j * 10
            parts.append(f'<rect x="{label_w}" y="{yy}" width="{w}" height="9" '
                         f'fill="{colour}"><title>{escape(label)}: {value}</title></rect>')
            parts.append(f'<text x="{label_w + w + 4}" y="{yy + 8}" font-size="10">{value}'
                         "</text>")
    if not items:
        parts.append(f'<text x="{label_w}" y="40" font-size="12">–</text>')
    y = height - 8
    parts.append(f'<rect x="{label_w}" y="{y - 9}" width="10" height="9" fill="{BAR}"/>'
                 f'<text x="{label_w + 14}" y="{y}" font-size="11">{escape(legend[0])}</text>'
                 f'<rect x="{label_w + 130}" y="{y - 9}" width="10" height="9" fill="{SECOND}"/>'
                 f'<text x="{label_w + 144}" y="{y}" font-size="11">{escape(legend[1])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
