"""Console pages: real counts, query counts that do not grow with rows, account management."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartfactory.accounts.models import User
from smartfactory.audit.models import AuditEvent
from smartfactory.organisations.enums import AuthorityLevel, Role
from smartfactory.organisations.models import Membership
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def chengdu():
    sichuan = f.authority("510000", level=AuthorityLevel.PROVINCE)
    city = f.authority("510100", level=AuthorityLevel.CITY, parent=sichuan)
    wuhou = f.authority("510107", level=AuthorityLevel.COUNTY, parent=city)
    leader = f.user("cd-leader", role=Role.AUTHORITY_LEADER, authority=city)
    return {"sichuan": sichuan, "city": city, "wuhou": wuhou, "leader": leader}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_enterprise_list_query_count_does_not_grow(chengdu, client_for):
    client = client_for(chengdu["leader"])
    e = f.enterprise("510107")
    f.factory(e)
    one = _queries(client, "/console/enterprises/")
    for _ in range(2):
        f.factory(f.enterprise("510104"))
    three = _queries(client, "/console/enterprises/")
    for _ in range(47):
        f.enterprise("510108")
    fifty = _queries(client, "/console/enterprises/")
    assert one == three == fifty


def test_home_shows_real_counts(chengdu, client_for):
    for county in ("510107", "510104", "510703"):
        f.factory(f.enterprise(county))
    response = client_for(chengdu["leader"]).get("/console/")
    assert response.context["enterprise_count"] == 2  # 绵阳 is not Chengdu's
    assert response.context["factory_count"] == 2


def test_leader_opens_accounts_below_but_not_elsewhere(chengdu, client_for):
    client = client_for(chengdu["leader"])
    other = f.authority("510700", level=AuthorityLevel.CITY, parent=chengdu["sichuan"])
    form = {"role": Role.AUTHORITY_REVIEWER, "username": "wuhou-2", "display_name": "新审核员",
            "email": "w@example.invalid", "password": f.PASSWORD}
    response = client.post("/console/users/", {**form, "authority": str(chengdu["wuhou"].id)})
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="wuhou-2")
    assert (membership.authority, membership.role) == (chengdu["wuhou"], Role.AUTHORITY_REVIEWER)
    assert AuditEvent.objects.filter(action="membership.create", object_id=str(membership.user.pk)).exists()
    # 绵阳 is not below Chengdu: refused as if it did not exist, nothing created
    response = client.post("/console/users/", {**form, "username": "mianyang-x", "authority": str(other.id)})
    assert response.status_code == 200
    assert not User.objects.filter(username="mianyang-x").exists()


def test_reviewer_cannot_manage_accounts(chengdu, client_for):
    reviewer = f.user(role=Role.AUTHORITY_REVIEWER, authority=chengdu["wuhou"])
    assert client_for(reviewer).get("/console/users/").status_code == 404


def test_leader_cannot_revoke_own_role(chengdu, client_for):
    membership = Membership.objects.get(user=chengdu["leader"])
    response = client_for(chengdu["leader"]).post(f"/console/users/{membership.pk}/revoke/")
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == "active"


def test_security_headers_and_no_store(chengdu, client_for):
    response = client_for(chengdu["leader"]).get("/console/")
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_campaign_page_sets_override_for_level_below_and_refuses_later_than_parent(chengdu, client_for):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from smartfactory.campaigns.models import Campaign, DeadlineOverride, StageDeadline

    campaign = Campaign.objects.create(year=2032, name="2032", framework_version="2025", tiers_open=["excellent"])
    StageDeadline.objects.create(campaign=campaign, stage="recommender_online_review",
                                 deadline=datetime(2032, 8, 1, 23, 59, 59, tzinfo=ZoneInfo("Asia/Shanghai")))
    client = client_for(chengdu["leader"])
    url = "/console/campaigns/2032/"
    refused = client.post(url, {"action": "override", "authority": str(chengdu["city"].id), "stage": "county_review",
                                "deadline": "2032-08-02T10:00", "reason": "太晚"})
    assert refused.status_code == 200
    assert "不能晚于上级规定的截止时间" in refused.content.decode()
    assert not DeadlineOverride.objects.filter(campaign=campaign).exists()
    ok = client.post(url, {"action": "override", "authority": str(chengdu["city"].id), "stage": "county_review",
                           "deadline": "2032-07-18T17:00", "reason": "成都转发"})
    assert ok.status_code == 302
    override = DeadlineOverride.objects.get(campaign=campaign)
    assert override.deadline == datetime(2032, 7, 18, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    # the national form is for ministry staff only
    client.post(url, {"action": "national", "national-stage": "enterprise_submission",
                      "national-deadline": "2032-07-30T12:00", "national-reason": "x"})
    assert not StageDeadline.objects.filter(campaign=campaign, stage="enterprise_submission").exists()


def test_ministry_extends_a_national_deadline_with_reason(client_for):
    from smartfactory.campaigns.models import Campaign, StageDeadline

    miit = f.ministry()
    staff = f.user(role=Role.MINISTRY_STAFF, authority=miit)
    Campaign.objects.create(year=2033, name="2033", framework_version="2025", tiers_open=["excellent"])
    client = client_for(staff)
    response = client.post("/console/campaigns/2033/", {
        "action": "national", "national-stage": "enterprise_submission", "national-tier": "",
        "national-deadline": "2033-07-18T23:59", "national-reason": "",
    })
    assert response.status_code == 302
    response = client.post("/console/campaigns/2033/", {
        "action": "national", "national-stage": "enterprise_submission", "national-tier": "",
        "national-deadline": "2033-07-25T23:59", "national-reason": "",
    })
    assert "延长截止时间必须说明理由" in response.content.decode()
    client.post("/console/campaigns/2033/", {
        "action": "national", "national-stage": "enterprise_submission", "national-tier": "",
        "national-deadline": "2033-07-25T23:59", "national-reason": "延期通知",
    })
    deadline = StageDeadline.objects.get(campaign__year=2033, stage="enterprise_submission").deadline
    assert deadline.day == 25
    event = AuditEvent.objects.filter(action="campaign.deadline_set").order_by("-seq").first()
    assert event.reason == "延期通知"
