"""Which authorities review an application, in order, fixed when it is submitted.

Advanced tier (先进级): a central-SOE member → its group headquarters; an XPCC enterprise → XPCC;
otherwise the province's configured chain (default county → city → province) resolved to the lead
industry authority at each level of the enterprise's location. A level without an authority on the
platform is skipped; the province level is required.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from smartfactory.campaigns.enums import Stage
from smartfactory.campaigns.models import Campaign, ReviewChain
from smartfactory.errors import NotEligible
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department
from smartfactory.organisations.models import Authority, Enterprise

from .enums import Level

DEFAULT_LEVELS = [Level.COUNTY, Level.CITY, Level.PROVINCE]
STAGE_OF_LEVEL = {
    Level.COUNTY: Stage.COUNTY_REVIEW,
    Level.CITY: Stage.CITY_REVIEW,
    Level.PROVINCE: Stage.PROVINCE_REVIEW,
    Level.XPCC: Stage.PROVINCE_REVIEW,
    Level.SOE_HQ: Stage.PROVINCE_REVIEW,
}


def _lead(level: str, division_code: str) -> Authority | None:
    return (
        Authority.objects.filter(
            kind=AuthorityKind.GOVERNMENT, level=level, division_id=division_code, department=Department.INDUSTRY
        )
        .order_by("-is_lead", "name")
        .first()
    )


def resolve_chain(enterprise: Enterprise, campaign: Campaign, tier: str) -> list[dict]:
    if enterprise.soe_group_id and tier != "leading":  # leading: through the province where the factory is
        return [{"level": Level.SOE_HQ, "authority": str(enterprise.soe_group_id)}]
    if enterprise.is_xpcc:
        xpcc = Authority.objects.filter(kind=AuthorityKind.XPCC, department=Department.INDUSTRY).first()
        if xpcc is None:
            raise NotEligible(_("兵团主管部门尚未在平台开通，暂不能提交。"))
        return [{"level": Level.XPCC, "authority": str(xpcc.id)}]
    configured = ReviewChain.objects.filter(campaign=campaign, province_code=enterprise.province_code, tier=tier).first()
    levels = configured.levels if configured else DEFAULT_LEVELS
    divisions = {
        Level.COUNTY: (AuthorityLevel.COUNTY, enterprise.county_id),
        Level.CITY: (AuthorityLevel.CITY, enterprise.city_code),
        Level.PROVINCE: (AuthorityLevel.PROVINCE, enterprise.province_code),
    }
    chain = []
    for level in levels:
        authority = _lead(*divisions[level])
        if authority is not None:
            chain.append({"level": level, "authority": str(authority.id)})
    if not chain or chain[-1]["level"] != Level.PROVINCE:
        raise NotEligible(_("所在省份的主管部门尚未在平台开通，暂不能提交。"))
    return chain
