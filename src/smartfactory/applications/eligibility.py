"""Who may apply for a tier (the notice's 申报条件), checked when an application is opened, again at
submit, and by MIIT's formal check. Every reason is collected and shown, not just the first.

Each check is a guard of the rules it enforces: it returns the reason it refuses, or None.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from smartfactory.assessments.models import SelfAssessment
from smartfactory.campaigns.enums import CampaignStatus
from smartfactory.campaigns.models import Campaign, ChannelRule
from smartfactory.guards import guard
from smartfactory.organisations.enums import LegalStatus, Tier
from smartfactory.organisations.models import Factory
from smartfactory.organisations.services import attained_tiers
from smartfactory.organisations.validators import clean_uscc

from .book import document_of
from .recommender import recommender_for

PRIOR = {Tier.ADVANCED: Tier.BASIC, Tier.EXCELLENT: Tier.ADVANCED, Tier.LEADING: Tier.EXCELLENT}
ORDER = [Tier.BASIC, Tier.ADVANCED, Tier.EXCELLENT, Tier.LEADING]
APPLICANT_TIERS = {Tier.EXCELLENT, Tier.LEADING}  # R5: the applicant's own conditions


@guard("P1")
def tier_open(factory: Factory, campaign: Campaign, tier: str) -> str | None:
    if campaign.status != CampaignStatus.OPEN or not campaign.is_tier_open(tier):
        return _("本年度行动未开放%(t)s申报。") % {"t": Tier(tier).label}
    return None


@guard("R5")
def registered_in_prc(factory: Factory, campaign: Campaign, tier: str) -> str | None:
    """A valid unified social credit code: the applicant is registered in the PRC."""
    try:
        clean_uscc(factory.enterprise.uscc)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


@guard("R5")
def independent_legal_person(factory: Factory, campaign: Campaign, tier: str) -> str | None:
    """Excellent and leading: an independent legal person; a branch only in the special industries."""
    enterprise = factory.enterprise
    if tier not in APPLICANT_TIERS or enterprise.legal_status != LegalStatus.BRANCH:
        return None
    special = document_of(campaign.framework_version).get("special_branch_industries", {}).get("industries", [])
    allowed = {code for group in special for code in group["divisions"]}
    if enterprise.industry_id in allowed:
        return None
    names = "、".join(group["name"] for group in special)
    return _("申报主体须具有独立法人资格；法人分支机构仅限%(s)s等特殊行业申报，本企业所属行业（%(i)s）不在其列。") % {
        "s": names, "i": enterprise.industry.name}


@guard("R3", "R6", "R16")
def prior_tier_held(factory: Factory, campaign: Campaign, tier: str) -> str | None:
    prior = PRIOR.get(tier)
    if prior and prior not in attained_tiers(factory):
        return _("申报%(t)s须已获评%(p)s（工厂层级认定记录中没有有效的%(p)s）。") % {
            "t": Tier(tier).label, "p": Tier(prior).label}
    return None


@guard("P19")
def tier_not_held(factory: Factory, campaign: Campaign, tier: str) -> str | None:
    """A factory that already holds this tier (or a higher one) does not apply for it again; a
    领航级 cultivation object under way does not apply for 领航级 again."""
    held = [t for t in attained_tiers(factory) if t in ORDER]
    if held and ORDER.index(max(held, key=ORDER.index)) >= ORDER.index(tier):
        return _("该工厂已获评%(h)s，不能再申报%(t)s。") % {
            "h": Tier(max(held, key=ORDER.index)).label, "t": Tier(tier).label}
    if tier == Tier.LEADING and factory.cultivations.filter(status="cultivating").exists():
        return _("该工厂已是领航级智能工厂培育对象，请在培育期内申请验收，不能重复申报。")
    return None


@guard("R21")
def channel_rule(factory: Factory, campaign: Campaign, tier: str) -> str | None:
    enterprise = factory.enterprise
    rec = recommender_for(enterprise, factory, campaign, tier)
    if rec.kind != "province":
        return None
    rule = ChannelRule.objects.filter(campaign=campaign, province_code=rec.province_code).first()
    if rule and rule.registered_in_province_only and enterprise.province_code != rule.province_code:
        return _("%(p)s仅受理在本省注册的申报主体，本企业注册地不在该省。") % {"p": rule.province_name or rule.province_code}
    return None


@guard("R1", "R3", "R5", "R6", "R16")
def self_assessment_attains(factory: Factory, campaign: Campaign, tier: str) -> str | None:
    """This campaign's self-assessment, scored with this campaign's framework version, is complete and
    meets every rule of the target tier: its basic requirements (R5, e.g. independent legal person),
    CMMM level (≥ 3 for 卓越级, ≥ 4 for 领航级), coverage, AI share and benchmark (R6, R16)."""
    assessment = SelfAssessment.objects.filter(factory=factory, campaign=campaign).first()
    if assessment is None or not assessment.verdict:
        return _("请先完成本年度自评估。")
    verdict = assessment.verdict
    if assessment.framework_version != campaign.framework_version:
        return _("自评估所用要素条件版本（%(a)s）与本年度行动（%(c)s）不一致，请按本年度版本重新自评估。") % {
            "a": assessment.framework_version, "c": campaign.framework_version}
    if not verdict.get("complete"):
        return _("本年度自评估尚未填写完整。")
    unmet = [u["message"] for u in verdict["tiers"]["basic"]["unmet"] if u["rule"].startswith("BR")]
    unmet += [u["message"] for u in verdict["tiers"][tier]["unmet"] if u["message"] not in unmet]
    if unmet:
        return _("自评估未达到%(t)s要素条件：%(r)s") % {"t": Tier(tier).label, "r": "；".join(unmet)}
    return None


CHECKS = (tier_open, registered_in_prc, independent_legal_person, prior_tier_held, tier_not_held, channel_rule,
          self_assessment_attains)


def reasons_not_eligible(factory: Factory, campaign: Campaign, tier: str) -> list[str]:
    return [reason for check in CHECKS if (reason := check(factory, campaign, tier))]


def expert_judged(factory: Factory, campaign: Campaign, tier: str) -> list[str]:
    """The tier's rules that experts judge (listed to the applicant, not checked here)."""
    assessment = SelfAssessment.objects.filter(factory=factory, campaign=campaign).first()
    if assessment is None or not assessment.verdict:
        return []
    return [j["message"] for j in assessment.verdict["tiers"][tier]["expert_judged"]]
