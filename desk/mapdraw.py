"""The district's SVG map: community cells shaded by open tickets, ticket dots, hotspots."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from desk import geo
from desk.render import environment
from dispatch.core.enums import COMMUNITY_KINDS
from dispatch.reporting.questions import Tree


@dataclass(frozen=True)
class Dot:
    latitude: float
    longitude: float
    label: str
    href: str
    urgent: bool = False


def places(tree: Tree, lang: str) -> list[geo.Place]:
    return [geo.Place(u.code, (u.name_en or u.name) if lang == "en" else u.name,
                      u.latitude, u.longitude)
            for u in sorted(tree.units.values(), key=lambda u: u.id)
            if u.kind in COMMUNITY_KINDS and u.active and u.latitude is not None
            and u.longitude is not None]


def draw(spots: Sequence[geo.Place], *, counts: Mapping[str, int], dots: Sequence[Dot] = (),
         rings: Sequence[tuple[float, float, str]] = (), highlight: str | None = None,
         width: int = 760, height: int = 520, labels: bool = True,
         link: str | None = "/desk/tickets?status=open&sub=1&unit=") -> Markup:
    """`counts` by unit code; `rings` are hotspots (lat, lon, label); `link` + code per cell."""
    radius = geo.reach([(p.latitude, p.longitude) for p in spots])
    project = geo.Projection.fit(geo.around([(p.latitude, p.longitude) for p in spots], radius),
                                 width, height, pad=8)
    centres = [project(p.latitude, p.longitude) for p in spots]
    cells = geo.cells(centres, radius=project.meters(radius))
    top = max(counts.values(), default=0)
    shapes = [{"key": p.key, "label": p.label, "x": c[0], "y": c[1], "d": geo.path(cell),
               "fill": geo.shade(counts.get(p.key, 0), top), "n": counts.get(p.key, 0),
               "on": p.key == highlight,
               "dark": top > 0 and counts.get(p.key, 0) / top > 0.55}
              for p, c, cell in zip(spots, centres, cells, strict=True)]
    points = [{"x": project(d.latitude, d.longitude)[0], "y": project(d.latitude, d.longitude)[1],
               "label": d.label, "href": d.href, "urgent": d.urgent} for d in dots]
    circles = [{"x": project(lat, lon)[0], "y": project(lat, lon)[1], "label": label}
               for lat, lon, label in rings]
    svg = environment().get_template("_map.svg").render(
        shapes=shapes, points=points, rings=circles, width=width, height=height,
        labels=labels, link=link)
    return Markup(svg)
