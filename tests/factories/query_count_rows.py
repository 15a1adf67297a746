"""Row builders of the query-count tests for the console's list pages (tests/query_counts): each
``builder(world, n)`` makes n rows the case's viewer sees in the ``qc_world`` and returns a text the
page shows per row. The cases themselves are in ``tests.factories.query_count_cases``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from smartfactory.organisations.enums import AuthorityLevel, Role
from tests import factories as f
from tests.factories.applications import TierApplicationFactory
from tests.factories.cultivation import CultivationObjectFactory
from tests.factories.evaluation import AssignmentFactory, EvaluationFactory, ExpertProfileFactory
from tests.factories.notifications import NotificationFactory
from tests.factories.publicsite import CaseFactory, published

PROVINCES = [("510000", "四川省"), ("330000", "浙江省"), ("320000", "江苏省")]


def province(world, code):
    """The lead industry department of a province (Sichuan's is the world's)."""
    if code == "510000":
        return world["sichuan"]
    return f.authority(code, level=AuthorityLevel.PROVINCE, parent=world["miit"])


# ------------------------------------------------------------------ organisations, applications
def enterprises(w, n):
    names = []
    for i in range(n):
        e = f.enterprise("510107", name=f"列表企业{i}")
        f.award(f.factory(e, name=f"列表工厂{i}"), "basic", year=2041)
        names.append(e.name)
    return names


def factories_of_one_enterprise(w, n):
    e = f.enterprise("510107", name="多厂企业")
    w["uscc"] = e.uscc
    return [f.award(f.factory(e, name=f"多厂工厂{i}"), "basic", year=2041).factory.name for i in range(n)]


def applications_at_sichuan(w, n):
    return [TierApplicationFactory(factory=f.factory(f.enterprise("510107"), name=f"在审工厂{i}"), campaign=w["campaign"],
                                   at=w["sichuan"]).factory.name for i in range(n)]


def certified_at_sichuan(w, n):
    """先进级 applications Sichuan certified in 2042 (the certified list, the advanced list to report)."""
    from smartfactory.applications.enums import State

    return [TierApplicationFactory(factory=f.factory(f.enterprise("510107"), name=f"认定工厂{i}"), campaign=w["campaign"],
                                   at=w["sichuan"], state=State.AWARDED, certificate_no=f"SC-2042-{i:03d}",
                                   decided_at=timezone.now()).factory.name for i in range(n)]


def enterprise_changes(w, n):
    """Change requests of enterprises addressed to Sichuan."""
    from smartfactory.organisations.models import EnterpriseChange

    names = []
    for i in range(n):
        e = f.enterprise("510107", name=f"变更企业{i}")
        EnterpriseChange.objects.create(
            enterprise=e, before={"name": e.name}, after={"name": f"{e.name}新"}, words={"name": [e.name, f"{e.name}新"]},
            reason="更名", file="enterprise-changes/x.pdf", file_name="x.pdf", file_sha256="0" * 64,
            authority=w["sichuan"], requested_by=w["reviewer"])
        names.append(e.name)
    return names


def declarations(w, n):
    """基础级 declarations of Sichuan factories."""
    from smartfactory.assessments.models import BasicDeclaration

    names = []
    for i in range(n):
        e = f.enterprise("510107", name=f"声明企业{i}")
        plant = f.factory(e)
        assessment = f.self_assessment(plant, w["campaign"], "basic")
        BasicDeclaration.objects.create(factory=plant, campaign=w["campaign"], assessment=assessment,
                                        snapshot={"verdict": assessment.verdict}, snapshot_hash=f"{i:064d}",
                                        province_code=e.province_code, city_code=e.city_code)
        names.append(e.name)
    return names


def campaigns(w, n):
    """The 2042 campaign and n - 1 more."""
    return ["2042", *(str(f.CampaignFactory(year=2042 - i).year) for i in range(1, n))]


def campaigns_with_calendars(w, n):
    """The 2042 campaign and n - 1 more, each with national deadlines, one extended for Sichuan and
    one MIIT set for the levels below it (the deadlines binding a Sichuan user)."""
    from smartfactory.campaigns.enums import Stage
    from smartfactory.campaigns.models import DeadlineExtension, DeadlineOverride

    years = campaigns(w, n)
    soon = timezone.now() + timedelta(days=20)
    for year in years:
        c = f.CampaignFactory(year=int(year))
        f.StageDeadlineFactory(campaign=c, stage=Stage.ENTERPRISE_SUBMISSION, deadline=soon)
        f.StageDeadlineFactory(campaign=c, stage=Stage.PROVINCE_REVIEW, deadline=soon + timedelta(days=10))
        DeadlineExtension.objects.create(campaign=c, authority=w["sichuan"], stage=Stage.PROVINCE_REVIEW,
                                         deadline=soon + timedelta(days=15), reason="四川延期")
        DeadlineOverride.objects.create(campaign=c, authority=w["miit"], stage=Stage.ENTERPRISE_SUBMISSION,
                                        deadline=soon - timedelta(days=1))
    return years


def chengdu_accounts(w, n):
    """The Chengdu leader's own account and n - 1 reviewers."""
    return ["qc-cd-leader", *(f.user(f"qc-cd-{i}", role=Role.AUTHORITY_REVIEWER, authority=w["chengdu"]).username
                              for i in range(1, n))]


def notifications(w, n):
    return [NotificationFactory(user=w["reviewer"]).title for _ in range(n)]


# ------------------------------------------------------------------ campaigns: quotas, deadlines, thresholds
def quotas(w, n):
    from smartfactory.campaigns.models import Quota

    return [Quota.objects.create(campaign=w["campaign"], tier="excellent", recommender="province", province_code=code,
                                 name=name, quota=5, basis="测试").name for code, name in PROVINCES[:n]]


def rankings(w, n):
    from smartfactory.campaigns.models import ProvinceRanking

    return [ProvinceRanking.objects.create(campaign=w["campaign"], province_code=code, province_name=name,
                                           rank=rank).province_name for rank, (code, name) in enumerate(PROVINCES[:n], 1)]


def quotas_and_rankings(w, n):
    rankings(w, n)
    return quotas(w, n)


def batches(w, n):
    """A recommendation batch on each of n provinces' 卓越级 quotas."""
    from smartfactory.campaigns.models import Quota
    from smartfactory.recommendations.models import Batch

    names = []
    for code, name in PROVINCES[:n]:
        quota = Quota.objects.create(campaign=w["campaign"], tier="excellent", recommender="province", province_code=code,
                                     name=f"{name}经信厅", quota=5, basis="测试")
        Batch.objects.create(quota=quota)
        names.append(quota.name)
    return names


def extensions(w, n):
    """The ministry's extension of the submission deadline for n provinces."""
    from smartfactory.campaigns.enums import Stage
    from smartfactory.campaigns.models import DeadlineExtension

    deadline = timezone.now() + timedelta(days=30)
    f.StageDeadlineFactory(campaign=w["campaign"], stage=Stage.ENTERPRISE_SUBMISSION, deadline=deadline - timedelta(days=5))
    names = []
    for code, _name in PROVINCES[:n]:
        authority = province(w, code)
        DeadlineExtension.objects.create(campaign=w["campaign"], authority=authority, stage=Stage.ENTERPRISE_SUBMISSION,
                                         deadline=deadline, reason=f"延期依据{code}", set_by=w["staff"])
        names.append(f"延期依据{code}")
    return names


def rescore_jobs(w, n):
    from smartfactory.rescoring.models import RescoreJob

    return [RescoreJob.objects.create(campaign=w["campaign"], requested_by=w["staff"], reason=f"阈值调整{i}", status="done",
                                      total=3, done=3).reason for i in range(n)]


# ------------------------------------------------------------------ evaluation
def evaluations(w, n):
    return [EvaluationFactory(application__campaign=w["campaign"],
                              application__factory=f.factory(f.enterprise("510107"), name=f"评审工厂{i}"),
                              ).application.factory.name for i in range(n)]


def in_expert_review(w, n):
    """卓越级 evaluations in expert review, each scored by 甲专家 and waiting for another expert."""
    names = []
    for i in range(n):
        a = AssignmentFactory(expert=w["expert"], evaluation__state="expert_review",
                              evaluation__application__campaign=w["campaign"],
                              evaluation__application__factory=f.factory(f.enterprise("510107", name=f"评审企业{i}")),
                              submitted_at=timezone.now(), total=80 + i, scores={"foundation": 80})
        names.append(a.evaluation.application.factory.enterprise.name)  # the factory's name begins with it
    for i in range(2):  # the pool the preview draws on
        ExpertProfileFactory(name=f"候选专家{i}")
    return names


def assignments(w, n):
    return [AssignmentFactory(expert=w["expert"], evaluation__application__campaign=w["campaign"],
                              evaluation__application__factory=f.factory(f.enterprise("510107", name=f"分配企业{i}")),
                              ).evaluation.application.factory.enterprise.name for i in range(n)]


def experts(w, n):
    """甲专家 of the world and n - 1 more."""
    return ["甲专家", *(ExpertProfileFactory(name=f"乙专家{i}").name for i in range(1, n))]


# ------------------------------------------------------------------ cultivation, public lists, supervision
def cultivation_objects(w, n):
    return [CultivationObjectFactory(factory=f.factory(f.enterprise("510107", name=f"培育企业{i}")),
                                     campaign=w["campaign"]).factory.enterprise.name for i in range(n)]


def published_awards(w, n):
    return [published(f.factory(f.enterprise("510107", name=f"公布企业{i}")), "excellent", 2025).certificate_no
            for i in range(n)]


def public_cases(w, n):
    return [CaseFactory().title for _ in range(n)]


def supervision_cases(w, n):
    """Cases Sichuan opened against 先进级 awards it certified."""
    from smartfactory.supervision import workflow

    names = []
    for i in range(n):
        award = f.award(f.factory(f.enterprise("510107", name=f"监管企业{i}")), "advanced", year=2041, by=w["sichuan"])
        workflow.open_case(award, actor=w["reviewer"], kind="safety_incident", measure="revoke",
                           occurred_on=timezone.localdate() - timedelta(days=10),
                           description="该工厂发生较大生产安全事故，经应急管理部门调查认定负有责任。")
        names.append(award.factory.enterprise.name)
    return names


def recheck_rounds(w, n):
    """A re-check round in each of n campaigns (2042 and earlier), each with one item."""
    from smartfactory.supervision.models import RecheckItem, RecheckRound

    names = []
    for i in range(n):
        campaign = w["campaign"] if i == 0 else f.CampaignFactory(year=2042 - i)
        round_ = RecheckRound.objects.create(campaign=campaign, opened_by=w["staff"], opened_at=timezone.now(),
                                             due_on=timezone.localdate() + timedelta(days=30))
        award = f.award(f.factory(f.enterprise("510107", name=f"复核企业{i}")), "advanced", year=2040, by=w["sichuan"])
        RecheckItem.objects.create(round=round_, award=award, requirements=[{"id": "BR1", "name": "基本要求"}])
        names.append(str(campaign.year))
    return names


def recheck_items(w, n):
    """n items of the 2042 round, of Sichuan's awards."""
    from smartfactory.supervision.models import RecheckItem, RecheckRound

    round_ = RecheckRound.objects.create(campaign=w["campaign"], opened_by=w["staff"], opened_at=timezone.now(),
                                         due_on=timezone.localdate() + timedelta(days=30))
    w["round"] = round_
    names = []
    for i in range(n):
        award = f.award(f.factory(f.enterprise("510107", name=f"复核项企业{i}")), "advanced", year=2040, by=w["sichuan"])
        RecheckItem.objects.create(round=round_, award=award, requirements=[{"id": "BR1", "name": "基本要求"}])
        names.append(award.factory.enterprise.name)
    return names


# ------------------------------------------------------------------ recommendations: paper, advanced lists
def advanced_reports(w, n):
    """n provinces' reports of their certified 先进级 lists for 2042."""
    from smartfactory.recommendations.models import AdvancedListReport

    names = []
    for code, _name in PROVINCES[:n]:
        authority = province(w, code)
        AdvancedListReport.objects.create(campaign=w["campaign"], reporter=authority, recipients=["miit"],
                                          rows=[{"no": 1, "enterprise": "某企业"}], content_hash="0" * 64,
                                          submitted_by=w["staff"])
        names.append(authority.name)
    return names


PAPER_ITEMS = ["application", "commitment", "summary_table"]


def paper_requirements(w, n):
    """Sichuan's paper requirements for 卓越级: n items."""
    from smartfactory.campaigns.models import PaperRequirement

    return [PaperRequirement.objects.create(campaign=w["campaign"], authority=w["sichuan"], tier="excellent", item=item,
                                            copies=i + 2, basis=f"川经信〔2042〕{i + 1}号").basis
            for i, item in enumerate(PAPER_ITEMS[:n])]


def paper_at_sichuan(w, n):
    """Sichuan's paper rules for 卓越级 and n excellent applications that reached it from Chengdu."""
    from smartfactory.campaigns.enums import Stage

    paper_requirements(w, 3)
    f.StageDeadlineFactory(campaign=w["campaign"], stage=Stage.PAPER_DELIVERY, deadline=timezone.now() + timedelta(days=9))
    chain = [{"level": "city", "authority": str(w["chengdu"].id)}, {"level": "province", "authority": str(w["sichuan"].id)}]
    return [TierApplicationFactory(factory=f.factory(f.enterprise("510107", name=f"纸质企业{i}")), campaign=w["campaign"],
                                   tier="excellent", state="in_review", chain=chain, current_step=1,
                                   current_authority=w["sichuan"]).factory.enterprise.name for i in range(n)]


def book_entries(w, n):
    """n entries of an excellent application's book (the portal user's)."""
    from smartfactory.applications.models import BookEntry
    from tests.factories.query_count_portal import enterprise_admin

    e = f.enterprise("510107", name="申报书企业")
    user = enterprise_admin(w, e)
    app = TierApplicationFactory(factory=f.factory(e), campaign=w["campaign"], tier="excellent")
    w["application"] = app
    keys = ["cover.project_name", "part1.revenue", "part1.profit"]
    return [BookEntry.objects.create(application=app, key=key, value=f"值{i}", updated_by=user).key
            for i, key in enumerate(keys[:n])]


def changes_of_one_enterprise(w, n):
    """n change requests of one enterprise addressed to Sichuan (one pending, the others decided)."""
    from smartfactory.organisations.models import EnterpriseChange

    e = f.enterprise("510107", name="多次变更企业")
    w["uscc"] = e.uscc
    reasons = []
    for i in range(n):
        EnterpriseChange.objects.create(
            enterprise=e, before={"name": e.name}, after={"name": f"{e.name}{i}"}, words={"name": [e.name, f"{e.name}{i}"]},
            reason=f"更名{i}", file="enterprise-changes/x.pdf", file_name="x.pdf", file_sha256="0" * 64,
            authority=w["sichuan"], requested_by=w["reviewer"], status="pending" if i == 0 else "rejected",
            decided_by=None if i == 0 else w["reviewer"], decided_at=None if i == 0 else timezone.now())
        reasons.append(f"更名{i}")
    return reasons


def submitted_version(app, i):
    """The application's first submitted version (its snapshot: the enterprise and the book)."""
    from smartfactory.applications.models import ApplicationVersion

    return ApplicationVersion.objects.create(
        application=app, number=1, content={}, verification_code=f"QC{i:06d}",
        snapshot={"enterprise": {"name": app.factory.enterprise.name}, "book": {"part1.cmmm_level": "3"}})


def forwarded_by_chengdu(w, n):
    """n excellent applications Chengdu approved and forwarded to Sichuan (its level dossier), each
    with its submitted version and the factory's 先进级 award."""
    from smartfactory.applications.models import Review

    chain = [{"level": "city", "authority": str(w["chengdu"].id)}, {"level": "province", "authority": str(w["sichuan"].id)}]
    names = []
    for i in range(n):
        plant = f.factory(f.enterprise("510107", name=f"转报企业{i}"))
        f.award(plant, "advanced", year=2041, by=w["sichuan"])
        app = TierApplicationFactory(factory=plant, campaign=w["campaign"], tier="excellent", state="in_review", chain=chain,
                                     current_step=1, current_authority=w["sichuan"], version=1)
        submitted_version(app, i)
        Review.objects.create(application=app, step=0, level="city", authority=w["chengdu"], reviewer=w["cd_leader"],
                              decision="approve", version_reviewed=1)
        names.append(plant.enterprise.name)
    return names


def recommended_by_sichuan(w, n):
    """Sichuan's 卓越级 quota with n recommended applications, in order (its batch page)."""
    from smartfactory.campaigns.models import Quota

    quota = Quota.objects.create(campaign=w["campaign"], tier="excellent", recommender="province", province_code="510000",
                                 name="四川省", quota=5, basis="测试")
    w["quota"] = quota
    names = []
    for i in range(n):
        plant = f.factory(f.enterprise("510107", name=f"推荐企业{i}"))
        f.award(plant, "advanced", year=2041, by=w["sichuan"])
        app = TierApplicationFactory(factory=plant, campaign=w["campaign"], tier="excellent", state="recommended",
                                     at=w["sichuan"], quota=quota, priority=i + 1)
        submitted_version(app, 100 + i)
        names.append(plant.enterprise.name)
    return names
