"""Builders for test data. They create rows directly (fast) where the test is not about creating
them; tests about creating things call the services instead."""

from __future__ import annotations

import itertools
from datetime import date

from smartfactory.accounts.models import User
from smartfactory.demo.identifiers import make_uscc
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department, LegalStatus, Role
from smartfactory.organisations.models import Authority, Enterprise, Factory, Membership, TierAward
from smartfactory.regions.models import Division

_serial = itertools.count(500_000)
PASSWORD = "a-Strong-test-passw0rd"


def division(code: str) -> Division:
    return Division.objects.get(code=code)


def authority(
    division_code: str | None, *, level: str, kind: str = AuthorityKind.GOVERNMENT, name: str | None = None,
    department: str = Department.INDUSTRY, parent: Authority | None = None, is_lead: bool = True,
) -> Authority:
    d = division(division_code) if division_code else None
    return Authority.objects.create(
        name=name or f"{d.name if d else ''}{Department(department).label}{next(_serial)}",
        kind=kind, level=level, department=department, is_lead=is_lead, division=d, parent=parent,
    )


def ministry(name: str = "工业和信息化部", department: str = Department.INDUSTRY) -> Authority:
    return authority(None, level=AuthorityLevel.NATIONAL, kind=AuthorityKind.MINISTRY, name=name, department=department)


def soe_group(name: str) -> Authority:
    return authority(None, level=AuthorityLevel.NATIONAL, kind=AuthorityKind.CENTRAL_SOE, name=name,
                     department=Department.HEADQUARTERS)


def enterprise(county_code: str, *, name: str | None = None, soe: Authority | None = None, industry: str = "34",
               is_xpcc: bool | None = None) -> Enterprise:
    county = division(county_code)
    serial = next(_serial)
    return Enterprise.objects.create(
        uscc=make_uscc(county_code, serial), name=name or f"测试企业{serial}", legal_status=LegalStatus.INDEPENDENT,
        county=county, industry_id=industry, soe_group=soe, province_code=county.province_code,
        city_code=county.city_code, is_xpcc=county.is_xpcc if is_xpcc is None else is_xpcc,
    )


def factory(ent: Enterprise, *, name: str | None = None) -> Factory:
    return Factory.objects.create(enterprise=ent, name=name or f"{ent.name}一号工厂", county=ent.county)


def award(f: Factory, tier: str, year: int = 2025, by: Authority | None = None) -> TierAward:
    return TierAward.objects.create(factory=f, tier=tier, year=year, authority=by, awarded_on=date(year, 6, 30))


def user(username: str | None = None, *, role: str | None = None, enterprise: Enterprise | None = None,
         authority: Authority | None = None, **extra) -> User:
    u = User.objects.create_user(username=username or f"user{next(_serial)}", password=PASSWORD, **extra)
    if role:
        Membership.objects.create(user=u, role=role, enterprise=enterprise, authority=authority)
    return u


def platform_admin(username: str = "admin-user") -> User:
    return user(username, role=Role.PLATFORM_ADMIN, is_staff=True, is_superuser=True)


BUILT = (1, 4, 12, 24, 30)  # one scenario in each of the five dimensions
FACTS_PLAN = {  # what a factory that attains each tier reports (framework 2025)
    "basic": {"cmmm": 2, "kpi": "above_provincial_average", "ai": ()},
    "advanced": {"cmmm": 2, "kpi": "provincial_leading", "ai": ()},
    "excellent": {"cmmm": 3, "kpi": "national_leading", "ai": (24,)},
    "leading": {"cmmm": 4, "kpi": "global_leading", "ai": (1, 12, 24)},
}


def facts_for(tier: str, *, version: str = "2025", **changes) -> dict:
    """Facts that attain ``tier`` exactly; ``changes`` replace top-level facts (e.g. cmmm_level=2)."""
    from smartfactory.frameworks.services import spec_for

    plan = FACTS_PLAN[tier]
    facts = {
        "basic_requirements": {b.id: True for b in spec_for(version).basic_requirements},
        "cmmm_level": plan["cmmm"], "scenarios": [{"number": n, "ai": n in plan["ai"]} for n in BUILT],
        "kpi_benchmark_level": plan["kpi"],
    }
    facts.update(changes)
    return facts


def self_assessment(f: Factory, campaign, tier: str = "advanced", facts: dict | None = None):
    """A complete self-assessment of this campaign, scored by the engine, attaining ``tier`` (or what
    the given facts attain)."""
    from smartfactory.assessments.models import SelfAssessment
    from smartfactory.frameworks.engine import evaluate, validate_facts
    from smartfactory.frameworks.services import spec_for

    spec = spec_for(campaign.framework_version)
    facts = facts or facts_for(tier, version=campaign.framework_version)
    verdict = {**evaluate(spec, validate_facts(spec, facts)), "complete": True, "missing": []}
    assessment, _created = SelfAssessment.objects.update_or_create(
        factory=f, campaign=campaign, defaults={"framework_version": campaign.framework_version, "facts": facts,
                                                "verdict": verdict, "attained_tier": verdict["attained_tier"] or ""})
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
