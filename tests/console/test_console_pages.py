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
