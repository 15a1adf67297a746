"""Memberships on the workflow engine: a request to join is approved or rejected by the enterprise's
admin, an active role is revoked by whoever manages it but never by its holder (P73); the members
page shows each action as the machine offers it, a refused one disabled with its reason."""

from __future__ import annotations

import pytest

from smartfactory.audit.models import AuditEvent
from smartfactory.errors import Conflict, NotPermitted
from smartfactory.organisations import memberships, services
from smartfactory.organisations.enums import AuthorityLevel, MembershipStatus, Role
from smartfactory.organisations.models import Membership
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    enterprise = f.enterprise("510107", name="锦官精密机械有限公司")
    admin = f.user("firm-admin", role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    member = f.user("firm-member", role=Role.ENTERPRISE_MEMBER, enterprise=enterprise)
    asking = f.user("firm-asking")
    request = Membership.objects.create(user=asking, role=Role.ENTERPRISE_MEMBER, enterprise=enterprise,
                                        status=MembershipStatus.PENDING)
    return {"enterprise": enterprise, "admin": admin, "member": member, "request": request,
            "own": Membership.objects.get(user=admin), "role": Membership.objects.get(user=member)}


def _members_page(client_for, firm):
    return client_for(firm["admin"]).get(f"/portal/enterprises/{firm['enterprise'].uscc}/members/").content.decode()


@pytest.mark.rule("P73")
def test_nobody_revokes_their_own_role(firm, client_for):
    with pytest.raises(NotPermitted) as exc:
        services.revoke_membership(firm["own"], actor=firm["admin"])
    assert "不能停用自己的角色" in exc.value.message
    assert Membership.objects.get(pk=firm["own"].pk).status == MembershipStatus.ACTIVE
    [own] = memberships.available(firm["own"], firm["admin"])
    assert (own.action, own.enabled) == ("revoke", False)
    page = _members_page(client_for, firm)
    assert page.count('data-testid="action-revoke"') == 2  # the member's and the admin's own
    assert page.count('data-testid="why-revoke"') == 1 and "不能停用自己的角色" in page
    response = client_for(firm["admin"]).post(
        f"/portal/enterprises/{firm['enterprise'].uscc}/members/{firm['own'].pk}/revoke/")
    assert response.status_code == 302
    assert Membership.objects.get(pk=firm["own"].pk).status == MembershipStatus.ACTIVE


@pytest.mark.rule("P73")
def test_the_admin_answers_a_request_to_join_and_revokes_a_role(firm, client_for):
    page = _members_page(client_for, firm)
    assert 'data-testid="action-approve"' in page and 'data-testid="action-reject"' in page
    assert [a.action for a in memberships.available(firm["request"], firm["admin"])] == ["approve", "reject"]
    assert memberships.available(firm["request"], firm["member"]) == []  # a member decides nothing
    with pytest.raises(NotPermitted):
        services.decide_join_request(firm["request"], actor=firm["member"], approve=True)
    response = client_for(firm["admin"]).post(
        f"/portal/enterprises/{firm['enterprise'].uscc}/members/{firm['request'].pk}/approve/")
    assert response.status_code == 302
    approved = Membership.objects.get(pk=firm["request"].pk)
    assert (approved.status, approved.decided_by) == (MembershipStatus.ACTIVE, firm["admin"])
    event = AuditEvent.objects.get(action="membership.join_approved")
    assert (event.object_type, event.object_id) == ("organisations.enterprise", firm["enterprise"].uscc)
    assert (event.before, event.after) == ({"status": "pending"}, {"status": "active", "user": "firm-asking"})
    with pytest.raises(Conflict):
        services.decide_join_request(approved, actor=firm["admin"], approve=False)
    services.revoke_membership(firm["role"], actor=firm["admin"], reason="离职")
    event = AuditEvent.objects.get(action="membership.revoke")
    assert (event.object_type, event.object_id, event.reason) == ("accounts.user", str(firm["member"].pk), "离职")
    assert (event.before, event.after) == ({"status": "active"}, {"status": "revoked", "role": Role.ENTERPRISE_MEMBER})
    with pytest.raises(Conflict):
        services.revoke_membership(firm["role"], actor=firm["admin"])


def test_a_rejected_request_is_final_and_an_authority_role_is_revoked_by_a_leader_above():
    enterprise = f.enterprise("510107")
    admin = f.user(role=Role.ENTERPRISE_ADMIN, enterprise=enterprise)
    request = Membership.objects.create(user=f.user(), role=Role.ENTERPRISE_MEMBER, enterprise=enterprise,
                                        status=MembershipStatus.PENDING)
    services.decide_join_request(request, actor=admin, approve=False, reason="非本企业员工")
    assert AuditEvent.objects.get(action="membership.join_rejected").reason == "非本企业员工"
    with pytest.raises(Conflict):
        services.revoke_membership(request, actor=admin)
    sichuan = f.authority("510000", level=AuthorityLevel.PROVINCE)
    chengdu = f.authority("510100", level=AuthorityLevel.CITY, parent=sichuan)
    reviewer = f.user(role=Role.AUTHORITY_REVIEWER, authority=chengdu)
    role = Membership.objects.get(user=reviewer)
    with pytest.raises(NotPermitted):  # a reviewer of the same authority manages no accounts
        services.revoke_membership(role, actor=f.user(role=Role.AUTHORITY_REVIEWER, authority=chengdu))
    services.revoke_membership(role, actor=f.user(role=Role.AUTHORITY_LEADER, authority=sichuan))
    assert Membership.objects.get(pk=role.pk).status == MembershipStatus.REVOKED
