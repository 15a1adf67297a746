"""The national evaluation workflow: a declarative table and the one function that moves an
evaluation. Pages, API and commands call ``transition``; nothing else writes ``Evaluation.state``.

awaiting_check ─formal_pass→ expert_review ─to_site_visit→ site_visit ─propose→ proposed ─approve→ approved
      │ formal_fail                 │ reject                  │ reject             │ withdraw (objection upheld)
      ▼                             ▼                         ▼                    ▼
   returned ─resubmit→ awaiting_check          not_approved ◀──────────────────────┘

The acceptance of a 领航级 cultivation object (kind ``acceptance``) takes the same steps; in place of
a decision the ministry may also defer it (extend the period within the 2-year bound) → deferred.
Closing an acceptance evaluation (not approved, deferred, approved) also moves its acceptance
application, through ``cultivation.acceptance.transition`` (registered in ``hooks``; the approval by
``smartfactory.decisions``), in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.errors import InvalidInput, NotEligible, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.organisations.rules import is_miit_staff, is_reviewer_at
from smartfactory.recommendations.queries import recommender_authority
from smartfactory.workflow import (
    Available,
    Machine,
    Notice,
    Transition,
    available_actions,
    offered,
    when_taken,
)
from smartfactory.workflow import transition as run

from . import hooks
from .formal_checks import checks_for
from .models import Assignment, Evaluation
from .models import EvaluationState as S
from .rules import rules_for


class Act:
    FORMAL_PASS = "formal_pass"  # noqa: S105 (an action name)
    FORMAL_FAIL = "formal_fail"
    RESUBMIT = "resubmit"
    TO_SITE_VISIT = "to_site_visit"
    PROPOSE = "propose"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REJECT = "reject"
    DEFER = "defer"


LABELS = {
    Act.FORMAL_PASS: _("形式审查通过"), Act.FORMAL_FAIL: _("形式审查不通过，退回推荐单位"),
    Act.RESUBMIT: _("推荐单位补正后重新报送"), Act.TO_SITE_VISIT: _("转入现场核查"), Act.PROPOSE: _("列入拟入选名单公示"),
    Act.WITHDRAW: _("异议成立，移出拟入选名单"), Act.APPROVE: _("六部门审定通过"), Act.REJECT: _("评审不通过"),
    Act.DEFER: _("延期验收"),
}


@dataclass
class Ctx:
    evaluation: Evaluation
    actor: object
    reason: str = ""
    extra: dict = field(default_factory=dict)


# ------------------------------------------------------------------ who may
def ministry(user, evaluation: Evaluation) -> bool:
    return is_miit_staff(user)


def recommender(user, evaluation: Evaluation) -> bool:
    quota = evaluation.application.quota
    return quota is not None and is_reviewer_at(user, recommender_authority(quota))


# ------------------------------------------------------------------ guards
@guard("P4")
@when_taken
def reason_required(ctx: Ctx) -> None:
    if not ctx.reason.strip():
        raise InvalidInput(_("请填写理由。"), field="reason")


@guard("P8")
@when_taken
def override_needs_reason(ctx: Ctx) -> None:
    """Passing an application whose automatic checks failed needs the reason on record."""
    failed = [c for c in ctx.evaluation.auto_checks if not c.get("ok")]
    if failed and not ctx.reason.strip():
        raise InvalidInput(_("自动检查未通过（%(c)s），如仍判定通过请写明理由。") % {"c": "；".join(c["label"] for c in failed)},
                           field="reason")


@guard("P9")
def scoring_complete(ctx: Ctx) -> None:
    rules = rules_for(ctx.evaluation.campaign)
    assignments = list(ctx.evaluation.assignments.all())
    panel = [a for a in assignments if a.role == Assignment.Role.PANEL and a.submitted_at]
    pending = [a for a in assignments if a.submitted_at is None]
    if len(panel) < rules.experts_per_application or pending:
        raise NotEligible(_("专家评分尚未完成（已完成%(d)d份，需%(n)d份，待评%(p)d份）。") % {
            "d": len(panel), "n": rules.experts_per_application, "p": len(pending)})


@guard("R19")
def site_visit_passed(ctx: Ctx) -> None:
    visit = getattr(ctx.evaluation, "site_visit", None)
    if visit is None or visit.outcome != "pass":
        raise NotEligible(_("现场核查尚未通过，不能列入拟入选名单。"))


@guard("R20")
def acceptance_only(ctx: Ctx) -> None:
    if ctx.evaluation.kind != "acceptance":
        raise TransitionNotAllowed(_("只有领航级验收可以延期。"))


@guard("P10")
def publicity_attached(ctx: Ctx) -> None:
    if ctx.evaluation.publicity_id is None:
        raise TransitionNotAllowed(_("须通过公示列入拟入选名单。"))


# ------------------------------------------------------------------ effects
def _formal(verdict: str):
    def effect(ctx: Ctx) -> None:
        e = ctx.evaluation
        e.formal_verdict, e.formal_reasons = verdict, ctx.reason
        e.checked_by, e.checked_at = ctx.actor, timezone.now()
        e.state = S.EXPERT_REVIEW if verdict == "pass" else S.RETURNED
    return effect


def _resubmit(ctx: Ctx) -> None:
    ctx.evaluation.auto_checks = checks_for(ctx.evaluation)
    ctx.evaluation.formal_verdict = ""


def _outcome(ctx: Ctx) -> None:
    ctx.evaluation.outcome_reason = ctx.reason


def _recommender_users(evaluation: Evaluation) -> list:
    from smartfactory.notifications.services import authority_users

    authority = recommender_authority(evaluation.application.quota) if evaluation.application.quota_id else None
    return authority_users(authority) if authority is not None else []


def _enterprise_users(evaluation: Evaluation) -> list:
    from smartfactory.notifications.services import enterprise_users

    return enterprise_users(evaluation.application.factory.enterprise)


def _on_formal_fail(ctx: Ctx) -> list[Notice]:
    e = ctx.evaluation
    return [
        Notice(_recommender_users(e), kind="evaluation.returned",
               title=_("形式审查退回：%(f)s") % {"f": e.application.factory.name}, body=ctx.reason,
               link=f"/console/evaluation/{e.pk}/"),
        Notice(_enterprise_users(e), kind="evaluation.returned",
               title=_("国家评审形式审查退回推荐单位：%(f)s") % {"f": e.application.factory.name},
               body=_("理由：%(r)s。请配合推荐单位补正材料。") % {"r": ctx.reason},
               link=f"/portal/applications/{e.application_id}/"),
    ]


def _on_resubmit(ctx: Ctx) -> list[Notice]:
    from smartfactory.notifications.services import authority_users
    from smartfactory.organisations.enums import AuthorityKind
    from smartfactory.organisations.models import Authority

    e = ctx.evaluation
    miit = Authority.objects.filter(kind=AuthorityKind.MINISTRY, is_lead=True).first()
    return [Notice(authority_users(miit) if miit else [], kind="evaluation.resubmitted",
                   title=_("推荐单位已补正后重新报送：%(f)s") % {"f": e.application.factory.name},
                   body=_("请重新进行形式审查。"), link=f"/console/evaluation/{e.pk}/")]


def _on_reject(ctx: Ctx) -> list[Notice]:
    e = ctx.evaluation
    title = _("国家评审未通过：%(f)s") % {"f": e.application.factory.name}
    return [Notice(_enterprise_users(e), kind="evaluation.rejected", title=title, body=_("理由：%(r)s") % {"r": ctx.reason},
                   link=f"/portal/applications/{e.application_id}/"),
            Notice(_recommender_users(e), kind="evaluation.rejected", title=title, body=ctx.reason,
                   link=f"/console/evaluation/{e.pk}/")]


def _on_site_visit(ctx: Ctx) -> list[Notice]:
    e = ctx.evaluation
    return [Notice(_enterprise_users(e), kind="evaluation.to_site_visit",
                   title=_("已转入现场核查：%(f)s") % {"f": e.application.factory.name},
                   body=_("工业和信息化部将另行通知核查日期，请做好准备。"), link=f"/portal/applications/{e.application_id}/")]


T = Transition
TABLE: dict[str, Transition] = {
    Act.FORMAL_PASS: T(frozenset({S.AWAITING_CHECK}), ministry, (override_needs_reason,), _formal("pass")),
    Act.FORMAL_FAIL: T(frozenset({S.AWAITING_CHECK}), ministry, (reason_required,), _formal("fail"),
                       notify=_on_formal_fail),
    Act.RESUBMIT: T(frozenset({S.RETURNED}), recommender, (), _resubmit, S.AWAITING_CHECK, notify=_on_resubmit),
    Act.TO_SITE_VISIT: T(frozenset({S.EXPERT_REVIEW}), ministry, (scoring_complete,), None, S.SITE_VISIT,
                         notify=_on_site_visit),
    # 公示, decision and acceptance: taken from their own pages (the publicity's and the acceptance's)
    Act.PROPOSE: T(frozenset({S.SITE_VISIT}), ministry, (site_visit_passed, publicity_attached), None, S.PROPOSED,
                   offered=False),
    Act.WITHDRAW: T(frozenset({S.PROPOSED}), ministry, (reason_required,), _outcome, S.NOT_APPROVED, offered=False),
    Act.APPROVE: T(frozenset({S.PROPOSED}), ministry, (publicity_attached,), None, S.APPROVED, offered=False),
    Act.REJECT: T(frozenset({S.AWAITING_CHECK, S.EXPERT_REVIEW, S.SITE_VISIT}), ministry, (reason_required,),
                  _outcome, S.NOT_APPROVED, notify=_on_reject),
    Act.DEFER: T(frozenset({S.AWAITING_CHECK, S.EXPERT_REVIEW, S.SITE_VISIT}), ministry, (acceptance_only, reason_required),
                 _outcome, S.DEFERRED, offered=False),
}


def _then(ctx: Ctx, action: str) -> None:
    """Closing an acceptance evaluation (not approved, deferred) moves its acceptance application in
    the same transaction (``ctx.extra`` carries what it needs, e.g. ``ends_on`` of a deferral)."""
    evaluation = ctx.evaluation
    if evaluation.kind == "acceptance" and evaluation.state in (S.NOT_APPROVED, S.DEFERRED):
        hooks.acceptance_concluded(evaluation, actor=ctx.actor, reason=ctx.reason, **ctx.extra)


MACHINE = Machine(
    name="evaluation", model=Evaluation, table=TABLE,
    context=lambda evaluation, actor, reason="", **extra: Ctx(evaluation=evaluation, actor=actor, reason=reason or "",
                                                              extra=extra),
    lock=lambda e: Evaluation.objects.select_for_update(of=("self",)).select_related(
        "application", "application__factory", "application__factory__enterprise", "campaign").get(pk=e.pk),
    after=lambda ctx, action: {"application": str(ctx.evaluation.application_id)},
    then=_then, labels=lambda action: str(LABELS[action]), state_label=lambda state: str(S(state).label),
    refused=gettext_noop("当前为“%(s)s”，不能执行“%(a)s”。"),
)


def available(evaluation: Evaluation, user) -> list[Available]:
    return available_actions(MACHINE, evaluation, user)


def allowed(evaluation: Evaluation, user) -> list[str]:
    """The actions offered on the evaluation page (enabled or not); the 公示, decision and acceptance
    steps have their own pages."""
    return offered(MACHINE, evaluation, user)


def transition(evaluation: Evaluation, action: str, *, actor, reason: str = "", **extra) -> Evaluation:
    """Take ``action`` through the engine: row lock; who-may and guards; the effect; save; audit event
    ``evaluation.<action>`` with before/after; for an acceptance evaluation that ends not approved or
    deferred, the acceptance application's matching transition — all in one transaction; then the
    notices of the row."""
    return run(MACHINE, evaluation, action, actor=actor, reason=reason, **extra)
