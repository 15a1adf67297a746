"""Quotas stay true: recomputed when their inputs change (published awards, corrected ranking), set
only by MIIT on the page and through the API (audited), never below the places already used, and
drawn on by central-SOE and XPCC applications separately from the province."""

from __future__ import annotations

import contextlib

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from smartfactory.applications.chain import resolve_chain
from smartfactory.applications.enums import Action, State
from smartfactory.applications.models import TierApplication
from smartfactory.applications.workflow import transition
from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.models import CitySubQuota, Quota
from smartfactory.campaigns.quotas import (
    compute_quotas,
    follow_published_awards,
    override_quota,
    restore_computed_quota,
    set_city_subquota,
    set_ranking,
)
from smartfactory.errors import InvalidInput, NotPermitted, QuotaExceeded
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Role
from tests import factories as f
from tests.factories.applications import (
    BEFORE,
)

pytestmark = pytest.mark.django_db
DRAWING = ("recommended", "awarded", "cultivating", "not_selected")  # counted here independently of the code


def row(campaign, tier, code="510000", recommender="province", group=None) -> Quota:
    lookup = {"campaign": campaign, "tier": tier, "recommender": recommender}
    if recommender == "province":
        lookup["province_code"] = code
    if group is not None:
        lookup["soe_group"] = group
    return Quota.objects.get(**lookup)


def used(quota: Quota, city_code: str = "") -> int:
    rows = TierApplication.objects.filter(quota=quota, state__in=DRAWING)
    return rows.filter(factory__county__city_code=city_code).count() if city_code else rows.count()


def miit_staff():
    return f.user(role=Role.MINISTRY_STAFF, authority=f.ministry())


def sasac_staff():
    """Staff of one of the other five ministries (not the lead)."""
    sasac = f.authority(None, level=AuthorityLevel.NATIONAL, kind=AuthorityKind.MINISTRY, name="国务院国资委",
                        department="sasac", is_lead=False)
    return f.user(role=Role.MINISTRY_STAFF, authority=sasac)


def published(county: str, n: int, year: int, *, publish: bool = True) -> None:
    miit = f.ministry() if publish else None
    for _ in range(n):
        award = f.award(f.factory(f.enterprise(county)), "excellent", year=year, by=miit or f.ministry())
        if publish:
            award.published_on = award.awarded_on
            award.save(update_fields=["published_on"])


def in_review(campaign, county: str, *, tier="excellent", soe=None, is_xpcc=None) -> TierApplication:
    """An application waiting at the last level of its chain (rows made directly: the quota, not the
    application book, is under test)."""
    enterprise = f.enterprise(county, soe=soe, is_xpcc=is_xpcc)
    factory = f.factory(enterprise)
    chain = resolve_chain(factory, campaign, tier)
    return TierApplication.objects.create(
        factory=factory, campaign=campaign, tier=tier, state=State.IN_REVIEW, chain=chain, current_step=len(chain) - 1,
        current_authority_id=chain[-1]["authority"], province_code=factory.county.province_code, version=1,
    )


def recommended(campaign, county: str, quota: Quota, n: int) -> None:
    """n places already taken (history of the batch, made directly)."""
    for _ in range(n):
        factory = f.factory(f.enterprise(county))
        TierApplication.objects.create(factory=factory, campaign=campaign, tier=quota.tier, state=State.RECOMMENDED,
                                       quota=quota, province_code=factory.county.province_code, version=1)


# ------------------------------------------------------------------ R17: published awards, boundaries
@pytest.mark.rule("R17", "P51")
def test_leading_quota_counts_published_excellent_awards_at_the_band_edges(setup):
    c = setup["campaign"]  # 2042: the 2041 list
    for county, n in (("510107", 20), ("330203", 19), ("110101", 10), ("620102", 9)):
        published(county, n, 2041)
    published("620102", 3, 2041, publish=False)  # awarded but not on a published list: not counted
    published("420102", 25, 2040)  # another year
    compute_quotas(c)
    assert [row(c, "leading", code).quota for code in ("510000", "330000", "110000", "620000", "420000")] == [3, 2, 2, 1, 1]
    assert row(c, "leading", "620000").basis == "2041年卓越级智能工厂9个（已公布）"


@pytest.mark.rule("R17", "P51")
def test_publishing_a_list_recomputes_the_next_campaign_and_audits_it(setup):
    c = setup["campaign"]
    published("620102", 9, 2041)
    compute_quotas(c)
    assert row(c, "leading", "620000").quota == 1
    published("620102", 1, 2041)
    assert row(c, "leading", "620000").quota == 1  # not yet: nothing published through the service
    with transaction.atomic():
        follow_published_awards(2041, actor=None, source="工信部联通装〔2041〕9号")
    quota = row(c, "leading", "620000")
    assert (quota.quota, quota.basis) == (2, "2041年卓越级智能工厂10个（已公布）")
    event = AuditEvent.objects.filter(action="campaign.quotas_computed").latest("seq")
    assert "工信部联通装〔2041〕9号" in event.reason
    assert event.after["changes"] == [{"recommender": quota.name, "tier": "leading", "before": 1, "after": 2,
                                       "basis": quota.basis}]
    assert follow_published_awards(2041, tier="leading") == []  # other tiers are no input
    assert follow_published_awards(2042) == []  # no 2043 campaign yet


def test_recomputation_without_change_writes_no_event(setup):
    c = setup["campaign"]
    compute_quotas(c)
    n = AuditEvent.objects.filter(action="campaign.quotas_computed").count()
    compute_quotas(c)
    assert AuditEvent.objects.filter(action="campaign.quotas_computed").count() == n == 1


# ------------------------------------------------------------------ P50: never below use
@pytest.mark.rule("P50", "R10")
def test_rank_correction_below_use_is_refused_as_a_whole(setup):
    c = setup["campaign"]
    compute_quotas(c)
    staff = miit_staff()
    anhui = row(c, "excellent", "340000")  # rank 11 (estimate) → 30
    recommended(c, "340102", anhui, 21)
    with pytest.raises(QuotaExceeded) as exc:
        set_ranking(c, province_code="340000", rank=21, actor=staff, basis="国家统计局2024年数据")
    assert "已使用21个" in exc.value.message and "不能调整为20个" in exc.value.message
    anhui.refresh_from_db()
    assert anhui.quota == 30
    assert c.province_rankings.get(province_code="340000").rank == 11  # the correction rolled back too
    assert not AuditEvent.objects.filter(action="campaign.ranking_set").exists()
    TierApplication.objects.filter(quota=anhui).first().delete()  # 20 used: rank 21 → 20 allowed
    set_ranking(c, province_code="340000", rank=21, actor=staff, basis="国家统计局2024年数据")
    assert row(c, "excellent", "340000").quota == 20


@pytest.mark.rule("R10")
def test_rank_corrections_at_10_11_20_21(setup):
    c = setup["campaign"]
    compute_quotas(c)
    staff = miit_staff()
    for rank, quota in ((10, 40), (11, 30), (20, 30), (21, 20)):
        set_ranking(c, province_code="620000", rank=rank, actor=staff, basis="国家统计局2024年数据")
        assert row(c, "excellent", "620000").quota == quota
    assert row(c, "excellent", "620000").basis == "2024年工业增加值第21位"  # no longer 估算
    assert AuditEvent.objects.filter(action="campaign.ranking_set").count() == 4


@pytest.mark.rule("P50")
def test_override_below_use_is_refused_and_at_use_allowed(setup):
    c = setup["campaign"]
    compute_quotas(c)
    staff = miit_staff()
    sichuan = row(c, "leading")
    recommended(c, "510107", sichuan, 1)
    with pytest.raises(QuotaExceeded) as exc:
        override_quota(sichuan, value=0, actor=staff, reason="专家委建议")
    assert "四川省的领航级推荐名额已使用1个，不能调整为0个" in exc.value.message
    assert override_quota(sichuan, value=1, actor=staff, reason="专家委建议").quota == 1
    assert AuditEvent.objects.filter(action="campaign.quota_overridden").count() == 1


@pytest.mark.rule("P50")
def test_restoring_a_computed_quota_below_use_is_refused(setup):
    c = setup["campaign"]
    compute_quotas(c)
    staff = miit_staff()
    sichuan = override_quota(row(c, "leading"), value=3, actor=staff, reason="临时增加")
    recommended(c, "510107", sichuan, 2)
    with pytest.raises(QuotaExceeded):
        restore_computed_quota(sichuan, actor=staff, reason="按规则")  # computed: 1
    sichuan.refresh_from_db()
    assert (sichuan.quota, sichuan.overridden) == (3, True)
    TierApplication.objects.filter(quota=sichuan).first().delete()
    sichuan = restore_computed_quota(sichuan, actor=staff, reason="按规则")
    assert (sichuan.quota, sichuan.overridden) == (1, False)
    assert AuditEvent.objects.filter(action="campaign.quota_restored").count() == 1


@pytest.mark.rule("P50")
def test_city_subquota_below_the_citys_use_is_refused(setup):
    c = setup["campaign"]
    compute_quotas(c)
    leader = f.user(role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    sichuan = row(c, "excellent")
    recommended(c, "510107", sichuan, 3)
    with pytest.raises(QuotaExceeded) as exc:
        set_city_subquota(sichuan, city_code="510100", limit=2, actor=leader, reason="省里统一分配")
    assert "成都市已推荐3个" in exc.value.message
    assert not CitySubQuota.objects.exists()
    assert set_city_subquota(sichuan, city_code="510100", limit=3, actor=leader, reason="省里统一分配").limit == 3
    assert set_city_subquota(sichuan, city_code="510300", limit=0, actor=leader, reason="省里统一分配").limit == 0


# ------------------------------------------------------------------ P52: only MIIT, page and API
@pytest.mark.rule("P52")
def test_other_ministries_and_provinces_cannot_set_quotas(setup):
    c = setup["campaign"]
    compute_quotas(c)
    sasac = sasac_staff()
    leader = f.user(role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    for actor in (sasac, leader):
        with pytest.raises(NotPermitted):
            override_quota(row(c, "excellent"), value=10, actor=actor, reason="x")
        with pytest.raises(NotPermitted):
            set_ranking(c, province_code="510000", rank=30, actor=actor, basis="x")
    assert row(c, "excellent").quota == 40


def test_api_corrects_ranking_overrides_restores_and_recomputes(setup, client_for):
    c = setup["campaign"]
    compute_quotas(c)
    staff = miit_staff()
    api = client_for(staff)
    rows = api.put("/api/v1/campaigns/2042/rankings/620000", {"rank": 10, "basis": "国家统计局2024年数据"},
                   content_type="application/json").json()
    gansu = next(r for r in rows if r["tier"] == "excellent" and r["province_code"] == "620000")
    assert (gansu["quota"], gansu["used"], gansu["overridden"]) == (40, 0, False)
    leading = row(c, "leading")
    recommended(c, "510107", leading, 1)
    refused = api.put(f"/api/v1/campaigns/2042/quotas/{leading.pk}", {"quota": 0, "reason": "测试"},
                      content_type="application/json")
    assert refused.status_code == 409 and refused.json()["code"] == "quota_exceeded"
    body = api.put(f"/api/v1/campaigns/2042/quotas/{leading.pk}", {"quota": 3, "reason": "专家委建议"},
                   content_type="application/json").json()
    assert (body["quota"], body["used"], body["overridden"]) == (3, 1, True)
    body = api.post(f"/api/v1/campaigns/2042/quotas/{leading.pk}/restore", {"reason": "按规则"},
                    content_type="application/json").json()
    assert (body["quota"], body["overridden"]) == (1, False)
    assert api.post("/api/v1/campaigns/2042/quotas/recompute", {"reason": "核对"},
                    content_type="application/json").status_code == 200
    ranking = {r["province_code"]: r for r in api.get("/api/v1/campaigns/2042/rankings").json()}
    assert (ranking["620000"]["rank"], ranking["620000"]["is_estimate"]) == (10, False)
    actions = list(AuditEvent.objects.filter(action__startswith="campaign.").values_list("action", flat=True))
    assert {"campaign.ranking_set", "campaign.quota_overridden", "campaign.quota_restored"} <= set(actions)
    assert actions.count("campaign.quotas_computed") == 4  # created, rank, restore, the requested recompute


@pytest.mark.rule("P52")
def test_api_refuses_a_province_and_another_ministry(setup, client_for):
    c = setup["campaign"]
    compute_quotas(c)
    leader = f.user(role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    sasac = sasac_staff()
    quota = row(c, "excellent")
    for user in (leader, sasac):
        api = client_for(user)
        assert api.put(f"/api/v1/campaigns/2042/quotas/{quota.pk}", {"quota": 99, "reason": "x"},
                       content_type="application/json").status_code == 403
        assert api.put("/api/v1/campaigns/2042/rankings/510000", {"rank": 1, "basis": "x"},
                       content_type="application/json").status_code == 403
        assert api.post("/api/v1/campaigns/2042/quotas/recompute", {"reason": "x"},
                        content_type="application/json").status_code == 403
    assert row(c, "excellent").quota == 40


def test_quota_page_for_miit_only_and_its_forms(setup, client):
    c = setup["campaign"]
    compute_quotas(c)
    staff = miit_staff()
    sasac = sasac_staff()
    client.force_login(sasac)
    assert client.get("/console/campaigns/2042/quotas/").status_code == 404
    client.force_login(staff)
    page = client.get("/console/campaigns/2042/quotas/")
    assert page.status_code == 200 and "2024年工业增加值第8位（估算排名）" in page.content.decode()
    leading = row(c, "leading")
    recommended(c, "510107", leading, 1)
    refused = client.post("/console/campaigns/2042/quotas/", {"action": "override", "override-quota": leading.pk,
                                                              "override-value": 0, "override-reason": "测试"})
    assert refused.status_code == 200 and "不能调整为0个" in refused.content.decode()
    done = client.post("/console/campaigns/2042/quotas/", {"action": "ranking", "ranking-province_code": "510000",
                                                           "ranking-rank": 15, "ranking-basis": "四川省统计公报"})
    assert done.status_code == 302
    assert row(c, "excellent").quota == 30
    done = client.post("/console/campaigns/2042/quotas/", {"action": "recompute", "recompute-reason": "核对"})
    assert done.status_code == 302


# ------------------------------------------------------------------ R11: SOE and XPCC own quotas
@pytest.mark.rule("R11")
def test_soe_and_xpcc_applications_draw_on_their_own_quotas_at_5_and_6(setup):
    c = setup["campaign"]
    group = f.soe_group("中国示例装备集团有限公司")
    xpcc = f.authority("660000", level=AuthorityLevel.PROVINCE, kind=AuthorityKind.XPCC, name="兵团工信局")
    compute_quotas(c)
    soe_leader = f.user(role=Role.AUTHORITY_LEADER, authority=group)
    xpcc_leader = f.user(role=Role.AUTHORITY_LEADER, authority=xpcc)
    soe_apps = [in_review(c, "510107", soe=group) for _ in range(6)]  # SOE factories in Sichuan
    xpcc_apps = [in_review(c, "659001") for _ in range(6)]
    with time_machine.travel(BEFORE, tick=False):
        for apps, leader in ((soe_apps, soe_leader), (xpcc_apps, xpcc_leader)):
            for app in apps[:5]:
                transition(app, Action.RECOMMEND, actor=leader)
            with pytest.raises(QuotaExceeded):
                transition(apps[5], Action.RECOMMEND, actor=leader)
    soe_quota, xpcc_quota = row(c, "excellent", recommender="central_soe", group=group), row(c, "excellent", recommender="xpcc")
    assert (used(soe_quota), used(xpcc_quota)) == (5, 5)
    assert used(row(c, "excellent", "510000")) == used(row(c, "excellent", "650000")) == 0
    assert set(TierApplication.objects.filter(quota=soe_quota).values_list("pk", flat=True)) == {a.pk for a in soe_apps[:5]}
    leading = in_review(c, "510107", tier="leading", soe=group)  # leading: through the province (R18)
    sc_leader = f.user(role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])
    with time_machine.travel(BEFORE, tick=False):
        transition(leading, Action.RECOMMEND, actor=sc_leader)
    assert used(row(c, "leading", "510000")) == 1


# ------------------------------------------------------------------ the invariant, by state machine
class QuotaMachine(RuleBasedStateMachine):
    """Recommendations, overrides, restores, rank corrections, recomputations and city sub-quotas in
    any order never leave more recommended than the province's quota or a city's sub-quota."""

    world: dict = {}

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()  # every example starts from the same world

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    @property
    def quota(self) -> Quota:
        return Quota.objects.get(pk=self.world["quota"].pk)

    @rule(i=st.integers(0, 5))
    def recommend(self, i):
        app = TierApplication.objects.get(pk=self.world["pool"][i].pk)
        if app.state == State.IN_REVIEW:
            with contextlib.suppress(QuotaExceeded):
                transition(app, Action.RECOMMEND, actor=self.world["leader"])

    @rule(value=st.integers(14, 26))
    def override(self, value):
        with contextlib.suppress(QuotaExceeded):
            override_quota(self.quota, value=value, actor=self.world["staff"], reason="状态机")

    @rule()
    def restore(self):
        with contextlib.suppress(QuotaExceeded, InvalidInput):
            restore_computed_quota(self.quota, actor=self.world["staff"], reason="状态机")

    @rule(rank=st.sampled_from([8, 15, 25]))
    def correct_rank(self, rank):
        with contextlib.suppress(QuotaExceeded):
            set_ranking(self.world["campaign"], province_code="510000", rank=rank, actor=self.world["staff"], basis="状态机")

    @rule()
    def recompute(self):
        compute_quotas(self.world["campaign"], actor=self.world["staff"], reason="状态机")

    @rule(city=st.sampled_from(["510100", "510300"]), limit=st.integers(0, 16))
    def subquota(self, city, limit):
        with contextlib.suppress(QuotaExceeded, InvalidInput):
            set_city_subquota(self.quota, city_code=city, limit=limit, actor=self.world["leader"], reason="状态机")

    @invariant()
    def never_more_recommended_than_allowed(self):
        quota = self.quota
        assert used(quota) <= quota.quota
        for sub in CitySubQuota.objects.filter(quota=quota):
            assert used(quota, sub.city_code) <= sub.limit


@pytest.mark.rule("P50", "R10")
def test_no_sequence_of_writes_leaves_more_recommended_than_the_quota(setup):
    c = setup["campaign"]
    compute_quotas(c)
    quota = row(c, "excellent")
    recommended(c, "510107", quota, 12)  # 成都
    recommended(c, "510302", quota, 6)  # 自贡
    pool = [in_review(c, "510104") for _ in range(4)] + [in_review(c, "510302") for _ in range(2)]
    QuotaMachine.world = {"campaign": c, "quota": quota, "pool": pool, "staff": miit_staff(),
                          "leader": f.user(role=Role.AUTHORITY_LEADER, authority=setup["sichuan"])}
    with time_machine.travel(BEFORE, tick=False):
        run_state_machine_as_test(QuotaMachine, settings=settings(
            max_examples=40, stateful_step_count=12, deadline=None, database=None,
            suppress_health_check=[HealthCheck.too_slow]))


def test_quota_list_and_page_query_counts_do_not_grow_with_rows(setup, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = setup["campaign"]
    staff = miit_staff()
    counts = []
    for groups in (1, 3):
        while Quota.objects.filter(campaign=c, recommender="central_soe").count() < groups:
            f.soe_group(f"中国示例集团{Quota.objects.count()}")
            compute_quotas(c)
        quota = row(c, "excellent")
        if not TierApplication.objects.filter(quota=quota).exists():
            recommended(c, "510107", quota, 2)
        api, page = client_for(staff), client_for(staff)
        with CaptureQueriesContext(connection) as listed:
            assert api.get("/api/v1/campaigns/2042/quotas").status_code == 200
        with CaptureQueriesContext(connection) as shown:
            assert page.get("/console/campaigns/2042/quotas/").status_code == 200
        counts.append((len(listed), len(shown)))
    assert counts == [(7, 11), (7, 11)]  # 1 and 3 central-SOE groups (rows)
