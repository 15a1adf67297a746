"""Shared view helpers of the portal: turning service errors into form errors and messages."""

from __future__ import annotations

from django import forms

from smartfactory.errors import ProgrammeError


def add_service_error(form: forms.Form, error: ProgrammeError) -> None:
    """Show a service's refusal on the field it names (or on the whole form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def location_initial(division) -> dict:
    """Initial province/city/county values for a form from a county Division."""
    if division is None:
        return {}
    return {"province": division.province_code, "city": division.city_code, "county": division.code}


def location_context(form) -> dict:
    """City and county options matching the form's current province/city (for re-rendering)."""
    from smartfactory.regions.models import Division

    province = form["province"].value() or ""
    city = form["city"].value() or ""
    return {
        "city_options": list(Division.objects.filter(parent_id=province, valid_to__isnull=True).order_by("code"))
        if province else [],
        "county_options": list(Division.objects.filter(parent_id=city, valid_to__isnull=True).order_by("code"))
        if city else [],
    }
