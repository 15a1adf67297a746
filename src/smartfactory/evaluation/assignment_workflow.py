"""An expert's assignment on the engine (``smartfactory.workflow``); its stage is derived from its
fields (``Assignment.stage``), so the rows have no target state:

    open ──score──▶ scored                     (the assigned expert, before the due time)
      └──withdraw──▶ (deleted)                 (MIIT, with a reason, while unscored)

An assignment whose evaluation has left the expert review is ``closed``. Scoring is refused to a
conflicted expert (P21), after the due time (P22) and a second time (409); a withdrawal needs its
reason (P4) and tells the expert. The audit events keep their names and their object, the
evaluation: ``evaluation.scored`` and ``evaluation.unassigned``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.campaigns.services import format_deadline
from smartfactory.errors import Conflict, DeadlinePassed, InvalidInput, NotPermitted
from smartfactory.guards import guard
from smartfactory.organisations.rules import is_miit_staff
from smartfactory.workflow import Machine, Notice, Transition, when_taken
from smartfactory.workflow import transition as run

from .conflicts import conflict_reasons
from .models import Assignment
from .rules import rules_for
from .score_rules import check_divergence, weighted_total

OPEN, SCORED, CLOSED = "open", "scored", "closed"
STAGES = {OPEN: gettext_noop("待评分"), SCORED: gettext_noop("已评分"), CLOSED: gettext_noop("专家评审已结束")}


class Act:
    SCORE = "score"
    WITHDRAW = "withdraw"


LABELS = {Act.SCORE: gettext_noop("提交评分"), Act.WITHDRAW: gettext_noop("撤回分配")}
EVENTS = {Act.SCORE: "evaluation.scored", Act.WITHDRAW: "evaluation.unassigned"}


@dataclass
class Ctx:
    assignment: Assignment
    actor: object
    scores: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)
    reason: str = ""


# ------------------------------------------------------------------ who may
def the_expert(user, assignment: Assignment) -> bool:
    return user is not None and assignment.expert.user_id == user.pk


def ministry(user, assignment: Assignment) -> bool:
    return user is not None and is_miit_staff(user)


# ------------------------------------------------------------------ guards
@guard("P21")
def not_conflicted(ctx: Ctx) -> None:
    a = ctx.assignment
    if conflict_reasons(a.expert, a.evaluation, rules_for(a.evaluation.campaign)):
        raise NotPermitted()


@guard("P22")
def scored_once(ctx: Ctx) -> None:
    if ctx.assignment.submitted_at:
        raise Conflict(_("评分已提交，不能修改。"))


@guard("P22")
def scoring_open(ctx: Ctx) -> None:
    """An expert's scores are accepted strictly before the assignment's due time."""
    if timezone.now() >= ctx.assignment.due_at:
        raise DeadlinePassed(_("评分已于%(d)s截止。") % {"d": format_deadline(ctx.assignment.due_at)})


@guard("P4")
@when_taken
def withdrawal_reason(ctx: Ctx) -> None:
    if not ctx.reason.strip():
        raise InvalidInput(_("请填写理由。"), field="reason")


# ------------------------------------------------------------------ effects
def _score(ctx: Ctx) -> None:
    a, evaluation = ctx.assignment, ctx.assignment.evaluation
    a.total = weighted_total(evaluation.campaign, ctx.scores, evaluation.kind)
    a.scores = {k: float(v) for k, v in ctx.scores.items()}
    a.comments = {k: str(v)[:2000] for k, v in (ctx.comments or {}).items() if str(v).strip()}
    a.submitted_at = timezone.now()


def _then(ctx: Ctx, action: str) -> None:
    """A scored assignment may call for a third expert; a withdrawn one is deleted (after its event)."""
    if action == Act.SCORE:
        check_divergence(ctx.assignment.evaluation, ctx.actor)
    elif action == Act.WITHDRAW:
        ctx.assignment.delete()


def _on_withdraw(ctx: Ctx) -> list[Notice]:
    a = ctx.assignment
    return [Notice([a.expert.user], kind="evaluation.unassigned",
                   title=_("评审任务已撤回：%(f)s") % {"f": a.evaluation.application.factory.name},
                   body=_("理由：%(r)s。无需再评分。") % {"r": ctx.reason.strip()}, link="/console/expert/")]


TABLE: dict[str, Transition] = {
    # from "scored" too: a second submission is a conflict (409) with its own words
    Act.SCORE: Transition(frozenset({OPEN, SCORED}), the_expert, (not_conflicted, scored_once, scoring_open), _score,
                          None, offered=False),
    Act.WITHDRAW: Transition(frozenset({OPEN}), ministry, (withdrawal_reason,), None, None, notify=_on_withdraw,
                             offered=False),
}


def _after(ctx: Ctx, action: str) -> dict:
    a = ctx.assignment
    if action == Act.SCORE:
        return {"expert": a.expert.name, "total": str(a.total), "scores": a.scores}
    return {"expert": a.expert.name}


MACHINE = Machine(
    name="assignment", model=Assignment, table=TABLE, state_field="stage",
    context=lambda a, actor, scores=None, comments=None, reason="": Ctx(
        assignment=a, actor=actor, scores=scores or {}, comments=comments or {}, reason=reason or ""),
    lock=lambda a: Assignment.objects.select_for_update(of=("self",)).select_related(
        "expert", "expert__user", "evaluation__campaign", "evaluation__application__factory").get(pk=a.pk),
    audit=lambda a: {}, after=_after, then=_then, audit_obj=lambda ctx, action: ctx.assignment.evaluation,
    event_of=EVENTS.__getitem__, labels=lambda action: _(LABELS[action]), state_label=lambda stage: _(STAGES[stage]),
    refused=gettext_noop("评审任务当前为“%(s)s”，不能执行“%(a)s”。"),
    reason_of=lambda ctx: ctx.reason.strip(),
)


def take(assignment: Assignment, action: str, *, actor, **given) -> Assignment:
    return run(MACHINE, assignment, action, actor=actor, **given)


def withdraw(assignment: Assignment, *, actor, reason: str) -> None:
    """MIIT withdraws an unscored assignment with a reason; the expert is told (audit event
    evaluation.unassigned; the assignment is deleted)."""
    take(assignment, Act.WITHDRAW, actor=actor, reason=reason)
