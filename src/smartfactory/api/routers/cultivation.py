from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from smartfactory.api.actions import BlockedOut, split
from smartfactory.cultivation import services
from smartfactory.cultivation.models import ProgressReport
from smartfactory.cultivation.queries import cultivations_for_user
from smartfactory.organisations.queries import get_in_scope

router = Router(tags=["cultivation"])


class TargetOut(Schema):
    number: int
    indicator: str
    target_value: str
    unit: str


class MilestoneOut(Schema):
    due_on: date
    content: str


class ReportOut(Schema):
    id: UUID
    sequence: int
    due_on: date
    submitted_at: datetime | None
    overdue: bool
    summary: str
    values: dict


class CultivationOut(Schema):
    id: UUID
    factory: str
    enterprise: str
    uscc: str
    list_number: str
    start: date
    end: date
    status: str
    status_label: str
    targets: list[TargetOut]
    milestones: list[MilestoneOut]
    reports: list[ReportOut]


class ReportIn(Schema):
    summary: str
    values: dict[str, str]


class GuidanceIn(Schema):
    text: str


def _out(c) -> dict:
    today = timezone.localdate()
    return {
        "id": c.id, "factory": c.factory.name, "enterprise": c.factory.enterprise.name, "uscc": c.factory.enterprise.uscc,
        "list_number": c.list_number, "start": c.published_on, "end": c.ends_on, "status": c.status,
        "status_label": c.get_status_display(),
        "targets": [{"number": t.number, "indicator": t.indicator, "target_value": t.target_value, "unit": t.unit}
                    for t in c.targets.all()],
        "milestones": [{"due_on": m.due_on, "content": m.content} for m in c.milestones.all()],
        "reports": [{"id": r.id, "sequence": r.sequence, "due_on": r.due_on, "submitted_at": r.submitted_at,
                     "overdue": services.is_overdue(r, today), "summary": r.summary, "values": r.values}
                    for r in c.reports.all()],
    }


def _scoped(request):
    return cultivations_for_user(request.user).prefetch_related("targets", "milestones", "reports")


@router.get("", response=list[CultivationOut])
def list_cultivations(request):
    """Each cultivation object in the caller's scope with its start and end dates, targets, reports
    (overdue flagged) and status."""
    return [_out(c) for c in _scoped(request).order_by("-published_on", "factory__name")]


@router.get("/{cultivation_id}", response=CultivationOut)
def get_cultivation(request, cultivation_id: UUID):
    return _out(get_in_scope(_scoped(request), pk=cultivation_id))


@router.post("/{cultivation_id}/reports/{report_id}", response=CultivationOut)
def submit_report(request, cultivation_id: UUID, report_id: UUID, payload: ReportIn):
    cultivation = get_in_scope(_scoped(request), pk=cultivation_id)
    report = get_in_scope(ProgressReport.objects.filter(cultivation=cultivation), pk=report_id)
    services.submit_report(report, actor=request.user, summary=payload.summary, values=payload.values)
    return _out(get_in_scope(_scoped(request), pk=cultivation_id))


@router.post("/{cultivation_id}/guidance", response=CultivationOut)
def add_guidance(request, cultivation_id: UUID, payload: GuidanceIn):
    cultivation = get_in_scope(_scoped(request), pk=cultivation_id)
    services.add_guidance(cultivation, actor=request.user, text=payload.text)
    return _out(get_in_scope(_scoped(request), pk=cultivation_id))


# ------------------------------------------------------------------ acceptance
class AcceptanceResultIn(Schema):
    value: str = ""
    evidence: str = ""


class AcceptanceIn(Schema):
    summary: str = ""
    results: dict[str, AcceptanceResultIn] = {}


class AcceptanceActionIn(Schema):
    action: Literal["submit", "approve", "return", "reject"]
    reason: str = ""


class DeferIn(Schema):
    ends_on: date
    reason: str


class EvidenceOut(Schema):
    id: UUID
    target: int
    name: str
    sha256: str
    uploaded_at: datetime


class AcceptanceReviewOut(Schema):
    decision: str
    decision_label: str
    reason: str
    authority: str
    at: datetime


class AcceptanceOut(Schema):
    id: UUID
    cultivation: UUID
    state: str
    state_label: str
    version: int
    summary: str
    results: dict
    evidence: list[EvidenceOut]
    reviews: list[AcceptanceReviewOut]
    submitted_at: datetime | None
    decided_at: datetime | None
    outcome_reason: str
    extended_to: date | None
    evaluation: UUID | None
    evaluation_state: str | None
    certificate_no: str
    actions: list[str]
    blocked: list[BlockedOut] = []


def _acceptance_out(a, user) -> dict:
    from smartfactory.cultivation import acceptance as flow

    evaluation = getattr(a, "evaluation", None)
    return {
        "id": a.pk, "cultivation": a.cultivation_id, "state": a.state, "state_label": a.get_state_display(),
        "version": a.version, "summary": a.summary, "results": a.results,
        "evidence": [{"id": e.pk, "target": e.target_number, "name": e.original_name, "sha256": e.sha256,
                      "uploaded_at": e.uploaded_at} for e in a.evidence.all()],
        "reviews": [{"decision": r.decision, "decision_label": r.get_decision_display(), "reason": r.reason,
                     "authority": r.authority.name if r.authority else "", "at": r.created_at}
                    for r in a.reviews.select_related("authority")],
        "submitted_at": a.submitted_at, "decided_at": a.decided_at, "outcome_reason": a.outcome_reason,
        "extended_to": a.extended_to, "evaluation": evaluation.pk if evaluation else None,
        "evaluation_state": evaluation.state if evaluation else None,
        "certificate_no": evaluation.certificate_no if evaluation else "",
        **_actions(flow.available(a, user)),
    }


def _actions(available) -> dict:
    """``actions`` and ``blocked`` (api.actions.split); a resubmission is the API's ``submit``."""
    from smartfactory.cultivation import acceptance as flow

    out = split(available)
    out["actions"] = ["submit" if x == flow.Act.RESUBMIT else x for x in out["actions"]]
    for b in out["blocked"]:
        b["action"] = "submit" if b["action"] == flow.Act.RESUBMIT else b["action"]
    return out


def _current(request, cultivation_id):
    from django.http import Http404

    from smartfactory.cultivation.acceptance import current_acceptance

    cultivation = get_in_scope(_scoped(request), pk=cultivation_id)
    acceptance = current_acceptance(cultivation)
    if acceptance is None:
        raise Http404(_("尚未提出验收申请。"))
    return cultivation, acceptance


@router.get("/{cultivation_id}/acceptance", response=AcceptanceOut)
def get_acceptance(request, cultivation_id: UUID):
    """The object's latest acceptance application: results and evidence per target, the
    recommender's review rows, the national acceptance's state and the caller's actions."""
    _cultivation, acceptance = _current(request, cultivation_id)
    return _acceptance_out(acceptance, request.user)


@router.put("/{cultivation_id}/acceptance", response=AcceptanceOut)
def save_acceptance(request, cultivation_id: UUID, payload: AcceptanceIn):
    """The enterprise writes its acceptance application (creates it when none is open)."""
    from smartfactory.cultivation import acceptance as flow

    cultivation = get_in_scope(_scoped(request), pk=cultivation_id)
    acceptance = flow.save_draft(cultivation, actor=request.user, summary=payload.summary,
                                 results={k: v.dict() for k, v in payload.results.items()})
    return _acceptance_out(acceptance, request.user)


@router.post("/{cultivation_id}/acceptance/evidence", response={201: EvidenceOut})
def upload_evidence(request, cultivation_id: UUID, target: Form[int], file: File[UploadedFile]):
    """A PDF or image of evidence against one target (multipart: ``target``, ``file``)."""
    from smartfactory.cultivation import acceptance as flow

    _cultivation, acceptance = _current(request, cultivation_id)
    e = flow.attach_evidence(acceptance, actor=request.user, target_number=target, upload=file)
    return Status(201, {"id": e.pk, "target": e.target_number, "name": e.original_name, "sha256": e.sha256,
                        "uploaded_at": e.uploaded_at})


@router.post("/{cultivation_id}/acceptance/actions", response=AcceptanceOut)
def acceptance_action(request, cultivation_id: UUID, payload: AcceptanceActionIn):
    """``submit`` (the enterprise; a returned application is resubmitted), ``approve`` / ``return`` /
    ``reject`` (the recommender's preliminary review; a reason for return and reject). Approval
    sends it to the ministry's national acceptance."""
    from smartfactory.cultivation import acceptance as flow

    _cultivation, acceptance = _current(request, cultivation_id)
    action = payload.action
    if action == "submit" and acceptance.state == "returned":
        action = flow.Act.RESUBMIT
    acceptance = flow.transition(acceptance, action, actor=request.user, reason=payload.reason)
    return _acceptance_out(acceptance, request.user)


@router.post("/{cultivation_id}/acceptance/defer", response=AcceptanceOut)
def defer_acceptance(request, cultivation_id: UUID, payload: DeferIn):
    """MIIT defers the acceptance and extends the period to ``ends_on`` (at most two years from the
    list's publication), with a reason."""
    from smartfactory.cultivation import acceptance as flow

    _cultivation, acceptance = _current(request, cultivation_id)
    acceptance = flow.defer(acceptance, actor=request.user, ends_on=payload.ends_on, reason=payload.reason)
    return _acceptance_out(acceptance, request.user)
