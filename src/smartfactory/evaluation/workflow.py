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

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.errors import InvalidInput, NotEligible, NotPermitted, TransitionNotAllowed
from smartfactory.guards import guard
from smartfactory.organisations.rules import is_miit_staff, is_reviewer_at
from smartfactory.recommendations.queries import recommender_authority

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


# ------------------------------------------------------------------ who may
def ministry(user, evaluation: Evaluation) -> bool:
    return is_miit_staff(user)


def recommender(user, evaluation: Evaluation) -> bool:
    quota = evaluation.application.quota
    return quota is not None and is_reviewer_at(user, recommender_authority(quota))


# ------------------------------------------------------------------ guards
@guard("P4")
def reason_required(ctx: Ctx) -> None:
    if not ctx.reason.strip():
        raise InvalidInput(_("请填写理由。"), field="reason")


@guard("P8")
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
        if verdict == "fail":
            _notify_recommender(e, ctx.reason)
    return effect


def _resubmit(ctx: Ctx) -> None:
    ctx.evaluation.auto_checks = checks_for(ctx.evaluation)
    ctx.evaluation.formal_verdict = ""
    ctx.evaluation.state = S.AWAITING_CHECK


def _to(state: str):
    def effect(ctx: Ctx) -> None:
        ctx.evaluation.state = state
        if state in (S.NOT_APPROVED, S.DEFERRED):
            ctx.evaluation.outcome_reason = ctx.reason
    return effect


def _notify_recommender(evaluation: Evaluation, reason: str) -> None:
    from smartfactory.notifications.services import authority_users, notify

    authority = recommender_authority(evaluation.application.quota) if evaluation.application.quota_id else None
    if authority is not None:
        notify(authority_users(authority), kind="evaluation.returned",
               title=_("形式审查退回：%(f)s") % {"f": evaluation.application.factory.name}, body=reason,
               link=f"/console/evaluation/{evaluation.pk}/")


@dataclass(frozen=True)
class Rule:
    sources: frozenset
    who: Callable
    guards: tuple
    effect: Callable


TABLE: dict[str, Rule] = {
    Act.FORMAL_PASS: Rule(frozenset({S.AWAITING_CHECK}), ministry, (override_needs_reason,), _formal("pass")),
    Act.FORMAL_FAIL: Rule(frozenset({S.AWAITING_CHECK}), ministry, (reason_required,), _formal("fail")),
    Act.RESUBMIT: Rule(frozenset({S.RETURNED}), recommender, (), _resubmit),
    Act.TO_SITE_VISIT: Rule(frozenset({S.EXPERT_REVIEW}), ministry, (scoring_complete,), _to(S.SITE_VISIT)),
    Act.PROPOSE: Rule(frozenset({S.SITE_VISIT}), ministry, (site_visit_passed, publicity_attached), _to(S.PROPOSED)),
    Act.WITHDRAW: Rule(frozenset({S.PROPOSED}), ministry, (reason_required,), _to(S.NOT_APPROVED)),
    Act.APPROVE: Rule(frozenset({S.PROPOSED}), ministry, (publicity_attached,), _to(S.APPROVED)),
    Act.REJECT: Rule(frozenset({S.AWAITING_CHECK, S.EXPERT_REVIEW, S.SITE_VISIT}), ministry, (reason_required,),
                     _to(S.NOT_APPROVED)),
    Act.DEFER: Rule(frozenset({S.AWAITING_CHECK, S.EXPERT_REVIEW, S.SITE_VISIT}), ministry, (acceptance_only, reason_required),
                    _to(S.DEFERRED)),
}


def allowed(evaluation: Evaluation, user) -> list[str]:
    return [a for a, r in TABLE.items() if evaluation.state in r.sources and r.who(user, evaluation)
            and a not in (Act.PROPOSE, Act.APPROVE, Act.WITHDRAW, Act.DEFER)]  # 公示, decision and acceptance pages


def transition(evaluation: Evaluation, action: str, *, actor, reason: str = "", **extra) -> Evaluation:
    """Take ``action``. Side effects: row lock; who-may and guards; the effect; save; audit event
    ``evaluation.<action>`` with before/after; for an acceptance evaluation that ends not approved or
    deferred, the acceptance application's matching transition (``extra`` carries what it needs,
    e.g. ``ends_on`` of a deferral) — all in one transaction."""
    rule = TABLE.get(action)
    if rule is None:
        raise InvalidInput(_("未知的操作：%(a)s") % {"a": action}, field="action")
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update(of=("self",)).select_related(
            "application", "application__factory", "application__factory__enterprise", "campaign").get(pk=evaluation.pk)
        if evaluation.state not in rule.sources:
            raise TransitionNotAllowed(_("当前为“%(s)s”，不能执行“%(a)s”。") % {
                "s": S(evaluation.state).label, "a": LABELS[action]})
        if not rule.who(actor, evaluation):
            raise NotPermitted()
        ctx = Ctx(evaluation=evaluation, actor=actor, reason=reason or "")
        for guard in rule.guards:
            guard(ctx)
        before = evaluation.state
        rule.effect(ctx)
        evaluation.save()
        record_event(f"evaluation.{action}", actor=actor, obj=evaluation, before={"state": before},
                     after={"state": evaluation.state, "application": str(evaluation.application_id)}, reason=ctx.reason)
        if evaluation.kind == "acceptance" and evaluation.state in (S.NOT_APPROVED, S.DEFERRED):
            hooks.acceptance_concluded(evaluation, actor=actor, reason=ctx.reason, **extra)
    return evaluation
