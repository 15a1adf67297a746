"""The hash chain: SM3 over the previous hash and a canonical rendering of the row."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes

GENESIS = "0" * 64


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def normalise(value: Any) -> Any:
    """JSON round trip, so what is hashed is exactly what the JSON column gives back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str, sort_keys=True))


def canonical(fields: dict[str, Any]) -> bytes:
    occurred: datetime = fields["occurred_at"]
    payload = dict(fields, occurred_at=occurred.astimezone(UTC).isoformat(timespec="microseconds"))
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


HASHED_FIELDS = (
    "seq", "occurred_at", "actor_id", "actor_name", "action", "object_type", "object_id",
    "before", "after", "reason", "ip", "request_id", "prev_hash",
)


def event_hash(event) -> str:
    return sm3_hex(canonical({name: getattr(event, name) for name in HASHED_FIELDS}))
