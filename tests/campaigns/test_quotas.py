"""Recommendation quotas: the notice's bands from data, every recommender present, ranking and
overrides audited, and the recommend guard at N / N+1."""

from __future__ import annotations

import pytest
import time_machine

from smartfactory.applications.enums import Action, State
from smartfactory.applications.models import TierApplication
from smartfactory.applications.workflow import transition
from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.models import Quota
from smartfactory.campaigns.quotas import compute_quotas, override_quota, set_ranking
from smartfactory.errors import NotPermitted, QuotaExceeded
from smartfactory.organisations.enums import Role
from tests import factories as f
from tests.factories.applications import (
    BEFORE,
    submitted_excellent,
)

pytestmark = pytest.mark.django_db


def quota(campaign, tier, code="", recommender="province", group=None):
    lookup = {"campaign": campaign, "tier": tier, "recommender": recommender}
    if recommender == "province":
        lookup["province_code"] = code
    if group is not None:
        lookup["soe_group"] = group
    return Quota.objects.get(**lookup).quota


def test_excellent_bands_xpcc_and_soe_groups(setup):
    group = f.soe_group("中国示例集团")
    compute_quotas(setup["campaign"])
    c = setup["campaign"]
    assert quota(c, "excellent", "320000") == 40  # 江苏 rank 1
    assert quota(c, "excellent", "510000") == 40  # 四川 rank 8
    assert quota(c, "excellent", "340000") == 30  # 安徽 rank 11 (estimate)
    assert quota(c, "excellent", "110000") == 20  # 北京 rank 23
    assert quota(c, "excellent", recommender="xpcc") == 5
    assert quota(c, "excellent", recommender="central_soe", group=group) == 5
    assert Quota.objects.filter(campaign=c, tier="excellent", recommender="province").count() == 31
    assert Quota.objects.filter(campaign=c, tier="leading", recommender="province").count() == 31
    assert "估算排名" in Quota.objects.get(campaign=c, tier="excellent", province_code="340000").basis


def test_leading_bands_from_prior_year_excellent_count(setup):
    c = setup["campaign"]  # 2042: counts 2041 excellent awards
    miit = f.ministry()
    for county, n in (("510107", 20), ("330203", 10), ("110101", 9)):
        for _ in range(n):
            award = f.award(f.factory(f.enterprise(county)), "excellent", year=2041, by=miit)
            award.published_on = award.awarded_on
            award.save(update_fields=["published_on"])
    compute_quotas(c)
    assert (quota(c, "leading", "510000"), quota(c, "leading", "330000"), quota(c, "leading", "110000")) == (3, 2, 1)
    assert quota(c, "leading", "620000") == 1  # none at all


def test_ministry_edits_ranking_and_overrides_audited(setup):
    c = setup["campaign"]
    compute_quotas(c)
    staff = f.user(role=Role.MINISTRY_STAFF, authority=f.ministry())
    with pytest.raises(NotPermitted):
        set_ranking(c, province_code="340000", rank=9, actor=setup["user"], basis="x")
    set_ranking(c, province_code="340000", rank=9, actor=staff, basis="国家统计局2024年数据")
    assert quota(c, "excellent", "340000") == 40
    row = Quota.objects.get(campaign=c, tier="leading", province_code="510000")
    override_quota(row, value=2, actor=staff, reason="专家委建议")
    compute_quotas(c)  # recomputation keeps the override
    assert quota(c, "leading", "510000") == 2
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"campaign.ranking_set", "campaign.quota_overridden", "campaign.quotas_computed"} <= actions


@pytest.mark.rule("R10")
def test_recommend_guard_at_quota_n_and_n_plus_one(setup):
    c = setup["campaign"]
    compute_quotas(c)
    staff = f.user(role=Role.MINISTRY_STAFF, authority=f.ministry())
    override_quota(Quota.objects.get(campaign=c, tier="excellent", province_code="510000"), value=2, actor=staff,
                   reason="测试名额")
    leader = f.user("sc-leader", role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    apps = submitted_excellent(setup, 3)
    with time_machine.travel(BEFORE, tick=False):
        first = transition(apps[0], Action.RECOMMEND, actor=leader)
        second = transition(apps[1], Action.RECOMMEND, actor=leader)
        with pytest.raises(QuotaExceeded) as exc:
            transition(apps[2], Action.RECOMMEND, actor=leader)
    assert (first.priority, second.priority) == (1, 2)
    assert "推荐名额（2个）已用完" in exc.value.message
    assert TierApplication.objects.filter(state=State.RECOMMENDED).count() == 2
    apps[2].refresh_from_db()
    assert apps[2].state == State.IN_REVIEW


def test_quota_api_reports_used(setup, client_for):
    c = setup["campaign"]
    compute_quotas(c)
    leader = f.user("sc-leader2", role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    app = submitted_excellent(setup, 1)[0]
    with time_machine.travel(BEFORE, tick=False):
        transition(app, Action.RECOMMEND, actor=leader)
    rows = client_for(leader).get("/api/v1/campaigns/2042/quotas").json()
    sichuan = next(r for r in rows if r["tier"] == "excellent" and r["province_code"] == "510000")
    assert (sichuan["quota"], sichuan["used"]) == (40, 1)
    assert len([r for r in rows if r["tier"] == "excellent"]) == 31 + 1  # provinces and XPCC (no SOE group here)


@pytest.mark.rule("R10")
def test_city_subquota_at_n_and_n_plus_one(setup):
    from smartfactory.campaigns.quotas import set_city_subquota

    c = setup["campaign"]
    compute_quotas(c)
    quota_row = Quota.objects.get(campaign=c, tier="excellent", province_code="510000")
    leader = f.user("sc-leader3", role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    with pytest.raises(NotPermitted):
        set_city_subquota(quota_row, city_code="510100", limit=1, actor=setup["user"], reason="x")
    set_city_subquota(quota_row, city_code="510100", limit=1, actor=leader, reason="省里统一分配")
    apps = submitted_excellent(setup, 2)  # both in 成都（武侯区）
    with time_machine.travel(BEFORE, tick=False):
        transition(apps[0], Action.RECOMMEND, actor=leader)
        with pytest.raises(QuotaExceeded) as exc:
            transition(apps[1], Action.RECOMMEND, actor=leader)
    assert "成都市的推荐名额（1个，省级分配）已用完" in exc.value.message
    assert AuditEvent.objects.filter(action="campaign.city_subquota_set").exists()
