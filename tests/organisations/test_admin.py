"""The admin cannot bypass the services: domain rows are read-only; authorities go through
``save_authority`` and are audited."""

from __future__ import annotations

import pytest

from smartfactory.audit.models import AuditEvent
from smartfactory.organisations.enums import Role
from smartfactory.organisations.models import Authority
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_enterprise_admin_pages_are_read_only(client_for):
    admin_user = f.platform_admin()
    enterprise = f.enterprise("510107")
    client = client_for(admin_user)
    page = client.get(f"/admin/organisations/enterprise/{enterprise.pk}/change/")
    assert page.status_code == 200
    client.post(f"/admin/organisations/enterprise/{enterprise.pk}/change/", {"name": "篡改"})
    enterprise.refresh_from_db()
    assert enterprise.name != "篡改"
    assert client.get("/admin/organisations/enterprise/add/").status_code == 403
    assert client.post(f"/admin/organisations/enterprise/{enterprise.pk}/delete/", {"post": "yes"}).status_code == 403


def test_authority_created_in_admin_is_audited(client_for):
    admin_user = f.platform_admin()
    client = client_for(admin_user)
    response = client.post("/admin/organisations/authority/add/", {
        "name": "成都市青羊区经济和信息化局", "short_name": "", "kind": "government", "level": "county",
        "department": "industry", "is_lead": "on", "division": "510105", "parent": "", "uscc": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    authority = Authority.objects.get(name="成都市青羊区经济和信息化局")
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.object_id, event.after["division"]) == ("authority.create", str(authority.pk), "510105")


def test_non_admin_staff_cannot_change_authorities(client_for):
    staff = f.user("staffer", role=Role.EXPERT, is_staff=True)
    client = client_for(staff)
    assert client.get("/admin/organisations/authority/add/").status_code == 403
