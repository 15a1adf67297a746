"""The 公示's life on the engine (``smartfactory.workflow``):

    open ──finalise──▶ final ──decide──▶ decided          (MIIT staff)

Finalising needs the whole period over (P10) and every objection handled (P24). Between the two
steps the six ministries concur (``notices.record_concurrence``, which leaves the state as it is).

The decision moves evaluations, applications and cultivation objects, which ``evaluation`` may not
import (the app order, checked by import-linter): its row, guards and effect are declared in
``smartfactory.decisions``, which extends this table into the whole machine (``decisions.MACHINE``).
Here are the rows the evaluation layer takes itself (``TABLE``, ``MACHINE``), the actions' labels
and the audit event names of both (publicity.finalised, publicity.decided)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.errors import NotEligible
from smartfactory.guards import guard
from smartfactory.organisations.rules import is_miit_staff
from smartfactory.workflow import Machine, Transition

from .models import Objection, Publicity


class Act:
    FINALISE = "finalise"
    DECIDE = "decide"  # the row is declared in smartfactory.decisions


LABELS = {Act.FINALISE: gettext_noop("公示结束，定稿"), Act.DECIDE: gettext_noop("六部门审定并公布")}
EVENTS = {Act.FINALISE: "publicity.finalised", Act.DECIDE: "publicity.decided"}


@dataclass
class Ctx:
    publicity: Publicity
    actor: object
    now: datetime = field(default_factory=timezone.now)
    decision_number: str = ""
    proposed: list = field(default_factory=list)  # decide: the evaluations still on the list


def context(publicity: Publicity, actor, *, now: datetime | None = None, decision_number: str = "") -> Ctx:
    return Ctx(publicity=publicity, actor=actor, now=now or timezone.now(), decision_number=decision_number or "")


# ------------------------------------------------------------------ guards
@guard("P10")
def publicity_period_over(ctx: Ctx) -> None:
    if ctx.now < ctx.publicity.ends_at:
        raise NotEligible(_("公示期至%(d)s结束，结束后方可定稿。") % {
            "d": timezone.localtime(ctx.publicity.ends_at).strftime("%Y-%m-%d %H:%M")})


@guard("P24")
def objections_handled(ctx: Ctx) -> None:
    open_count = ctx.publicity.objections.filter(status=Objection.Status.OPEN).count()
    if open_count:
        raise NotEligible(_("尚有%(n)d件异议未处理，处理后方可定稿。") % {"n": open_count})


# ------------------------------------------------------------------ effects
def _finalise(ctx: Ctx) -> None:
    ctx.publicity.finalised_at = ctx.now


S = Publicity.Status
TABLE: dict[str, Transition] = {
    Act.FINALISE: Transition(frozenset({S.OPEN}), is_miit_staff, (publicity_period_over, objections_handled),
                             _finalise, S.FINAL),
}

MACHINE = Machine(
    name="publicity", model=Publicity, table=TABLE, state_field="status", context=context,
    lock=lambda p: Publicity.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=p.pk),
    audit=lambda p: {"status": p.status}, event_of=EVENTS.__getitem__,
    labels=lambda action: _(LABELS[action]), state_label=lambda state: str(S(state).label),
    refused=gettext_noop("公示当前为“%(s)s”，不能执行“%(a)s”。"),
)
