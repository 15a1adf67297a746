"""What the evaluation endpoints share: the schemas of an evaluation, its assignments and site visit,
and the scope and output helpers (out of scope is 404; who sees what as in the package docstring)."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Schema

from smartfactory.campaigns.models import Campaign
from smartfactory.errors import NotPermitted
from smartfactory.evaluation.models import (
    Assignment,
    Evaluation,
    SiteVisit,
)
from smartfactory.evaluation.queries import evaluations_for_user
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import is_miit_staff

NationalTier = Literal["excellent", "leading"]
Kind = Literal["selection", "acceptance"]


class EvaluationItemOut(Schema):
    id: UUID
    application: UUID
    enterprise: str
    factory: str
    year: int
    tier: str
    state: str
    state_label: str
    formal_verdict: str
    formal_reasons: str
    publicity: UUID | None
    certificate_no: str
    kind: str
    acceptance: UUID | None


class ExpertRef(Schema):
    id: int
    name: str


class AssignmentOut(Schema):
    id: UUID
    expert: ExpertRef
    role: str
    role_label: str
    due_at: datetime
    submitted_at: datetime | None
    scores: dict[str, float]
    comments: dict[str, str]
    total: float | None


class FindingOut(Schema):
    result: str
    note: str


class SiteVisitOut(Schema):
    id: int
    scheduled_for: date
    agreed: bool
    agreed_at: datetime | None
    checklist: list[dict]
    findings: dict[str, FindingOut]
    outcome: str
    outcome_label: str
    outcome_note: str
    recorded_at: datetime | None
    team: list[str] | None  # names, for ministry staff only


class RoundIn(Schema):
    year: int
    tier: NationalTier
    kind: Kind = "selection"


def _scope(user):
    return evaluations_for_user(user)


def _evaluation(request, evaluation_id) -> Evaluation:
    return get_in_scope(_scope(request.user), pk=evaluation_id)


def _require_miit(user) -> None:
    """For endpoints that must resolve ids in the body before the service checks who may: say 403
    first, so nobody learns which ids exist."""
    if not is_miit_staff(user):
        raise NotPermitted()


def _campaign(year: int) -> Campaign:
    return get_object_or_404(Campaign, year=year)


def _item(e: Evaluation) -> dict:
    app = e.application
    return {
        "id": e.pk, "application": e.application_id, "enterprise": app.factory.enterprise.name, "factory": app.factory.name,
        "year": e.campaign.year, "tier": e.tier, "state": e.state, "state_label": e.state_label(),
        "formal_verdict": e.formal_verdict, "formal_reasons": e.formal_reasons, "publicity": e.publicity_id,
        "certificate_no": e.certificate_no, "kind": e.kind, "acceptance": e.acceptance_id,
    }


def _assignment(a: Assignment) -> dict:
    return {
        "id": a.pk, "expert": {"id": a.expert_id, "name": a.expert.name}, "role": a.role, "role_label": a.get_role_display(),
        "due_at": a.due_at, "submitted_at": a.submitted_at, "scores": a.scores or {}, "comments": a.comments or {},
        "total": float(a.total) if a.total is not None else None,
    }


def _visit(v: SiteVisit, user) -> dict:
    return {
        "id": v.pk, "scheduled_for": v.scheduled_for, "agreed": v.agreed_at is not None, "agreed_at": v.agreed_at,
        "checklist": v.checklist, "findings": v.findings or {}, "outcome": v.outcome,
        "outcome_label": v.get_outcome_display() if v.outcome else "", "outcome_note": v.outcome_note,
        "recorded_at": v.recorded_at,
        "team": [e.name for e in v.team.all()] if is_miit_staff(user) else None,
    }
