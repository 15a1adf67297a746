"""A national evaluation round at scale, for the assignment test and benchmark: N recommended 卓越级
applications in expert review and an expert pool of M with deliberate conflicts of every kind.

``build_round()`` writes into the current database (a test's, or a benchmark's fresh one) through the real
models, in bulk (``bulk_create``), so model defaults and database constraints hold; it does not go through
the services (that is not what the callers measure). It needs the reference data (divisions, industries,
the 2025 framework) already loaded. Deterministic for a seed.

The data:

* applicants in five provinces (川浙苏粤京), spread over real current counties, in eight industrial 大类
  between 13 and 43; one in five belongs to one of three central-SOE groups; each has one factory, a
  self-assessment (facts with 6–14 built scenarios and the verdict the engine gives them), a
  TierApplication (卓越级, recommended) carrying that verdict, and an Evaluation in expert review;
* experts in those five provinces and four others (so many of them conflict by province with a fifth of
  the applicants), each with 2–4 of the applicants' industries, 3–8 scenarios and a cap of 11–14 (total
  capacity ≈ 2.5 × N, demand 2 × N), and deliberately conflicting ones: experts whose organisation USCC is
  an applicant's, experts of a central-SOE group (organisation USCC of the group, as
  ``save_expert_profile`` derives it), and declared / advised ``DeclaredConflict`` rows.
"""

from __future__ import annotations

import random
import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from smartfactory.applications.models import TierApplication
from smartfactory.assessments.models import SelfAssessment
from smartfactory.campaigns.models import Campaign
from smartfactory.demo.identifiers import make_uscc
from smartfactory.evaluation.models import DeclaredConflict, Evaluation, EvaluationState, ExpertProfile
from smartfactory.frameworks.engine import evaluate, validate_facts
from smartfactory.frameworks.services import spec_for
from smartfactory.organisations.enums import (
    AuthorityKind,
    AuthorityLevel,
    Department,
    LegalStatus,
    MembershipStatus,
    Role,
)
from smartfactory.organisations.models import Authority, Enterprise, Factory, Membership
from smartfactory.regions.models import Division, Industry

TIER = "excellent"
APPLICANT_PROVINCES = ("510000", "330000", "320000", "440000", "110000")  # 川 浙 苏 粤 京
OTHER_PROVINCES = ("420000", "310000", "430000", "370000")  # 鄂 沪 湘 鲁: experts only
COUNTIES_PER_PROVINCE = 6
INDUSTRY_COUNT = 8
SOE_GROUPS = ("中国机械工业集团有限公司", "中国电子信息产业集团有限公司", "中国中化控股有限责任公司")
SOE_SHARE = 0.2  # of the applicants
SAME_ORGANISATION_EXPERTS = 5
SOE_EXPERTS_PER_GROUP = 2
DECLARING_EXPERTS = 20  # each declares 2 conflicts and has 1 advisory relationship
MAX_LOAD = (11, 14)
USCC_BASE = 70_000_000  # serials of generated USCCs (tests.factories uses 500 000 on)


def _miit_and_staff() -> tuple[Authority, object]:
    miit = Authority.objects.filter(kind=AuthorityKind.MINISTRY, is_lead=True, department=Department.INDUSTRY).first()
    if miit is None:
        miit = Authority.objects.create(name="工业和信息化部", kind=AuthorityKind.MINISTRY, level=AuthorityLevel.NATIONAL,
                                        department=Department.INDUSTRY, is_lead=True)
    membership = (Membership.objects.filter(authority=miit, role=Role.MINISTRY_STAFF, status=MembershipStatus.ACTIVE,
                                            user__is_active=True).select_related("user").first())
    if membership is not None:
        return miit, membership.user
    staff = get_user_model().objects.create_user(username=f"scale-miit-staff-{miit.pk.hex[:8]}", password=None,
                                                 display_name="工信部评审处")
    Membership.objects.create(user=staff, role=Role.MINISTRY_STAFF, authority=miit)
    return miit, staff


def _campaign() -> Campaign:
    taken = set(Campaign.objects.values_list("year", flat=True))
    year = 2025 if 2025 not in taken else max(taken) + 1
    return Campaign.objects.create(year=year, name=f"{year}年度智能工厂梯度培育行动", framework_version="2025",
                                   tiers_open=["basic", "advanced", "excellent", "leading"], status="open")


def _facts(rng: random.Random, spec) -> dict:
    numbers = sorted(rng.sample(sorted(spec.scenarios), rng.randint(6, 14)))
    return {
        "basic_requirements": {b.id: True for b in spec.basic_requirements},
        "cmmm_level": rng.choice((3, 3, 4)),
        "scenarios": [{"number": n, "ai": rng.random() < 0.3} for n in numbers],
        "kpi_benchmark_level": spec.kpi_levels[-1],
    }


@transaction.atomic
def build_round(*, applications: int = 300, experts: int = 60, seed: int = 2025) -> dict:
    """Create the round; returns ``{"campaign", "staff", "miit", "evaluations", "experts", "enterprises",
    "soe_groups", "declared"}`` (evaluations and experts in creation order)."""
    if applications < 10 or experts < SAME_ORGANISATION_EXPERTS + SOE_EXPERTS_PER_GROUP * len(SOE_GROUPS) + 2:
        raise ValueError("a round needs at least 10 applications and 13 experts")
    rng = random.Random(seed)

    def uid() -> uuid.UUID:  # primary keys from the seed too, so a round (and its assignment) is repeatable
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    now = timezone.now()
    spec = spec_for("2025")
    miit, staff = _miit_and_staff()
    campaign = _campaign()
    serial = USCC_BASE + (seed % 1000) * 100_000

    counties = {}
    for province in APPLICANT_PROVINCES:
        codes = list(Division.objects.filter(level="county", valid_to__isnull=True, province_code=province)
                     .order_by("code"))
        if not codes:
            raise LookupError(f"no current counties of {province}: load the reference data first")
        counties[province] = rng.sample(codes, min(COUNTIES_PER_PROVINCE, len(codes)))
    pool = list(Industry.objects.filter(level="division", is_industrial=True, valid_to__isnull=True,
                                        code__gte="13", code__lte="43").order_by("code").values_list("code", flat=True))
    industries = rng.sample(pool, min(INDUSTRY_COUNT, len(pool)))

    groups = []
    for name in SOE_GROUPS:
        serial += 1
        groups.append(Authority(id=uid(), name=name, kind=AuthorityKind.CENTRAL_SOE, level=AuthorityLevel.NATIONAL,
                                department=Department.HEADQUARTERS, uscc=make_uscc("110108", serial)))
    Authority.objects.bulk_create(groups)

    # ---------------------------------------------------------------- applicants
    enterprises, factories, assessments, apps, evaluations = [], [], [], [], []
    for i in range(applications):
        province = APPLICANT_PROVINCES[i % len(APPLICANT_PROVINCES)]
        county = rng.choice(counties[province])
        group = rng.choice(groups) if rng.random() < SOE_SHARE else None
        serial += 1
        enterprise = Enterprise(id=uid(), uscc=make_uscc(county.code, serial), name=f"{county.name[:2]}规模测试制造有限公司{i + 1:04d}",
                                legal_status=LegalStatus.INDEPENDENT, county=county, industry_id=rng.choice(industries),
                                soe_group=group, province_code=county.province_code, city_code=county.city_code,
                                is_xpcc=county.is_xpcc, address=f"{county.name}工业园区{i + 1}号")
        factory = Factory(id=uid(), enterprise=enterprise, name=f"{enterprise.name}智能工厂", county=county, main_products="智能装备")
        facts = _facts(rng, spec)
        verdict = {**evaluate(spec, validate_facts(spec, facts)), "complete": True, "missing": []}
        assessment = SelfAssessment(id=uid(), factory=factory, campaign=campaign, framework_version="2025", facts=facts,
                                    verdict=verdict, attained_tier=verdict["attained_tier"] or "", scored_at=now)
        app = TierApplication(id=uid(), factory=factory, campaign=campaign, tier=TIER, state="recommended",
                              province_code=county.province_code, assessment_verdict=verdict, version=1,
                              legal_representative="张法人", submitted_at=now, priority=i // len(APPLICANT_PROVINCES) + 1)
        evaluation = Evaluation(id=uid(), application=app, campaign=campaign, tier=TIER, state=EvaluationState.EXPERT_REVIEW,
                                formal_verdict="pass", checked_by=staff, checked_at=now)
        enterprises.append(enterprise)
        factories.append(factory)
        assessments.append(assessment)
        apps.append(app)
        evaluations.append(evaluation)
    for model, rows in ((Enterprise, enterprises), (Factory, factories), (SelfAssessment, assessments),
                        (TierApplication, apps), (Evaluation, evaluations)):
        model.objects.bulk_create(rows, batch_size=500)

    # ---------------------------------------------------------------- experts
    user_model = get_user_model()
    expert_provinces = APPLICANT_PROVINCES + OTHER_PROVINCES
    scenario_numbers = sorted(spec.scenarios)
    users, profiles = [], []
    same_org = rng.sample(enterprises, SAME_ORGANISATION_EXPERTS)
    for i in range(experts):
        user = user_model(username=f"scale-expert-{campaign.year}-{seed}-{i + 1:03d}", email=f"expert{i + 1}@example.invalid",
                    display_name=f"专家{i + 1:03d}")
        user.set_unusable_password()
        organisation, uscc, group = f"某研究院{i % 17 + 1}所", "", None
        if i < SAME_ORGANISATION_EXPERTS:  # works for an applicant
            organisation, uscc = same_org[i].name, same_org[i].uscc
        elif i < SAME_ORGANISATION_EXPERTS + SOE_EXPERTS_PER_GROUP * len(groups):  # works for a central-SOE group
            group = groups[(i - SAME_ORGANISATION_EXPERTS) % len(groups)]
            organisation, uscc = group.name, group.uscc
        elif i % 3 == 0:  # a consultancy with a USCC of its own, no applicant's
            serial += 1
            organisation, uscc = f"某智能制造咨询有限公司{i + 1}", make_uscc("310104", serial)
        profiles.append(ExpertProfile(
            user=user, name=f"专家{i + 1:03d}", organisation=organisation, organisation_uscc=uscc, soe_group=group,
            province_code=expert_provinces[i % len(expert_provinces)],
            industries=sorted(rng.sample(industries, rng.randint(2, 4))),
            scenarios=sorted(rng.sample(scenario_numbers, rng.randint(3, 8))),
            max_load=rng.randint(*MAX_LOAD)))
        users.append(user)
    user_model.objects.bulk_create(users)
    Membership.objects.bulk_create([Membership(user=u, role=Role.EXPERT) for u in users])
    for user, profile in zip(users, profiles, strict=True):
        profile.user = user  # the saved user (its pk)
    ExpertProfile.objects.bulk_create(profiles)

    declared = []
    first = SAME_ORGANISATION_EXPERTS + SOE_EXPERTS_PER_GROUP * len(groups)
    for profile in profiles[first:first + DECLARING_EXPERTS]:
        picks = rng.sample(enterprises, 3)
        declared += [DeclaredConflict(expert=profile, enterprise=picks[0], kind=DeclaredConflict.Kind.DECLARED,
                                      note="亲属在该企业任职"),
                     DeclaredConflict(expert=profile, enterprise=picks[1], kind=DeclaredConflict.Kind.DECLARED,
                                      note="曾在该企业任职"),
                     DeclaredConflict(expert=profile, enterprise=picks[2], kind=DeclaredConflict.Kind.ADVISED,
                                      note="2024年提供智能化改造咨询")]
    DeclaredConflict.objects.bulk_create(declared)
    return {"campaign": campaign, "staff": staff, "miit": miit, "evaluations": evaluations, "experts": profiles,
            "enterprises": enterprises, "soe_groups": groups, "declared": declared}
