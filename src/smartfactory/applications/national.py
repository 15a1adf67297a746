"""The effects of the national decisions on an application (卓越级 awarded or declined, 领航级
cultivation list, 领航级 acceptance), taken through ``workflow.transition`` when the six ministries
decide. Each writes the tier history; the transition audits it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from smartfactory.organisations.enums import AuthorityKind, Tier
from smartfactory.organisations.models import Authority
from smartfactory.organisations.services import record_tier_award

from .enums import State

if TYPE_CHECKING:
    from .workflow import Context


def _miit() -> Authority:
    return Authority.objects.get(kind=AuthorityKind.MINISTRY, is_lead=True)


def national_award(ctx: Context) -> None:
    """卓越级 decided by the six ministries: the tier history line, published on the decision date."""
    app, evaluation = ctx.app, ctx.app.evaluation
    decided_on = timezone.localdate(evaluation.publicity.decided_at) if evaluation.publicity_id else timezone.localdate()
    app.certificate_no, app.decided_at, app.state = evaluation.certificate_no, timezone.now(), State.AWARDED
    award = record_tier_award(app.factory, actor=ctx.actor, year=app.campaign.year, tier=app.tier, authority=_miit(),
                              certificate_no=app.certificate_no, awarded_on=decided_on)
    award.published_on = decided_on
    award.save(update_fields=["published_on"])


def national_cultivate(ctx: Context) -> None:
    """领航级 selected: the application cultivates under the list's number. (Its cultivation object,
    whose period starts on the list's publication date, is created by ``smartfactory.decisions``,
    which comes after cultivation in the data flow.)"""
    app, evaluation = ctx.app, ctx.app.evaluation
    app.certificate_no, app.decided_at, app.state = evaluation.certificate_no, timezone.now(), State.CULTIVATING


def national_accept(ctx: Context) -> None:
    """A 领航级 cultivation object passed acceptance: the 领航级 line of its tier history, published on
    the decision date with the acceptance certificate number."""
    app, evaluation = ctx.app, ctx.acceptance_evaluation
    decided_on = timezone.localdate(evaluation.publicity.decided_at) if evaluation.publicity_id else timezone.localdate()
    app.certificate_no, app.decided_at, app.state = evaluation.certificate_no, timezone.now(), State.AWARDED
    award = record_tier_award(app.factory, actor=ctx.actor, year=decided_on.year, tier=Tier.LEADING, authority=_miit(),
                              certificate_no=evaluation.certificate_no, awarded_on=decided_on)
    award.published_on = decided_on
    award.save(update_fields=["published_on"])


def national_decline(ctx: Context) -> None:
    ctx.app.decided_at, ctx.app.state = timezone.now(), State.NOT_SELECTED
