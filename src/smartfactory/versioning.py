"""Optimistically versioned values (autosaved answers and application-book entries): a save names
the version it was based on; a stale save is refused with the current value, never overwritten."""

from __future__ import annotations

import json

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from smartfactory.errors import Conflict


def save_versioned(model, *, lookup: dict, key_field: str, value, expected_version: int, actor, stale_message: str):
    """Create (expected version 0) or update ``model`` rows identified by ``lookup`` only if their
    version is still ``expected_version``; otherwise raise Conflict with the current value and
    version. ``stale_message`` takes ``%(v)d`` (the current version)."""
    with transaction.atomic():
        if expected_version == 0:
            try:
                with transaction.atomic():
                    return model.objects.create(**lookup, value=value, updated_by=actor)
            except IntegrityError:
                pass
        else:
            updated = model.objects.filter(**lookup, version=expected_version).update(
                value=value, version=F("version") + 1, updated_by=actor, updated_at=timezone.now()
            )
            if updated == 1:
                return model.objects.get(**lookup)
        current = model.objects.filter(**lookup).values("value", "version").first() or {"value": None, "version": 0}
        raise Conflict(
            stale_message % {"v": current["version"]}, field=lookup[key_field],
            current_value=json.dumps(current["value"], ensure_ascii=False), current_version=current["version"],
        )
