"""Build the dashboard's offline base map: Natural Earth countries as GeoJSON keyed by ISO code.

The dashboard draws its map with no internet, so the country shapes ship in the package
(src/pouls/web/static/vendor/world-110m.json). They come from the npm package `world-atlas`
(Natural Earth 1:110m, public domain; TopoJSON, ISC), whose countries carry ISO 3166 *numeric*
ids, while signals carry *alpha-2* codes (`FR`): the table of `i18n-iso-countries` (MIT) gives
the alpha-2 code and the French and English names. ECharts reads GeoJSON, not TopoJSON, hence
this decoding, run once when the map is updated, never at runtime:

    cd /tmp && npm pack world-atlas@2.0.2 i18n-iso-countries@7.14.0
    mkdir wa iso && tar xzf world-atlas-2.0.2.tgz -C wa && tar xzf i18n-iso-countries-7.14.0.tgz -C iso
    python -m scripts.worldmap /tmp/wa/package /tmp/iso/package
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent.parent / "src/pouls/web/static/vendor/world-110m.json"
# Coordinates to 0.01° (about 1 km): finer than the 1:110m shapes themselves, and a smaller file.
DIGITS = 2
# Not sovereign ISO entries in Natural Earth; given the codes people use for them.
EXTRA = {"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}
DROPPED = {"Antarctica"}  # no signals come from there, and it takes a fifth of the map


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """TopoJSON's quantised, delta-encoded arcs as lists of (lon, lat)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((round(x * sx + tx, DIGITS), round(y * sy + ty, DIGITS)))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    """One closed ring from arc indexes; a negative index ~i is arc i reversed. Consecutive arcs
    share their joining point, so each one after the first drops its first point."""
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return [list(p) for p in points]


def feature(geometry: dict[str, Any], arcs: list[Any], codes: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON feature named by its alpha-2 code, with its French and English names."""
    name = geometry["properties"]["name"]
    code = codes["numeric"].get(geometry.get("id", ""), EXTRA.get(name, ""))
    polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    shape = [[ring(r, arcs) for r in polygon] for polygon in polygons]
    return {
        "type": "Feature",
        "properties": {
            "name": code or name,
            "fr": codes["fr"].get(code, name),
            "en": codes["en"].get(code, name),
        },
        "geometry": {"type": "MultiPolygon", "coordinates": shape},
    }


def names(path: Path) -> dict[str, str]:
    """Country names of one language of i18n-iso-countries: the first when it lists several."""
    countries = json.loads(path.read_text(encoding="utf-8"))["countries"]
    return {k: v[0] if isinstance(v, list) else v for k, v in countries.items()}


def build(atlas: Path, iso: Path) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of the world's countries, Antarctica left out."""
    topology = json.loads((atlas / "countries-110m.json").read_text(encoding="utf-8"))
    table = json.loads((iso / "codes.json").read_text(encoding="utf-8"))
    codes = {
        "numeric": {row[2]: row[0] for row in table},
        "fr": names(iso / "langs/fr.json"),
        "en": names(iso / "langs/en.json"),
    }
    arcs = decode_arcs(topology)
    geometries = topology["objects"]["countries"]["geometries"]
    return {
        "type": "FeatureCollection",
        "features": [
            feature(g, arcs, codes)
            for g in geometries
            if g.get("arcs") and g["properties"]["name"] not in DROPPED
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("atlas", type=Path, help="the unpacked world-atlas package folder")
    parser.add_argument("iso", type=Path, help="the unpacked i18n-iso-countries package folder")
    args = parser.parse_args()
    world = build(args.atlas, args.iso)
    OUT.write_text(json.dumps(world, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{OUT}: {len(world['features'])} countries, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
