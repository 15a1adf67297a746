"""Writes of the yearly re-check of the basic requirements. (Cases move only through
``workflow.transition``.) Each function checks who may, validates, writes, and records an audit
event in the same transaction; notifications go out after the commit."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.campaigns.models import Campaign
from smartfactory.campaigns.services import framework_spec_for
from smartfactory.errors import Conflict, InvalidInput, NotPermitted
from smartfactory.organisations.enums import TIER_ORDER, AwardStatus, Tier
from smartfactory.organisations.models import TierAward

from . import recheck_workflow
from .models import RecheckItem, RecheckRound
from .policy import policy
from .rules import can_run_recheck


def _highest_active_awards(before_year: int) -> list[TierAward]:
    """Per factory, its highest active award from a year before ``before_year`` (ties: the latest)."""
    best: dict = {}
    awards = TierAward.objects.filter(status=AwardStatus.ACTIVE, year__lt=before_year).select_related("factory")
    for award in awards.order_by("factory_id", "year"):
        current = best.get(award.factory_id)
        if current is None or TIER_ORDER[Tier(award.tier)] >= TIER_ORDER[Tier(current.tier)]:
            best[award.factory_id] = award
    return list(best.values())


@transaction.atomic
def open_recheck_round(campaign: Campaign, *, actor, due_on: date | None = None) -> RecheckRound:
    """MIIT opens the campaign's re-check: one item for every factory holding an active award from an
    earlier year (its highest tier), listing the basic requirements of that tier in the campaign's
    framework. Side effects, in order: the round and its items; audit event
    ``supervision.recheck_open``; after the commit, a notification to each enterprise's users."""
    from smartfactory.notifications.services import enterprise_users, notify

    if not can_run_recheck(actor):
        raise NotPermitted()
    today = timezone.localdate()
    due_on = due_on or today + timedelta(days=policy().recheck_days)
    if due_on < today:
        raise InvalidInput(_("确认截止日期不能早于今天。"), field="due_on")
    if RecheckRound.objects.filter(campaign=campaign).exists():
        raise Conflict(_("%(c)s已发起基本要求年度复核。") % {"c": campaign.name})
    spec = framework_spec_for(campaign)
    round_ = RecheckRound.objects.create(campaign=campaign, opened_by=actor, opened_at=timezone.now(), due_on=due_on)
    awards = _highest_active_awards(campaign.year)
    items = [
        RecheckItem(round=round_, award=award,
                    requirements=[{"id": b.id, "name": b.name} for b in spec.requirements_for(award.tier)])
        for award in awards
    ]
    RecheckItem.objects.bulk_create(items, batch_size=1000)
    record_event("supervision.recheck_open", actor=actor, obj=round_,
                 after={"campaign": campaign.year, "due_on": due_on.isoformat(), "items": len(items)})
    enterprise_ids = {award.factory.enterprise_id for award in awards}
    title = _("请于%(d)s前完成智能工厂基本要求年度复核确认") % {"d": due_on.isoformat()}
    body = _("%(c)s基本要求年度复核已开始。请逐项确认贵企业已获认定的智能工厂是否仍符合各项基本要求；"
             "不再符合的，请如实说明情况。") % {"c": campaign.name}
    link = reverse("supervision_portal:home")

    def send() -> None:
        from smartfactory.organisations.models import Enterprise

        for enterprise in Enterprise.objects.filter(pk__in=enterprise_ids):
            notify(enterprise_users(enterprise), kind="supervision.recheck", title=title, body=body, link=link,
                   dedupe_key=f"recheck:{round_.pk}")

    transaction.on_commit(send)
    return round_


@transaction.atomic
def confirm_recheck_item(item: RecheckItem, *, actor, answers: dict, note: str = "") -> RecheckItem:
    """The enterprise's administrator confirms each basic requirement (yes/no) strictly before the
    end of the round's due date; any "no" makes the result ``not_ok`` and needs an explanation. On the
    engine (``recheck_item_workflow``). Side effects: audit event ``supervision.recheck_confirm``; on
    ``not_ok``, a notification to the certifying authority's users (it may open a case from the item)."""
    from . import recheck_item_workflow

    return recheck_item_workflow.confirm(item, actor=actor, answers=answers, note=note)


def close_recheck_round(round_: RecheckRound, *, actor) -> RecheckRound:
    """MIIT closes a round through ``recheck_workflow``; unconfirmed items stay as they are (shown as
    not confirmed). Side effect: audit event ``supervision.recheck_close`` with the counts. Anyone
    else is refused as not permitted whatever the round's state (the engine checks the state first)."""
    if not can_run_recheck(actor):
        raise NotPermitted()
    return recheck_workflow.transition(round_, recheck_workflow.Act.CLOSE, actor=actor)
