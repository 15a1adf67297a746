from datetime import date, datetime
from uuid import UUID

from django.utils import timezone
from ninja import Router, Schema

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
