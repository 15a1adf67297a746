"""Enterprise self-registration, join requests and profile edits (service and page)."""

from __future__ import annotations

import pytest

from smartfactory.accounts.models import User
from smartfactory.audit.models import AuditEvent
from smartfactory.demo.identifiers import make_uscc
from smartfactory.errors import Conflict, InvalidInput, NotPermitted
from smartfactory.organisations import services
from smartfactory.organisations.enums import MembershipStatus, Role
from smartfactory.organisations.models import Enterprise, Membership
from tests import factories as f

pytestmark = pytest.mark.django_db

PROFILE = {"name": "锦官精密机械有限公司", "legal_status": "independent", "county": "510107", "industry": "34"}


def register(username="newcomer", uscc=None, **profile):
    return services.register_enterprise(
        username=username, password=f.PASSWORD, display_name="新人", email="a@example.invalid",
        uscc=uscc or make_uscc("510107", 77_001), enterprise={**PROFILE, **profile},
    )


def test_new_uscc_creates_enterprise_with_admin_and_audit():
    registration = register()
    enterprise = registration.enterprise
    assert enterprise.province_code == "510000" and enterprise.city_code == "510100"
    assert Membership.objects.get(user=registration.user).role == Role.ENTERPRISE_ADMIN
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))[-2:]
    assert actions == ["user.register", "enterprise.register"]


def test_wrong_check_digit_saves_nothing():
    bad = make_uscc("510107", 77_002)
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    with pytest.raises(InvalidInput) as exc:
        register(uscc=bad)
    assert exc.value.field == "uscc"
    assert "统一社会信用代码校验位错误" in exc.value.message
    assert not User.objects.filter(username="newcomer").exists()
    assert not Enterprise.objects.filter(name=PROFILE["name"]).exists()


def test_second_person_with_same_uscc_asks_to_join_and_admin_approves():
    first = register("first")
    second = register("second", uscc=first.enterprise.uscc, name="另一个名字")
    assert second.joined_existing
    assert Enterprise.objects.filter(uscc=first.enterprise.uscc).count() == 1
    assert Enterprise.objects.get(uscc=first.enterprise.uscc).name == PROFILE["name"]
    pending = second.membership
    assert pending.status == MembershipStatus.PENDING
    with pytest.raises(NotPermitted):
        services.decide_join_request(pending, actor=second.user, approve=True)
    services.decide_join_request(pending, actor=first.user, approve=True)
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.ACTIVE and pending.decided_by == first.user
    with pytest.raises(Conflict):
        services.decide_join_request(pending, actor=first.user, approve=False)


def test_branch_needs_parent_uscc_and_independent_must_not_have_one():
    with pytest.raises(InvalidInput) as exc:
        register(legal_status="branch")
    assert exc.value.field == "parent_uscc"
    with pytest.raises(InvalidInput):
        register(uscc=make_uscc("510107", 77_003), parent_uscc=make_uscc("510107", 77_004))
    ok = register("branchy", uscc=make_uscc("510107", 77_005), legal_status="branch",
                  parent_uscc=make_uscc("110108", 77_006))
    assert ok.enterprise.parent_uscc


def test_county_must_be_a_current_county():
    with pytest.raises(InvalidInput) as exc:
        register(county="510100")  # a city, not a county
    assert exc.value.field == "county"


def test_update_enterprise_refuses_unknown_fields_and_non_admins():
    reg = register()
    member = f.user(role=Role.ENTERPRISE_MEMBER, enterprise=reg.enterprise)
    with pytest.raises(NotPermitted):
        services.update_enterprise(reg.enterprise, actor=member, changes={"name": "X"})
    with pytest.raises(InvalidInput):
        services.update_enterprise(reg.enterprise, actor=reg.user, changes={"uscc": make_uscc("510107", 1)})
    updated = services.update_enterprise(reg.enterprise, actor=reg.user, changes={"industry": "35", "address": "新址"})
    assert (updated.industry_id, updated.address) == ("35", "新址")
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.before["industry"] == "34" and event.after["industry"] == "35"


def test_registration_page_shows_field_error_and_keeps_input(client):
    bad = make_uscc("510107", 77_010)[:-1] + "0"
    if bad == make_uscc("510107", 77_010):
        bad = bad[:-1] + "1"
    response = client.post("/portal/register/", {
        "uscc": bad, **PROFILE, "province": "510000", "city": "510100", "username": "pageuser",
        "display_name": "页面", "email": "p@example.invalid", "password": f.PASSWORD, "password2": f.PASSWORD,
        "above_designated_size": "on",
    })
    assert response.status_code == 200
    body = response.content.decode()
    assert "统一社会信用代码校验位错误" in body
    assert "锦官精密机械有限公司" in body  # what was typed is still there
    assert not User.objects.filter(username="pageuser").exists()


def test_enterprise_admin_creates_factory_member_cannot_edit_other(client_for):
    reg = register()
    client = client_for(reg.user)
    response = client.post(f"/portal/enterprises/{reg.enterprise.uscc}/factories/new/", {
        "name": "武侯一号工厂", "province": "510000", "city": "510100", "county": "510107", "main_products": "机床",
    })
    assert response.status_code == 302
    factory = reg.enterprise.factories.get()
    assert factory.name == "武侯一号工厂"
    other = f.factory(f.enterprise("510107"))
    assert client.post(f"/portal/factories/{other.id}/edit/", {"name": "hijack", "county": "510107"}).status_code == 404
    other.refresh_from_db()
    assert other.name != "hijack"
