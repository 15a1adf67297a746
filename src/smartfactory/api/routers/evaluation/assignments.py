"""Expert assignment and scoring over the API: the automatic plan previewed and committed, manual
assignment and withdrawal, the expert's own queue and scores."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from smartfactory.errors import InvalidInput
from smartfactory.evaluation import assigning, assignment_workflow, scoring
from smartfactory.evaluation.models import (
    Assignment,
    Evaluation,
    EvaluationState,
    ExpertProfile,
)
from smartfactory.evaluation.queries import expert_of
from smartfactory.evaluation.rules import rules_for
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import is_miit_staff

from .common import (
    AssignmentOut,
    EvaluationItemOut,
    ExpertRef,
    RoundIn,
    _assignment,
    _campaign,
    _evaluation,
    _item,
    _require_miit,
    _scope,
)

router = Router()  # tagged "evaluation" by the package router


class EvaluationRef(Schema):
    id: UUID
    enterprise: str
    factory: str


class PreviewRowOut(Schema):
    evaluation: EvaluationRef
    experts: list[ExpertRef]


class ShortOut(Schema):
    evaluation: EvaluationRef
    missing: int


class PreviewOut(Schema):
    rows: list[PreviewRowOut]
    short: list[ShortOut]
    plan: dict[str, list[int]]


class CommitIn(RoundIn):
    plan: dict[UUID, list[int]]


class CommittedOut(Schema):
    id: UUID
    evaluation: UUID
    expert: ExpertRef
    role: str
    due_at: datetime


class AssignIn(Schema):
    expert: int


class ReasonIn(Schema):
    reason: str = ""


class CriterionOut(Schema):
    key: str
    label: str
    weight: float


class QueueItemOut(AssignmentOut):
    evaluation: EvaluationItemOut
    criteria: list[CriterionOut]
    open: bool  # can still be scored


class ScoresIn(Schema):
    scores: dict[str, Any]
    comments: dict[str, str] = {}


def _ref(e: Evaluation) -> dict:
    return {"id": e.pk, "enterprise": e.application.factory.enterprise.name, "factory": e.application.factory.name}


def _own_assignment(request, assignment_id) -> Assignment:
    """The caller's own assignment on an evaluation they may read (a conflict hides it), or any
    assignment for MIIT staff."""
    qs = Assignment.objects.select_related("expert", "evaluation").filter(evaluation__in=_scope(request.user))
    if not is_miit_staff(request.user):
        qs = qs.filter(expert__user=request.user, expert__active=True)
    return get_in_scope(qs, pk=assignment_id)


@router.post("/evaluations/assignments/preview", response=PreviewOut)
def preview_assignment(request, payload: RoundIn):
    """The automatic assignment of a round, computed but not written."""
    preview = assigning.preview_assignment(_campaign(payload.year), payload.tier, actor=request.user, kind=payload.kind)
    return {
        "rows": [{"evaluation": _ref(r["evaluation"]), "experts": [{"id": i, "name": n} for i, n in r["experts"]]}
                 for r in preview["rows"]],
        "short": [{"evaluation": _ref(s["evaluation"]), "missing": s["missing"]} for s in preview["short"]],
        "plan": {str(k): list(v) for k, v in preview["plan"].items()},
    }


@router.post("/evaluations/assignments/commit", response={201: list[CommittedOut]})
def commit_assignment(request, payload: CommitIn):
    """Writes a (previewed, possibly edited) plan ``{evaluation id: [expert ids]}``; every pair is
    checked again (conflict, cap, state), all or nothing."""
    _require_miit(request.user)
    campaign = _campaign(payload.year)
    scope = _scope(request.user).filter(campaign=campaign, tier=payload.tier, kind=payload.kind)
    for evaluation_id in payload.plan:
        get_in_scope(scope, pk=evaluation_id)
    wanted = {i for ids in payload.plan.values() for i in ids}
    known = set(ExpertProfile.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - known:
        raise InvalidInput(_("专家库中没有编号为%(ids)s的专家。") % {"ids": "、".join(str(i) for i in sorted(wanted - known))},
                           field="plan")
    created = assigning.commit_assignment(campaign, payload.tier, actor=request.user, kind=payload.kind,
                                         plan={str(k): list(v) for k, v in payload.plan.items()})
    return Status(201, [{"id": a.pk, "evaluation": a.evaluation_id, "expert": {"id": a.expert_id, "name": a.expert.name},
                         "role": a.role, "due_at": a.due_at} for a in created])


@router.post("/evaluations/{uuid:evaluation_id}/assignments", response={201: AssignmentOut})
def assign_expert(request, evaluation_id: UUID, payload: AssignIn):
    """A manual assignment, with the same checks as the automatic one."""
    evaluation = _evaluation(request, evaluation_id)
    _require_miit(request.user)
    expert = ExpertProfile.objects.filter(pk=payload.expert).first()
    if expert is None:
        raise InvalidInput(_("专家库中没有编号为%(ids)s的专家。") % {"ids": payload.expert}, field="expert")
    return Status(201, _assignment(assigning.assign_expert(evaluation, expert, actor=request.user)))


def _unassign(request, assignment_id: UUID, reason: str):
    assignment_workflow.withdraw(_own_assignment(request, assignment_id), actor=request.user, reason=reason)
    return Status(204, None)


@router.delete("/assignments/{uuid:assignment_id}", response={204: None})
def delete_assignment(request, assignment_id: UUID, payload: ReasonIn):
    """Withdraws an unscored assignment (MIIT staff, with a reason)."""
    return _unassign(request, assignment_id, payload.reason)


@router.post("/assignments/{uuid:assignment_id}/withdraw", response={204: None})
def withdraw_assignment(request, assignment_id: UUID, payload: ReasonIn):
    """The same as DELETE, for clients that cannot send a body with DELETE."""
    return _unassign(request, assignment_id, payload.reason)


@router.get("/experts/me/assignments", response=list[QueueItemOut])
def my_assignments(request, pending: bool = False):
    """The caller's assignments (an expert's queue), soonest due first, with the criteria to score.
    A conflict declared after the assignment hides it. ``pending=true``: only those still to score."""
    expert = expert_of(request.user)
    if expert is None:
        return []
    qs = Assignment.objects.filter(expert=expert, evaluation__in=_scope(request.user)).select_related(
        "expert", "evaluation__application__factory__enterprise", "evaluation__campaign").order_by("due_at", "pk")
    if pending:
        qs = qs.filter(submitted_at__isnull=True)
    criteria: dict[tuple, list[dict]] = {}
    out = []
    for a in qs:
        e = a.evaluation
        if (e.campaign_id, e.kind) not in criteria:
            criteria[(e.campaign_id, e.kind)] = [{"key": c.key, "label": c.label, "weight": c.weight}
                                                 for c in rules_for(e.campaign).criteria_for(e.kind)]
        out.append({**_assignment(a), "evaluation": _item(e), "criteria": criteria[(e.campaign_id, e.kind)],
                    "open": a.submitted_at is None and e.state == EvaluationState.EXPERT_REVIEW})
    return out


@router.post("/assignments/{uuid:assignment_id}/scores", response=AssignmentOut)
def submit_scores(request, assignment_id: UUID, payload: ScoresIn):
    """The expert's scores ``{criterion key: 0–100}`` and comments, once, before the due time."""
    assignment = scoring.submit_scores(_own_assignment(request, assignment_id), actor=request.user,
                                        scores=payload.scores, comments=payload.comments)
    return _assignment(Assignment.objects.select_related("expert").get(pk=assignment.pk))
