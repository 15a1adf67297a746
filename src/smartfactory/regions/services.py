"""Idempotent loaders for the reference data in ``regions/data/``.

Each data file ``X.csv`` has a ``X.meta.yaml`` beside it that states its ``source_version``, the date it
was ``converted`` and (for divisions) the upstream cut-off date. Loading a file:

* inserts codes that are new (parents before children),
* updates rows whose name, hierarchy, flags or source version differ from the file (and reopens a code
  that had been closed and is back in the file),
* closes codes that are in the database but no longer in the file by setting ``valid_to`` to the
  file's conversion date. Nothing is ever deleted: enterprises keep the codes they registered with.

Everything runs in one transaction with bulk statements; a second load of the same file is a no-op.
"""

from __future__ import annotations

import csv
import datetime
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Count

from .models import Division, DivisionLevel, Industry

DATA_DIR = Path(__file__).resolve().parent / "data"
DIVISIONS_FILE = DATA_DIR / "divisions-2023.csv"
INDUSTRIES_FILE = DATA_DIR / "industries-gbt4754-2017.csv"

BATCH_SIZE = 500

DIVISION_HEADER = [
    "code",
    "name",
    "level",
    "parent_code",
    "is_separately_planned",
    "is_xpcc",
    "is_development_zone",
]
INDUSTRY_HEADER = ["code", "name", "level", "section", "is_industrial"]

# Order in which levels are inserted, and the level each one's parent must have.
_LEVEL_RANK = {DivisionLevel.PROVINCE: 0, DivisionLevel.CITY: 1, DivisionLevel.COUNTY: 2}
_PARENT_LEVEL = {DivisionLevel.CITY: DivisionLevel.PROVINCE, DivisionLevel.COUNTY: DivisionLevel.CITY}

# Fields the loader owns; valid_from is set on insert only (the date a code was first seen).
_DIVISION_FIELDS = [
    "name",
    "level",
    "parent_id",
    "province_code",
    "city_code",
    "is_separately_planned",
    "is_xpcc",
    "is_development_zone",
    "valid_to",
    "source_version",
]
_INDUSTRY_FIELDS = ["name", "level", "section", "is_industrial", "valid_to", "source_version"]


class ReferenceDataError(ValueError):
    """A data file or its metadata is malformed; nothing has been written."""


# ------------------------------------------------------------------------------------------ files


def meta_path_for(path: Path) -> Path:
    """``foo.csv`` → ``foo.meta.yaml`` in the same folder."""
    return path.with_name(path.name.removesuffix(".csv") + ".meta.yaml")


def read_meta(path: str | Path) -> dict[str, Any]:
    """The metadata of a data file (pass the csv or the yaml itself)."""
    path = Path(path)
    if path.suffix == ".csv":
        path = meta_path_for(path)
    if not path.exists():
        raise ReferenceDataError(f"metadata file {path} not found (it must sit beside the csv)")
    with path.open(encoding="utf-8") as fh:
        meta = yaml.safe_load(fh)
    for key in ("source_version", "converted"):
        if not meta.get(key):
            raise ReferenceDataError(f"{path}: missing {key!r}")
    if not isinstance(meta["converted"], datetime.date):
        raise ReferenceDataError(f"{path}: 'converted' must be a date (YYYY-MM-DD)")
    return meta


def _read_csv(path: Path, header: list[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != header:
            raise ReferenceDataError(f"{path}: header must be {','.join(header)}, got {reader.fieldnames}")
        rows = list(reader)
    seen: set[str] = set()
    for n, row in enumerate(rows, start=2):
        code = row["code"]
        if code in seen:
            raise ReferenceDataError(f"{path}:{n}: duplicate code {code}")
        seen.add(code)
        if not row["name"].strip():
            raise ReferenceDataError(f"{path}:{n}: empty name for {code}")
    return rows


def _flag(value: str, where: str) -> bool:
    if value not in ("0", "1"):
        raise ReferenceDataError(f"{where}: flag must be 0 or 1, got {value!r}")
    return value == "1"


# ------------------------------------------------------------------------------------------ divisions


def _division_rows(path: Path, source_version: str) -> dict[str, dict[str, Any]]:
    rows = _read_csv(path, DIVISION_HEADER)
    by_code = {r["code"]: r for r in rows}
    wanted: dict[str, dict[str, Any]] = {}
    for n, r in enumerate(rows, start=2):
        where = f"{path}:{n}"
        code, level, parent = r["code"], r["level"], r["parent_code"]
        if len(code) != 6 or not code.isdigit():
            raise ReferenceDataError(f"{where}: code must be 6 digits, got {code!r}")
        if level not in _LEVEL_RANK:
            raise ReferenceDataError(f"{where}: unknown level {level!r}")
        if level == DivisionLevel.PROVINCE:
            if parent:
                raise ReferenceDataError(f"{where}: province {code} must have no parent")
            province_code, city_code = code, ""
        else:
            if by_code.get(parent, {}).get("level") != _PARENT_LEVEL[level]:
                raise ReferenceDataError(
                    f"{where}: parent {parent!r} of {level} {code} is not a {_PARENT_LEVEL[level]}"
                )
            province_code = code[:2] + "0000"
            city_code = code if level == DivisionLevel.CITY else code[:4] + "00"
        wanted[code] = {
            "name": r["name"].strip(),
            "level": level,
            "parent_id": parent or None,
            "province_code": province_code,
            "city_code": city_code,
            "is_separately_planned": _flag(r["is_separately_planned"], where),
            "is_xpcc": _flag(r["is_xpcc"], where),
            "is_development_zone": _flag(r["is_development_zone"], where),
            "valid_to": None,
            "source_version": source_version,
        }
    return wanted


def load_divisions(path: str | Path | None = None) -> dict[str, Any]:
    """Load administrative divisions from ``path`` (default: the bundled NBS 2023 file).

    Returns ``{"created", "updated", "closed", "total_by_level"}``; ``total_by_level`` counts the
    divisions that are current (``valid_to`` empty) after the load.
    """
    path = Path(path) if path else DIVISIONS_FILE
    meta = read_meta(path)
    cutoff = (meta.get("upstream") or {}).get("cutoff_date")
    if not isinstance(cutoff, datetime.date):
        raise ReferenceDataError(f"{meta_path_for(path)}: upstream.cutoff_date must be a date")
    closing_date: datetime.date = meta["converted"]
    wanted = _division_rows(path, str(meta["source_version"]))

    with transaction.atomic():
        existing = {d.code: d for d in Division.objects.select_for_update()}
        created, changed = _diff(Division, wanted, existing, _DIVISION_FIELDS)
        for obj in created:
            obj.valid_from = cutoff
        created.sort(key=lambda d: (_LEVEL_RANK[d.level], d.code))  # parents before children
        Division.objects.bulk_create(created, batch_size=BATCH_SIZE)
        if changed:
            Division.objects.bulk_update(changed, _bulk_fields(_DIVISION_FIELDS), batch_size=BATCH_SIZE)

        closed = [d for code, d in existing.items() if code not in wanted and d.valid_to is None]
        for d in closed:
            d.valid_to = closing_date
        if closed:
            Division.objects.bulk_update(closed, ["valid_to"], batch_size=BATCH_SIZE)

        totals = _count_by_level(Division.objects.filter(valid_to__isnull=True), _LEVEL_RANK)

    return {"created": len(created), "updated": len(changed), "closed": len(closed), "total_by_level": totals}


# ------------------------------------------------------------------------------------------ industries


def _industry_rows(path: Path, source_version: str) -> dict[str, dict[str, Any]]:
    wanted: dict[str, dict[str, Any]] = {}
    for n, r in enumerate(_read_csv(path, INDUSTRY_HEADER), start=2):
        where = f"{path}:{n}"
        code, level, section = r["code"], r["level"], r["section"]
        if level == Industry.Level.SECTION:
            ok = len(code) == 1 and code.isalpha() and code.isupper() and section == code
        elif level == Industry.Level.DIVISION:
            ok = len(code) == 2 and code.isdigit() and len(section) == 1 and section.isupper()
        else:
            raise ReferenceDataError(f"{where}: unknown level {level!r}")
        if not ok:
            raise ReferenceDataError(f"{where}: bad code {code!r} / section {section!r} for level {level}")
        wanted[code] = {
            "name": r["name"].strip(),
            "level": level,
            "section": section,
            "is_industrial": _flag(r["is_industrial"], where),
            "valid_to": None,
            "source_version": source_version,
        }
    sections = {c for c, w in wanted.items() if w["level"] == Industry.Level.SECTION}
    orphans = sorted(c for c, w in wanted.items() if w["section"] not in sections)
    if orphans:
        raise ReferenceDataError(f"{path}: divisions without their section row: {orphans}")
    return wanted


def load_industries(path: str | Path | None = None) -> dict[str, Any]:
    """Load GB/T 4754-2017 门类 and 大类 from ``path`` (default: the bundled file).

    Returns ``{"created", "updated", "closed", "total_by_level"}``. Codes in the database but not
    in the file are closed with ``valid_to`` (the file's conversion date), never deleted.
    """
    path = Path(path) if path else INDUSTRIES_FILE
    meta = read_meta(path)
    wanted = _industry_rows(path, str(meta["source_version"]))

    with transaction.atomic():
        existing = {i.code: i for i in Industry.objects.select_for_update()}
        created, changed = _diff(Industry, wanted, existing, _INDUSTRY_FIELDS)
        created.sort(key=lambda i: (i.level != Industry.Level.SECTION, i.code))
        Industry.objects.bulk_create(created, batch_size=BATCH_SIZE)
        if changed:
            Industry.objects.bulk_update(changed, _INDUSTRY_FIELDS, batch_size=BATCH_SIZE)
        closed = [i for code, i in existing.items() if code not in wanted and i.valid_to is None]
        for i in closed:
            i.valid_to = meta["converted"]
        if closed:
            Industry.objects.bulk_update(closed, ["valid_to"], batch_size=BATCH_SIZE)
        levels = {Industry.Level.SECTION: 0, Industry.Level.DIVISION: 1}
        totals = _count_by_level(Industry.objects.filter(valid_to__isnull=True), levels)

    return {"created": len(created), "updated": len(changed), "closed": len(closed), "total_by_level": totals}


# ------------------------------------------------------------------------------------------ helpers


def _diff(model, wanted: dict[str, dict[str, Any]], existing: dict[str, Any], fields: list[str]):
    """Split ``wanted`` into new instances and changed existing instances (changed in place)."""
    created, changed = [], []
    for code, values in wanted.items():
        obj = existing.get(code)
        if obj is None:
            created.append(model(code=code, **values))
            continue
        if any(getattr(obj, f) != values[f] for f in fields):
            for f in fields:
                setattr(obj, f, values[f])
            changed.append(obj)
    return created, changed


def _bulk_fields(fields: Iterable[str]) -> list[str]:
    """bulk_update wants field names, not attnames."""
    return [f.removesuffix("_id") for f in fields]


def _count_by_level(qs, levels: dict[str, int]) -> dict[str, int]:
    counts = Counter(dict(qs.values_list("level").annotate(n=Count("pk")).order_by()))
    return {str(level): counts.get(level, 0) for level in sorted(levels, key=levels.get)}
