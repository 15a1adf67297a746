"""On-site verification over the API: the visit planned with its team, the enterprise's agreement,
findings and the outcome."""

from datetime import date, datetime
from uuid import UUID

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Router, Schema

from smartfactory.errors import InvalidInput
from smartfactory.evaluation import site_visits
from smartfactory.evaluation.models import (
    ExpertProfile,
    SiteVisit,
)
from smartfactory.organisations.queries import get_in_scope
from smartfactory.organisations.rules import active_memberships

from .common import SiteVisitOut, _evaluation, _require_miit, _scope, _visit

router = Router()  # tagged "evaluation" by the package router


class SiteVisitIn(Schema):
    team: list[int]
    scheduled_for: date


class AgreedOut(Schema):
    id: int
    evaluation: UUID
    scheduled_for: date
    agreed_at: datetime


class FindingIn(Schema):
    item: str
    result: str
    note: str = ""


class OutcomeIn(Schema):
    outcome: str
    note: str = ""


def _visit_in_scope(request, visit_id) -> SiteVisit:
    return get_in_scope(SiteVisit.objects.select_related("evaluation").filter(evaluation__in=_scope(request.user)),
                        pk=visit_id)


@router.post("/evaluations/{uuid:evaluation_id}/site-visit", response=SiteVisitOut)
def plan_site_visit(request, evaluation_id: UUID, payload: SiteVisitIn):
    """MIIT forms a conflict-checked team and proposes a date (planning again resets the
    enterprise's confirmation)."""
    evaluation = _evaluation(request, evaluation_id)
    _require_miit(request.user)
    team = list(ExpertProfile.objects.filter(pk__in=payload.team))
    missing = set(payload.team) - {e.pk for e in team}
    if missing:
        raise InvalidInput(_("专家库中没有编号为%(ids)s的专家。") % {"ids": "、".join(str(i) for i in sorted(missing))},
                           field="team")
    visit = site_visits.plan_site_visit(evaluation, actor=request.user, team=team, scheduled_for=payload.scheduled_for)
    return _visit(visit, request.user)


@router.post("/site-visits/{int:visit_id}/agree", response=AgreedOut)
def agree_site_visit(request, visit_id: int):
    """The enterprise confirms the proposed date (its own users only; 404 for other enterprises)."""
    own = [m.enterprise_id for m in active_memberships(request.user) if m.enterprise_id]
    qs = SiteVisit.objects.select_related("evaluation__application__factory__enterprise").filter(
        Q(evaluation__application__factory__enterprise__in=own) | Q(evaluation__in=_scope(request.user)))
    visit = site_visits.agree_site_visit(get_in_scope(qs, pk=visit_id), actor=request.user)
    return {"id": visit.pk, "evaluation": visit.evaluation_id, "scheduled_for": visit.scheduled_for,
            "agreed_at": visit.agreed_at}


@router.post("/site-visits/{int:visit_id}/findings", response=SiteVisitOut)
def record_finding(request, visit_id: int, payload: FindingIn):
    """A team member's (or MIIT's) finding on one checklist item: met, partly or not_met."""
    visit = site_visits.record_finding(_visit_in_scope(request, visit_id), actor=request.user, item=payload.item,
                                    result=payload.result, note=payload.note)
    return _visit(visit, request.user)


@router.post("/site-visits/{int:visit_id}/outcome", response=SiteVisitOut)
def record_outcome(request, visit_id: int, payload: OutcomeIn):
    """The team's conclusion (pass or fail with a reason) once the date was agreed and every item
    has a finding."""
    visit = site_visits.record_site_outcome(_visit_in_scope(request, visit_id), actor=request.user,
                                         outcome=payload.outcome, note=payload.note)
    return _visit(visit, request.user)
