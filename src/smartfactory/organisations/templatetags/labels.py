"""Labels instead of keys on pages: ``{{ value|tier_label }}`` reads 卓越级, not "excellent"."""

from __future__ import annotations

from django import template

from smartfactory.organisations.enums import Tier

register = template.Library()


@register.filter
def tier_label(value) -> str:
    """The tier's Chinese name; "—" when there is none; an unknown key is shown as it is."""
    if not value:
        return "—"
    try:
        return str(Tier(value).label)
    except ValueError:
        return str(value)
