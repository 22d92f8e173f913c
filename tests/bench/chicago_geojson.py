#!/usr/bin/env python3
"""Chicago's sample data -> files `geotwin import` reads (see tests/data/chicago/ATTRIBUTION.md).

Usage: chicago_geojson.py DATA_DIR OUT_DIR
  OUT_DIR/chicago_jurisdictions.geojson  city bureau CHI (no boundary of its own) + one station per district
  OUT_DIR/chicago_assaults.csv           code, category, status, received_at, lon, lat, jurisdiction_code, description

Why these choices:
- category `fight` (打架斗殴): the vocabulary has no assault code; an aggravated assault is an attack on a person,
  and `fight` is the only category of violence between people (robbery needs a taking, disturbance is no attack).
- received_at carries the Chicago UTC offset of its day (zoneinfo, DST included; the first of an hour that occurs
  twice): the importer reads a time without an offset as China Standard Time, which would shift every hour.
- status `closed`: these are recorded crimes of 2010-2019, not open calls.
- jurisdiction_code is the district the source names, so the row is placed where Chicago placed it; district 31's
  three placemarks become one MultiPolygon station.
"""
import csv, gzip, json, sys
import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

data, out = sys.argv[1], sys.argv[2]
KML = "{http://www.opengis.net/kml/2.2}"
CHICAGO = ZoneInfo("America/Chicago")


def station(district):
    return f"CHI-D{int(district):02d}"


def ring(text):
    pts = [tuple(float(v) for v in c.split(",")[:2]) for c in text.split()]
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    return [list(p) for p in pts]


with gzip.open(f"{data}/chicago_police_districts.kml.gz") as f:
    root = ET.parse(f).getroot()
polygons = {}
for pm in root.iter(f"{KML}Placemark"):
    district = pm.find(f"{KML}name").text.strip()
    for poly in pm.iter(f"{KML}Polygon"):
        outer = ring(poly.find(f"{KML}outerBoundaryIs/{KML}LinearRing/{KML}coordinates").text)
        inner = [ring(c.text) for c in poly.findall(f"{KML}innerBoundaryIs/{KML}LinearRing/{KML}coordinates")]
        polygons.setdefault(district, []).append([outer] + inner)

features = [{"type": "Feature", "geometry": None,
             "properties": {"code": "CHI", "kind": "city_bureau", "name": "芝加哥警察局", "name_en": "Chicago Police Department",
                            "time_zone": "America/Chicago"}}]
for district in sorted(polygons, key=int):
    features.append({"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": polygons[district]},
                     "properties": {"code": station(district), "kind": "station", "parent_code": "CHI",
                                    "name": f"芝加哥第{int(district)}警区", "name_en": f"Chicago Police District {int(district)}"}})
with open(f"{out}/chicago_jurisdictions.geojson", "w") as f:
    json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False)

rows = 0
with gzip.open(f"{data}/chicago_aggravated_assaults.csv.gz", "rt", newline="") as src, \
        open(f"{out}/chicago_assaults.csv", "w", newline="") as dst:
    w = csv.writer(dst)
    w.writerow(["code", "category", "status", "received_at", "lon", "lat", "jurisdiction_code", "description"])
    for row in csv.DictReader(src):
        rows += 1
        local = datetime.strptime(row["date"], "%Y-%m-%d %H:%M").replace(tzinfo=CHICAGO)
        w.writerow([f"CHI-AA-{rows:06d}", "fight", "closed", local.isoformat(), row["longitude"], row["latitude"],
                    station(row["district"]), f"aggravated assault ({row['loc_cat']})"])
print(f"{len(features) - 1} stations, {rows} incidents", file=sys.stderr)
