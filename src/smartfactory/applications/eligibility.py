"""Who may apply for the excellent and leading tiers (the notice's 申报条件), checked when an
application is opened and again at submit. Every reason is collected and shown, not just the first."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from smartfactory.assessments.models import SelfAssessment
from smartfactory.campaigns.enums import CampaignStatus
from smartfactory.campaigns.models import Campaign, ChannelRule
from smartfactory.organisations.enums import LegalStatus, Tier
from smartfactory.organisations.models import Factory
from smartfactory.organisations.services import attained_tiers
from smartfactory.organisations.validators import clean_uscc

from .book import document_of

PRIOR = {Tier.ADVANCED: Tier.BASIC, Tier.EXCELLENT: Tier.ADVANCED, Tier.LEADING: Tier.EXCELLENT}


def channel_province(factory: Factory) -> str:
    """The province whose recommendation channel the factory's application goes through."""
    return factory.county.province_code


def reasons_not_eligible(factory: Factory, campaign: Campaign, tier: str) -> list[str]:
    reasons: list[str] = []
    enterprise = factory.enterprise
    tier_label = Tier(tier).label
    if campaign.status != CampaignStatus.OPEN or not campaign.is_tier_open(tier):
        reasons.append(_("本年度行动未开放%(t)s申报。") % {"t": tier_label})
    try:
        clean_uscc(enterprise.uscc)
    except ValidationError as error:
        reasons.append(" ".join(error.messages))
    if enterprise.legal_status == LegalStatus.BRANCH:
        special = document_of(campaign.framework_version).get("special_branch_industries", {}).get("industries", [])
        allowed = {code for group in special for code in group["divisions"]}
        if enterprise.industry_id not in allowed:
            names = "、".join(group["name"] for group in special)
            reasons.append(
                _("法人分支机构仅限%(s)s等特殊行业申报，本企业所属行业（%(i)s）不在其列。")
                % {"s": names, "i": enterprise.industry.name}
            )
    prior = PRIOR.get(tier)
    if prior and prior not in attained_tiers(factory):
        reasons.append(_("申报%(t)s须已获评%(p)s（工厂层级认定记录中没有有效的%(p)s）。") % {"t": tier_label, "p": Tier(prior).label})
    rule = ChannelRule.objects.filter(campaign=campaign, province_code=channel_province(factory)).first()
    if rule and rule.registered_in_province_only and enterprise.province_code != rule.province_code:
        reasons.append(
            _("%(p)s仅受理在本省注册的申报主体，本企业注册地不在该省。") % {"p": rule.province_name or rule.province_code}
        )
    assessment = SelfAssessment.objects.filter(factory=factory, campaign=campaign).first()
    if assessment is None or not assessment.verdict:
        reasons.append(_("请先完成本年度自评估。"))
    else:
        verdict = assessment.verdict
        if not verdict.get("complete"):
            reasons.append(_("本年度自评估尚未填写完整。"))
        basic_unmet = [u for u in verdict["tiers"]["basic"]["unmet"] if u["rule"].startswith("BR")]
        if basic_unmet:
            reasons.append(_("自评估中基本要求未满足：%(r)s") % {"r": "；".join(u["message"] for u in basic_unmet)})
        unmet = [u["message"] for u in verdict["tiers"][tier]["unmet"] if not u["rule"].startswith("BR")]
        if unmet:
            reasons.append(_("自评估未达到%(t)s要素条件：%(r)s") % {"t": tier_label, "r": "；".join(unmet)})
    return reasons


def expert_judged(factory: Factory, campaign: Campaign, tier: str) -> list[str]:
    """The tier's rules that experts judge (listed to the applicant, not checked here)."""
    assessment = SelfAssessment.objects.filter(factory=factory, campaign=campaign).first()
    if assessment is None or not assessment.verdict:
        return []
    return [j["message"] for j in assessment.verdict["tiers"][tier]["expert_judged"]]
