"""The actions of one object in an API answer, from the engine's ``available_actions``: ``actions``
are what the caller could do now (would succeed); ``blocked`` what it is offered but a guard refuses,
with the guard's reason (the same reason the page shows under the disabled button)."""

from __future__ import annotations

from ninja import Schema


class BlockedOut(Schema):
    action: str
    label: str
    reason: str


def split(available) -> dict:
    """``{"actions": [...], "blocked": [...]}`` for an API answer."""
    return {"actions": [a.action for a in available if a.enabled],
            "blocked": [{"action": a.action, "label": a.label, "reason": a.reason} for a in available if not a.enabled]}
