from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema

from smartfactory.applications.enums import QUOTA_STATES
from smartfactory.campaigns.models import Campaign
from smartfactory.campaigns.services import calendar_for
from smartfactory.organisations.queries import active_memberships

router = Router(tags=["campaigns"])


class DeadlineOut(Schema):
    stage: str
    stage_label: str
    tier: str
    deadline: datetime


class MyDeadlineOut(Schema):
    stage: str
    stage_label: str
    deadline: datetime
    organisation: str


class CampaignOut(Schema):
    year: int
    name: str
    notice_number: str
    framework_version: str
    tiers_open: list[str]
    status: str
    deadlines: list[DeadlineOut]
    my_deadlines: list[MyDeadlineOut]


def _campaign(c: Campaign, user) -> dict:
    mine = []
    for m in active_memberships(user):
        rows = calendar_for(c, enterprise=m.enterprise) if m.enterprise_id else (
            calendar_for(c, authority=m.authority) if m.authority_id else []
        )
        org = str(m.enterprise or m.authority)
        mine.extend({"stage": r["stage"], "stage_label": str(r["label"]), "deadline": timezone.localtime(r["deadline"]), "organisation": org} for r in rows)
    return {
        "year": c.year, "name": c.name, "notice_number": c.notice_number, "framework_version": c.framework_version,
        "tiers_open": c.tiers_open, "status": c.status,
        "deadlines": [
            {"stage": d.stage, "stage_label": d.get_stage_display(), "tier": d.tier, "deadline": timezone.localtime(d.deadline)}
            for d in c.deadlines.all()
        ],
        "my_deadlines": mine,
    }


@router.get("", response=list[CampaignOut])
def list_campaigns(request):
    """Campaigns with the national calendar and the deadlines that bind the caller."""
    return [_campaign(c, request.user) for c in Campaign.objects.prefetch_related("deadlines")]


@router.get("/{year}", response=CampaignOut)
def get_campaign(request, year: int):
    from django.shortcuts import get_object_or_404

    return _campaign(get_object_or_404(Campaign.objects.prefetch_related("deadlines"), year=year), request.user)


class QuotaOut(Schema):
    authority: str
    recommender: str
    province_code: str
    tier: str
    quota: int
    used: int
    basis: str


@router.get("/{year}/quotas", response=list[QuotaOut])
def list_quotas(request, year: int):
    """Every recommender's quota for the campaign and how many places are used (recommended)."""
    from django.db.models import Count, Q
    from django.shortcuts import get_object_or_404

    from smartfactory.campaigns.models import Quota

    campaign = get_object_or_404(Campaign, year=year)
    rows = Quota.objects.filter(campaign=campaign).annotate(
        used=Count("applications", filter=Q(applications__state__in=QUOTA_STATES))
    ).order_by("tier", "recommender", "province_code", "name")
    return [
        {"authority": q.name, "recommender": q.recommender, "province_code": q.province_code, "tier": q.tier,
         "quota": q.quota, "used": q.used, "basis": q.basis}
        for q in rows
    ]
