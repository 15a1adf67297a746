"""Row builders of the query-count tests for the enterprise portal, the public site and the pages
every user has (to-do, notices): ``builder(world, n)`` makes n rows in the ``qc_world`` and returns
a text shown per row (see ``tests.factories.query_count_rows``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from smartfactory.organisations.enums import MembershipStatus, Role
from tests import factories as f
from tests.factories.publicsite import CaseFactory, published


def enterprise_admin(w, enterprise, username="qc-ent"):
    """The world's enterprise user (key ``ent``), an admin of ``enterprise``."""
    if "ent" not in w:
        w["ent"] = f.user(username, role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    else:
        f.MembershipFactory(user=w["ent"], role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    w["uscc"] = enterprise.uscc
    return w["ent"]


def own_enterprises(w, n):
    """n enterprises the portal user administers, each with a factory holding a 基础级 award, and the
    2042 submission deadline (the home page's calendar per enterprise)."""
    from smartfactory.campaigns.enums import Stage

    f.StageDeadlineFactory(campaign=w["campaign"], stage=Stage.ENTERPRISE_SUBMISSION,
                           deadline=timezone.now() + timedelta(days=30))
    names = []
    for i in range(n):
        e = f.enterprise("510107", name=f"本企业{i}")
        f.award(f.factory(e, name=f"本企业工厂{i}"), "basic", year=2041)
        enterprise_admin(w, e)
        names.append(e.name)
    return names


def members(w, n):
    """The portal user (admin) and n - 1 more members of its enterprise, one of them pending."""
    e = f.enterprise("510107", name="成员企业")
    enterprise_admin(w, e)
    names = ["qc-ent"]
    for i in range(1, n):
        status = MembershipStatus.PENDING if i == 1 else MembershipStatus.ACTIVE
        u = f.UserFactory(username=f"qc-member-{i}")
        f.MembershipFactory(user=u, role=Role.ENTERPRISE_MEMBER, enterprise=e, status=status)
        names.append(u.username)
    return names


def own_supervision_cases(w, n):
    """Cases Sichuan opened against n factories of the portal user's enterprise."""
    from smartfactory.supervision import workflow

    e = f.enterprise("510107", name="被监管企业")
    enterprise_admin(w, e)
    names = []
    for i in range(n):
        award = f.award(f.factory(e, name=f"被监管工厂{i}"), "advanced", year=2041, by=w["sichuan"])
        workflow.open_case(award, actor=w["reviewer"], kind="safety_incident", measure="revoke",
                           occurred_on=timezone.localdate() - timedelta(days=10),
                           description="该工厂发生较大生产安全事故，经应急管理部门调查认定负有责任。")
        names.append(award.factory.name)
    return names


def own_recheck_items(w, n):
    """The open 2042 re-check round's items of n factories of the portal user's enterprise."""
    from smartfactory.supervision.models import RecheckItem, RecheckRound

    e = f.enterprise("510107", name="复核企业")
    enterprise_admin(w, e)
    round_ = RecheckRound.objects.create(campaign=w["campaign"], opened_by=w["staff"], opened_at=timezone.now(),
                                         due_on=timezone.localdate() + timedelta(days=30))
    names = []
    for i in range(n):
        award = f.award(f.factory(e, name=f"复核工厂{i}"), "advanced", year=2040, by=w["sichuan"])
        RecheckItem.objects.create(round=round_, award=award, requirements=[{"id": "BR1", "name": "基本要求"}])
        names.append(award.factory.name)
    return names


def consent_requests(w, n):
    """Cases of awards of the portal user's enterprise put to it for consent."""
    from smartfactory.publicsite.enums import CaseStatus

    e = f.enterprise("510107", name="案例企业")
    enterprise_admin(w, e)
    return [CaseFactory(award=published(f.factory(e, name=f"案例工厂{i}"), "excellent", 2025),
                        status=CaseStatus.CONSENT_REQUESTED, consent_requested_at=timezone.now(), consent_at=None,
                        published_at=None).title for i in range(n)]


def managed_cases(w, n):
    """Cases in every state the ministry's case desk lists (drafts too)."""
    from smartfactory.publicsite.enums import CaseStatus

    return [CaseFactory(status=CaseStatus.DRAFT if i == 1 else CaseStatus.PUBLISHED).title for i in range(n)]


def awards_in_years(w, n):
    """Published awards in n years (the public index counts per year)."""
    return [str(published(f.factory(f.enterprise("510107")), "excellent", 2025 - i).year) for i in range(n)]


def publicities(w, n):
    from smartfactory.evaluation.models import Publicity

    now = timezone.now()
    return [Publicity.objects.create(campaign=w["campaign"], tier="excellent", title=f"2042年度卓越级智能工厂公示（第{i + 1}批）",
                                     starts_at=now - timedelta(days=i + 1), ends_at=now + timedelta(days=5),
                                     created_by=w["staff"]).title for i in range(n)]


def publicity_entries(w, n):
    """A 卓越级 公示 of 2042 running now, with n proposed evaluations on it (its ``publicity``)."""
    from smartfactory.evaluation.models import Publicity
    from tests.factories.evaluation import EvaluationFactory

    now = timezone.now()
    publicity = Publicity.objects.create(campaign=w["campaign"], tier="excellent", title="2042年度卓越级智能工厂公示",
                                         starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=5),
                                         created_by=w["staff"])
    w["publicity"] = publicity
    return [EvaluationFactory(application__campaign=w["campaign"], state="proposed", publicity=publicity,
                              application__factory=f.factory(f.enterprise("510107", name=f"公示企业{i}")),
                              ).application.factory.enterprise.name for i in range(n)]
