"""The demo world: the real 2025 campaign (closed) with the notice's dates, a 2026 campaign open
today, the six ministries, Sichuan (成都 with 武侯/锦江/成华, 绵阳 with 涪城), Zhejiang (宁波 as
计划单列市, 杭州), XPCC, two central-SOE groups, about 200 enterprises with factories and a 2025
tier history, and one account per role. Every write goes through the services, so the audit log
of a fresh demo is complete and verifiable. Idempotent: running it again changes nothing.

The national evaluation (the expert pool, the 2025 decisions as imported history, the 2026
evaluations waiting at each stage) is built by ``demo.national``.

Names of demo enterprises are invented; they are not real companies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from smartfactory.accounts.models import User
from smartfactory.audit.services import record_event
from smartfactory.campaigns.enums import CampaignStatus, Stage
from smartfactory.campaigns.models import Campaign
from smartfactory.campaigns.services import (
    create_campaign,
    end_of_day,
    set_deadline_override,
    set_stage_deadline,
)
from smartfactory.organisations.enums import (
    AuthorityKind,
    AuthorityLevel,
    Department,
    LegalStatus,
    Role,
    Tier,
)
from smartfactory.organisations.imports import import_enterprises
from smartfactory.organisations.models import Authority, Enterprise, Factory, Membership, TierAward
from smartfactory.organisations.services import record_tier_award
from smartfactory.regions.models import Division

from .changes import build_enterprise_changes
from .common import DEMO_ENTERPRISE_USCC, set_demo_password
from .identifiers import make_uscc
from .national import build_expert_pool, build_national_2026, self_assess
from .national_history import build_cultivation_accounts, build_national_history, publish_2024_awards
from .paper import build_paper

SHANGHAI = ZoneInfo("Asia/Shanghai")


# --------------------------------------------------------------------------- authorities
MINISTRIES = [
    ("工业和信息化部", "工信部", Department.INDUSTRY, True),
    ("国家发展和改革委员会", "国家发展改革委", Department.DEVELOPMENT_REFORM, False),
    ("财政部", "财政部", Department.FINANCE, False),
    ("国务院国有资产监督管理委员会", "国务院国资委", Department.SASAC, False),
    ("国家市场监督管理总局", "市场监管总局", Department.MARKET_REGULATION, False),
    ("国家数据局", "国家数据局", Department.DATA, False),
]
PROVINCE_DEPARTMENTS = {
    "510000": [
        ("四川省经济和信息化厅", Department.INDUSTRY, True),
        ("四川省发展和改革委员会", Department.DEVELOPMENT_REFORM, False),
        ("四川省财政厅", Department.FINANCE, False),
        ("四川省人民政府国有资产监督管理委员会", Department.SASAC, False),
        ("四川省市场监督管理局", Department.MARKET_REGULATION, False),
        ("四川省数据局", Department.DATA, False),
    ],
    "330000": [
        ("浙江省经济和信息化厅", Department.INDUSTRY, True),
        ("浙江省发展和改革委员会", Department.DEVELOPMENT_REFORM, False),
    ],
}
CITIES = {  # city code → (lead bureau name, parent province code)
    "510100": ("成都市经济和信息化局", "510000"),
    "510700": ("绵阳市经济和信息化局", "510000"),
    "330200": ("宁波市经济和信息化局", "330000"),
    "330100": ("杭州市经济和信息化局", "330000"),
}
COUNTIES = {  # county code → (bureau name, city code)
    "510107": ("成都市武侯区经济和信息化局", "510100"),
    "510104": ("成都市锦江区经济和信息化局", "510100"),
    "510108": ("成都市成华区经济和信息化局", "510100"),
    "510703": ("绵阳市涪城区经济和信息化局", "510700"),
}
SOE_GROUPS = [
    ("中国智造装备集团有限公司（演示）", "智造装备集团", "110108", 900001),
    ("中国华信材料集团有限公司（演示）", "华信材料集团", "110102", 900002),
]

# --------------------------------------------------------------------------- enterprises
# (county, how many, prefixes); SOE members and XPCC added separately
ENTERPRISE_PLAN = [
    ("510107", 40, "蜀都 锦官 武侯 浣花 望江"),
    ("510104", 22, "锦江 春熙 合江 东湖"),
    ("510108", 24, "成华 猛追 建设 龙潭"),
    ("510703", 18, "涪江 绵州 科城 富乐"),
    ("510704", 6, "游仙 仙海"),
    ("330203", 12, "甬江 海曙 月湖"),
    ("330212", 14, "四明 鄞州 东钱"),
    ("330206", 8, "北仑 港城"),
    ("330110", 18, "钱塘 余杭 良渚"),
    ("330109", 10, "萧然 湘湖"),
    ("330108", 8, "之江 滨江"),
]
TRADES = [
    ("精密机械", "34", "数控机床关键部件"), ("智能装备", "35", "智能成套装备"), ("汽车零部件", "36", "汽车底盘与电驱部件"),
    ("电气", "38", "高低压开关设备"), ("电子科技", "39", "工业控制电子模块"), ("新材料", "26", "高性能工程塑料"),
    ("生物医药", "27", "化学原料药与制剂"), ("食品", "13", "粮油及农副食品"), ("有色金属", "32", "铝合金型材"),
    ("特钢", "31", "特种钢材"), ("光电", "39", "光纤光缆与光器件"), ("轨道装备", "37", "轨道交通车辆部件"),
]
SUFFIXES = ["有限公司", "股份有限公司"]


@dataclass
class World:
    ministry: Authority
    authorities: dict[str, Authority]  # key → authority
    soe_groups: list[Authority]


def _division(code: str) -> Division:
    return Division.objects.get(code=code)


def _authority(name: str, *, kind: str, level: str, department: str, is_lead: bool, division: Division | None,
               parent: Authority | None, short_name: str = "", uscc: str = "") -> Authority:
    authority, _created = Authority.objects.get_or_create(
        name=name,
        defaults={
            "kind": kind, "level": level, "department": department, "is_lead": is_lead, "division": division,
            "parent": parent, "short_name": short_name, "uscc": uscc,
        },
    )
    return authority


@transaction.atomic
def build_authorities() -> World:
    by_key: dict[str, Authority] = {}
    miit = None
    ministries = {}
    for name, short, dept, lead in MINISTRIES:
        a = _authority(name, kind=AuthorityKind.MINISTRY, level=AuthorityLevel.NATIONAL, department=dept, is_lead=lead,
                       division=None, parent=None, short_name=short)
        ministries[dept] = a
        if lead:
            miit = a
    for province, departments in PROVINCE_DEPARTMENTS.items():
        for name, dept, lead in departments:
            a = _authority(name, kind=AuthorityKind.GOVERNMENT, level=AuthorityLevel.PROVINCE, department=dept,
                           is_lead=lead, division=_division(province), parent=ministries[dept])
            by_key[province if lead else f"{province}:{dept}"] = a
    for city, (name, province) in CITIES.items():
        by_key[city] = _authority(name, kind=AuthorityKind.GOVERNMENT, level=AuthorityLevel.CITY,
                                  department=Department.INDUSTRY, is_lead=True, division=_division(city),
                                  parent=by_key[province])
    for county, (name, city) in COUNTIES.items():
        by_key[county] = _authority(name, kind=AuthorityKind.GOVERNMENT, level=AuthorityLevel.COUNTY,
                                    department=Department.INDUSTRY, is_lead=True, division=_division(county),
                                    parent=by_key[city])
    by_key["xpcc"] = _authority("新疆生产建设兵团工业和信息化局", kind=AuthorityKind.XPCC, level=AuthorityLevel.PROVINCE,
                                department=Department.INDUSTRY, is_lead=True, division=_division("660000"), parent=miit)
    soe_groups = []
    for name, short, division, serial in SOE_GROUPS:
        soe_groups.append(_authority(
            name, kind=AuthorityKind.CENTRAL_SOE, level=AuthorityLevel.NATIONAL, department=Department.HEADQUARTERS,
            is_lead=True, division=None, parent=ministries[Department.SASAC], short_name=short,
            uscc=make_uscc(division, serial),
        ))
    return World(ministry=miit, authorities=by_key, soe_groups=soe_groups)


def _enterprise_rows(world: World) -> list[dict]:
    rows = []
    serial = 10_000
    used_names: set[str] = set()

    def add(county: str, name: str, trade: tuple, **extra):
        nonlocal serial
        serial += 1
        _label, industry, product = trade
        rows.append({
            "uscc": make_uscc(county, serial), "name": name, "legal_status": LegalStatus.INDEPENDENT,
            "county": county, "industry": industry, "above_designated_size": True,
            "address": f"{_division(county).full_name}产业园{serial % 97 + 1}号",
            "factories": [{"name": f"{name.replace('有限公司', '').replace('股份', '')}{product[:4]}智能工厂",
                           "county": county, "main_products": product}],
            **extra,
        })

    for county, count, prefixes in ENTERPRISE_PLAN:
        words = prefixes.split()
        for i in range(count):
            trade = TRADES[(i * 5 + len(county)) % len(TRADES)]
            name = f"{words[i % len(words)]}{trade[0]}{SUFFIXES[i % 2]}"
            n = 2
            while name in used_names:
                name = f"{words[i % len(words)]}{trade[0]}{'二三四五六七八九'[n - 2]}厂{SUFFIXES[i % 2]}"
                n += 1
            used_names.add(name)
            add(county, name, trade)
    # XPCC enterprises in 石河子市 (659001)
    for i, word in enumerate(["石城", "天山", "准噶尔", "军垦", "绿洲", "北疆", "玛纳斯", "西域", "雪莲", "胡杨"]):
        add("659001", f"{word}{TRADES[i % len(TRADES)][0]}有限公司", TRADES[i % len(TRADES)], is_xpcc=True)
    # central-SOE members: group 1 in Sichuan and Zhejiang, group 2 in Sichuan and Jiangsu
    g1, g2 = world.soe_groups
    for i, county in enumerate(["510108", "510107", "510703", "330109", "330110", "330212"]):
        add(county, f"智造装备集团{['成都', '蓉城', '绵阳', '杭州', '余杭', '宁波'][i]}{TRADES[i][0]}有限公司", TRADES[i],
            soe_group=str(g1.pk))
    for i, county in enumerate(["510104", "320115", "320115"]):
        add(county, f"华信材料集团{['成都', '南京', '江宁'][i]}新材料有限公司", TRADES[5], soe_group=str(g2.pk))
    return rows


def build_enterprises(world: World, *, actor) -> None:
    result = import_enterprises(_enterprise_rows(world), actor=actor)
    if result.errors:
        raise RuntimeError(f"demo enterprise rows invalid: {result.errors[:3]}")
    # the enterprise of demo-enterprise: two factories, one advanced in 2025, one basic only
    import_enterprises([{
        "uscc": DEMO_ENTERPRISE_USCC, "name": "蜀都智能装备制造有限公司", "legal_status": LegalStatus.INDEPENDENT,
        "county": "510107", "industry": "35", "address": "四川省成都市武侯区武侯新城管委会园区8号",
        "factories": [
            {"name": "武侯智能装备一号工厂", "county": "510107", "main_products": "智能成套装备"},
            {"name": "双流精密部件工厂", "county": "510116", "main_products": "精密传动部件"},
        ],
    }], actor=actor)


def _award(factory: Factory, *, year: int, tier: str, authority: Authority | None, cert: str, on: date, actor) -> None:
    if not TierAward.objects.filter(factory=factory, year=year, tier=tier).exists():
        record_tier_award(factory, actor=actor, year=year, tier=tier, authority=authority, certificate_no=cert, awarded_on=on)


def build_tier_history(world: World, *, actor) -> None:
    """2025 basic declarations for most factories, advanced certifications by the province, XPCC or
    SOE group for some, and a few 2024 excellent factories decided nationally."""
    province_prefix = {"510000": "川", "330000": "浙"}
    counters: dict[str, int] = {}
    factories = Factory.objects.select_related("enterprise").order_by("enterprise__uscc", "name")
    demo = Enterprise.objects.get(uscc=DEMO_ENTERPRISE_USCC)
    for i, factory in enumerate(factories):
        e = factory.enterprise
        if e.pk == demo.pk:
            continue
        if i % 5 == 4:  # one in five has not declared basic yet
            continue
        _award(factory, year=2025, tier=Tier.BASIC, authority=None, cert="", on=date(2025, 3, 31), actor=actor)
        if i % 3 != 0:
            continue
        if e.soe_group_id:
            certifier = e.soe_group
            prefix = certifier.short_name[:2]
        elif e.is_xpcc:
            certifier = world.authorities["xpcc"]
            prefix = "兵"
        else:
            certifier = world.authorities.get(e.province_code)
            prefix = province_prefix.get(e.province_code, "")
            if certifier is None:
                continue
        counters[prefix] = counters.get(prefix, 0) + 1
        _award(factory, year=2025, tier=Tier.ADVANCED, authority=certifier,
               cert=f"{prefix}先进〔2025〕{counters[prefix]:04d}号", on=date(2025, 6, 20), actor=actor)
        if i % 9 == 0:
            _award(factory, year=2024, tier=Tier.ADVANCED, authority=certifier,
                   cert=f"{prefix}先进〔2024〕{counters[prefix]:04d}号", on=date(2024, 9, 30), actor=actor)
            _award(factory, year=2024, tier=Tier.EXCELLENT, authority=world.ministry,
                   cert=f"卓越〔2024〕{i:04d}号", on=date(2025, 1, 7), actor=actor)
    first, second = demo.factories.order_by("name")
    advanced_one = first if "武侯" in first.name else second
    basic_only = second if advanced_one is first else first
    _award(advanced_one, year=2025, tier=Tier.BASIC, authority=None, cert="", on=date(2025, 3, 20), actor=actor)
    counters["川"] = counters.get("川", 0) + 1  # numbered on after the others: one number, one award
    _award(advanced_one, year=2025, tier=Tier.ADVANCED, authority=world.authorities["510000"],
           cert=f"川先进〔2025〕{counters['川']:04d}号", on=date(2025, 6, 20), actor=actor)
    _award(basic_only, year=2025, tier=Tier.BASIC, authority=None, cert="", on=date(2025, 4, 2), actor=actor)


# --------------------------------------------------------------------------- accounts
ACCOUNTS = [
    # username, display name, role, organisation key
    ("demo-enterprise", "王企业", Role.ENTERPRISE_ADMIN, "enterprise"),
    ("demo-district", "李区县", Role.AUTHORITY_REVIEWER, "510107"),
    ("demo-city", "张市级", Role.AUTHORITY_LEADER, "510100"),
    ("demo-province", "赵省级", Role.AUTHORITY_LEADER, "510000"),
    ("demo-province-ndrc", "何发改", Role.AUTHORITY_REVIEWER, "510000:development_reform"),  # a co-department (会签)
    ("demo-soe", "钱集团", Role.AUTHORITY_LEADER, "soe"),
    ("demo-ministry", "孙部委", Role.MINISTRY_STAFF, "ministry"),
    ("demo-expert", "周专家", Role.EXPERT, None),
    ("demo-admin", "吴管理", Role.PLATFORM_ADMIN, None),
    # Zhejiang: the 2026 卓越级 batch that is already with MIIT (see demo.national)
    ("demo-city-zj", "冯市级", Role.AUTHORITY_LEADER, "330100"),
    ("demo-province-zj", "陈省级", Role.AUTHORITY_LEADER, "330000"),
    # the rest of the national expert pool (profiles in demo.national.EXPERT_PROFILES)
    ("demo-expert-2", "郑专家", Role.EXPERT, None),
    ("demo-expert-3", "王专家", Role.EXPERT, None),
    ("demo-expert-4", "冯专家", Role.EXPERT, None),
    ("demo-expert-5", "陈专家", Role.EXPERT, None),
    ("demo-expert-6", "褚专家", Role.EXPERT, None),
    ("demo-expert-7", "卫专家", Role.EXPERT, None),
    ("demo-expert-8", "蒋专家", Role.EXPERT, None),
    ("demo-expert-9", "沈专家", Role.EXPERT, None),
    ("demo-expert-10", "韩专家", Role.EXPERT, None),
    ("demo-expert-11", "杨专家", Role.EXPERT, None),
    ("demo-expert-12", "朱专家", Role.EXPERT, None),
]


@transaction.atomic
def build_accounts(world: World) -> dict[str, User]:
    users = {}
    for username, display, role, key in ACCOUNTS:
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": display})
        if created:
            set_demo_password(user)
            if role == Role.PLATFORM_ADMIN:
                user.is_staff = True
                user.is_superuser = True
            user.save()
        enterprise = authority = None
        if key == "enterprise":
            enterprise = Enterprise.objects.get(uscc=DEMO_ENTERPRISE_USCC)
        elif key == "soe":
            authority = world.soe_groups[0]
        elif key == "ministry":
            authority = world.ministry
        elif key:
            authority = world.authorities[key]
        _membership, made = Membership.objects.get_or_create(
            user=user, role=role, enterprise=enterprise, authority=authority
        )
        if created or made:
            record_event("demo.account", actor=None, obj=user,
                         after={"role": role, "organisation": str(enterprise or authority or "")})
        users[username] = user
    return users


# --------------------------------------------------------------------------- campaigns
def build_campaigns(world: World, users: dict[str, User], *, today: date) -> None:
    ministry = users["demo-ministry"]
    sichuan, chengdu = world.authorities["510000"], world.authorities["510100"]
    all_tiers = [t.value for t in Tier]
    if not Campaign.objects.filter(year=2025).exists():
        c = create_campaign(
            actor=ministry, year=2025, name="2025年度智能工厂梯度培育行动", framework_version="2025",
            tiers_open=all_tiers, notice_number="工信厅联通装函〔2025〕251号", status=CampaignStatus.CLOSED,
        )
        set_stage_deadline(c, stage=Stage.ENTERPRISE_SUBMISSION, deadline=end_of_day(date(2025, 7, 18)), actor=ministry)
        set_stage_deadline(c, stage=Stage.RECOMMENDER_ONLINE_REVIEW, deadline=end_of_day(date(2025, 8, 1)), actor=ministry)
        set_stage_deadline(c, stage=Stage.PAPER_DELIVERY, deadline=end_of_day(date(2025, 8, 1)), actor=ministry)
        set_deadline_override(c, authority=sichuan, stage=Stage.CITY_REVIEW, deadline=end_of_day(date(2025, 7, 20)),
                              actor=users["demo-province"], reason="川经信智能函〔2025〕319号")
        set_deadline_override(c, authority=chengdu, stage=Stage.COUNTY_REVIEW, deadline=end_of_day(date(2025, 7, 18)),
                              actor=users["demo-city"], reason="成都市经济和信息化局转发通知")
    if not Campaign.objects.filter(year=2026).exists():
        c = create_campaign(
            actor=ministry, year=2026, name="2026年度智能工厂梯度培育行动", framework_version="2025",
            tiers_open=all_tiers, notice_number="（演示）", status=CampaignStatus.OPEN,
        )
        plan = [
            (Stage.ENTERPRISE_SUBMISSION, 21), (Stage.PROVINCE_REVIEW, 40),
            (Stage.RECOMMENDER_ONLINE_REVIEW, 42), (Stage.PAPER_DELIVERY, 45),
        ]
        for stage, days in plan:
            set_stage_deadline(c, stage=stage, deadline=end_of_day(today + timedelta(days=days)), actor=ministry)
        set_deadline_override(c, authority=sichuan, stage=Stage.CITY_REVIEW,
                              deadline=end_of_day(today + timedelta(days=33)), actor=users["demo-province"],
                              reason="四川省转发通知（演示）")
        set_deadline_override(c, authority=chengdu, stage=Stage.COUNTY_REVIEW,
                              deadline=end_of_day(today + timedelta(days=28)), actor=users["demo-city"],
                              reason="成都市转发通知（演示）")


# --------------------------------------------------------------------------- 2026 applications
APPLICATION_CONTENT = {
    "summary": "建成覆盖计划、生产、质量、设备的制造执行系统，关键工序数控化率超过80%，车间数据实时采集。",
    "highlights": "生产效率提升21%，产品不良品率下降35%，单位产值能耗下降12%。",
    "investment": "2680", "contact_name": "陈工",
}
# (how far each demo application has got): stays at the district; at the city; at the province;
# returned by the city; certified by the province
APPLICATION_STAGES = ["county", "county", "city", "province", "returned", "certified"]


def build_applications(world: World, users: dict[str, User]) -> None:
    """2026 先进级 applications of Chengdu factories with a 2025 basic award, at every stage, each
    moved through the workflow by the demo reviewers (so the audit trail is real)."""
    from smartfactory.applications import services as app_services
    from smartfactory.applications.concurrence import record_concurrence_letter, required_concurrence
    from smartfactory.applications.enums import Action
    from smartfactory.applications.models import TierApplication
    from smartfactory.applications.workflow import transition

    campaign = Campaign.objects.get(year=2026)
    if TierApplication.objects.filter(campaign=campaign).exists():
        return
    candidates = list(
        Factory.objects.filter(
            enterprise__county_id="510107", enterprise__soe_group__isnull=True, tier_awards__tier=Tier.BASIC,
        ).exclude(enterprise__uscc=DEMO_ENTERPRISE_USCC).exclude(tier_awards__tier=Tier.ADVANCED)
        .select_related("enterprise").order_by("enterprise__uscc")[: len(APPLICATION_STAGES)]
    )
    for n, (factory, stage) in enumerate(zip(candidates, APPLICATION_STAGES, strict=False), start=1):
        applicant, created = User.objects.get_or_create(
            username=f"demo-applicant-{n}", defaults={"display_name": f"申报联系人{n}"}
        )
        if created:
            set_demo_password(applicant)
            applicant.save()
        Membership.objects.get_or_create(user=applicant, role=Role.ENTERPRISE_ADMIN, enterprise=factory.enterprise)
        self_assess(factory, campaign, applicant, Tier.ADVANCED)
        app = app_services.create_application(factory, campaign, tier=Tier.ADVANCED, actor=applicant)
        app_services.update_content(app, actor=applicant, data=APPLICATION_CONTENT)
        app = transition(app, Action.SUBMIT, actor=applicant)
        if stage == "county":
            continue
        app = transition(app, Action.APPROVE, actor=users["demo-district"], reason="材料齐全，同意上报")
        if stage == "returned":
            transition(app, Action.RETURN, actor=users["demo-city"], reason="请补充智能化改造投入明细")
            continue
        if stage == "city":
            continue
        app = transition(app, Action.APPROVE, actor=users["demo-city"], reason="同意推荐")
        if stage == "certified":
            for n_letter, co_department in enumerate(required_concurrence(app), start=1):
                record_concurrence_letter(app, actor=users["demo-province"], authority=co_department,
                                          letter_number=f"{co_department.short_name or co_department.name[:4]}会签函〔2026〕{n_letter}号（演示）")
            transition(app, Action.CERTIFY, actor=users["demo-province"],
                       reason="经会同发展改革、财政、国资、市场监管、数据部门审核，予以认定")


def build_quotas() -> None:
    """Quotas of both campaigns from the rules data, after the imported 2024 list is published (the
    2025 leading quotas count it). Idempotent: a repeated run changes nothing and audits nothing. The
    2026 leading quotas follow the 2025 list when build_national_history publishes it."""
    from smartfactory.campaigns.quotas import compute_quotas

    publish_2024_awards()
    for campaign in Campaign.objects.order_by("year"):
        compute_quotas(campaign)


def seed(*, today: date | None = None) -> World:
    """Build (or complete) the demo world. Safe to run again."""
    today = today or timezone.localdate()
    world = build_authorities()
    build_enterprises(world, actor=None)
    users = build_accounts(world)
    build_tier_history(world, actor=None)
    build_campaigns(world, users, today=today)
    build_quotas()
    build_paper(world, users)
    build_applications(world, users)
    build_expert_pool(world, users)
    build_national_history(world, users)
    build_cultivation_accounts()
    build_national_2026(world, users, today=today)
    build_enterprise_changes()
    return world
