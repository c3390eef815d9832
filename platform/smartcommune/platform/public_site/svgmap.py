# ruff: noqa: E501 (HTML and strings read better on one line)
"""A map of points that needs nothing but the page: an inline SVG (no tiles, works offline and on 2G).

Points are placed by longitude/latitude in an equirectangular frame around them (at a commune's size the
distortion is negligible); each is a link with its own accessible name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

W, H, PAD = 640, 420, 28


@dataclass
class Point:
    lat: float
    lng: float
    href: str  # already escaped
    label: str
    done: bool


def render(points: Sequence[Point], *, title: str, desc: str, legend: tuple[str, str]) -> str:
    lats = [p.lat for p in points]
    lngs = [p.lng for p in points]
    lat0, lat1 = min(lats), max(lats)
    lng0, lng1 = min(lngs), max(lngs)
    # At least ~1 km across, and the box keeps the map's aspect (a degree of longitude is cos(lat) shorter).
    k = math.cos(math.radians((lat0 + lat1) / 2)) or 1.0
    span = max((lng1 - lng0) * k / (W - 2 * PAD), (lat1 - lat0) / (H - 2 * PAD), 0.01 / (H - 2 * PAD))
    mid_lng, mid_lat = (lng0 + lng1) / 2, (lat0 + lat1) / 2

    def xy(p: Point) -> tuple[float, float]:
        return W / 2 + (p.lng - mid_lng) * k / span, H / 2 - (p.lat - mid_lat) / span

    grid = "".join(f"<line x1='{x}' y1='0' x2='{x}' y2='{H}'/>" for x in range(0, W + 1, 80)) + "".join(
        f"<line x1='0' y1='{y}' x2='{W}' y2='{y}'/>" for y in range(0, H + 1, 70)
    )
    dots = []
    for p in points:
        x, y = xy(p)
        fill = "#0b6b3a" if p.done else "#b45309"
        shape = (
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='13' fill='{fill}' stroke='#fff' stroke-width='3'/>"
            if p.done
            else f"<rect x='{x - 12:.1f}' y='{y - 12:.1f}' width='24' height='24' fill='{fill}' stroke='#fff' stroke-width='3'/>"
        )
        dots.append(
            f"<a href='{p.href}' aria-label='{escape(p.label, quote=True)}'><title>{escape(p.label)}</title>{shape}</a>"
        )
    scale_km = 1.0 if span * (W - 2 * PAD) * 111 > 2 else 0.2
    scale_px = scale_km / 111 / span
    open_label, done_label = legend
    return (
        f"<svg viewBox='0 0 {W} {H}' xmlns='http://www.w3.org/2000/svg' aria-labelledby='map-t map-d'>"
        f"<title id='map-t'>{escape(title)}</title><desc id='map-d'>{escape(desc)}</desc>"
        f"<rect width='{W}' height='{H}' fill='#eef4ef'/><g stroke='#d3e0d5' stroke-width='1'>{grid}</g>"
        f"{''.join(dots)}"
        f"<g font-size='24' fill='#1b1b1b'><rect x='8' y='8' width='300' height='84' fill='#fff' opacity='.92'/>"
        f"<rect x='18' y='18' width='22' height='22' fill='#b45309'/><text x='52' y='38'>{escape(open_label)}</text>"
        f"<circle cx='29' cy='70' r='11' fill='#0b6b3a'/><text x='52' y='79'>{escape(done_label)}</text>"
        f"<line x1='{W - 20 - scale_px:.1f}' y1='{H - 16}' x2='{W - 20}' y2='{H - 16}' stroke='#1b1b1b' stroke-width='3'/>"
        f"<text x='{W - 20 - scale_px:.1f}' y='{H - 26}'>{scale_km:g} km</text><text x='{W - 60}' y='36'>N ↑</text></g>"
        "</svg>"
    )
