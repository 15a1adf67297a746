"""Deadlines as officials write them, on every page: ``{{ d|deadline }}`` reads "2027-01-05 24:00"
for an end-of-day deadline (Beijing time), never "2027-01-06 00:00:00"."""

from __future__ import annotations

from django import template

from smartfactory.campaigns.services import format_deadline

register = template.Library()


@register.filter
def deadline(value) -> str:
    return format_deadline(value) if value else "—"
