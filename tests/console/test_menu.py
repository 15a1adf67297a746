"""The application shell's menu: every role sees only links it can use, and every link it sees
opens (200) — the menu walk of issue 14. Also: the menu costs no query, marks the current page and
gives the breadcrumbs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartfactory.navigation import menu_for
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department, Role
from smartfactory.regions.models import Division
from tests import factories as f
from tests.factories.evaluation import ExpertProfileFactory

pytestmark = pytest.mark.django_db

ROLES = ["enterprise_admin", "enterprise_member", "district", "city", "province_leader", "province_reviewer",
         "province_ndrc", "soe", "xpcc", "plan_city", "miit", "other_ministry", "expert", "platform_admin"]


def _people(world) -> dict:
    """One user per kind of role the platform has, around the advanced-tier world."""
    users = world["users"]
    enterprise = world["factory"].enterprise
    Division.objects.filter(code="330200").update(is_separately_planned=True)
    ningbo = f.authority("330200", level=AuthorityLevel.CITY, name="宁波市经济和信息化局")
    return {
        "enterprise_admin": users["enterprise"],
        "enterprise_member": f.user("member", role=Role.ENTERPRISE_MEMBER, enterprise=enterprise),
        "district": users["district"], "city": users["city"], "province_leader": users["province"],
        "province_reviewer": users["province_reviewer"],
        "province_ndrc": f.user("ndrc", role=Role.AUTHORITY_REVIEWER, authority=world["co"][0]),
        "soe": f.user("soe", role=Role.AUTHORITY_LEADER, authority=f.soe_group("中国智造装备集团有限公司")),
        "xpcc": f.user("xpcc", role=Role.AUTHORITY_REVIEWER,
                       authority=f.authority("660000", level=AuthorityLevel.PROVINCE, kind=AuthorityKind.XPCC,
                                             name="新疆生产建设兵团工业和信息化局")),
        "plan_city": f.user("ningbo", role=Role.AUTHORITY_LEADER, authority=ningbo),
        "miit": f.user("miit", role=Role.MINISTRY_STAFF, authority=f.ministry()),
        "other_ministry": f.user("ndrc-national", role=Role.MINISTRY_STAFF, authority=f.authority(
            None, level=AuthorityLevel.NATIONAL, kind=AuthorityKind.MINISTRY, name="国家发展和改革委员会",
            department=Department.DEVELOPMENT_REFORM, is_lead=False)),
        "expert": ExpertProfileFactory().user,
        "platform_admin": f.platform_admin(),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_link_of_every_role_opens(world, client_for, role):
    user = _people(world)[role]
    links = [link for section in menu_for(user) for link in section["links"]]
    assert links, role
    client = client_for(user)
    for link in links:
        response = client.get(link["url"], follow=True)
        assert response.status_code == 200, (role, link["label"], link["url"], response.status_code)


def _labels(user) -> set[str]:
    return {str(link["label"]) for section in menu_for(user) for link in section["links"]}


def test_each_role_sees_only_what_it_can_use(world):
    people = _people(world)
    assert _labels(people["enterprise_admin"]) == {"我的待办", "通知", "我的企业与申报", "监督与复核", "通知设置"}
    district = _labels(people["district"])
    assert {"层级申报审核", "纸质材料", "领航级培育", "监督事项"} <= district
    assert not district & {"推荐与排序", "国家评审", "账号管理", "专家库", "系统管理", "我的企业与申报"}
    assert {"推荐与排序", "国家评审", "账号管理"} <= _labels(people["province_leader"])
    assert "推荐与排序" in _labels(people["province_ndrc"]) and "国家评审" not in _labels(people["province_ndrc"])
    assert {"推荐与排序", "国家评审"} <= _labels(people["soe"]) & _labels(people["xpcc"])
    assert "推荐与排序" in _labels(people["plan_city"])
    miit = _labels(people["miit"])
    assert {"国家评审", "专家库", "案例库管理", "推荐与排序"} <= miit and "纸质材料" not in miit
    assert "专家库" not in _labels(people["other_ministry"])
    assert _labels(people["expert"]) == {"我的待办", "通知", "我的评审任务", "通知设置"}
    assert "系统管理" in _labels(people["platform_admin"])


def test_the_menu_costs_no_query_once_the_memberships_are_loaded(world):
    user = _people(world)["province_leader"]
    menu_for(user)  # loads the memberships (the page has them already)
    with CaptureQueriesContext(connection) as ctx:
        menu_for(user, "/console/applications/")
    assert len(ctx.captured_queries) == 0


def test_the_current_page_is_marked_and_gives_the_breadcrumbs(world, client_for):
    client = client_for(world["users"]["province"])
    page = client.get("/console/applications/").content.decode()
    assert '<a href="/console/applications/" aria-current="page" data-testid="menu-link">层级申报审核</a>' in page
    assert 'data-testid="breadcrumbs"' in page and '<span aria-current="page">层级申报审核</span>' in page
    assert "<title>层级申报审核 · 智能工厂梯度培育平台</title>" in page
    detail = client.get(f"/console/applications/{world['app'].pk}/").content.decode()
    assert '<li><a href="/console/applications/">层级申报审核</a></li>' in detail  # one level up, a link
    assert 'data-testid="menu-toggle"' in page and 'data-testid="logout"' in page
