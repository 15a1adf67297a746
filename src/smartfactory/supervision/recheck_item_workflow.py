"""One factory's yearly re-check confirmation on the engine (``smartfactory.workflow``); its stage is
derived from its fields (``RecheckItem.stage``), so the machine has no target state:

    pending ──confirm──▶ confirmed        (an administrator of the factory's enterprise)

The round must be open and its due date not over (the end of that day, Beijing time); an item is
confirmed once; every basic requirement is answered yes or no, and a "no" needs an explanation (P74).
The audit event keeps its name, ``supervision.recheck_confirm``; an item that is no longer met is
reported to the certifying authority's users (who may open a case from it, P15)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.errors import Conflict, DeadlinePassed, InvalidInput, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.workflow import Machine, Notice, Transition, when_taken
from smartfactory.workflow import transition as run

from .enums import ItemResult, RoundState
from .models import RecheckItem
from .rules import can_confirm_recheck

PENDING, CONFIRMED = "pending", "confirmed"
STAGES = {PENDING: gettext_noop("待确认"), CONFIRMED: gettext_noop("已确认")}
YES_NO = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class Act:
    CONFIRM = "confirm"


LABELS = {Act.CONFIRM: gettext_noop("提交年度复核确认")}


@dataclass
class Ctx:
    item: RecheckItem
    actor: object
    answers: dict = field(default_factory=dict)
    note: str = ""
    clean: dict = field(default_factory=dict)


# ------------------------------------------------------------------ guards
@guard("P74")
def round_open(ctx: Ctx) -> None:
    if ctx.item.round.state != RoundState.OPEN:
        raise TransitionNotAllowed(_("本轮年度复核已结束。"))


@guard("P74")
def before_round_deadline(ctx: Ctx) -> None:
    if timezone.now() >= ctx.item.round.deadline:
        raise DeadlinePassed(_("年度复核确认已于%(d)s截止。") % {"d": ctx.item.round.due_on.isoformat()},
                             deadline=ctx.item.round.deadline.isoformat())


@guard("P74")
def confirmed_once(ctx: Ctx) -> None:
    if ctx.item.confirmed_at is not None:
        raise Conflict(_("已提交过本年度复核确认。"))


@guard("P74")
@when_taken
def every_requirement_answered(ctx: Ctx) -> None:
    clean: dict[str, bool] = {}
    for requirement in ctx.item.requirements:
        value = (ctx.answers or {}).get(requirement["id"])
        if isinstance(value, str):
            value = YES_NO.get(value.lower())
        if not isinstance(value, bool):
            raise InvalidInput(_("请确认“%(r)s”是否仍符合。") % {"r": requirement["name"]},
                               field=f"answers.{requirement['id']}")
        clean[requirement["id"]] = value
    unknown = set(ctx.answers or {}) - set(clean)
    if unknown:
        raise InvalidInput(_("未知的基本要求：%(r)s") % {"r": "、".join(sorted(unknown))}, field=f"answers.{sorted(unknown)[0]}")
    ctx.clean = clean


@guard("P74")
@when_taken
def unmet_explained(ctx: Ctx) -> None:
    if not all(ctx.clean.values()) and len((ctx.note or "").strip()) < 10:
        raise InvalidInput(_("有基本要求不再符合时，请说明具体情况（至少10个字）。"), field="note")


# ------------------------------------------------------------------ effect and notice
def _confirm(ctx: Ctx) -> None:
    item = ctx.item
    item.answers, item.note = ctx.clean, (ctx.note or "").strip()[:5000]
    item.result = ItemResult.OK if all(ctx.clean.values()) else ItemResult.NOT_OK
    item.confirmed_at, item.confirmed_by = timezone.now(), ctx.actor


def _on_confirm(ctx: Ctx) -> list[Notice]:
    from smartfactory.notifications.services import authority_users

    item = ctx.item
    if item.result != ItemResult.NOT_OK or not item.award.authority_id:
        return []
    factory = item.award.factory
    return [Notice(authority_users(item.award.authority), kind="supervision.recheck_not_ok",
                   title=_("%(e)s报告%(f)s不再符合基本要求") % {"e": factory.enterprise.name, "f": factory.name},
                   body="；".join(r["name"] for r in item.unmet()) + "\n" + item.note,
                   link=reverse("supervision_console:recheck", args=[item.round_id]), dedupe_key=f"recheck-item:{item.pk}")]


def _confirms(user, item: RecheckItem) -> bool:
    return can_confirm_recheck(user, item)


TABLE: dict[str, Transition] = {
    # from "confirmed" too, so that a second confirmation is refused as a conflict (409), as before
    Act.CONFIRM: Transition(frozenset({PENDING, CONFIRMED}), _confirms,
                            (confirmed_once, round_open, before_round_deadline, every_requirement_answered,
                             unmet_explained), _confirm, None, notify=_on_confirm),
}

MACHINE = Machine(
    name="recheck_item", model=RecheckItem, table=TABLE, state_field="stage",
    context=lambda item, actor, answers=None, note="": Ctx(item=item, actor=actor, answers=answers or {}, note=note or ""),
    lock=lambda item: RecheckItem.objects.select_for_update(of=("self",)).select_related(
        "round", "round__campaign", "award__factory__enterprise", "award__authority").get(pk=item.pk),
    audit=lambda item: {"stage": item.stage},
    after=lambda ctx, action: {"award": ctx.item.award_id, "result": ctx.item.result,
                               "unmet": [r["id"] for r in ctx.item.unmet()]},
    event_of=lambda action: "supervision.recheck_confirm",
    labels=lambda action: _(LABELS[action]), state_label=lambda stage: _(STAGES[stage]),
    refused=gettext_noop("年度复核确认当前为“%(s)s”，不能执行“%(a)s”。"),
    reason_of=lambda ctx: ctx.item.note,
)


def confirm(item: RecheckItem, *, actor, answers: dict, note: str = "") -> RecheckItem:
    """Take the confirmation through the engine: row lock; who (the enterprise's administrator, else
    NotPermitted); the guards above; the effect; save; the audit event; the authority's notice."""
    return run(MACHINE, item, Act.CONFIRM, actor=actor, answers=answers, note=note)
