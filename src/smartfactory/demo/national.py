"""The national evaluation in the demo world.

* The expert pool: twelve experts (``demo-expert`` … ``demo-expert-12``), one of them in Sichuan,
  one in Zhejiang and one at a central-SOE group's institute, so the conflict rules have something
  to exclude.
* 2025 (the campaign is closed; built by ``demo.national_history``): the national evaluation as imported history — 卓越级 applications
  of Sichuan, Ningbo and central-SOE factories recommended within their quotas, each with its whole
  path (formal check, two scored assignments — one with a third expert after divergence —, a site
  visit, the 公示 of 2025-11-10 to 2025-11-14 with a dismissed and an upheld objection, the six
  ministries' concurrence and the decision of 2025-11-27): the approved ones awarded and published,
  one failing its site visit and one withdrawn after an objection ending ``not_selected``; three
  领航级 applications of factories with a 2024 卓越级 award ending as cultivation objects. The rows
  are written directly (the open-campaign guards refuse a closed campaign) with one audit event
  ``evaluation.imported`` per evaluation; awards and cultivation objects go through their services.
* 2026 (the campaign is open, so the real services and workflow, with a real audit trail): six
  卓越级 applications of Hangzhou factories recommended by Zhejiang (``demo-province-zj``), its
  batch finalised and submitted to MIIT, their evaluations waiting at every stage — two for the
  formal check, one returned, two in expert review with ``demo-expert`` assigned and not yet
  scored, one with a site visit waiting for the enterprise's confirmation —; and one Sichuan
  卓越级 application waiting at 武侯区. Sichuan's own 2026 卓越级 batch stays empty and open (the
  browser tests recommend into it).

Idempotent: each part is written once, in one transaction, and skipped when it exists.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from smartfactory.accounts.models import User
from smartfactory.applications import book_entries
from smartfactory.audit.services import record_event
from smartfactory.campaigns.models import Campaign, Quota
from smartfactory.organisations.enums import AwardStatus, Role, Tier
from smartfactory.organisations.models import Factory, Membership, TierAward

from .common import DEMO_ENTERPRISE_USCC, blank_pdf, set_demo_password

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXPERT_INSTITUTE_KEY = "soe-institute"  # the expert whose organisation is a central-SOE group's

# username → (organisation, organisation USCC key, province, industries (GB/T 4754 大类), scenarios)
EXPERT_PROFILES = {
    "demo-expert": ("某大学智能制造研究院", "", "110000", ["34", "35", "36", "38", "39"], [1, 4, 12, 24, 30]),
    "demo-expert-2": ("某理工大学机械与车辆学院", "", "110000", ["34", "35", "36", "37"], [4, 12, 24]),
    "demo-expert-3": ("某工业大学自动化学院", "", "310000", ["38", "39", "40"], [12, 24, 30]),
    "demo-expert-4": ("某智能制造系统解决方案研究院（上海）", "", "310000", ["26", "27", "13"], [1, 30]),
    "demo-expert-5": ("某大学工业工程系", "", "440000", ["39", "38", "34"], [24, 30]),
    "demo-expert-6": ("某信息通信研究院华东分院", "", "320000", ["31", "32", "26"], [1, 4]),
    "demo-expert-7": ("某科技大学材料学院", "", "420000", ["26", "31", "32"], [12, 24]),
    "demo-expert-8": ("某交通大学先进制造研究中心", "", "610000", ["35", "36", "37"], [4, 24]),
    "demo-expert-9": ("某标准化研究院智能制造所", "", "370000", ["13", "27", "26"], [1, 12, 30]),
    "demo-expert-10": ("某大学（四川）机械工程学院", "", "510000", ["34", "35"], [4, 24]),
    "demo-expert-11": ("某大学（浙江）控制科学学院", "", "330000", ["38", "39"], [12, 30]),
    "demo-expert-12": ("中国智造装备集团智能制造研究院（演示）", EXPERT_INSTITUTE_KEY, "110000", ["35", "34"], [1, 24]),
}

# the self-assessment answers that attain each tier (framework 2025): one built scenario per
# dimension, 20 % (excellent) or 60 % (leading) of them with AI
BUILT = (1, 4, 12, 24, 30)
ANSWER_PLAN = {
    Tier.ADVANCED: {"cmmm": "2", "kpi": "provincial_leading", "ai": set()},
    Tier.EXCELLENT: {"cmmm": "3", "kpi": "national_leading", "ai": {24}},
    Tier.LEADING: {"cmmm": "4", "kpi": "global_leading", "ai": {1, 12, 24}},
}

# the history's dates (Beijing time)
D_SUBMITTED = date(2025, 7, 15)
D_BATCH = date(2025, 8, 1)
D_FORMAL = date(2025, 8, 12)
D_ASSIGNED = date(2025, 8, 20)
D_SCORED = date(2025, 9, 5)
D_AGREED = date(2025, 9, 26)
D_VISIT = date(2025, 10, 15)
D_PUBLICITY = date(2025, 11, 10)
D_PUBLICITY_END = date(2025, 11, 14)
D_FINAL = date(2025, 11, 17)
D_DECIDED = date(2025, 11, 27)
DECISION_NUMBERS = {Tier.EXCELLENT: "工信部联通装〔2025〕218号（演示）", Tier.LEADING: "工信部联通装〔2025〕219号（演示）"}
IMPORT_SOURCE = "2025年度国家评审历史数据（演示导入）"


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def book_for(factory: Factory) -> dict:
    """One value per required entry of the 卓越级 book (framework 2025), about this factory."""
    short = factory.name.replace("智能工厂", "")
    address = factory.address or factory.enterprise.address or f"{factory.county.full_name}产业园"
    return {
        "cover.project_name": f"{short}智能工厂建设项目",
        "part1.enterprise_nature": "国有企业" if factory.enterprise.soe_group_id else "民营企业",
        "part1.revenue": "52000",
        "part1.profit": "4800",
        "part1.employees": "860",
        "part1.contact_person": "陈工",
        "part1.contact_phone": "13800138000",
        "part1.factory_address": address,
        "part1.construction_period": "2023年3月至2025年12月",
        "part1.total_investment": "12500",
        "part1.main_products": factory.main_products or "智能成套装备",
        "part1.cmmm_level": "3",
        "part2.overall_situation": "建成覆盖研发、计划、生产、质量、设备的数字化管理体系，关键工序数控化率超过85%。",
        "scenario.24": {"content": "在总装线部署机器视觉在线检测，缺陷自动识别与分拣。", "technologies": "机器视觉、深度学习",
                        "equipment": "工业相机、边缘计算网关", "ai": True, "effects": "漏检率下降60%"},
        "part2.system_integration": "ERP、MES、WMS 与设备数据采集平台集成，计划到执行的数据实时贯通。",
        "part3.advancement": "以视觉检测与排产优化为特色，形成可复制的行业智能工厂方案。",
        "kpi.productivity": {"before": "100", "after": "128", "benchmark": "national_leading"},
        "part3.follow_up_plan": "2026年起推广至集团其他工厂，并建设工厂级数据中台。",
    }


def answers_for(spec, tier: str) -> dict:
    from smartfactory.assessments import questionnaire

    plan = ANSWER_PLAN[tier]
    answers = {}
    for item in questionnaire.items_for(spec):
        key = item.key
        if key.startswith("br:"):
            answers[key] = True
        elif key == "cmmm:level":
            answers[key] = plan["cmmm"]
        elif key == "kpi:level":
            answers[key] = plan["kpi"]
        elif key.startswith("scn:"):
            _s, number, part = key.split(":")
            if part == "built":
                answers[key] = int(number) in BUILT
            elif part == "ai" and int(number) in BUILT:
                answers[key] = int(number) in plan["ai"]
    return answers


def self_assess(factory, campaign, applicant, tier: str):
    """The enterprise's self-assessment of this campaign, answered through the services so that it
    attains ``tier`` (every application needs one: R3, R6, R16)."""
    from smartfactory.assessments import services as assessments
    from smartfactory.campaigns.services import framework_spec_for

    spec = framework_spec_for(campaign)
    assessment = assessments.start_assessment(factory, campaign, actor=applicant)
    versions = assessments.versions_of(assessment)
    for key, value in answers_for(spec, tier).items():
        assessments.save_answer(assessment, key, value, expected_version=versions.get(key, 0), actor=applicant)
    return assessment


def ministry_user(users: dict[str, User]) -> User:
    return users["demo-ministry"]


# --------------------------------------------------------------------------- the expert pool
def build_expert_pool(world, users: dict[str, User]) -> None:
    """A profile for each demo expert, kept by the ministry through the pool's own service."""
    from smartfactory.evaluation.expert_profiles import save_expert_profile
    from smartfactory.evaluation.models import ExpertProfile

    have = set(ExpertProfile.objects.filter(user__username__in=list(EXPERT_PROFILES)).values_list("user__username", flat=True))
    for username, (organisation, uscc_key, province, industries, scenarios) in EXPERT_PROFILES.items():
        if username in have or username not in users:
            continue
        uscc = world.soe_groups[0].uscc if uscc_key == EXPERT_INSTITUTE_KEY else ""
        user = users[username]
        save_expert_profile(user, actor=ministry_user(users), name=user.display_name or username, organisation=organisation,
                            organisation_uscc=uscc, province_code=province, industries=industries, scenarios=scenarios)


def demo_experts() -> list:
    from smartfactory.evaluation.models import ExpertProfile

    order = {u: n for n, u in enumerate(EXPERT_PROFILES)}
    experts = list(ExpertProfile.objects.filter(user__username__in=list(EXPERT_PROFILES), active=True).select_related("user"))
    return sorted(experts, key=lambda e: order[e.user.username])


class ExpertPicker:
    """Deterministic choice of experts without a conflict of interest, spreading the load."""

    def __init__(self, experts: list, rules):
        from smartfactory.evaluation.conflicts import ConflictIndex

        self.experts, self.index, self.turn = experts, ConflictIndex(experts, rules), 0

    def pick(self, evaluation, n: int, *, avoid=(), skip_usernames=()) -> list:
        from smartfactory.evaluation.conflicts import applicant_of

        applicant = applicant_of(evaluation)
        free = [e for e in self.experts if e not in avoid and e.user.username not in skip_usernames
                and not self.index.reasons(e, applicant)]
        if len(free) < n:
            raise RuntimeError(f"demo: not enough experts without a conflict for {evaluation.application.factory}")
        chosen = [free[(self.turn + i) % len(free)] for i in range(n)]
        self.turn += n
        return chosen


def factories_with(tier: str, *, year_max: int, exclude_tiers=(), **filters):
    """Factories holding an active award of ``tier`` (year ≤ year_max) and none of ``exclude_tiers``."""
    holding = TierAward.objects.filter(tier=tier, year__lte=year_max, status=AwardStatus.ACTIVE).values("factory")
    qs = Factory.objects.filter(pk__in=holding, **filters).exclude(enterprise__uscc=DEMO_ENTERPRISE_USCC)
    if exclude_tiers:
        qs = qs.exclude(pk__in=TierAward.objects.filter(tier__in=exclude_tiers).values("factory"))
    return qs.select_related("enterprise", "enterprise__soe_group", "county").order_by("enterprise__uscc", "name")


def scores_for(criteria, base: int, shift: int) -> dict:
    offsets = (2, -1, 1, -2, 0, 3, -3)
    return {c.key: float(max(0, min(100, base + offsets[(n + shift) % len(offsets)]))) for n, c in enumerate(criteria)}


# --------------------------------------------------------------------------- 2026: through the services
ZJ_STAGES = ["awaiting_check", "awaiting_check", "returned", "expert_review", "expert_review", "site_visit"]
RETURN_REASON = "真实性承诺书扫描件未加盖企业公章，推荐汇总表中的营业收入与申报书不一致，请核实补正后重新报送。"


def applicant_account(username: str, display: str, enterprise) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": display})
    if created:
        set_demo_password(user)
        user.save()
    _m, made = Membership.objects.get_or_create(user=user, role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    if created or made:
        record_event("demo.account", actor=None, obj=user, after={"role": Role.ENTERPRISE_ADMIN, "organisation": enterprise.name})
    return user


def submitted_excellent(factory: Factory, campaign: Campaign, applicant: User):
    """A 卓越级 application made by its enterprise: the self-assessment attaining 卓越级, the book,
    the legal representative, the required attachments (one file each), then submitted with the
    undertaking to cooperate acknowledged (R23); it waits at the first level."""
    from smartfactory.applications import book as book_rules
    from smartfactory.applications import services as app_services
    from smartfactory.applications.enums import Action
    from smartfactory.applications.workflow import transition

    self_assess(factory, campaign, applicant, Tier.EXCELLENT)
    app = app_services.create_application(factory, campaign, tier=Tier.EXCELLENT, actor=applicant)
    versions = book_entries.entry_versions(app)
    for key, value in book_for(factory).items():
        app_services.save_entry(app, key, value, expected_version=versions.get(key, 0), actor=applicant)
    app_services.set_legal_representative(app, actor=applicant, name="张立新")
    for kind in book_rules.required_attachments(campaign.framework_version, Tier.EXCELLENT):
        app_services.attach_file(app, kind=kind, upload=SimpleUploadedFile(f"{kind}.pdf", blank_pdf(kind)),
                                 actor=applicant)
    return transition(app, Action.SUBMIT, actor=applicant, cooperation=True)


def build_national_2026(world, users: dict[str, User], *, today: date) -> None:
    """Zhejiang's 2026 卓越级 batch with MIIT, its evaluations at every stage, and a Sichuan 卓越级
    application at the district (written once, through the services)."""
    from smartfactory.applications.enums import Action
    from smartfactory.applications.models import TierApplication
    from smartfactory.applications.workflow import transition
    from smartfactory.campaigns.enums import Stage
    from smartfactory.campaigns.services import deadline_for
    from smartfactory.evaluation import assigning, opening, scoring, site_visits
    from smartfactory.evaluation.models import Evaluation
    from smartfactory.evaluation.rules import rules_for
    from smartfactory.evaluation.workflow import Act
    from smartfactory.evaluation.workflow import transition as evaluation_transition
    from smartfactory.recommendations import concurrence as batch_concurrence
    from smartfactory.recommendations import services as recommendations
    from smartfactory.recommendations.models import Batch

    campaign = Campaign.objects.filter(year=2026).first()
    if campaign is None or TierApplication.objects.filter(
            campaign=campaign, tier=Tier.EXCELLENT, created_by__username__startswith="demo-applicant-").exists():
        return
    quota = Quota.objects.filter(campaign=campaign, tier=Tier.EXCELLENT, recommender=Quota.Recommender.PROVINCE,
                                 province_code="330000").first()
    batch = Batch.objects.filter(quota=quota).first() if quota else None
    if quota is None or (batch is not None and batch.status != Batch.Status.OPEN):
        return  # somebody already sent Zhejiang's batch: leave it alone
    now = timezone.now()
    for stage in (Stage.ENTERPRISE_SUBMISSION, Stage.RECOMMENDER_ONLINE_REVIEW):
        deadline = deadline_for(campaign, stage, tier=Tier.EXCELLENT)
        if deadline is not None and deadline <= now + timedelta(days=1):
            return  # a demo seeded long ago: its 2026 deadlines have passed, the services would refuse
    ministry, city, leader = users["demo-ministry"], users["demo-city-zj"], users["demo-province-zj"]
    pdf = blank_pdf()
    taken = TierApplication.objects.filter(campaign=campaign).values("factory")
    candidates = factories_with(Tier.ADVANCED, year_max=2025, exclude_tiers=[Tier.EXCELLENT, Tier.LEADING],
                                 enterprise__soe_group__isnull=True).exclude(pk__in=taken)
    hangzhou = list(candidates.filter(county__city_code="330100")[: len(ZJ_STAGES)])
    wuhou = candidates.filter(county_id="510107").first()
    if len(hangzhou) < len(ZJ_STAGES) or wuhou is None:
        raise RuntimeError("demo: the tier history lacks the factories the 2026 evaluation needs")
    with transaction.atomic():
        apps = []
        for n, factory in enumerate(hangzhou, start=1):
            applicant = applicant_account(f"demo-applicant-zj-{n}", f"浙江申报联系人{n}", factory.enterprise)
            app = submitted_excellent(factory, campaign, applicant)
            app = transition(app, Action.APPROVE, actor=city, reason="材料齐全，同意上报")
            apps.append(transition(app, Action.RECOMMEND, actor=leader, reason="经会同省发展改革委审核，同意推荐"))
        batch = recommendations.batch_for(quota)
        for n, authority in enumerate(recommendations.co_departments(quota), start=1):  # letters on file
            batch_concurrence.record_letter(batch, actor=leader, authority=authority,
                                            letter_number=f"会签〔2026〕{n}号", opinion="同意推荐")
        recommendations.finalise(batch, actor=leader)
        for kind, name in (("summary_table", "浙江省推荐汇总表（盖章）.pdf"), ("letter", "浙江省推荐函（盖章）.pdf")):
            recommendations.attach_scan(batch, kind=kind, upload=SimpleUploadedFile(name, pdf), actor=leader)
        recommendations.submit_to_ministry(batch, actor=leader)  # opens an evaluation per application

        rules = rules_for(campaign)
        picker = ExpertPicker(demo_experts(), rules)
        demo_expert = next(e for e in picker.experts if e.user.username == "demo-expert")
        for app, stage in zip(apps, ZJ_STAGES, strict=True):
            e = Evaluation.objects.get(application=app)
            if stage == "awaiting_check":
                continue
            if stage == "returned":
                opening.formal_check(e, actor=ministry, passed=False, reason=RETURN_REASON)
                continue
            e = opening.formal_check(e, actor=ministry, passed=True)
            if stage == "expert_review":  # demo-expert has it in the queue; the other expert has scored
                other = picker.pick(e, 1, skip_usernames={"demo-expert"})[0]
                assigning.assign_expert(e, demo_expert, actor=ministry)
                scored = assigning.assign_expert(e, other, actor=ministry)
                scoring.submit_scores(scored, actor=other.user, scores=scores_for(rules.criteria, 86, 0),
                                         comments={"scenarios": "场景覆盖完整，建议现场重点核查视觉检测场景。"})
                continue
            panel = picker.pick(e, rules.experts_per_application, skip_usernames={"demo-expert"})
            for n, expert in enumerate(panel):
                a = assigning.assign_expert(e, expert, actor=ministry)
                scoring.submit_scores(a, actor=expert.user, scores=scores_for(rules.criteria, 88 - 2 * n, n))
            e = evaluation_transition(e, Act.TO_SITE_VISIT, actor=ministry)
            team = picker.pick(e, 2, avoid=panel, skip_usernames={"demo-expert"})
            site_visits.plan_site_visit(e, actor=ministry, team=team,
                                       scheduled_for=max(today, timezone.localdate()) + timedelta(days=14))

        # Sichuan: one 卓越级 application waiting at 武侯区 (Sichuan's own batch stays empty and open)
        applicant = applicant_account("demo-applicant-sc-1", "四川申报联系人1", wuhou.enterprise)
        submitted_excellent(wuhou, campaign, applicant)

