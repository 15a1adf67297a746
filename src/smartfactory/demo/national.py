"""The national evaluation in the demo world.

* The expert pool: twelve experts (``demo-expert`` … ``demo-expert-12``), one of them in Sichuan,
  one in Zhejiang and one at a central-SOE group's institute, so the conflict rules have something
  to exclude.
* 2025 (the campaign is closed): the national evaluation as imported history — 卓越级 applications
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

import io
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from smartfactory.accounts.models import User
from smartfactory.audit.services import record_event
from smartfactory.campaigns.models import Campaign, Quota
from smartfactory.cultivation.models import CultivationObject
from smartfactory.organisations.enums import AwardStatus, Role, Tier
from smartfactory.organisations.models import Factory, Membership, TierAward

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


def blank_pdf(label: str = "") -> bytes:
    """A small one-page PDF without text: nothing for the confidentiality scan to find. ``label``
    (in the metadata) makes each material its own file: one file cannot stand for two (P30)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if label:
        writer.add_metadata({"/Title": label})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


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


def _answers(spec, tier: str) -> dict:
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
    for key, value in _answers(spec, tier).items():
        assessments.save_answer(assessment, key, value, expected_version=versions.get(key, 0), actor=applicant)
    return assessment


def _ministry_user(users: dict[str, User]) -> User:
    return users["demo-ministry"]


# --------------------------------------------------------------------------- the expert pool
def build_expert_pool(world, users: dict[str, User]) -> None:
    """A profile for each demo expert, kept by the ministry through the pool's own service."""
    from smartfactory.evaluation.models import ExpertProfile
    from smartfactory.evaluation.services import save_expert_profile

    have = set(ExpertProfile.objects.filter(user__username__in=list(EXPERT_PROFILES)).values_list("user__username", flat=True))
    for username, (organisation, uscc_key, province, industries, scenarios) in EXPERT_PROFILES.items():
        if username in have or username not in users:
            continue
        uscc = world.soe_groups[0].uscc if uscc_key == EXPERT_INSTITUTE_KEY else ""
        user = users[username]
        save_expert_profile(user, actor=_ministry_user(users), name=user.display_name or username, organisation=organisation,
                            organisation_uscc=uscc, province_code=province, industries=industries, scenarios=scenarios)


def _experts() -> list:
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


# --------------------------------------------------------------------------- 2025: imported history
@dataclass
class Imported:
    factory: Factory
    tier: str
    outcome: str = "approved"  # approved | site_fail | objection_upheld
    diverge: bool = False  # the two experts' totals differ by more than the threshold: a third expert
    objection_dismissed: bool = False
    evaluation: object = None
    certificate_no: str = ""
    base: int = 88


def _factories_with(tier: str, *, year_max: int, exclude_tiers=(), **filters):
    """Factories holding an active award of ``tier`` (year ≤ year_max) and none of ``exclude_tiers``."""
    from smartfactory.demo.world import DEMO_ENTERPRISE_USCC

    holding = TierAward.objects.filter(tier=tier, year__lte=year_max, status=AwardStatus.ACTIVE).values("factory")
    qs = Factory.objects.filter(pk__in=holding, **filters).exclude(enterprise__uscc=DEMO_ENTERPRISE_USCC)
    if exclude_tiers:
        qs = qs.exclude(pk__in=TierAward.objects.filter(tier__in=exclude_tiers).values("factory"))
    return qs.select_related("enterprise", "enterprise__soe_group", "county").order_by("enterprise__uscc", "name")


def _history_plan(world) -> list[Imported]:
    from smartfactory.organisations.services import record_tier_award

    taken_2026 = Factory.objects.filter(applications__campaign__year=2026).values("pk")
    excellent = _factories_with(Tier.ADVANCED, year_max=2025, exclude_tiers=[Tier.EXCELLENT, Tier.LEADING])
    sichuan = list(excellent.filter(county__province_code="510000", enterprise__soe_group__isnull=True)
                   .exclude(county_id="510107").exclude(pk__in=taken_2026)[:4])
    ningbo = list(excellent.filter(county__city_code="330200", enterprise__soe_group__isnull=True)[:2])
    soe = []
    for group in world.soe_groups:  # one member factory in Sichuan of each group; certified advanced by the group if not yet
        members = list(Factory.objects.filter(enterprise__soe_group=group, county__province_code="510000")
                       .exclude(pk__in=TierAward.objects.filter(tier=Tier.EXCELLENT).values("factory"))
                       .select_related("enterprise", "county").order_by("enterprise__uscc", "name"))
        advanced = set(TierAward.objects.filter(factory__in=members, tier=Tier.ADVANCED, status=AwardStatus.ACTIVE)
                       .values_list("factory_id", flat=True))
        member = next((m for m in members if m.pk in advanced), members[0] if members else None)
        if member is None:
            continue
        if member.pk not in advanced:
            record_tier_award(member, actor=None, year=2025, tier=Tier.ADVANCED, authority=group,
                              certificate_no=f"{group.short_name[:2]}先进〔2025〕0901号", awarded_on=date(2025, 6, 20))
        soe.append(member)
    leading = _factories_with(Tier.EXCELLENT, year_max=2024, enterprise__soe_group__isnull=True)
    leading_sc = list(leading.filter(county__province_code="510000").exclude(county_id="510107")[:2])
    leading_zj = list(leading.filter(county__province_code="330000")[:1])
    if len(sichuan) < 4 or len(ningbo) < 2 or len(leading_sc) < 2 or not leading_zj:
        raise RuntimeError("demo: the tier history lacks the factories the 2025 national evaluation needs")
    plan = [
        Imported(sichuan[0], Tier.EXCELLENT, objection_dismissed=True, base=91),
        Imported(sichuan[1], Tier.EXCELLENT, diverge=True, base=86),
        Imported(sichuan[2], Tier.EXCELLENT, outcome="site_fail", base=82),
        Imported(sichuan[3], Tier.EXCELLENT, base=87),
        Imported(ningbo[0], Tier.EXCELLENT, base=89),
        Imported(ningbo[1], Tier.EXCELLENT, outcome="objection_upheld", base=84),
        *[Imported(f, Tier.EXCELLENT, base=88 - n) for n, f in enumerate(soe)],
        *[Imported(f, Tier.LEADING, base=90 - n) for n, f in enumerate([*leading_sc, *leading_zj])],
    ]
    return plan


def _scores(criteria, base: int, shift: int) -> dict:
    offsets = (2, -1, 1, -2, 0, 3, -3)
    return {c.key: float(max(0, min(100, base + offsets[(n + shift) % len(offsets)]))) for n, c in enumerate(criteria)}


def _imported_checks() -> list[dict]:
    labels = [("book", "申报书完整"), ("attachments", "必备附件齐全"), ("eligibility", "申报资格（前置层级、基本要求等）"),
              ("version", "已生成带校验码的提交版本"), ("confidentiality", "保密审查无未说明的疑似涉密内容"),
              ("commitment", "真实性承诺书及法定代表人")]
    return [{"key": k, "label": label, "ok": True, "detail": IMPORT_SOURCE} for k, label in labels]


def _import_application(item: Imported, campaign: Campaign, spec) -> object:
    """The recommended application of the history, with its self-assessment and submitted version."""
    from smartfactory.applications.chain import resolve_chain
    from smartfactory.applications.enums import QUOTA_STATES, State
    from smartfactory.applications.models import ApplicationVersion, BookEntry, TierApplication
    from smartfactory.applications.recommender import recommender_for
    from smartfactory.assessments import questionnaire
    from smartfactory.assessments.models import SelfAssessment
    from smartfactory.audit.chain import sm3_hex
    from smartfactory.campaigns.quotas import quota_for
    from smartfactory.frameworks.engine import evaluate, validate_facts

    factory = item.factory
    answers = _answers(spec, item.tier)
    facts = questionnaire.facts_from(spec, answers)
    verdict = {**evaluate(spec, validate_facts(spec, facts)), "complete": True, "missing": []}
    SelfAssessment.objects.get_or_create(factory=factory, campaign=campaign, defaults={
        "framework_version": campaign.framework_version, "facts": facts, "verdict": verdict,
        "attained_tier": verdict["attained_tier"] or "", "scored_at": at(D_SUBMITTED - timedelta(days=20)),
        "scored_thresholds": spec.overrides})
    recommender = recommender_for(factory.enterprise, factory, campaign, item.tier)
    province = recommender.province_code
    quota = quota_for(campaign, item.tier, recommender)
    used = TierApplication.objects.filter(quota=quota, state__in=QUOTA_STATES).count()
    if quota is None or used >= quota.quota:
        raise RuntimeError(f"demo: no room in the 2025 quota for {factory}")
    chain = resolve_chain(factory, campaign, item.tier)
    app = TierApplication.objects.create(
        factory=factory, campaign=campaign, tier=item.tier, state=State.RECOMMENDED, chain=chain,
        current_step=len(chain) - 1, current_authority_id=chain[-1]["authority"], version=1, assessment_verdict=verdict,
        quota=quota, priority=used + 1, legal_representative="张立新", submitted_at=at(D_SUBMITTED), province_code=province,
    )
    book = book_for(factory)
    BookEntry.objects.bulk_create([BookEntry(application=app, key=k, value=v) for k, v in book.items()])
    snapshot = {
        "tier": item.tier, "campaign": campaign.year, "version": 1,
        "enterprise": {"uscc": factory.enterprise.uscc, "name": factory.enterprise.name},
        "factory": {"id": str(factory.id), "name": factory.name}, "content": {}, "book": book, "attachments": [],
        "legal_representative": app.legal_representative, "confidentiality": {"findings": [], "justification": ""},
        "submitted_at": at(D_SUBMITTED).isoformat(), "imported": IMPORT_SOURCE,
    }
    digest = sm3_hex(json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())
    code = "".join(secrets.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(10))
    version = ApplicationVersion.objects.create(application=app, number=1, content={}, snapshot=snapshot,
                                                content_hash=digest, verification_code=code)
    ApplicationVersion.objects.filter(pk=version.pk).update(submitted_at=at(D_SUBMITTED))
    return app


def _import_review(item: Imported, app, campaign: Campaign, rules, picker: ExpertPicker, ministry: User):
    """The evaluation up to its site visit: formal check, scored assignments, the visit."""
    from smartfactory.evaluation.models import Assignment, Evaluation, SiteVisit
    from smartfactory.evaluation.services import site_checklist, weighted_total

    evaluation = Evaluation.objects.create(
        application=app, campaign=campaign, tier=item.tier, state="expert_review", auto_checks=_imported_checks(),
        formal_verdict="pass", checked_by=ministry, checked_at=at(D_FORMAL))
    Evaluation.objects.filter(pk=evaluation.pk).update(created_at=at(D_BATCH, 16))
    evaluation.refresh_from_db()
    panel = picker.pick(evaluation, rules.experts_per_application)
    bases = [item.base + 2, item.base - 2] if not item.diverge else [item.base + 6, item.base - 12]
    roles = [Assignment.Role.PANEL] * len(panel)
    if item.diverge:  # the spread is above the threshold: the third expert reviews
        panel += picker.pick(evaluation, 1, avoid=panel)
        bases.append(item.base)
        roles.append(Assignment.Role.THIRD)
    for n, (expert, base, role) in enumerate(zip(panel, bases, roles, strict=True)):
        scores = _scores(rules.criteria, base, n)
        total = weighted_total(campaign, scores)
        assigned = at(D_ASSIGNED) if role == Assignment.Role.PANEL else at(D_SCORED + timedelta(days=1))
        a = Assignment.objects.create(
            evaluation=evaluation, expert=expert, role=role, due_at=assigned + timedelta(days=rules.scoring_days),
            assigned_by=ministry, scores=scores, total=total, submitted_at=assigned + timedelta(days=6, hours=n),
            comments={"scenarios": "场景覆盖五个维度，视觉检测场景应用人工智能，成效数据完整。"})
        Assignment.objects.filter(pk=a.pk).update(created_at=assigned)
    team = picker.pick(evaluation, 2, avoid=panel)
    checklist = site_checklist(evaluation)
    failed_item = next((i["key"] for i in checklist if i["key"].startswith("s:")), checklist[-1]["key"])
    findings = {}
    for entry in checklist:
        if item.outcome == "site_fail" and entry["key"] == failed_item:
            findings[entry["key"]] = {"result": "not_met", "note": "该场景系统尚未上线运行，与申报材料不符。"}
        else:
            findings[entry["key"]] = {"result": "met", "note": "现场查看系统运行记录与数据，与申报一致。"}
    fail = item.outcome == "site_fail"
    visit = SiteVisit.objects.create(
        evaluation=evaluation, scheduled_for=D_VISIT + timedelta(days=len(item.factory.name) % 7), agreed_at=at(D_AGREED),
        checklist=checklist, findings=findings, outcome=SiteVisit.Outcome.FAIL if fail else SiteVisit.Outcome.PASS,
        outcome_note="申报的典型场景未实际运行，核查未通过。" if fail else "各核查项与申报材料一致。",
        recorded_by=team[0].user, recorded_at=at(D_VISIT + timedelta(days=8), 17))
    visit.team.set(team)
    return evaluation


def _concurrences(campaign: Campaign, ministry: User) -> list[dict]:
    from smartfactory.evaluation.services import decision_ministries

    out = []
    for n, authority in enumerate(decision_ministries(campaign)):
        own = authority.is_lead
        out.append({"authority": str(authority.pk), "name": authority.name, "by": ministry.get_username(),
                    "at": at(D_FINAL + timedelta(days=1 + n), 15).isoformat(),
                    "document": "" if own else f"{authority.short_name or authority.name}会签意见〔2025〕{40 + n}号（演示）"})
    return out


def _publicity(campaign: Campaign, tier: str, ministry: User):
    from smartfactory.evaluation.models import Publicity

    kind = "培育对象" if tier == Tier.LEADING else ""
    concurrences = _concurrences(campaign, ministry)
    if len(concurrences) != 6:
        raise RuntimeError("demo: the six ministries of the joint decision are not all on the platform")
    return Publicity.objects.create(
        campaign=campaign, tier=tier, title=f"{campaign.year}年度{Tier(tier).label}智能工厂{kind}拟入选名单公示",
        starts_at=at(D_PUBLICITY, 0), ends_at=datetime.combine(D_PUBLICITY_END, time(23, 59, 59), tzinfo=SHANGHAI),
        status=Publicity.Status.DECIDED, created_by=ministry, finalised_at=at(D_FINAL, 9),
        concurrences=concurrences, decided_at=at(D_DECIDED), decision_number=DECISION_NUMBERS[tier])


def _objection(publicity, evaluation, *, upheld: bool, ministry: User):
    from smartfactory.crypto import encrypt
    from smartfactory.evaluation.models import Objection

    if upheld:
        content = "该工厂2024年发生一起较大生产安全事故，申报材料未如实说明，不符合基本要求。"
        handling = "经向属地应急管理部门核实，事故情况属实，异议成立，移出拟入选名单。"
        who, contact = "某市民", "13912345678"
    else:
        content = "该工厂申报的智能化改造投入明显高于实际，请核实。"
        handling = "经核查企业审计报告及设备采购合同，申报投入属实，异议不成立。"
        who, contact = "某企业职工", "objection-demo@example.com"
    objection = Objection.objects.create(
        publicity=publicity, evaluation=evaluation, submitter_name=who, contact_encrypted=encrypt(contact), content=content,
        status=Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED, handling=handling, handled_by=ministry,
        handled_at=at(D_PUBLICITY_END, 16))
    Objection.objects.filter(pk=objection.pk).update(submitted_at=at(D_PUBLICITY + timedelta(days=1), 11))
    return handling


def publish_2024_awards() -> None:
    """The 2024 卓越级 decisions were published on their award date (the public lists show them);
    run before the quotas are first computed, and followed by the recomputation like any publication."""
    from smartfactory.campaigns.quotas import follow_published_awards

    with transaction.atomic():
        rows = TierAward.objects.filter(tier=Tier.EXCELLENT, year=2024, published_on__isnull=True)
        ids = sorted(rows.values_list("pk", flat=True))
        if ids:
            TierAward.objects.filter(pk__in=ids).update(published_on=F("awarded_on"))
            record_event("tier.published", actor=None, object_type="organisations.tieraward", object_id="2024-excellent",
                         after={"year": 2024, "tier": Tier.EXCELLENT, "awards": len(ids), "published_on": "awarded_on",
                                "source": "演示数据：2024年度卓越级名单"})
            follow_published_awards(2024, source="演示数据：2024年度卓越级名单")


def build_national_history(world, users: dict[str, User]) -> None:
    """The 2025 national evaluation as imported history (written once)."""
    from smartfactory.applications.enums import State
    from smartfactory.applications.models import TierApplication
    from smartfactory.campaigns.quotas import follow_published_awards
    from smartfactory.campaigns.services import framework_spec_for
    from smartfactory.cultivation.services import create_cultivation
    from smartfactory.evaluation.models import Evaluation, EvaluationState
    from smartfactory.evaluation.rules import rules_for
    from smartfactory.organisations.services import record_tier_award
    from smartfactory.recommendations.concurrence import current_order, order_hash
    from smartfactory.recommendations.models import Batch, BatchConcurrence
    from smartfactory.recommendations.services import co_departments

    campaign = Campaign.objects.filter(year=2025).first()
    if campaign is None or Evaluation.objects.filter(campaign=campaign).exists():
        return
    ministry = _ministry_user(users)
    rules, spec = rules_for(campaign), framework_spec_for(campaign)
    with transaction.atomic():
        plan = _history_plan(world)
        picker = ExpertPicker(_experts(), rules)
        for item in plan:
            app = _import_application(item, campaign, spec)
            item.evaluation = _import_review(item, app, campaign, rules, picker, ministry)
        publicities = {}
        for tier in (Tier.EXCELLENT, Tier.LEADING):
            listed = [i for i in plan if i.tier == tier and i.outcome != "site_fail"]
            if listed:
                publicities[tier] = _publicity(campaign, tier, ministry)
        serial = {Tier.EXCELLENT: 0, Tier.LEADING: 0}
        decided_at = at(D_DECIDED)
        for item in plan:
            evaluation, app = item.evaluation, item.evaluation.application
            publicity = publicities.get(item.tier) if item.outcome != "site_fail" else None
            reason = ""
            if item.objection_dismissed:
                _objection(publicity, evaluation, upheld=False, ministry=ministry)
            if item.outcome == "objection_upheld":
                reason = "公示异议成立：" + _objection(publicity, evaluation, upheld=True, ministry=ministry)
            elif item.outcome == "site_fail":
                reason = "现场核查未通过：" + evaluation.site_visit.outcome_note
            approved = item.outcome == "approved"
            if approved:
                serial[item.tier] += 1
                item.certificate_no = rules.certificate_format[item.tier].format(year=campaign.year, n=serial[item.tier])
            Evaluation.objects.filter(pk=evaluation.pk).update(
                state=EvaluationState.APPROVED if approved else EvaluationState.NOT_APPROVED, publicity=publicity,
                outcome_reason=reason, certificate_no=item.certificate_no)
            TierApplication.objects.filter(pk=app.pk).update(
                state=(State.AWARDED if item.tier == Tier.EXCELLENT else State.CULTIVATING) if approved else State.NOT_SELECTED,
                certificate_no=item.certificate_no, decided_at=decided_at)
            app.refresh_from_db()
            if approved and item.tier == Tier.EXCELLENT:
                award = record_tier_award(app.factory, actor=None, year=campaign.year, tier=Tier.EXCELLENT,
                                          authority=world.ministry, certificate_no=item.certificate_no, awarded_on=D_DECIDED)
                award.published_on = D_DECIDED
                award.save(update_fields=["published_on"])
            elif approved:
                obj = create_cultivation(app, published_on=D_DECIDED, actor=None, list_number=item.certificate_no,
                                         targets=CULTIVATION_TARGETS, milestones=CULTIVATION_MILESTONES)
                if CultivationObject.objects.filter(campaign=campaign).count() <= 2:  # the third's first report is overdue
                    _file_first_report(obj)
            scores = list(evaluation.assignments.order_by("created_at").values_list("expert__name", "role", "total"))
            record_event("evaluation.imported", actor=None, obj=evaluation, after={
                "application": str(app.pk), "factory": app.factory.name, "tier": item.tier, "state": app.state,
                "evaluation_state": "approved" if approved else "not_approved",
                "scores": [{"expert": n, "role": r, "total": str(t)} for n, r, t in scores],
                "site_visit": evaluation.site_visit.outcome, "publicity": publicity.title if publicity else "",
                "decision_number": publicity.decision_number if publicity else "", "certificate_no": item.certificate_no,
                "source": IMPORT_SOURCE}, reason=reason)
        follow_published_awards(2025, source=IMPORT_SOURCE)  # the 2026 leading quotas count these awards
        for publicity in publicities.values():
            record_event("publicity.imported", actor=None, obj=publicity, after={
                "title": publicity.title, "starts_at": publicity.starts_at.isoformat(), "ends_at": publicity.ends_at.isoformat(),
                "concurrences": len(publicity.concurrences), "decision_number": publicity.decision_number,
                "decided_at": publicity.decided_at.isoformat(), "source": IMPORT_SOURCE})
        # the recommenders' 2025 batches went to MIIT before the online-review deadline
        for quota in Quota.objects.filter(pk__in={i.evaluation.application.quota_id for i in plan}).order_by("pk"):
            batch, _created = Batch.objects.update_or_create(quota=quota, defaults={
                "status": Batch.Status.SUBMITTED, "concurrence": sorted(str(a.pk) for a in co_departments(quota)),
                "finalised_at": at(D_BATCH - timedelta(days=2), 15), "submitted_at": at(D_BATCH, 15)})
            order = current_order(batch)
            for n, authority in enumerate(co_departments(quota), start=1):  # each co-department's letter, imported
                BatchConcurrence.objects.get_or_create(batch=batch, authority=authority, order_hash=order_hash(order), defaults={
                    "order": order, "letter_number": f"会签〔2025〕{n}号（历史导入）", "given_at": at(D_BATCH - timedelta(days=3), 10)})


CULTIVATION_TARGETS = [{"number": 1, "indicator": "生产效率提升", "value": "30", "unit": "%"},
                       {"number": 2, "indicator": "运营成本降低", "value": "20", "unit": "%"}]
CULTIVATION_MILESTONES = [{"number": 1, "date": date(2026, 6, 30), "content": "建成工厂级数字孪生平台"},
                          {"number": 2, "date": date(2027, 10, 31), "content": "完成全部培育目标并申请验收"}]


def _file_first_report(obj) -> None:
    """The first half-yearly report (due 2026-05-27), filed on time, as imported history."""
    report = obj.reports.get(sequence=1)
    report.summary = "数字孪生平台一期已上线，关键工序数据实时采集，生产效率较基期提升12%，运营成本降低8%。"
    report.values, report.submitted_at = {"1": "12", "2": "8"}, at(date(2026, 5, 20))
    report.save(update_fields=["summary", "values", "submitted_at"])
    record_event("cultivation.report_imported", actor=None, obj=obj,
                 after={"sequence": report.sequence, "due_on": report.due_on.isoformat(), "source": IMPORT_SOURCE})


@transaction.atomic
def build_cultivation_accounts() -> list[User]:
    """An enterprise account for each 2025 领航级 cultivation object (demo-leading-sc-1, -sc-2 in
    Sichuan, demo-leading-zj-1 in Zhejiang), so its reports and acceptance can be tried."""
    campaign = Campaign.objects.filter(year=2025).first()
    if campaign is None:
        return []
    users, counters = [], {}
    for obj in CultivationObject.objects.filter(campaign=campaign).select_related(
            "factory__county", "factory__enterprise").order_by("factory__county__province_code", "factory__name", "pk"):
        prefix = {"510000": "sc", "330000": "zj"}.get(obj.factory.county.province_code, obj.factory.county.province_code)
        counters[prefix] = counters.get(prefix, 0) + 1
        users.append(_applicant(f"demo-leading-{prefix}-{counters[prefix]}", f"领航培育联系人（{obj.factory.enterprise.name}）",
                                obj.factory.enterprise))
    return users


# --------------------------------------------------------------------------- 2026: through the services
ZJ_STAGES = ["awaiting_check", "awaiting_check", "returned", "expert_review", "expert_review", "site_visit"]
RETURN_REASON = "真实性承诺书扫描件未加盖企业公章，推荐汇总表中的营业收入与申报书不一致，请核实补正后重新报送。"


def _applicant(username: str, display: str, enterprise) -> User:
    from smartfactory.demo.world import set_demo_password

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
    versions = app_services.entry_versions(app)
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
    from smartfactory.evaluation import services as evaluation
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
    candidates = _factories_with(Tier.ADVANCED, year_max=2025, exclude_tiers=[Tier.EXCELLENT, Tier.LEADING],
                                 enterprise__soe_group__isnull=True).exclude(pk__in=taken)
    hangzhou = list(candidates.filter(county__city_code="330100")[: len(ZJ_STAGES)])
    wuhou = candidates.filter(county_id="510107").first()
    if len(hangzhou) < len(ZJ_STAGES) or wuhou is None:
        raise RuntimeError("demo: the tier history lacks the factories the 2026 evaluation needs")
    with transaction.atomic():
        apps = []
        for n, factory in enumerate(hangzhou, start=1):
            applicant = _applicant(f"demo-applicant-zj-{n}", f"浙江申报联系人{n}", factory.enterprise)
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
        picker = ExpertPicker(_experts(), rules)
        demo_expert = next(e for e in picker.experts if e.user.username == "demo-expert")
        for app, stage in zip(apps, ZJ_STAGES, strict=True):
            e = Evaluation.objects.get(application=app)
            if stage == "awaiting_check":
                continue
            if stage == "returned":
                evaluation.formal_check(e, actor=ministry, passed=False, reason=RETURN_REASON)
                continue
            e = evaluation.formal_check(e, actor=ministry, passed=True)
            if stage == "expert_review":  # demo-expert has it in the queue; the other expert has scored
                other = picker.pick(e, 1, skip_usernames={"demo-expert"})[0]
                evaluation.assign_expert(e, demo_expert, actor=ministry)
                scored = evaluation.assign_expert(e, other, actor=ministry)
                evaluation.submit_scores(scored, actor=other.user, scores=_scores(rules.criteria, 86, 0),
                                         comments={"scenarios": "场景覆盖完整，建议现场重点核查视觉检测场景。"})
                continue
            panel = picker.pick(e, rules.experts_per_application, skip_usernames={"demo-expert"})
            for n, expert in enumerate(panel):
                a = evaluation.assign_expert(e, expert, actor=ministry)
                evaluation.submit_scores(a, actor=expert.user, scores=_scores(rules.criteria, 88 - 2 * n, n))
            e = evaluation_transition(e, Act.TO_SITE_VISIT, actor=ministry)
            team = picker.pick(e, 2, avoid=panel, skip_usernames={"demo-expert"})
            evaluation.plan_site_visit(e, actor=ministry, team=team,
                                       scheduled_for=max(today, timezone.localdate()) + timedelta(days=14))

        # Sichuan: one 卓越级 application waiting at 武侯区 (Sichuan's own batch stays empty and open)
        applicant = _applicant("demo-applicant-sc-1", "四川申报联系人1", wuhou.enterprise)
        submitted_excellent(wuhou, campaign, applicant)

