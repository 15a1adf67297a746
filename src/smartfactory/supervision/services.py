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
from smartfactory.errors import Conflict, DeadlinePassed, InvalidInput, NotPermitted, TransitionNotAllowed
from smartfactory.organisations.enums import TIER_ORDER, AwardStatus, Tier
from smartfactory.organisations.models import TierAward

from . import recheck_workflow
from .enums import ItemResult, RoundState
from .models import RecheckItem, RecheckRound
from .policy import policy
from .rules import can_confirm_recheck, can_run_recheck


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
    end of the round's due date; any "no" makes the result ``not_ok`` and needs an explanation.
    Side effects: audit event ``supervision.recheck_confirm``; on ``not_ok``, after the commit, a
    notification to the certifying authority's users (it may open a case from the item)."""
    from smartfactory.notifications.services import authority_users, notify

    item = RecheckItem.objects.select_for_update(of=("self",)).select_related(
        "round", "round__campaign", "award__factory__enterprise", "award__authority").get(pk=item.pk)
    if not can_confirm_recheck(actor, item):
        raise NotPermitted()
    if item.round.state != RoundState.OPEN:
        raise TransitionNotAllowed(_("本轮年度复核已结束。"))
    if timezone.now() >= item.round.deadline:
        raise DeadlinePassed(_("年度复核确认已于%(d)s截止。") % {"d": item.round.due_on.isoformat()},
                             deadline=item.round.deadline.isoformat())
    if item.confirmed_at is not None:
        raise Conflict(_("已提交过本年度复核确认。"))
    clean: dict[str, bool] = {}
    for requirement in item.requirements:
        value = (answers or {}).get(requirement["id"])
        if isinstance(value, str):
            value = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(value.lower())
        if not isinstance(value, bool):
            raise InvalidInput(_("请确认“%(r)s”是否仍符合。") % {"r": requirement["name"]},
                               field=f"answers.{requirement['id']}")
        clean[requirement["id"]] = value
    unknown = set(answers or {}) - set(clean)
    if unknown:
        raise InvalidInput(_("未知的基本要求：%(r)s") % {"r": "、".join(sorted(unknown))}, field=f"answers.{sorted(unknown)[0]}")
    result = ItemResult.OK if all(clean.values()) else ItemResult.NOT_OK
    note = (note or "").strip()
    if result == ItemResult.NOT_OK and len(note) < 10:
        raise InvalidInput(_("有基本要求不再符合时，请说明具体情况（至少10个字）。"), field="note")
    item.answers, item.result, item.note = clean, result, note[:5000]
    item.confirmed_at, item.confirmed_by = timezone.now(), actor
    item.save(update_fields=["answers", "result", "note", "confirmed_at", "confirmed_by"])
    record_event("supervision.recheck_confirm", actor=actor, obj=item,
                 after={"award": item.award_id, "result": result, "unmet": [r["id"] for r in item.unmet()]},
                 reason=item.note)
    if result == ItemResult.NOT_OK and item.award.authority_id:
        authority = item.award.authority
        title = _("%(e)s报告%(f)s不再符合基本要求") % {"e": item.award.factory.enterprise.name, "f": item.award.factory.name}
        body = "；".join(r["name"] for r in item.unmet()) + "\n" + item.note
        link, dedupe = reverse("supervision_console:recheck", args=[item.round_id]), f"recheck-item:{item.pk}"
        transaction.on_commit(lambda: notify(authority_users(authority), kind="supervision.recheck_not_ok", title=title,
                                             body=body, link=link, dedupe_key=dedupe))
    return item


def close_recheck_round(round_: RecheckRound, *, actor) -> RecheckRound:
    """MIIT closes a round through ``recheck_workflow``; unconfirmed items stay as they are (shown as
    not confirmed). Side effect: audit event ``supervision.recheck_close`` with the counts. Anyone
    else is refused as not permitted whatever the round's state (the engine checks the state first)."""
    if not can_run_recheck(actor):
        raise NotPermitted()
    return recheck_workflow.transition(round_, recheck_workflow.Act.CLOSE, actor=actor)
