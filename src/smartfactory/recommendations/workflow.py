"""The recommendation batch's life on the engine (``smartfactory.workflow``):

    open ──finalise──▶ finalised ──submit──▶ submitted          (the recommender's leader)
      ▲                    │       └─auto_submit (at the online-review deadline, no actor)
      └──────reopen────────┴──────────────┘                     (the ministry, with a reason)

Finalising needs recommendations, the online-review deadline not passed (R13) and every
co-department's concurrence with the current order (R3/P18); submitting needs the stamped scans
(R13/P18) and opens an evaluation per application at MIIT. The audit events keep their names
(recommendation.finalised, .submitted, .reopened)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.campaigns.enums import Stage
from smartfactory.campaigns.services import ensure_before_deadline
from smartfactory.errors import InvalidInput, NotEligible
from smartfactory.guards import guard
from smartfactory.notifications.services import authority_users
from smartfactory.organisations.enums import AuthorityKind, Tier
from smartfactory.organisations.models import Authority
from smartfactory.organisations.rules import is_leader_at, is_ministry_staff_or_platform_admin
from smartfactory.workflow import Machine, Notice, Transition, when_taken
from smartfactory.workflow import transition as run

from .concurrence import concurrences_for, ensure_batch_concurrence
from .models import Batch, StampedScan
from .queries import recommended, recommender_authority
from .signals import batch_submitted


class Act:
    FINALISE = "finalise"
    SUBMIT = "submit"
    AUTO_SUBMIT = "auto_submit"
    REOPEN = "reopen"


LABELS = {Act.FINALISE: gettext_noop("定稿"), Act.SUBMIT: gettext_noop("报送工业和信息化部"),
          Act.AUTO_SUBMIT: gettext_noop("截止时自动报送"), Act.REOPEN: gettext_noop("退回推荐单位重新排序")}
EVENTS = {Act.FINALISE: "recommendation.finalised", Act.SUBMIT: "recommendation.submitted",
          Act.AUTO_SUBMIT: "recommendation.submitted", Act.REOPEN: "recommendation.reopened"}


@dataclass
class Ctx:
    batch: Batch
    actor: object
    reason: str = ""


# ------------------------------------------------------------------ who may
def is_recommender_leader(user, batch: Batch) -> bool:
    return user is not None and is_leader_at(user, recommender_authority(batch.quota))


def is_ministry(user, batch: Batch) -> bool:
    return user is not None and is_ministry_staff_or_platform_admin(user)


def is_the_deadline(user, batch: Batch) -> bool:
    """The automatic submission at the deadline is taken by no one (the scheduler)."""
    return user is None


# ------------------------------------------------------------------ guards
@guard("R13")
def online_review_open(ctx: Ctx, now=None) -> None:
    ensure_before_deadline(ctx.batch.quota.campaign, Stage.RECOMMENDER_ONLINE_REVIEW, tier=ctx.batch.quota.tier,
                           authority=recommender_authority(ctx.batch.quota), now=now)


@guard("P18")
def has_recommendations(ctx: Ctx) -> None:
    if not recommended(ctx.batch.quota).exists():
        raise NotEligible(_("尚无已推荐的申报，不能定稿。"))


@guard("R3", "P18")
def co_departments_concurred(ctx: Ctx) -> None:
    ctx.batch.concurrence = ensure_batch_concurrence(ctx.batch)


@guard("R13", "P18")
def scans_uploaded(ctx: Ctx) -> None:
    kinds = set(ctx.batch.scans.values_list("kind", flat=True))
    if {StampedScan.Kind.SUMMARY_TABLE, StampedScan.Kind.LETTER} - kinds:
        raise NotEligible(_("报送前须上传盖章的推荐汇总表和推荐函扫描件。"))


@guard("P4")
@when_taken
def reason_required(ctx: Ctx) -> None:
    if not ctx.reason.strip():
        raise InvalidInput(_("请说明理由。"), field="reason")


# ------------------------------------------------------------------ effects
def _finalise(ctx: Ctx) -> None:
    ctx.batch.finalised_by, ctx.batch.finalised_at = ctx.actor, timezone.now()


def _submit(ctx: Ctx) -> None:
    ctx.batch.submitted_at = timezone.now()


def _reopen(ctx: Ctx) -> None:
    ctx.batch.submitted_at = None


def _then(ctx: Ctx, action: str) -> None:
    if action in (Act.SUBMIT, Act.AUTO_SUBMIT):  # each application now waits for MIIT's formal check
        batch_submitted.send(sender=Batch, batch=ctx.batch, actor=ctx.actor)


def _after(ctx: Ctx, action: str) -> dict:
    batch = ctx.batch
    if action == Act.FINALISE:
        return {"applications": [str(a.id) for a in recommended(batch.quota)], "concurrence": batch.concurrence,
                "letters": {str(c.authority_id): c.letter_number for c in concurrences_for(batch) if c.letter_number}}
    if action in (Act.SUBMIT, Act.AUTO_SUBMIT):
        return {"to": "工业和信息化部" + ("、国务院国资委" if batch.quota.recommender == "central_soe" else ""),
                "automatic": action == Act.AUTO_SUBMIT}
    return {}


# ------------------------------------------------------------------ notices
def _subject(batch: Batch) -> str:
    return _("%(y)s年度%(t)s推荐批次（%(n)s）") % {"y": batch.quota.campaign.year, "t": Tier(batch.quota.tier).label,
                                              "n": batch.quota.name}


def _on_submit(ctx: Ctx) -> list[Notice]:
    miit = Authority.objects.filter(kind=AuthorityKind.MINISTRY, is_lead=True).first()
    return [Notice(authority_users(miit) if miit else [], kind="recommendation.submitted",
                   title=_("已报送：%(s)s") % {"s": _subject(ctx.batch)}, body=_("请进行形式审查。"),
                   link="/console/evaluation/")]


def _on_reopen(ctx: Ctx) -> list[Notice]:
    authority = recommender_authority(ctx.batch.quota)
    return [Notice(authority_users(authority) if authority else [], kind="recommendation.reopened",
                   title=_("推荐批次已退回重新排序：%(s)s") % {"s": _subject(ctx.batch)},
                   body=_("理由：%(r)s") % {"r": ctx.reason}, link=f"/console/recommendations/{ctx.batch.quota_id}/")]


T = Transition
S = Batch.Status
TABLE: dict[str, Transition] = {
    Act.FINALISE: T(frozenset({S.OPEN}), is_recommender_leader,
                    (online_review_open, has_recommendations, co_departments_concurred), _finalise, S.FINALISED),
    Act.SUBMIT: T(frozenset({S.FINALISED}), is_recommender_leader, (online_review_open, scans_uploaded), _submit,
                  S.SUBMITTED, notify=_on_submit),
    Act.AUTO_SUBMIT: T(frozenset({S.FINALISED}), is_the_deadline, (scans_uploaded,), _submit, S.SUBMITTED,
                       notify=_on_submit, offered=False),
    Act.REOPEN: T(frozenset({S.FINALISED, S.SUBMITTED}), is_ministry, (reason_required,), _reopen, S.OPEN,
                  notify=_on_reopen),
}

MACHINE = Machine(
    name="recommendation", model=Batch, table=TABLE, state_field="status",
    context=lambda batch, actor, reason="": Ctx(batch=batch, actor=actor, reason=reason or ""),
    lock=lambda batch: Batch.objects.select_for_update().select_related("quota", "quota__campaign").get(pk=batch.pk),
    audit=lambda batch: {"status": batch.status}, after=_after, then=_then, event_of=EVENTS.__getitem__,
    labels=lambda action: _(LABELS[action]), state_label=lambda state: str(Batch.Status(state).label),
    refused=gettext_noop("推荐批次当前为“%(s)s”，不能执行“%(a)s”。"),
)


def transition(batch: Batch, action: str, *, actor, reason: str = "") -> Batch:
    """Take ``action`` on the batch through the engine: row lock; state, who-may and guards; the
    effect; save; the audit event; on submission an evaluation per application; the notices."""
    return run(MACHINE, batch, action, actor=actor, reason=reason)
