"""R4: the certified 先进级 list reported to MIIT (central SOEs also to SASAC): what was reported,
by whom and when, and reporting it; the same service functions as /console/advanced-lists/."""

from datetime import datetime
from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from smartfactory.campaigns.models import Campaign
from smartfactory.recommendations import advanced_lists

router = Router(tags=["advanced-lists"])


class ReportOut(Schema):
    id: UUID
    year: int
    reporter: str
    number: int
    recipients: list[str]
    count: int
    content_hash: str
    submitted_at: datetime
    rows: list[dict]


def _out(report) -> dict:
    return {"id": report.id, "year": report.campaign.year, "reporter": report.reporter.name, "number": report.number,
            "recipients": report.recipients, "count": len(report.rows), "content_hash": report.content_hash,
            "submitted_at": report.submitted_at, "rows": report.rows}


@router.get("/{year}", response=list[ReportOut])
def list_reports(request, year: int):
    """Reports the caller may see: MIIT all, SASAC the central SOEs', a certifier its own."""
    return [_out(r) for r in advanced_lists.reports_for_user(request.user).filter(campaign__year=year)]


@router.post("/{year}/report", response={201: ReportOut})
def report(request, year: int):
    """The caller's certifying authority (as its leader) reports its certified 先进级 list."""
    campaign = get_object_or_404(Campaign, year=year)
    authority = advanced_lists.reporting_authority(request.user)
    if authority is None:
        raise Http404
    return Status(201, _out(advanced_lists.report_advanced_list(campaign, authority=authority, actor=request.user)))
