"""The scope matrix: every role against own / sibling district / other city / other province /
XPCC / other central-SOE group, with data present that would leak. Checked through the query
functions, the API (list and detail) and the pages (detail) alike."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Role
from smartfactory.organisations.queries import enterprises_for_user, factories_for_user
from tests import factories as f

pytestmark = pytest.mark.django_db


@dataclass
class World:
    enterprises: dict
    factories: dict
    users: dict


@pytest.fixture
def world() -> World:
    miit = f.ministry()
    sichuan = f.authority("510000", level=AuthorityLevel.PROVINCE, parent=miit)
    chengdu = f.authority("510100", level=AuthorityLevel.CITY, parent=sichuan)
    wuhou = f.authority("510107", level=AuthorityLevel.COUNTY, parent=chengdu)
    f.authority("510104", level=AuthorityLevel.COUNTY, parent=chengdu)
    mianyang = f.authority("510700", level=AuthorityLevel.CITY, parent=sichuan)
    zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE, parent=miit)
    ningbo = f.authority("330200", level=AuthorityLevel.CITY, parent=zhejiang)
    xpcc = f.authority("660000", level=AuthorityLevel.PROVINCE, kind=AuthorityKind.XPCC, parent=miit)
    soe_a = f.soe_group("集团A")
    soe_b = f.soe_group("集团B")
    ents = {
        "wuhou": f.enterprise("510107"),
        "jinjiang": f.enterprise("510104"),  # sibling district
        "fucheng": f.enterprise("510703"),  # other city, same province
        "haishu": f.enterprise("330203"),  # other province (宁波, 计划单列市)
        "xinjiang": f.enterprise("650102"),  # 乌鲁木齐, Xinjiang proper (not XPCC)
        "xpcc": f.enterprise("659001"),  # 石河子, XPCC
        "soe_a_sichuan": f.enterprise("510108", soe=soe_a),
        "soe_a_zhejiang": f.enterprise("330212", soe=soe_a),
        "soe_b": f.enterprise("320115", soe=soe_b),
    }
    facts = {key: f.factory(e) for key, e in ents.items()}
    users = {
        "enterprise": f.user(role=Role.ENTERPRISE_ADMIN, enterprise=ents["wuhou"]),
        "county": f.user(role=Role.AUTHORITY_REVIEWER, authority=wuhou),
        "city": f.user(role=Role.AUTHORITY_LEADER, authority=chengdu),
        "other_city": f.user(role=Role.AUTHORITY_REVIEWER, authority=mianyang),
        "province": f.user(role=Role.AUTHORITY_LEADER, authority=sichuan),
        "planned_city": f.user(role=Role.AUTHORITY_REVIEWER, authority=ningbo),
        "other_province": f.user(role=Role.AUTHORITY_REVIEWER, authority=zhejiang),
        "xpcc": f.user(role=Role.AUTHORITY_REVIEWER, authority=xpcc),
        "soe_a": f.user(role=Role.AUTHORITY_LEADER, authority=soe_a),
        "soe_b": f.user(role=Role.AUTHORITY_REVIEWER, authority=soe_b),
        "ministry": f.user(role=Role.MINISTRY_STAFF, authority=miit),
        "expert": f.user(role=Role.EXPERT),
        "admin": f.platform_admin(),
        "nobody": f.user(),
    }
    return World(ents, facts, users)


ALL = {"wuhou", "jinjiang", "fucheng", "haishu", "xinjiang", "xpcc", "soe_a_sichuan", "soe_a_zhejiang", "soe_b"}
EXPECTED = {
    "enterprise": {"wuhou"},
    "county": {"wuhou"},
    "city": {"wuhou", "jinjiang", "soe_a_sichuan"},
    "other_city": {"fucheng"},
    "province": {"wuhou", "jinjiang", "fucheng", "soe_a_sichuan"},
    "planned_city": {"haishu", "soe_a_zhejiang"},
    "other_province": {"haishu", "soe_a_zhejiang"},
    "xpcc": {"xpcc"},
    "soe_a": {"soe_a_sichuan", "soe_a_zhejiang"},
    "soe_b": {"soe_b"},
    "ministry": ALL,
    "expert": set(),
    "admin": ALL,
    "nobody": set(),
}


def _keys(world: World, usccs) -> set[str]:
    by_uscc = {e.uscc: key for key, e in world.enterprises.items()}
    return {by_uscc[u] for u in usccs}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_enterprises_for_user_matches_oracle(world, who):
    user = world.users[who]
    assert _keys(world, enterprises_for_user(user).values_list("uscc", flat=True)) == EXPECTED[who]
    factory_owners = factories_for_user(user).values_list("enterprise__uscc", flat=True)
    assert _keys(world, factory_owners) == EXPECTED[who]


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_api_lists_and_details_follow_scope(world, who, client_for):
    client = client_for(world.users[who])
    listed = client.get("/api/v1/enterprises", {"limit": 100})
    assert listed.status_code == 200
    assert _keys(world, [e["uscc"] for e in listed.json()["items"]]) == EXPECTED[who]
    factory_list = client.get("/api/v1/factories", {"limit": 100}).json()["items"]
    assert _keys(world, [x["enterprise_uscc"] for x in factory_list]) == EXPECTED[who]
    for key, ent in world.enterprises.items():
        visible = key in EXPECTED[who]
        detail = client.get(f"/api/v1/enterprises/{ent.uscc}")
        assert detail.status_code == (200 if visible else 404), (who, key)
        if not visible:
            assert detail.json() == {"code": "not_found", "message": "未找到该对象，或您无权访问。"}
        fact = client.get(f"/api/v1/factories/{world.factories[key].id}")
        assert fact.status_code == (200 if visible else 404), (who, key)
        sub = client.get(f"/api/v1/enterprises/{ent.uscc}/factories")
        assert sub.status_code == (200 if visible else 404), (who, key)


GOVERNMENT = ["county", "city", "province", "planned_city", "other_province", "xpcc", "soe_a", "soe_b", "ministry", "admin"]


@pytest.mark.parametrize("who", GOVERNMENT)
def test_console_pages_follow_scope(world, who, client_for):
    client = client_for(world.users[who])
    page = client.get("/console/enterprises/")
    assert page.status_code == 200
    shown = {key for key, e in world.enterprises.items() if e.uscc in page.content.decode()}
    assert shown == EXPECTED[who]
    for key, ent in world.enterprises.items():
        response = client.get(f"/console/enterprises/{ent.uscc}/")
        assert response.status_code == (200 if key in EXPECTED[who] else 404), (who, key)


@pytest.mark.parametrize("who", ["enterprise", "county", "province", "soe_b", "expert", "nobody"])
def test_portal_pages_follow_scope(world, who, client_for):
    client = client_for(world.users[who])
    for key, ent in world.enterprises.items():
        visible = key in EXPECTED[who]
        assert client.get(f"/portal/enterprises/{ent.uscc}/").status_code == (200 if visible else 404), (who, key)
        factory_url = f"/portal/factories/{world.factories[key].id}/"
        assert client.get(factory_url).status_code == (200 if visible else 404), (who, key)


def test_enterprise_user_cannot_open_console_lists(world, client_for):
    client = client_for(world.users["enterprise"])
    assert client.get("/console/enterprises/").status_code == 404
    assert client.get("/console/users/").status_code == 404


def test_anonymous_api_is_401_and_pages_redirect(world, client):
    response = client.get("/api/v1/enterprises")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert client.get(f"/console/enterprises/{world.enterprises['wuhou'].uscc}/").status_code == 302
