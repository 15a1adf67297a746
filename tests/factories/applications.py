"""Scenario builders for the applications app.

``advanced_world`` — an advanced-tier application in Sichuan's chain (武侯区 → 成都市 → 四川省, with two
co-departments), the 2041 campaign; ``excellent_setup`` — a 武侯区 factory eligible for the excellent
tier in the 2042 campaign; ``fill_book``/``attach`` complete an excellent application;
``submitted_excellent`` puts n of them at the province, ``ready_excellent`` gives one ready to submit.
The pytest fixtures ``world`` and ``setup`` (tests/conftest.py) return these."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import factory as fb
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory

from smartfactory.applications import book_entries, services
from smartfactory.applications.enums import Action, State
from smartfactory.applications.models import TierApplication
from smartfactory.applications.workflow import transition
from smartfactory.campaigns.enums import CampaignStatus, Stage
from smartfactory.organisations.enums import AuthorityLevel, Department, Role
from tests import factories as f

BJ = ZoneInfo("Asia/Shanghai")

# the advanced world (2041)
ENTERPRISE_DEADLINE = datetime(2041, 7, 18, 23, 59, 59, tzinfo=BJ)
COUNTY_DEADLINE = datetime(2041, 7, 22, 17, 0, 0, tzinfo=BJ)
CITY_DEADLINE = datetime(2041, 7, 25, 23, 59, 59, tzinfo=BJ)
PROVINCE_DEADLINE = datetime(2041, 8, 1, 23, 59, 59, tzinfo=BJ)
BEFORE_ALL = datetime(2041, 7, 10, 10, 0, 0, tzinfo=BJ)
CONTENT = {"summary": "建设了MES和APS", "highlights": "效率提升20%", "investment": "1200", "contact_name": "王工"}

# the excellent setup (2042)
EXCELLENT_DEADLINE = datetime(2042, 7, 18, 23, 59, 59, tzinfo=BJ)
BEFORE = datetime(2042, 7, 1, 9, 0, 0, tzinfo=BJ)


def advanced_world() -> dict:
    miit = f.ministry()
    sichuan = f.authority("510000", level=AuthorityLevel.PROVINCE, parent=miit, name="四川省经济和信息化厅")
    ndrc = f.authority("510000", level=AuthorityLevel.PROVINCE, department=Department.DEVELOPMENT_REFORM,
                       is_lead=False, name="四川省发展和改革委员会")
    finance = f.authority("510000", level=AuthorityLevel.PROVINCE, department=Department.FINANCE, is_lead=False,
                          name="四川省财政厅")
    chengdu = f.authority("510100", level=AuthorityLevel.CITY, parent=sichuan, name="成都市经济和信息化局")
    wuhou = f.authority("510107", level=AuthorityLevel.COUNTY, parent=chengdu, name="武侯区经济和信息化局")
    campaign = f.CampaignFactory(year=2041, tiers_open=["basic", "advanced"], status=CampaignStatus.OPEN)
    f.StageDeadlineFactory(campaign=campaign, stage=Stage.ENTERPRISE_SUBMISSION, deadline=ENTERPRISE_DEADLINE)
    f.StageDeadlineFactory(campaign=campaign, stage=Stage.PROVINCE_REVIEW, deadline=PROVINCE_DEADLINE)
    f.DeadlineOverrideFactory(campaign=campaign, authority=sichuan, stage=Stage.CITY_REVIEW, deadline=CITY_DEADLINE)
    f.DeadlineOverrideFactory(campaign=campaign, authority=chengdu, stage=Stage.COUNTY_REVIEW,
                              deadline=COUNTY_DEADLINE)
    enterprise = f.enterprise("510107")
    factory = f.factory(enterprise)
    f.award(factory, "basic", year=2040)
    users = {
        "enterprise": f.user("ent", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise),
        "district": f.user("district", role=Role.AUTHORITY_REVIEWER, authority=wuhou),
        "city": f.user("city", role=Role.AUTHORITY_REVIEWER, authority=chengdu),
        "province_reviewer": f.user("prov-rev", role=Role.AUTHORITY_REVIEWER, authority=sichuan),
        "province": f.user("prov", role=Role.AUTHORITY_LEADER, authority=sichuan),
        "other_district": f.user("jinjiang", role=Role.AUTHORITY_REVIEWER,
                                 authority=f.authority("510104", level=AuthorityLevel.COUNTY, parent=chengdu)),
    }
    f.self_assessment(factory, campaign, "advanced")
    app = services.create_application(factory, campaign, tier="advanced", actor=users["enterprise"])
    services.update_content(app, actor=users["enterprise"], data=CONTENT)
    return {"campaign": campaign, "factory": factory, "users": users, "app": app, "sichuan": sichuan,
            "chengdu": chengdu, "wuhou": wuhou, "co": [ndrc, finance]}


def run(world, action, who, **kw):
    """The world's application moved by one of its users (by key)."""
    return transition(world["app"], action, actor=world["users"][who], **kw)


def text_pdf(text: str) -> bytes:
    """A real PDF (rendered by the documents app) saying ``text``."""
    from smartfactory.documents.pdf import render_pdf

    return render_pdf("applications/commitment_pdf.html", {"title": "附件", "text": text, "enterprise": "x", "uscc": "x",
                                                            "legal_representative": "x", "date": "x"})


def excellent_facts() -> dict:
    return f.facts_for("excellent")


def excellent_setup() -> dict:
    campaign = f.CampaignFactory(year=2042, tiers_open=["basic", "advanced", "excellent", "leading"],
                                 status=CampaignStatus.OPEN)
    f.StageDeadlineFactory(campaign=campaign, stage=Stage.ENTERPRISE_SUBMISSION, deadline=EXCELLENT_DEADLINE)
    sichuan = f.authority("510000", level=AuthorityLevel.PROVINCE)
    f.authority("510100", level=AuthorityLevel.CITY, parent=sichuan)
    enterprise = f.enterprise("510107")
    factory = f.factory(enterprise)
    f.award(factory, "basic", year=2040)
    f.award(factory, "advanced", year=2041, by=sichuan)
    f.SelfAssessmentFactory(factory=factory, campaign=campaign, facts=excellent_facts(), attained_tier="excellent")
    user = f.user("applicant", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    return {"campaign": campaign, "enterprise": enterprise, "factory": factory, "user": user, "sichuan": sichuan}


def fill_book(app, user):
    """Every required entry of the excellent application book, and the legal representative."""
    values = {
        "cover.project_name": "武侯卓越工厂", "part1.enterprise_nature": "民营企业", "part1.revenue": "52000",
        "part1.profit": "4100", "part1.employees": "820", "part1.contact_person": "王工", "part1.contact_phone": "13800138000",
        "part1.factory_address": "成都市武侯区", "part1.construction_period": "2022–2025", "part1.total_investment": "12000",
        "part1.main_products": "机床", "part1.cmmm_level": "3", "part2.overall_situation": "<p>总体<script>x</script></p>",
        "part2.system_integration": "<p>集成</p>", "part3.advancement": "<p>领先</p>", "part3.follow_up_plan": "<p>计划</p>",
    }
    versions = book_entries.entry_versions(app)
    for key, value in values.items():
        services.save_entry(app, key, value, expected_version=versions.get(key, 0), actor=user)
    services.save_entry(app, "scenario.24", {"content": "视觉检测", "ai": "true", "effects": "漏检率下降"}, expected_version=0,
                        actor=user)
    services.save_entry(app, "kpi.defect_rate", {"before": "2.1", "after": "0.9", "benchmark": "national_leading"},
                        expected_version=0, actor=user)
    services.set_legal_representative(app, actor=user, name="李法人")


def attach(app, user, kind, name, data):
    return services.attach_file(app, kind=kind, upload=SimpleUploadedFile(name, data), actor=user)


def ready_excellent(setup, tier="excellent"):
    """A complete excellent (or leading) draft of the setup's factory, ready to submit."""
    from smartfactory.applications.models import Attachment

    user = setup["user"]
    app = services.create_application(setup["factory"], setup["campaign"], tier=tier, actor=user)
    fill_book(app, user)
    for kind in (Attachment.Kind.CMMM_REPORT, Attachment.Kind.TIER_PROOF, Attachment.Kind.COMMITMENT):
        attach(app, user, kind, f"{kind}.pdf", text_pdf(f"正常材料 {kind}"))
    return app


def submitted_excellent(setup, n):
    """n excellent applications of Sichuan factories waiting at the province (last step)."""
    from smartfactory.applications.models import Attachment
    from smartfactory.assessments.models import SelfAssessment

    template = SelfAssessment.objects.get(factory=setup["factory"])
    apps = []
    for i in range(n):
        enterprise = f.enterprise("510107")
        factory = f.factory(enterprise)
        f.award(factory, "advanced", year=2041, by=setup["sichuan"])
        f.SelfAssessmentFactory(factory=factory, campaign=setup["campaign"], facts=template.facts,
                                verdict=template.verdict, attained_tier="excellent")
        user = f.user(f"q-applicant-{i}", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
        app = services.create_application(factory, setup["campaign"], tier="excellent", actor=user)
        fill_book(app, user)
        for kind in (Attachment.Kind.CMMM_REPORT, Attachment.Kind.TIER_PROOF, Attachment.Kind.COMMITMENT):
            attach(app, user, kind, f"{kind}.pdf", text_pdf(f"正常 {kind}"))
        with time_machine.travel(BEFORE, tick=False):
            app = transition(app, Action.SUBMIT, actor=user, cooperation=True)
        app.chain, app.current_step = [{"level": "province", "authority": str(setup["sichuan"].id)}], 0
        app.current_authority = setup["sichuan"]
        app.save(update_fields=["chain", "current_step", "current_authority"])
        apps.append(app)
    return apps


# ------------------------------------------------------------------ factory_boy
class TierApplicationFactory(DjangoModelFactory):
    """An application row as the workflow leaves it (no versions, no book): a draft by default;
    ``at=authority`` puts it in review at that authority, its chain that one step."""

    class Meta:
        model = TierApplication

    class Params:
        at = None

    factory = fb.SubFactory(f.FactoryFactory)
    campaign = fb.SubFactory(f.CampaignFactory)
    tier = "advanced"
    state = fb.LazyAttribute(lambda o: State.IN_REVIEW if o.at else State.DRAFT)
    chain = fb.LazyAttribute(lambda o: [{"level": o.at.level, "authority": str(o.at.id)}] if o.at else [])
    current_authority = fb.SelfAttribute("at")
    content = fb.LazyFunction(lambda: dict(CONTENT))
    version = fb.LazyAttribute(lambda o: 1 if o.at else 0)
    submitted_at = fb.LazyAttribute(lambda o: BEFORE_ALL if o.at else None)
    province_code = fb.LazyAttribute(lambda o: o.factory.enterprise.province_code)
