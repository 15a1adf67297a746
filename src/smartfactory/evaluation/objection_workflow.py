"""An objection to a 公示 on the engine (``smartfactory.workflow``):

    open ──uphold──▶ upheld          (MIIT staff, with the handling on record)
      └───dismiss──▶ dismissed

An upheld objection takes its application off the list: the evaluation, while still proposed, is
withdrawn (``evaluation.workflow``, ``withdraw``) in the same transaction. Both actions keep the
audit event name publicity.objection_handled. Objections are submitted by anyone during the period
(``notices.submit_objection``), not by a transition."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartfactory.errors import InvalidInput
from smartfactory.guards import guard
from smartfactory.organisations.rules import is_miit_staff
from smartfactory.workflow import Available, Machine, Transition, available_actions, when_taken
from smartfactory.workflow import transition as run

from . import workflow as evaluation_workflow
from .models import EvaluationState, Objection


class Act:
    UPHOLD = "uphold"
    DISMISS = "dismiss"


LABELS = {Act.UPHOLD: gettext_noop("异议成立（移出名单）"), Act.DISMISS: gettext_noop("异议不成立")}
EVENT = "publicity.objection_handled"


@dataclass
class Ctx:
    objection: Objection
    actor: object
    handling: str = ""


# ------------------------------------------------------------------ guards
@guard("P4")
@when_taken
def handling_given(ctx: Ctx) -> None:
    if not ctx.handling.strip():
        raise InvalidInput(_("请填写处理情况。"), field="handling")


# ------------------------------------------------------------------ effects
def _handle(ctx: Ctx) -> None:
    o = ctx.objection
    o.handling, o.handled_by, o.handled_at = ctx.handling.strip(), ctx.actor, timezone.now()


def _then(ctx: Ctx, action: str) -> None:
    """Upheld: the application leaves the list (its evaluation withdrawn while still proposed)."""
    evaluation = ctx.objection.evaluation
    if action == Act.UPHOLD and evaluation.state == EvaluationState.PROPOSED:
        evaluation_workflow.transition(evaluation, evaluation_workflow.Act.WITHDRAW, actor=ctx.actor,
                                       reason=str(_("公示异议成立：")) + ctx.handling.strip())


S = Objection.Status
TABLE: dict[str, Transition] = {
    Act.DISMISS: Transition(frozenset({S.OPEN}), is_miit_staff, (handling_given,), _handle, S.DISMISSED),
    Act.UPHOLD: Transition(frozenset({S.OPEN}), is_miit_staff, (handling_given,), _handle, S.UPHELD),
}

MACHINE = Machine(
    name="objection", model=Objection, table=TABLE, state_field="status",
    context=lambda objection, actor, handling="": Ctx(objection=objection, actor=actor, handling=handling or ""),
    lock=lambda o: Objection.objects.select_for_update(of=("self",)).select_related("evaluation").get(pk=o.pk),
    audit=lambda o: {"status": o.status},
    after=lambda ctx, action: {"objection": str(ctx.objection.pk), "publicity": str(ctx.objection.publicity_id),
                               "evaluation": str(ctx.objection.evaluation_id)},
    then=_then, event_of=lambda action: EVENT, reason_of=lambda ctx: ctx.handling.strip(),
    labels=lambda action: _(LABELS[action]), state_label=lambda state: str(S(state).label),
    refused=gettext_noop("该异议当前为“%(s)s”，不能执行“%(a)s”。"),
)


def available(objection: Objection, user) -> list[Available]:
    return available_actions(MACHINE, objection, user)


def transition(objection: Objection, action: str, *, actor, handling: str = "") -> Objection:
    """Take ``action`` through the engine: row lock; state, who-may (MIIT staff) and the handling
    required; the handling recorded; save; the audit event; an upheld objection's evaluation
    withdrawn — in one transaction."""
    return run(MACHINE, objection, action, actor=actor, handling=handling)
