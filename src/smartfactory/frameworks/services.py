"""Loading framework versions from data files and reading them back as specs."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import yaml
from django.db import transaction

from .models import FrameworkVersion
from .spec import FrameworkSpec, parse

DATA_DIR = Path(__file__).resolve().parent / "data"


def _canonical(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, default=str)


def load_framework_file(path: Path) -> tuple[FrameworkVersion, bool]:
    """Load (or refresh) one version from its YAML file; idempotent. Returns (row, changed)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document = json.loads(_canonical(document))  # dates → strings, as the JSON column keeps them
    parse(document)  # refuse a file the engine cannot use
    digest = hashlib.sha256(_canonical(document).encode()).hexdigest()
    with transaction.atomic():
        row = FrameworkVersion.objects.select_for_update().filter(version=str(document["version"])).first()
        if row is not None and row.content_hash == digest:
            return row, False
        row, _ = FrameworkVersion.objects.update_or_create(
            version=str(document["version"]),
            defaults={"title": document["title"], "document": document, "content_hash": digest},
        )
    spec_for.cache_clear()
    return row, True


def load_all_frameworks() -> list[tuple[str, bool]]:
    return [(row.version, changed) for row, changed in
            (load_framework_file(p) for p in sorted(DATA_DIR.glob("framework-*.yaml")))]


@lru_cache(maxsize=32)
def _spec_cached(version: str, content_hash: str, overrides_key: str) -> FrameworkSpec:
    row = FrameworkVersion.objects.get(version=version)
    return parse(row.document, json.loads(overrides_key))


def spec_for(version: str, overrides: dict | None = None) -> FrameworkSpec:
    """The spec of a loaded version with a campaign's threshold overrides applied. Cached by content
    hash, so a reloaded file or a changed override is picked up at once."""
    row = FrameworkVersion.objects.only("content_hash").get(version=version)
    return _spec_cached(version, row.content_hash, json.dumps(overrides or {}, sort_keys=True))


spec_for.cache_clear = _spec_cached.cache_clear  # type: ignore[attr-defined]
