"""The district drawn offline: each community is the area nearer its centre than any other's.

The org file carries a centre (lat/lon) per community and no outlines, so the map is the
Voronoi diagram of the centres, each cell cut to a disc around its centre (an edge community
does not reach the corners of the picture). No tile server, nothing fetched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[float, float]  # x, y on the picture
Polygon = list[Point]


@dataclass(frozen=True)
class Place:
    key: str  # a unit code
    label: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to picture coordinates (north up), fitted into width × height."""

    west: float
    north: float
    scale: float  # pixels per degree of latitude
    squeeze: float  # cos(latitude): a degree of longitude is shorter than one of latitude
    pad: float

    @classmethod
    def fit(cls, places: Sequence[tuple[float, float]], width: float, height: float,
            pad: float = 24.0) -> Projection:
        lats = [p[0] for p in places] or [0.0]
        lons = [p[1] for p in places] or [0.0]
        squeeze = math.cos(math.radians(sum(lats) / len(lats)))
        span_x = max((max(lons) - min(lons)) * squeeze, 1e-4)
        span_y = max(max(lats) - min(lats), 1e-4)
        scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
        return cls(min(lons), max(lats), scale, squeeze, pad)

    def __call__(self, latitude: float, longitude: float) -> Point:
        return (self.pad + (longitude - self.west) * self.squeeze * self.scale,
                self.pad + (self.north - latitude) * self.scale)

    def meters(self, metres: float) -> float:
        return metres / 111_320.0 * self.scale


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance of two (lat, lon) points."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def reach(points: Sequence[tuple[float, float]], low: float = 400.0,
          high: float = 2500.0) -> float:
    """How far a community reaches, in metres: most of the way to the farthest nearest
    neighbour, so cells of a dense street meet and a lone village stays a modest disc."""
    nearest = [min((metres_between(p, q) for q in points if q != p), default=high)
               for p in points]
    return max(low, min(high, 0.6 * max(nearest, default=high)))


def around(points: Sequence[tuple[float, float]], metres: float) -> list[tuple[float, float]]:
    """The points and the corners of their discs: what the picture must fit."""
    out = list(points)
    for lat, lon in points:
        dlat = metres / 111_320.0
        dlon = dlat / max(0.1, math.cos(math.radians(lat)))
        out += [(lat + dlat, lon), (lat - dlat, lon), (lat, lon + dlon), (lat, lon - dlon)]
    return out


def _clip(polygon: Polygon, a: float, b: float, c: float) -> Polygon:
    """The part of the polygon where a·x + b·y ≤ c (Sutherland–Hodgman, one edge)."""
    out: Polygon = []
    for i, p in enumerate(polygon):
        q = polygon[(i + 1) % len(polygon)]
        p_in, q_in = a * p[0] + b * p[1] <= c, a * q[0] + b * q[1] <= c
        if p_in:
            out.append(p)
        if p_in != q_in:
            t = (c - a * p[0] - b * p[1]) / (a * (q[0] - p[0]) + b * (q[1] - p[1]))
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def disc(centre: Point, radius: float, sides: int = 24) -> Polygon:
    return [(centre[0] + radius * math.cos(2 * math.pi * k / sides),
             centre[1] + radius * math.sin(2 * math.pi * k / sides)) for k in range(sides)]


def cells(points: Sequence[Point], radius: float) -> list[Polygon]:
    """Each point's Voronoi cell, cut to a disc of `radius` around the point."""
    out = []
    for i, (px, py) in enumerate(points):
        cell = disc((px, py), radius)
        for j, (qx, qy) in enumerate(points):
            if i == j or (px, py) == (qx, qy):
                continue
            # Nearer p than q: (q - p)·x ≤ (|q|² - |p|²) / 2
            cell = _clip(cell, qx - px, qy - py, (qx * qx + qy * qy - px * px - py * py) / 2)
            if not cell:
                break
        out.append(cell)
    return out


def path(polygon: Polygon) -> str:
    if not polygon:
        return ""
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in polygon) + " Z"


def shade(value: int, top: int) -> str:
    """White (none) to deep blue (the most): how much is open in a community."""
    if top <= 0 or value <= 0:
        return "#f4f6f8"
    share = min(1.0, value / top)
    r, g, b = (int(244 - share * (244 - c)) for c in (31, 78, 121))
    return f"#{r:02x}{g:02x}{b:02x}"
