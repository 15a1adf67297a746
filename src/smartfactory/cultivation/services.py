"""Cultivation objects: created when the six ministries select a 领航级 application; the period runs
from the list's publication date for at most two years."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import InvalidInput

from .models import CultivationObject

MAX_YEARS = 2


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def latest_end(published_on: date) -> date:
    return add_years(published_on, MAX_YEARS)


def validate_period(published_on: date, ends_on: date) -> None:
    if ends_on <= published_on:
        raise InvalidInput(_("培育期截止日期须晚于名单发布日期。"), field="ends_on")
    if ends_on > latest_end(published_on):
        raise InvalidInput(_("培育期不得超过2年（最迟%(d)s）。") % {"d": latest_end(published_on).isoformat()},
                           field="ends_on")


@transaction.atomic
def create_cultivation(application, *, published_on: date, actor, list_number: str = "",
                       ends_on: date | None = None) -> CultivationObject:
    """Side effects: the cultivation object; audit event cultivation.create."""
    ends_on = ends_on or latest_end(published_on)
    validate_period(published_on, ends_on)
    obj = CultivationObject.objects.create(
        factory=application.factory, application=application, campaign=application.campaign, list_number=list_number,
        published_on=published_on, ends_on=ends_on,
    )
    record_event("cultivation.create", actor=actor, obj=obj,
                 after={"factory": str(application.factory_id), "published_on": published_on.isoformat(),
                        "ends_on": ends_on.isoformat(), "list_number": list_number})
    return obj
