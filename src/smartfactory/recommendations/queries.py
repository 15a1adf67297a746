"""Read-only questions about a recommendation batch: who recommends within a quota, its
co-departments, what it recommends in order. No writes; ``services`` and ``concurrence`` use them."""

from __future__ import annotations

from django.db.models import Q

from smartfactory.applications.models import TierApplication
from smartfactory.campaigns.enums import QUOTA_STATES
from smartfactory.campaigns.models import Quota
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department
from smartfactory.organisations.models import Authority


def recommender_authority(quota: Quota) -> Authority | None:
    """The authority that recommends within this quota (the province's lead industry department,
    XPCC, or the central-SOE group)."""
    if quota.recommender == Quota.Recommender.CENTRAL_SOE:
        return quota.soe_group
    if quota.recommender == Quota.Recommender.XPCC:
        return Authority.objects.filter(kind=AuthorityKind.XPCC, department=Department.INDUSTRY).first()
    return Authority.objects.filter(kind=AuthorityKind.GOVERNMENT, level=AuthorityLevel.PROVINCE,
                                    division_id=quota.province_code, department=Department.INDUSTRY).first()


def co_departments(quota: Quota) -> list[Authority]:
    authority = recommender_authority(quota)
    if authority is None or authority.kind != AuthorityKind.GOVERNMENT:
        return []
    return list(Authority.objects.filter(kind=AuthorityKind.GOVERNMENT, level=authority.level,
                                         division_id=authority.division_id).exclude(
        Q(department=Department.INDUSTRY) | Q(pk=authority.pk)).order_by("department"))


def recommended(quota: Quota):
    return TierApplication.objects.filter(quota=quota, state__in=QUOTA_STATES).select_related(
        "factory", "factory__enterprise", "factory__enterprise__county__parent__parent",  # the region's full name
        "factory__enterprise__industry"
    ).order_by("priority", "pk")
