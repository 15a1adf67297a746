"""Which authorities review an application, in order, fixed when it is submitted.

The recommender (``recommender.recommender_for``, the one place that decides it) picks the channel:
a central-SOE group headquarters, XPCC, or a province. For a province, its configured chain (default
county → city → province) is resolved to the lead industry authority at each level — of the
applicant's registered county, or of the factory's county when the campaign's rule recommends by the
factory's location. A level without an authority on the platform is skipped; the province level is
required.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from smartfactory.campaigns.enums import Stage
from smartfactory.campaigns.models import Campaign, ReviewChain
from smartfactory.errors import NotEligible
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department
from smartfactory.organisations.models import Authority, Factory

from .enums import Level
from .recommender import Basis, recommender_for

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


def resolve_chain(factory: Factory, campaign: Campaign, tier: str) -> list[dict]:
    enterprise = factory.enterprise
    rec = recommender_for(enterprise, factory, campaign, tier)
    if rec.kind == "central_soe":
        return [{"level": Level.SOE_HQ, "authority": str(rec.soe_group_id)}]
    if rec.kind == "xpcc":
        xpcc = Authority.objects.filter(kind=AuthorityKind.XPCC, department=Department.INDUSTRY).first()
        if xpcc is None:
            raise NotEligible(_("兵团主管部门尚未在平台开通，暂不能提交。"))
        return [{"level": Level.XPCC, "authority": str(xpcc.id)}]
    configured = ReviewChain.objects.filter(campaign=campaign, province_code=rec.province_code, tier=tier).first()
    levels = configured.levels if configured else DEFAULT_LEVELS
    county = factory.county if rec.basis == Basis.FACTORY else enterprise.county
    divisions = {
        Level.COUNTY: (AuthorityLevel.COUNTY, county.code),
        Level.CITY: (AuthorityLevel.CITY, county.city_code),
        Level.PROVINCE: (AuthorityLevel.PROVINCE, rec.province_code),
    }
    chain = []
    for level in levels:
        authority = _lead(*divisions[level])
        if authority is not None:
            chain.append({"level": level, "authority": str(authority.id)})
    if not chain or chain[-1]["level"] != Level.PROVINCE:
        raise NotEligible(_("所在省份的主管部门尚未在平台开通，暂不能提交。"))
    return chain


def chain_steps(app) -> list[dict]:
    """The chain as the enterprise reads it: each level's name and authority, and which one holds it."""
    names = {str(pk): name for pk, name in
             Authority.objects.filter(pk__in=[s["authority"] for s in app.chain]).values_list("pk", "name")}
    return [{"level": Level(step["level"]).label, "authority": names.get(step["authority"], ""),
             "current": n == app.current_step and app.state == "in_review"} for n, step in enumerate(app.chain)]
