"""The six ministries' decision publishes the 卓越级 list; the next campaign's leading quotas count
it at once, in the same transaction, audited with the decision number (R17, P51)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from smartfactory import decisions
from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.enums import CampaignStatus
from smartfactory.campaigns.models import Campaign, Quota
from smartfactory.campaigns.quotas import compute_quotas
from smartfactory.evaluation import notices
from tests import factories as f
from tests.factories.evaluation import formal_pass, to_site_passed

pytestmark = pytest.mark.django_db


@pytest.mark.rule("R17", "P51")
def test_decision_on_the_excellent_list_recomputes_next_years_leading_quota(national, user_of):  # noqa: F811  (the fixture)
    n = national
    e = to_site_passed(n, formal_pass(n, n["evaluations"][0]))
    province = e.application.factory.county.province_code
    county = e.application.factory.county_id
    for _ in range(9):  # nine 2042 excellent factories of the province already published
        award = f.award(f.factory(f.enterprise(county)), "excellent", year=2042, by=n["miit"])
        award.published_on = award.awarded_on
        award.save(update_fields=["published_on"])
    next_year = Campaign.objects.create(year=2043, name="2043", framework_version="2025", tiers_open=["excellent", "leading"],
                                        status=CampaignStatus.PLANNED)
    compute_quotas(next_year)
    leading = Quota.objects.get(campaign=next_year, tier="leading", province_code=province)
    assert leading.quota == 1
    publicity = notices.open_publicity(e.campaign, "excellent", actor=n["staff"], evaluations=[e], starts_at=timezone.now())
    publicity = notices.finalise_publicity(publicity, actor=n["staff"], now=publicity.ends_at + timedelta(seconds=1))
    for ministry in n["ministries"]:
        notices.record_concurrence(publicity, actor=n["staff"], authority=ministry, document=f"{ministry.name}会签函")
    decisions.decide(publicity, actor=n["staff"], decision_number="工信部联通装〔2042〕7号")
    leading.refresh_from_db()
    assert (leading.quota, leading.basis) == (2, "2042年卓越级智能工厂10个（已公布）")
    event = AuditEvent.objects.filter(action="campaign.quotas_computed").latest("seq")
    assert event.reason == "2042年度卓越级智能工厂名单公布（工信部联通装〔2042〕7号）"
    assert event.actor_id == str(n["staff"].pk)
    assert event.after["changes"] == [{"recommender": leading.name, "tier": "leading", "before": 1, "after": 2,
                                       "basis": leading.basis}]
