"""Who recommends (or certifies) an application: the one answer that the review chain, the quota, the
recommendation batch, the paper copies and the statistics all use.

The rule is campaign data (``Campaign.recommender_basis``):
- ``registered`` (default, the notice's 申报主体): the province where the applicant is registered;
- ``factory``: the province where the factory lies.
Whatever the basis: central-SOE members go through their group headquarters and XPCC enterprises
through XPCC (the advanced and excellent tiers, R11); at the leading tier central-SOE members go
through the province (R18); 计划单列市 are part of their province and draw on its quota (R12, R18).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from smartfactory.organisations.enums import Tier
from smartfactory.organisations.models import Enterprise, Factory
from smartfactory.regions.models import Division


class Basis:
    REGISTERED = "registered"
    FACTORY = "factory"


@dataclass(frozen=True)
class Recommender:
    kind: str  # "province" | "central_soe" | "xpcc"
    province_code: str  # the province of record (statistics, channel rules); the group's members' own for SOEs
    soe_group_id: object = None
    basis: str = Basis.REGISTERED
    factory_province_code: str = ""

    @property
    def factory_elsewhere(self) -> bool:
        """The factory lies outside the recommending province (every reviewer is shown this)."""
        return self.kind == "province" and self.factory_province_code != self.province_code


def recommender_for(enterprise: Enterprise, factory: Factory, campaign, tier: str) -> Recommender:
    basis = getattr(campaign, "recommender_basis", "") or Basis.REGISTERED
    factory_province = factory.county.province_code
    if enterprise.soe_group_id and tier != Tier.LEADING:
        return Recommender("central_soe", enterprise.province_code, enterprise.soe_group_id, basis, factory_province)
    if enterprise.is_xpcc:
        return Recommender("xpcc", enterprise.province_code, None, basis, factory_province)
    province = factory_province if basis == Basis.FACTORY else enterprise.province_code
    return Recommender("province", province, None, basis, factory_province)


def recommender_of(app) -> Recommender:
    return recommender_for(app.factory.enterprise, app.factory, app.campaign, app.tier)


def is_the_recommender(authority, rec: Recommender) -> bool:
    """Whether ``authority`` is the recommender the rule decided (the last level of the chain)."""
    from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel

    if authority is None:
        return False
    if rec.kind == "central_soe":
        return authority.pk == rec.soe_group_id
    if rec.kind == "xpcc":
        return authority.kind == AuthorityKind.XPCC
    return authority.level == AuthorityLevel.PROVINCE and authority.division_id == rec.province_code


def quota_of(app):
    """The quota this application draws on (None when the ministry has not set it)."""
    from smartfactory.campaigns.quotas import quota_for

    return quota_for(app.campaign, app.tier, recommender_of(app))


def location_notice(app) -> str:
    """What reviewers are told when the factory lies in another province than the recommender's."""
    rec = recommender_of(app)
    if not rec.factory_elsewhere:
        return ""
    names = dict(Division.objects.filter(code__in=[rec.province_code, rec.factory_province_code])
                 .values_list("code", "name"))
    return _("注意：申报工厂位于%(f)s（%(a)s），申报主体注册地在%(p)s，本申报由%(p)s审核推荐并占用其名额。") % {
        "f": names.get(rec.factory_province_code, rec.factory_province_code),
        "a": factory_address(app.factory), "p": names.get(rec.province_code, rec.province_code),
    }


def factory_address(factory: Factory) -> str:
    return getattr(factory, "address", "") or factory.county.name
