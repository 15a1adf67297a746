"""Builders for test data. They create rows directly (fast) where the test is not about creating
them; tests about creating things call the services instead.

The rows come from factory_boy factories, one module per app (``tests.factories.organisations``,
``.campaigns``, ``.assessments``); the functions here are the short names the tests call (``f.user``,
``f.enterprise``, …). Scenario builders that span several apps — an application in Sichuan's review
chain, a recommended batch, a national evaluation round — live in the per-app modules
(``tests.factories.applications``, ``.recommendations``, ``.evaluation``, ``.cultivation``,
``.publicsite``); their pytest fixtures are in ``tests/conftest.py``."""

from __future__ import annotations

from smartfactory.accounts.models import User
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department, Role
from smartfactory.organisations.models import Authority, Enterprise, Factory, TierAward
from smartfactory.regions.models import Division
from tests.factories.assessments import BUILT, FACTS_PLAN, SelfAssessmentFactory, facts_for, verdict_for
from tests.factories.campaigns import CampaignFactory, DeadlineOverrideFactory, StageDeadlineFactory
from tests.factories.organisations import (
    PASSWORD,
    AuthorityFactory,
    EnterpriseFactory,
    FactoryFactory,
    MembershipFactory,
    MinistryFactory,
    TierAwardFactory,
    UserFactory,
)

__all__ = [
    "BUILT", "FACTS_PLAN", "PASSWORD", "AuthorityFactory", "CampaignFactory", "DeadlineOverrideFactory",
    "EnterpriseFactory", "FactoryFactory", "MembershipFactory", "MinistryFactory", "SelfAssessmentFactory",
    "StageDeadlineFactory", "TierAwardFactory", "UserFactory", "authority", "award", "division", "enterprise",
    "factory", "facts_for", "ministry", "verdict_for", "platform_admin", "real_pdf", "self_assessment", "soe_group", "user",
]


def division(code: str) -> Division:
    return Division.objects.get(code=code)


def authority(
    division_code: str | None, *, level: str, kind: str = AuthorityKind.GOVERNMENT, name: str | None = None,
    department: str = Department.INDUSTRY, parent: Authority | None = None, is_lead: bool = True,
) -> Authority:
    extra = {"name": name} if name else {}
    return AuthorityFactory(division_code=division_code, kind=kind, level=level, department=department,
                            is_lead=is_lead, parent=parent, **extra)


def ministry(name: str = "工业和信息化部", department: str = Department.INDUSTRY) -> Authority:
    return MinistryFactory(name=name, department=department)


def soe_group(name: str) -> Authority:
    return AuthorityFactory(level=AuthorityLevel.NATIONAL, kind=AuthorityKind.CENTRAL_SOE, name=name,
                            department=Department.HEADQUARTERS)


def enterprise(county_code: str, *, name: str | None = None, soe: Authority | None = None, industry: str = "34",
               is_xpcc: bool | None = None) -> Enterprise:
    extra = {"name": name} if name else {}
    if is_xpcc is not None:
        extra["is_xpcc"] = is_xpcc
    return EnterpriseFactory(county_code=county_code, soe_group=soe, industry_id=industry, **extra)


def factory(ent: Enterprise, *, name: str | None = None) -> Factory:
    return FactoryFactory(enterprise=ent, **({"name": name} if name else {}))


def award(f: Factory, tier: str, year: int = 2025, by: Authority | None = None) -> TierAward:
    return TierAwardFactory(factory=f, tier=tier, year=year, authority=by)


def user(username: str | None = None, *, role: str | None = None, enterprise: Enterprise | None = None,
         authority: Authority | None = None, **extra) -> User:
    u = UserFactory(**({"username": username} if username else {}), **extra)
    if role:
        MembershipFactory(user=u, role=role, enterprise=enterprise, authority=authority)
    return u


def platform_admin(username: str = "admin-user") -> User:
    return user(username, role=Role.PLATFORM_ADMIN, is_staff=True, is_superuser=True)


def self_assessment(f: Factory, campaign, tier: str = "advanced", facts: dict | None = None):
    """A complete self-assessment of this campaign, scored by the engine, attaining ``tier`` (or what
    the given facts attain); it replaces the factory's earlier one for the campaign."""
    from smartfactory.assessments.models import SelfAssessment

    facts = facts or facts_for(tier, version=campaign.framework_version)
    built = SelfAssessmentFactory.build(factory=f, campaign=campaign, facts=facts)
    assessment, _created = SelfAssessment.objects.update_or_create(
        factory=f, campaign=campaign, defaults={"framework_version": built.framework_version, "facts": built.facts,
                                                "verdict": built.verdict, "attained_tier": built.attained_tier})
    return assessment


def real_pdf() -> bytes:
    """A small, real one-page PDF (every upload's PDF is parsed for active content)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
