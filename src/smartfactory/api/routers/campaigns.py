from datetime import datetime

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from smartfactory.campaigns import quotas
from smartfactory.campaigns.enums import QUOTA_STATES
from smartfactory.campaigns.models import Campaign, ProvinceRanking, Quota
from smartfactory.campaigns.services import calendars_for
from smartfactory.organisations.rules import active_memberships

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


def _campaigns(campaigns, user) -> list[dict]:
    """Each campaign with its national calendar and the deadlines that bind the caller's organisations
    (the calendars of every campaign and organisation computed together: no queries per campaign)."""
    campaigns = list(campaigns)
    mine = [(m.enterprise if m.enterprise_id else m.authority, str(m.enterprise or m.authority))
            for m in active_memberships(user) if m.enterprise_id or m.authority_id]
    calendars = calendars_for(campaigns, [actor for actor, _name in mine])
    return [{
        "year": c.year, "name": c.name, "notice_number": c.notice_number, "framework_version": c.framework_version,
        "tiers_open": c.tiers_open, "status": c.status,
        "deadlines": [
            {"stage": d.stage, "stage_label": d.get_stage_display(), "tier": d.tier, "deadline": timezone.localtime(d.deadline)}
            for d in c.deadlines.all()
        ],
        "my_deadlines": [{"stage": r["stage"], "stage_label": str(r["label"]), "deadline": timezone.localtime(r["deadline"]),
                          "organisation": org} for actor, org in mine for r in calendars[(c.pk, actor)]],
    } for c in campaigns]


def _campaign(c: Campaign, user) -> dict:
    return _campaigns([c], user)[0]


@router.get("", response=list[CampaignOut])
def list_campaigns(request):
    """Campaigns with the national calendar and the deadlines that bind the caller."""
    return _campaigns(Campaign.objects.prefetch_related("deadlines"), request.user)


@router.get("/{year}", response=CampaignOut)
def get_campaign(request, year: int):
    return _campaign(get_object_or_404(Campaign.objects.prefetch_related("deadlines"), year=year), request.user)


class QuotaOut(Schema):
    id: int
    authority: str
    recommender: str
    province_code: str
    tier: str
    quota: int
    used: int
    basis: str
    overridden: bool


class RankingOut(Schema):
    province_code: str
    province: str
    rank: int
    is_estimate: bool
    basis: str


class RankIn(Schema):
    rank: int
    basis: str


class OverrideIn(Schema):
    quota: int
    reason: str


class ReasonIn(Schema):
    reason: str


def _quota_rows(campaign: Campaign, pk: int | None = None) -> list[dict]:
    rows = Quota.objects.filter(campaign=campaign).annotate(
        used=Count("applications", filter=Q(applications__state__in=QUOTA_STATES))
    ).order_by("tier", "recommender", "province_code", "name")
    if pk is not None:
        rows = rows.filter(pk=pk)
    return [
        {"id": q.pk, "authority": q.name, "recommender": q.recommender, "province_code": q.province_code, "tier": q.tier,
         "quota": q.quota, "used": q.used, "basis": q.basis, "overridden": q.overridden}
        for q in rows
    ]


@router.get("/{year}/quotas", response=list[QuotaOut])
def list_quotas(request, year: int):
    """Every recommender's quota for the campaign and how many places are used (recommended)."""
    return _quota_rows(get_object_or_404(Campaign, year=year))


@router.post("/{year}/quotas/recompute", response=list[QuotaOut])
def recompute(request, year: int, payload: ReasonIn):
    """Ministry staff recompute the campaign's quotas from the rules and inputs (audited; refused as a
    whole when a quota would fall below the places already used)."""
    campaign = get_object_or_404(Campaign, year=year)
    quotas.recompute_quotas(campaign, actor=request.user, reason=payload.reason)
    return _quota_rows(campaign)


@router.put("/{year}/quotas/{quota_id}", response=QuotaOut)
def override(request, year: int, quota_id: int, payload: OverrideIn):
    """Ministry staff override one quota with a reason (never below the places already used)."""
    campaign = get_object_or_404(Campaign, year=year)
    quota = get_object_or_404(Quota, pk=quota_id, campaign=campaign)
    quotas.override_quota(quota, value=payload.quota, actor=request.user, reason=payload.reason)
    return _quota_rows(campaign, quota.pk)[0]


@router.post("/{year}/quotas/{quota_id}/restore", response=QuotaOut)
def restore(request, year: int, quota_id: int, payload: ReasonIn):
    """Ministry staff drop an override: the quota is computed from the rules and inputs again."""
    campaign = get_object_or_404(Campaign, year=year)
    quota = get_object_or_404(Quota, pk=quota_id, campaign=campaign)
    quotas.restore_computed_quota(quota, actor=request.user, reason=payload.reason)
    return _quota_rows(campaign, quota.pk)[0]


@router.get("/{year}/rankings", response=list[RankingOut])
def list_rankings(request, year: int):
    """The 2024 industrial value-added ranking behind the excellent quotas (估算 until corrected)."""
    campaign = get_object_or_404(Campaign, year=year)
    return [{"province_code": r.province_code, "province": r.province_name, "rank": r.rank, "is_estimate": r.is_estimate,
             "basis": r.basis} for r in ProvinceRanking.objects.filter(campaign=campaign).order_by("rank", "province_code")]


@router.put("/{year}/rankings/{province_code}", response=list[QuotaOut])
def correct_ranking(request, year: int, province_code: str, payload: RankIn):
    """Ministry staff correct a province's rank; the quotas are recomputed in the same transaction."""
    campaign = get_object_or_404(Campaign, year=year)
    quotas.set_ranking(campaign, province_code=province_code, rank=payload.rank, actor=request.user, basis=payload.basis)
    return _quota_rows(campaign)
