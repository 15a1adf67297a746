"""Writing audit events. Callers are services that change state; they call this inside their own
``transaction.atomic`` block so the change and its record commit or roll back together."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from . import context
from .chain import GENESIS, event_hash, normalise
from .models import AuditEvent

_PG_CHAIN_LOCK = 0x5F_A0D17  # advisory-lock key serialising chain appends on PostgreSQL


class AuditOutsideTransaction(RuntimeError):
    """Raised when an event would be written outside the transaction of the change it records."""


def _describe_actor(actor) -> tuple[str, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "", "system" if actor is None else "anonymous"
    return str(actor.pk), actor.get_username()


def record_event(
    action: str,
    *,
    actor,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to the chain.

    Side effects, in order: takes the chain lock (PostgreSQL advisory lock; SQLite's IMMEDIATE
    transaction already holds the write lock), reads the chain head, inserts the row.
    Fails closed: if the event cannot be written the surrounding change rolls back.
    """
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(action)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "audit_key", obj.pk))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK])
    head = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
    actor_id, actor_name = _describe_actor(actor)
    ctx = context.current()
    event = AuditEvent(
        seq=(head["seq"] + 1) if head else 1,
        occurred_at=timezone.now(),
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=normalise(before),
        after=normalise(after),
        reason=reason,
        ip=ctx.ip,
        request_id=ctx.request_id,
        prev_hash=head["hash"] if head else GENESIS,
    )
    event.hash = event_hash(event)
    event.save(force_insert=True)
    return event


def record_standalone(action: str, **kwargs) -> AuditEvent:
    """For events that are not part of a data change (login, lockout): their own transaction."""
    with transaction.atomic():
        return record_event(action, **kwargs)


def verify_chain(*, batch: int = 2000) -> tuple[int, AuditEvent | None, str]:
    """Walk the chain in order. Returns (events checked, first broken event or None, why)."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch):
        if event.seq != expected_seq:
            return checked, event, f"sequence gap: expected {expected_seq}, found {event.seq}"
        if event.prev_hash != expected_prev:
            return checked, event, "prev_hash does not match the previous event's hash"
        if event_hash(event) != event.hash:
            return checked, event, "content does not match its hash (row altered)"
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    return checked, None, ""
