"""The life of a 领航级 cultivation object on the engine (``smartfactory.workflow``); nothing else
writes ``CultivationObject.status``:

    cultivating ─accept──────▶ accepted        (its acceptance decided as accepted)
        │  ▲     ─not_accept──▶ not_accepted    (its acceptance decided as not accepted)
        │  └─extend (its acceptance deferred: the period runs to the new end, ≤ 2 years)
        ├─close_expired──▶ closed       (the scheduler, no actor: the period ended without acceptance)
        └─end────────────▶ terminated   (a supervision decision revoked the 卓越级 it stood on, P84)

No row is a button: accept, not_accept and extend are taken by the acceptance machine
(``acceptance.MACHINE.then``) in its transaction, close_expired by ``services.close_expired`` (the
daily job), end by ``supervision.consequences`` in the supervision decision's transaction. The
audit events keep their names (cultivation.accepted, .not_accepted, .extended, .closed,
.terminated); the enterprise is told when the period closes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.errors import NotEligible, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.organisations.enums import AwardStatus, Tier
from smartfactory.organisations.models import TierAward
from smartfactory.organisations.rules import is_miit_staff
from smartfactory.workflow import Machine, Notice, Transition
from smartfactory.workflow import transition as run

from .models import (
    ACCEPTANCE_IN_PROGRESS,
    AcceptanceApplication,
    AcceptanceState,
    CultivationObject,
    ProgressReport,
)
from .schedule import report_schedule

Status = CultivationObject.Status


class Act:
    ACCEPT = "accept"
    NOT_ACCEPT = "not_accept"
    EXTEND = "extend"
    CLOSE_EXPIRED = "close_expired"
    END = "end"


LABELS = {Act.ACCEPT: gettext_noop("通过验收"), Act.NOT_ACCEPT: gettext_noop("未通过验收"), Act.EXTEND: gettext_noop("延期验收"),
          Act.CLOSE_EXPIRED: gettext_noop("培育期届满关闭"), Act.END: gettext_noop("终止培育")}
EVENTS = {Act.ACCEPT: "cultivation.accepted", Act.NOT_ACCEPT: "cultivation.not_accepted",
          Act.EXTEND: "cultivation.extended", Act.CLOSE_EXPIRED: "cultivation.closed", Act.END: "cultivation.terminated"}
BY_ACCEPTANCE = (Act.ACCEPT, Act.NOT_ACCEPT, Act.EXTEND)


@dataclass
class Ctx:
    cultivation: CultivationObject
    actor: object
    reason: str = ""
    acceptance: AcceptanceApplication | None = None  # accept, not_accept, extend: the decided acceptance
    award: TierAward | None = None  # end: the revoked 卓越级
    today: date = field(default_factory=timezone.localdate)  # close_expired: the day the job runs for
    closing: str = ""  # the reason the object was closed with (written by the effect, audited as the reason)
    previous_end: date | None = None  # extend: the period's end before


# ------------------------------------------------------------------ who may
def is_the_period_end(user, cultivation: CultivationObject) -> bool:
    """Closing at the period's end is taken by no one (the scheduler)."""
    return user is None


# ------------------------------------------------------------------ guards
def decided_as(state: str):
    @guard("R20")
    def acceptance_decided(ctx: Ctx) -> None:
        """The object's status follows the six ministries' acceptance decision, never anything else."""
        a = ctx.acceptance
        if a is None or a.cultivation_id != ctx.cultivation.pk or a.state != state:
            raise TransitionNotAllowed(_("培育对象的验收申请尚未作出“%(s)s”的结论。") % {"s": AcceptanceState(state).label})
    return acceptance_decided


@guard("R20")
def period_ended(ctx: Ctx) -> None:
    if ctx.today <= ctx.cultivation.ends_on:
        raise NotEligible(_("培育期至%(d)s，尚未届满。") % {"d": ctx.cultivation.ends_on.isoformat()})


@guard("R20")
def no_acceptance_pending(ctx: Ctx) -> None:
    """An acceptance applied for in time keeps the object open until it is decided."""
    if ctx.cultivation.acceptances.filter(state__in=ACCEPTANCE_IN_PROGRESS).exists():
        raise NotEligible(_("验收申请已在培育期内提出，待验收结论作出后再办结。"))


@guard("P84")
def ground_lost(ctx: Ctx) -> None:
    """A 领航级 cultivation object stands on the factory's 卓越级 (R16): it ends only when the factory
    holds no active 卓越级 any more."""
    if TierAward.objects.filter(factory_id=ctx.cultivation.factory_id, tier=Tier.EXCELLENT,
                                status=AwardStatus.ACTIVE).exists():
        raise NotEligible(_("该工厂仍持有有效的卓越级智能工厂认定，领航级培育继续。"))


# ------------------------------------------------------------------ effects
def _not_accepted(ctx: Ctx) -> None:
    ctx.cultivation.closed_reason = ctx.closing = ctx.reason


def _extend(ctx: Ctx) -> None:
    """The period runs to the acceptance's new end: the last report is due then, with further
    half-yearly reports on the same schedule in between."""
    cultivation, ends_on = ctx.cultivation, ctx.acceptance.extended_to
    last = cultivation.reports.order_by("-sequence").first()
    sequence, after = (last.sequence, last.due_on) if last else (0, cultivation.published_on)
    ctx.previous_end, cultivation.ends_on = cultivation.ends_on, ends_on
    new = [due for due in report_schedule(cultivation.published_on, ends_on) if due > after]
    ProgressReport.objects.bulk_create([ProgressReport(cultivation=cultivation, sequence=sequence + n, due_on=due)
                                        for n, due in enumerate(new, start=1)])


def _close_expired(ctx: Ctx) -> None:
    cultivation = ctx.cultivation
    cultivation.closed_reason = ctx.closing = str(_("培育期%(d)s届满，未通过验收。") % {"d": cultivation.ends_on.isoformat()})


def _end(ctx: Ctx) -> None:
    award = ctx.award
    ground = _("该工厂的卓越级智能工厂认定已被撤销，领航级培育终止。")
    ctx.cultivation.closed_reason = ctx.closing = f"{ground}（{award.certificate_no}）{ctx.reason.strip()}"


# ------------------------------------------------------------------ notices
def _on_closed(ctx: Ctx) -> list[Notice]:
    from smartfactory.notifications.services import enterprise_users

    cultivation = ctx.cultivation
    return [Notice(enterprise_users(cultivation.factory.enterprise), kind="cultivation.closed", title=_("培育期已届满"),
                   body=cultivation.closed_reason, link=f"/cultivation/{cultivation.pk}/",
                   dedupe_key=f"closed:{cultivation.pk}")]


# ------------------------------------------------------------------ the table
T = Transition
CULTIVATING = frozenset({Status.CULTIVATING})
TABLE: dict[str, Transition] = {
    Act.ACCEPT: T(CULTIVATING, is_miit_staff, (decided_as(AcceptanceState.ACCEPTED),), None, Status.ACCEPTED,
                  offered=False),
    Act.NOT_ACCEPT: T(CULTIVATING, is_miit_staff, (decided_as(AcceptanceState.NOT_ACCEPTED),), _not_accepted,
                      Status.NOT_ACCEPTED, offered=False),
    Act.EXTEND: T(CULTIVATING, is_miit_staff, (decided_as(AcceptanceState.EXTENDED),), _extend, None, offered=False),
    Act.CLOSE_EXPIRED: T(CULTIVATING, is_the_period_end, (period_ended, no_acceptance_pending), _close_expired,
                         Status.CLOSED, notify=_on_closed, offered=False),
    Act.END: T(CULTIVATING, is_miit_staff, (ground_lost,), _end, Status.TERMINATED, offered=False),
}


def _context(cultivation: CultivationObject, actor, *, reason: str = "", acceptance=None, award=None,
             today: date | None = None) -> Ctx:
    return Ctx(cultivation=cultivation, actor=actor, reason=reason or "", acceptance=acceptance, award=award,
               today=today or timezone.localdate())


def _after(ctx: Ctx, action: str) -> dict:
    cultivation = ctx.cultivation
    if action in BY_ACCEPTANCE:
        extra = {"previous_ends_on": ctx.previous_end.isoformat()} if ctx.previous_end else {}
        return {"ends_on": cultivation.ends_on.isoformat(), "acceptance": str(ctx.acceptance.pk), **extra}
    if action == Act.END:
        return {"award": ctx.award.pk, "certificate_no": ctx.award.certificate_no}
    return {}


MACHINE = Machine(
    name="cultivation", model=CultivationObject, table=TABLE, state_field="status", context=_context,
    lock=lambda c: CultivationObject.objects.select_for_update(of=("self",)).select_related(
        "factory__enterprise").get(pk=c.pk),
    audit=lambda c: {"status": c.status}, after=_after, event_of=EVENTS.__getitem__,
    labels=lambda action: _(LABELS[action]), state_label=lambda state: str(Status(state).label),
    refused=gettext_noop("培育对象当前为“%(s)s”，不能执行“%(a)s”。"),
    reason_of=lambda ctx: ctx.closing or ctx.reason,
)


def transition(cultivation: CultivationObject, action: str, *, actor, reason: str = "",
               acceptance: AcceptanceApplication | None = None, award: TierAward | None = None,
               today: date | None = None) -> CultivationObject:
    """Take ``action`` on the object through the engine: row lock; state, who-may and guards; the
    effect (closing reason, extended period and reports); save; the audit event; the notices."""
    return run(MACHINE, cultivation, action, actor=actor, reason=reason, acceptance=acceptance, award=award,
               today=today)
