"""Evaluations over the API: the list, the ranked panel, one evaluation, the formal check and the
ministry's other actions (through ``workflow.transition``)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.db.models import Prefetch
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from smartfactory.api.actions import BlockedOut, split
from smartfactory.evaluation import opening, scoring, workflow
from smartfactory.evaluation.models import (
    Assignment,
    Evaluation,
    SiteVisit,
)
from smartfactory.organisations.rules import is_miit_staff

from .common import (
    AssignmentOut,
    EvaluationItemOut,
    Kind,
    NationalTier,
    SiteVisitOut,
    _assignment,
    _campaign,
    _evaluation,
    _item,
    _require_miit,
    _scope,
    _visit,
)

router = Router()  # tagged "evaluation" by the package router


class EvaluationOut(EvaluationItemOut):
    auto_checks: list[dict]
    checked_at: datetime | None
    outcome_reason: str
    assignments: list[AssignmentOut]
    site_visit: SiteVisitOut | None
    actions: list[str]
    blocked: list[BlockedOut] = []


class EvaluationFilter(Schema):
    kind: Kind | None = None
    year: int | None = None
    tier: str | None = None
    state: str | None = None


class FormalCheckIn(Schema):
    passed: bool
    reason: str = ""


class ActionIn(Schema):
    action: Literal["resubmit", "to_site_visit", "reject"]
    reason: str = ""


class PanelScoreOut(Schema):
    assignment: UUID
    expert: str
    role: str
    total: float
    z: float | None


class PanelRowOut(Schema):
    rank: int
    evaluation: EvaluationItemOut
    scores: list[PanelScoreOut]
    pending: int
    mean: float | None
    mean_z: float | None
    spread: float | None


def _detail(evaluation: Evaluation, user) -> dict:
    evaluation = Evaluation.objects.select_related("application__factory__enterprise", "campaign").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("expert"))).get(pk=evaluation.pk)
    assignments = list(evaluation.assignments.all())
    if not is_miit_staff(user):  # an expert sees their own; a recommender none
        assignments = [a for a in assignments if a.expert.user_id == user.pk]
    visit = SiteVisit.objects.filter(evaluation=evaluation).prefetch_related("team").first()
    return {
        **_item(evaluation), "auto_checks": evaluation.auto_checks, "checked_at": evaluation.checked_at,
        "outcome_reason": evaluation.outcome_reason, "assignments": [_assignment(a) for a in assignments],
        "site_visit": _visit(visit, user) if visit else None, **split(workflow.available(evaluation, user)),
    }


class _Mapped:
    """A queryset the paginator slices and counts, mapped to output rows only for the page."""

    def __init__(self, qs, fn):
        self.qs, self.fn = qs, fn

    def __getitem__(self, page: slice) -> list:
        return [self.fn(x) for x in self.qs[page]]

    def __len__(self) -> int:
        return self.qs.count()


@router.get("/evaluations", response=list[EvaluationItemOut])
@paginate(LimitOffsetPagination)
def list_evaluations(request, filters: Query[EvaluationFilter]):
    """The evaluations in the caller's scope: MIIT staff all; an expert those assigned (to score or
    verify on site) without a conflict; a recommender its own recommendations'."""
    qs = _scope(request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.year:
        qs = qs.filter(campaign__year=filters.year)
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.state:
        qs = qs.filter(state=filters.state)
    return _Mapped(qs.order_by("campaign__year", "tier", "created_at", "pk"), _item)


@router.get("/evaluations/panel", response=list[PanelRowOut])
def get_panel(request, year: int, tier: NationalTier, kind: Kind = "selection"):
    """The ranked panel of a round (MIIT staff only): each evaluation with every expert's raw total
    and z-score within that expert, the mean (the ranking key), the mean z-score and the spread.
    ``kind=acceptance``: the round of 领航级 acceptances of that campaign's objects."""
    _require_miit(request.user)
    rows = scoring.panel(_campaign(year), tier, kind)
    by_id = {e.pk: e for e in _scope(request.user).filter(pk__in=[r["evaluation"].pk for r in rows])}
    # the service lists each row's scores in the order of its prefetched assignments: the same order here
    scored = [[a.pk for a in r["evaluation"].assignments.all() if a.submitted_at] for r in rows]
    return [{
        "rank": r["rank"], "evaluation": _item(by_id[r["evaluation"].pk]),
        "scores": [{"assignment": pk, **s} for pk, s in zip(ids, r["scores"], strict=True)],
        "pending": r["pending"], "mean": r["mean"], "mean_z": r["mean_z"], "spread": r["spread"],
    } for r, ids in zip(rows, scored, strict=True)]


@router.get("/evaluations/{uuid:evaluation_id}", response=EvaluationOut)
def get_evaluation(request, evaluation_id: UUID):
    """One evaluation with its automatic checks, assignments (MIIT staff: all with scores; an expert:
    their own; a recommender: none), the site visit and the actions the caller may take."""
    return _detail(_evaluation(request, evaluation_id), request.user)


@router.post("/evaluations/{uuid:evaluation_id}/formal-check", response=EvaluationOut)
def formal_check(request, evaluation_id: UUID, payload: FormalCheckIn):
    """MIIT's formal check: pass (a reason is needed when an automatic check failed) or fail with
    reasons (returned to the recommender)."""
    evaluation = opening.formal_check(_evaluation(request, evaluation_id), actor=request.user, passed=payload.passed,
                                       reason=payload.reason)
    return _detail(evaluation, request.user)


ACTIONS = {"resubmit": workflow.Act.RESUBMIT, "to_site_visit": workflow.Act.TO_SITE_VISIT, "reject": workflow.Act.REJECT}


@router.post("/evaluations/{uuid:evaluation_id}/actions", response=EvaluationOut)
def take_action(request, evaluation_id: UUID, payload: ActionIn):
    """resubmit (the recommender, after a return), to_site_visit (MIIT, once scoring is complete),
    reject (MIIT, with a reason)."""
    evaluation = workflow.transition(_evaluation(request, evaluation_id), ACTIONS[payload.action], actor=request.user,
                                     reason=payload.reason)
    return _detail(evaluation, request.user)
